// SPDX-License-Identifier: MIT
/*
 * An NVMe ZNS namespace inside the process: commands in, statuses out, as
 * the NVMe Zoned Namespace Command Set 1.1 specifies them, with the faults
 * real devices and transports produce on request.
 *
 * What it keeps per zone: state, write pointer, the write pointer that is
 * durable (what survives a power loss), attributes, data in 64 KiB chunks
 * allocated on first write, the descriptor extension. Open and active
 * resources are counted as the spec counts them; when a zone must open and
 * the open limit is reached, the zone implicitly opened longest ago is
 * closed to make room (the spec lets a controller do so; QEMU does the
 * same). Every error carries DNR, as QEMU sets it.
 *
 * Where the spec leaves a choice, what is chosen (and where QEMU 7.2
 * differs, the differential suite's table says so): a Full zone reports
 * its write pointer as zslba + zcap (QEMU: all ones), an Offline zone all
 * ones, a Read Only zone the write pointer it had; an explicit open past
 * the open limit answers Too Many Open Zones even when the active limit is
 * reached too (QEMU checks active first); NUMZRWA is 0's based.
 *
 * Layer: transport, beside ioctl.c; see emu.h.
 */
#include "emu.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <time.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define CHUNK		(64u << 10)
#define MAX_FAULTS	32
#define DNR		0x4000
#define SC(x)		((x) | DNR)
#define ST_INVALID_OPCODE	SC(0x001)
#define ST_INVALID_FIELD	SC(0x002)
#define ST_INVALID_NS		SC(0x00b)
#define ST_LBA_RANGE		SC(0x080)
#define ST_ZRWA_UNAVAIL		SC(0x1b7)
#define ST_INVALID_ZONE_OP	SC(0x1b6)
#define ST_BOUNDARY		SC(0x1b8)
#define ST_FULL			SC(0x1b9)
#define ST_READ_ONLY		SC(0x1ba)
#define ST_OFFLINE		SC(0x1bb)
#define ST_INVALID_WRITE	SC(0x1bc)
#define ST_TOO_MANY_ACTIVE	SC(0x1bd)
#define ST_TOO_MANY_OPEN	SC(0x1be)
#define ST_TRANSITION		SC(0x1bf)

#define FILE_MAGIC	"LIBZNSEMU1"
#define FILE_HDR	4096u

enum { ZS_EMPTY = 1, ZS_IOPEN = 2, ZS_EOPEN = 3, ZS_CLOSED = 4,
       ZS_RO = 0xd, ZS_FULL = 0xe, ZS_OFFLINE = 0xf };

struct emu_zone {
	uint64_t zslba, zcap;
	uint64_t wp;		/* write pointer (ZRWA: flushed part) */
	uint64_t dwp;		/* durable write pointer */
	uint64_t hw;		/* end of the data written since the last
				 * reset: above it a read returns zeroes, so
				 * chunks are reused without clearing them */
	uint64_t iopen_seq;	/* when it became implicitly open */
	uint8_t state;
	uint8_t za;		/* ZDEV, ZRWAV */
	uint8_t finished;	/* Full by a Finish: durable as such */
	uint8_t **chunks;
	uint8_t *ext;
};

/* What a zone looks like in the backing file. */
struct file_zone {
	uint64_t dwp;
	uint8_t state;
	uint8_t za;
	uint8_t rsvd[6];
};

struct file_hdr {
	char magic[16];
	uint32_t lba_size, nr_zones, zdes, rsvd;
	uint64_t zone_size, zone_cap;
};

/* A command that reported failure and runs later (ZNS_EMU_LATE): its own
 * copy of the command and of the data it carried. */
struct emu_late {
	struct nvme_uring_cmd c;
	void *data;
	uint32_t left;		/* IO commands still to come before it runs */
};

struct zns_emu {
	char lock;		/* a spin lock: held for one command */
	struct zns_emu_opts o;
	uint32_t lba_shift;
	int zone_shift;		/* log2 of the zone size, or -1 */
	uint64_t nr_lbas;
	uint32_t nr_chunks;	/* per zone */
	uint32_t nr_open, nr_active, zrwa_free;
	uint64_t seq;
	struct emu_zone *z;
	int fd;			/* backing file, or -1 */
	int removed;
	uint64_t nopath_until;	/* CLOCK_MONOTONIC ns: no path before it */
	struct zns_emu_fault faults[MAX_FAULTS];
	unsigned int nr_faults;
	struct emu_late late[MAX_FAULTS];	/* ZNS_EMU_LATE commands */
	unsigned int nr_late;
	uint64_t changed[511];	/* Changed Zone List */
	unsigned int nr_changed;
	int changed_overflow;
};

/* ------------------------------------------------------- zone helpers -- */

/* One command at a time: a device may be shared by threads and queues.
 * Held for a few hundred nanoseconds, so spin, yielding now and then. */
static inline void emu_lock(struct zns_emu *e)
{
	unsigned int n = 0;

	while (__atomic_test_and_set(&e->lock, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&e->lock, __ATOMIC_RELAXED))
			if (++n % 256 == 0)
				sched_yield();
}

static inline void emu_unlock(struct zns_emu *e)
{
	__atomic_clear(&e->lock, __ATOMIC_RELEASE);
}

static inline struct emu_zone *zone_of(struct zns_emu *e, uint64_t lba)
{
	if (likely(e->zone_shift >= 0))
		return &e->z[lba >> e->zone_shift];
	return &e->z[lba / e->o.zone_size];
}

static inline int is_open(uint8_t s)
{
	return s == ZS_IOPEN || s == ZS_EOPEN;
}

static inline int is_active(uint8_t s)
{
	return is_open(s) || s == ZS_CLOSED;
}

static void note_changed(struct zns_emu *e, const struct emu_zone *z)
{
	unsigned int i;

	for (i = 0; i < e->nr_changed; i++)
		if (e->changed[i] == z->zslba)
			return;
	if (e->nr_changed < 511)
		e->changed[e->nr_changed++] = z->zslba;
	else
		e->changed_overflow = 1;
}

/* Move @z to state @s, keeping the open and active counts. */
static void set_state(struct zns_emu *e, struct emu_zone *z, uint8_t s)
{
	if (is_open(z->state))
		e->nr_open--;
	if (is_active(z->state))
		e->nr_active--;
	if (z->za & NVME_ZNS_ZA_ZRWAV && !is_active(s)) {
		z->za &= (uint8_t)~NVME_ZNS_ZA_ZRWAV;
		e->zrwa_free++;
	}
	z->state = s;
	if (is_open(s))
		e->nr_open++;
	if (is_active(s))
		e->nr_active++;
	if (s == ZS_IOPEN)
		z->iopen_seq = ++e->seq;
}

/* The data chunk holding @lba's byte @off of zone @z, allocated when
 * @alloc; NULL when it was never written. */
static uint8_t *chunk(struct zns_emu *e, struct emu_zone *z, uint64_t byte,
		      int alloc)
{
	uint64_t c = byte / CHUNK;

	if (!z->chunks) {
		if (!alloc)
			return NULL;
		z->chunks = calloc(e->nr_chunks, sizeof(*z->chunks));
		if (!z->chunks)
			return NULL;
	}
	if (!z->chunks[c] && alloc)
		z->chunks[c] = calloc(1, CHUNK);
	return z->chunks[c];
}

/* Forget the data from @from_lba on: reads there return zeroes again. */
static void drop_data(struct emu_zone *z, uint64_t from_lba)
{
	if (z->hw > from_lba)
		z->hw = from_lba;
}

/* Copy between the zones' data and a buffer; @lba..@lba+@n may cross zones
 * (reads across boundaries). A NULL buffer writes zeroes. */
static int copy_data(struct zns_emu *e, uint64_t lba, uint32_t n, void *buf,
		     int write)
{
	uint8_t *p = buf;

	if (write && p) {	/* the common case: a write within one chunk */
		struct emu_zone *z = zone_of(e, lba);
		uint64_t byte = (lba - z->zslba) << e->lba_shift;
		uint64_t len = (uint64_t)n << e->lba_shift;
		uint8_t *c;

		if (byte % CHUNK + len <= CHUNK && z->chunks &&
		    (c = z->chunks[byte / CHUNK])) {
			memcpy(c + byte % CHUNK, p, len);
			if (lba + n > z->hw)
				z->hw = lba + n;
			return 0;
		}
	}
	while (n) {
		struct emu_zone *z = zone_of(e, lba);
		uint64_t byte = (lba - z->zslba) << e->lba_shift;
		uint64_t in_chunk = CHUNK - byte % CHUNK;
		uint64_t left = (uint64_t)n << e->lba_shift;
		uint64_t len = left < in_chunk ? left : in_chunk;
		uint64_t zleft = (z->zslba + e->o.zone_size - lba) << e->lba_shift;
		uint64_t valid = lba < z->hw ? (z->hw - lba) << e->lba_shift : 0;
		uint8_t *c;

		if (len > zleft)
			len = zleft;
		c = chunk(e, z, byte, write);
		if (write) {
			if (!c)
				return -ENOMEM;
			if (p)
				memcpy(c + byte % CHUNK, p, len);
			else
				memset(c + byte % CHUNK, 0, len);
			if (lba + (len >> e->lba_shift) > z->hw)
				z->hw = lba + (len >> e->lba_shift);
		} else {
			uint64_t have = c ? (valid < len ? valid : len) : 0;

			if (have)
				memcpy(p, c + byte % CHUNK, have);
			memset(p + have, 0, len - have);
		}
		if (p)
			p += len;
		lba += len >> e->lba_shift;
		n -= (uint32_t)(len >> e->lba_shift);
	}
	return 0;
}

/* As copy_data(), for a vectored command: @iov holds @cnt elements, each a
 * whole number of logical blocks (a difference from the kernel, which takes
 * any split: the layer above only makes whole-block ones), together at
 * least @n blocks. */
static int copy_vec(struct zns_emu *e, uint64_t lba, uint32_t n,
		    const struct iovec *iov, uint32_t cnt, int write)
{
	uint32_t i;
	int rc;

	for (i = 0; i < cnt && n; i++) {
		uint32_t len = (uint32_t)(iov[i].iov_len >> e->lba_shift);

		if (len > n)
			len = n;
		rc = copy_data(e, lba, len, iov[i].iov_base, write);
		if (rc)
			return rc;
		lba += len;
		n -= len;
	}
	return 0;
}

/* Is the command's data (one buffer, or a vector) at least @bytes long, in
 * whole blocks? */
static int data_ok(const struct zns_emu *e, const struct nvme_uring_cmd *c,
		   int vec, uint64_t bytes)
{
	const struct iovec *iov = (const struct iovec *)(uintptr_t)c->addr;
	uint64_t total = 0;
	uint32_t i;

	if (!c->addr)
		return 0;
	if (!vec)
		return c->data_len >= bytes;
	if (!c->data_len || c->data_len > ZNS_MAX_IOV)
		return 0;
	for (i = 0; i < c->data_len; i++) {
		if (!iov[i].iov_base ||
		    iov[i].iov_len & ((1ull << e->lba_shift) - 1))
			return 0;
		total += iov[i].iov_len;
	}
	return total >= bytes;
}

/* ----------------------------------------------------- backing file -- */

static uint64_t file_data_off(const struct zns_emu *e)
{
	uint64_t zrec = (uint64_t)e->o.nr_zones * sizeof(struct file_zone);

	return (FILE_HDR + zrec + 4095) & ~4095ull;
}

static uint64_t file_ext_off(const struct zns_emu *e)
{
	return file_data_off(e) + (e->nr_lbas << e->lba_shift);
}

static void file_put_zone(struct zns_emu *e, const struct emu_zone *z)
{
	struct file_zone r;
	uint64_t i = (z->zslba / e->o.zone_size);

	if (e->fd < 0)
		return;
	memset(&r, 0, sizeof(r));
	r.dwp = z->dwp;
	r.state = z->finished ? ZS_FULL : z->state;
	r.za = z->za & NVME_ZNS_ZA_ZDEV;
	if (pwrite(e->fd, &r, sizeof(r), FILE_HDR + i * sizeof(r)) != sizeof(r))
		return;
}

/* Make [from, to) of zone @z durable. */
static void make_durable(struct zns_emu *e, struct emu_zone *z, uint64_t to)
{
	uint64_t lba = z->dwp;

	if (e->fd < 0) {	/* memory only: nothing to write */
		z->dwp = to;
		return;
	}
	if (to <= z->dwp) {
		z->dwp = to;
		file_put_zone(e, z);
		return;
	}
	while (e->fd >= 0 && lba < to) {
		uint64_t byte = (lba - z->zslba) << e->lba_shift;
		uint64_t len = CHUNK - byte % CHUNK;
		uint8_t *c = chunk(e, z, byte, 0);

		if (len > (to - lba) << e->lba_shift)
			len = (to - lba) << e->lba_shift;
		if (c && pwrite(e->fd, c + byte % CHUNK, len,
				(off_t)(file_data_off(e) + (lba << e->lba_shift))) < 0)
			break;
		lba += len >> e->lba_shift;
	}
	z->dwp = to;
	file_put_zone(e, z);
}

static int file_create(struct zns_emu *e)
{
	struct file_hdr h;
	uint64_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, FILE_MAGIC, sizeof(FILE_MAGIC));
	h.lba_size = e->o.lba_size;
	h.nr_zones = e->o.nr_zones;
	h.zdes = e->o.zdes;
	h.zone_size = e->o.zone_size;
	h.zone_cap = e->o.zone_cap;
	if (ftruncate(e->fd, 0) || pwrite(e->fd, &h, sizeof(h), 0) != sizeof(h) ||
	    ftruncate(e->fd, (off_t)(file_ext_off(e) +
				     (uint64_t)e->o.nr_zones * e->o.zdes)))
		return -errno;
	for (i = 0; i < e->o.nr_zones; i++)
		file_put_zone(e, &e->z[i]);
	return 0;
}

/* Load what the file holds: the same geometry, or -EMEDIUMTYPE. */
static int file_load(struct zns_emu *e)
{
	struct file_hdr h;
	uint64_t i;

	if (pread(e->fd, &h, sizeof(h), 0) != sizeof(h) ||
	    memcmp(h.magic, FILE_MAGIC, sizeof(FILE_MAGIC)) ||
	    h.lba_size != e->o.lba_size || h.nr_zones != e->o.nr_zones ||
	    h.zdes != e->o.zdes || h.zone_size != e->o.zone_size ||
	    h.zone_cap != e->o.zone_cap)
		return -EMEDIUMTYPE;
	for (i = 0; i < e->o.nr_zones; i++) {
		struct emu_zone *z = &e->z[i];
		struct file_zone r;
		uint64_t lba;

		if (pread(e->fd, &r, sizeof(r), FILE_HDR + i * sizeof(r)) != sizeof(r))
			return -EMEDIUMTYPE;
		if (r.dwp < z->zslba || r.dwp > z->zslba + z->zcap)
			return -EMEDIUMTYPE;
		z->wp = z->dwp = z->hw = r.dwp;
		z->za = r.za & NVME_ZNS_ZA_ZDEV;
		z->finished = r.state == ZS_FULL && r.dwp < z->zslba + z->zcap;
		for (lba = z->zslba; lba < z->dwp;) {
			uint64_t byte = (lba - z->zslba) << e->lba_shift;
			uint64_t len = CHUNK - byte % CHUNK;
			uint8_t *c = chunk(e, z, byte, 1);

			if (!c)
				return -ENOMEM;
			if (len > (z->dwp - lba) << e->lba_shift)
				len = (z->dwp - lba) << e->lba_shift;
			if (pread(e->fd, c + byte % CHUNK, len,
				  (off_t)(file_data_off(e) + (lba << e->lba_shift))) < 0)
				return -errno;
			lba += len >> e->lba_shift;
		}
		if (z->ext && pread(e->fd, z->ext, e->o.zdes,
				    (off_t)(file_ext_off(e) + i * e->o.zdes)) < 0)
			return -errno;
		/* what a controller shows after power comes back */
		if (r.state == ZS_RO || r.state == ZS_OFFLINE || r.state == ZS_FULL)
			set_state(e, z, r.state);
		else if (z->wp == z->zslba && !(z->za & NVME_ZNS_ZA_ZDEV))
			set_state(e, z, ZS_EMPTY);
		else
			set_state(e, z, ZS_CLOSED);
	}
	return 0;
}

/* ------------------------------------------------------- resources -- */

/* Make room to open one zone (and activate it when @act): close the zone
 * implicitly opened longest ago when the open limit is reached. */
static int open_resources(struct zns_emu *e, int act, int zrwa)
{
	uint32_t mo = e->o.max_open, ma = e->o.max_active;

	if (mo && e->nr_open >= mo) {
		struct emu_zone *old = NULL;
		uint32_t i;

		for (i = 0; i < e->o.nr_zones; i++)
			if (e->z[i].state == ZS_IOPEN &&
			    (!old || e->z[i].iopen_seq < old->iopen_seq))
				old = &e->z[i];
		if (!old)
			return ST_TOO_MANY_OPEN;
		set_state(e, old, ZS_CLOSED);
	}
	if (act && ma && e->nr_active >= ma)
		return ST_TOO_MANY_ACTIVE;
	if (zrwa && !e->zrwa_free)
		return ST_ZRWA_UNAVAIL;
	return 0;
}

/* The implicit open a write does to an Empty or Closed zone. */
static int implicit_open(struct zns_emu *e, struct emu_zone *z)
{
	int rc;

	if (is_open(z->state))
		return 0;
	rc = open_resources(e, z->state == ZS_EMPTY, 0);
	if (!rc)
		set_state(e, z, ZS_IOPEN);
	return rc;
}

/* The write pointer reached the zone capacity: Full, resources released. */
static void advance_wp(struct zns_emu *e, struct emu_zone *z, uint64_t nlb)
{
	z->wp += nlb;
	if (!(e->o.flags & ZNS_EMU_VWC)) {
		if (likely(e->fd < 0))
			z->dwp = z->wp;
		else
			make_durable(e, z, z->wp);
	}
	if (z->wp == z->zslba + z->zcap)
		set_state(e, z, ZS_FULL);
}

/* --------------------------------------------------------------- IO -- */

static int check_write_state(const struct emu_zone *z)
{
	switch (z->state) {
	case ZS_FULL:
		return ST_FULL;
	case ZS_OFFLINE:
		return ST_OFFLINE;
	case ZS_RO:
		return ST_READ_ONLY;
	default:
		return 0;
	}
}

/* Write, Write Zeroes and Zone Append. @hollow (ZNS_EMU_HOLLOW): the
 * command is checked and moves the write pointer as usual, but its blocks
 * read as never written. */
static int do_write(struct zns_emu *e, const struct nvme_uring_cmd *c,
		    int vec, uint64_t *result, int hollow)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint32_t nlb = (c->cdw12 & 0xffff) + 1;
	uint64_t bytes = (uint64_t)nlb << e->lba_shift;
	uint8_t opcode = c->opcode;
	struct emu_zone *z;
	int rc;

	if (opcode != ZNS_OP_WRITE_ZEROES) {
		if (bytes > e->o.mdts)
			return ST_INVALID_FIELD;
		if (!data_ok(e, c, vec, bytes))
			return ST_INVALID_FIELD;
	}
	if (slba >= e->nr_lbas || nlb > e->nr_lbas - slba)
		return ST_LBA_RANGE;
	z = zone_of(e, slba);
	if (opcode == nvme_zns_cmd_append) {
		if (z->za & NVME_ZNS_ZA_ZRWAV)
			return ST_INVALID_ZONE_OP;
		if (slba != z->zslba)
			return ST_INVALID_FIELD;
		if (bytes > e->o.zasl)
			return ST_INVALID_FIELD;
		slba = z->wp;
	}
	rc = check_write_state(z);
	if (rc)
		return rc;
	if (z->za & NVME_ZNS_ZA_ZRWAV) {
		if (slba < z->wp || slba + nlb > z->wp + 2ull * e->o.zrwas)
			return ST_INVALID_WRITE;
	} else if (slba != z->wp) {
		return ST_INVALID_WRITE;
	}
	if (slba + nlb > z->zslba + z->zcap)
		return ST_BOUNDARY;
	rc = implicit_open(e, z);
	if (rc)
		return rc;
	if (vec && !hollow)
		rc = copy_vec(e, slba, nlb, (const struct iovec *)(uintptr_t)c->addr,
			      c->data_len, 1);
	else
		rc = copy_data(e, slba, nlb, opcode == ZNS_OP_WRITE_ZEROES || hollow ?
			       NULL : (void *)(uintptr_t)c->addr, 1);
	if (rc)
		return SC(0x006);	/* Internal Error: no memory */
	if (z->za & NVME_ZNS_ZA_ZRWAV) {
		/* writes past the ZRWA flush the granules they need */
		uint64_t ezrwa = z->wp + e->o.zrwas;

		if (slba + nlb > ezrwa) {
			uint64_t need = slba + nlb - ezrwa, fg = e->o.zrwafg;

			advance_wp(e, z, (need + fg - 1) / fg * fg);
		}
	} else {
		advance_wp(e, z, nlb);
	}
	/* Force Unit Access (CDW12 bit 30): the data is durable before the
	 * command completes, even behind a volatile cache; so is the zone up
	 * to it, whose blocks a power loss keeps as a prefix */
	if ((c->cdw12 & (1u << 30)) && (e->o.flags & ZNS_EMU_VWC) &&
	    !(z->za & NVME_ZNS_ZA_ZRWAV) && z->dwp < slba + nlb) {
		make_durable(e, z, slba + nlb);
		if (e->fd >= 0)
			fdatasync(e->fd);
	}
	if (result)
		*result = opcode == nvme_zns_cmd_append ? slba : 0;
	return 0;
}

static int do_read(struct zns_emu *e, const struct nvme_uring_cmd *c, int vec)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint32_t nlb = (c->cdw12 & 0xffff) + 1;
	uint64_t bytes = (uint64_t)nlb << e->lba_shift, end, lba;

	if (bytes > e->o.mdts || !data_ok(e, c, vec, bytes))
		return ST_INVALID_FIELD;
	if (slba >= e->nr_lbas || nlb > e->nr_lbas - slba)
		return ST_LBA_RANGE;
	end = slba + nlb;
	for (lba = slba; lba < end; ) {
		struct emu_zone *z = zone_of(e, lba);

		if (z->state == ZS_OFFLINE)
			return ST_OFFLINE;
		lba = z->zslba + e->o.zone_size;
		if (lba < end && !(e->o.flags & ZNS_EMU_READ_ACROSS))
			return ST_BOUNDARY;
	}
	if (vec)
		copy_vec(e, slba, nlb, (const struct iovec *)(uintptr_t)c->addr,
			 c->data_len, 0);
	else
		copy_data(e, slba, nlb, (void *)(uintptr_t)c->addr, 0);
	return 0;
}

static int do_flush(struct zns_emu *e)
{
	uint32_t i;

	for (i = 0; i < e->o.nr_zones; i++)
		if (e->z[i].wp != e->z[i].dwp)
			make_durable(e, &e->z[i], e->z[i].wp);
	if (e->fd >= 0)
		fdatasync(e->fd);
	return 0;
}

/* ------------------------------------------------ zone management -- */

static int zone_open(struct zns_emu *e, struct emu_zone *z, int zrwa)
{
	int rc;

	if (zrwa && z->wp % e->o.zrwafg)
		return ST_ZRWA_UNAVAIL;
	switch (z->state) {
	case ZS_EMPTY:
	case ZS_CLOSED:
		rc = open_resources(e, z->state == ZS_EMPTY, zrwa);
		if (rc)
			return rc;
		set_state(e, z, ZS_EOPEN);
		break;
	case ZS_IOPEN:
		if (zrwa && !e->zrwa_free)
			return ST_ZRWA_UNAVAIL;
		set_state(e, z, ZS_EOPEN);
		break;
	case ZS_EOPEN:
		if (zrwa && !(z->za & NVME_ZNS_ZA_ZRWAV) && !e->zrwa_free)
			return ST_ZRWA_UNAVAIL;
		break;
	default:
		return ST_TRANSITION;
	}
	if (zrwa && !(z->za & NVME_ZNS_ZA_ZRWAV)) {
		e->zrwa_free--;
		z->za |= NVME_ZNS_ZA_ZRWAV;
	}
	return 0;
}

static int zone_close(struct zns_emu *e, struct emu_zone *z)
{
	if (is_open(z->state))
		set_state(e, z, ZS_CLOSED);
	else if (z->state != ZS_CLOSED)
		return ST_TRANSITION;
	return 0;
}

static int zone_finish(struct zns_emu *e, struct emu_zone *z)
{
	switch (z->state) {
	case ZS_FULL:
		return 0;
	case ZS_EMPTY:
	case ZS_IOPEN:
	case ZS_EOPEN:
	case ZS_CLOSED:
		set_state(e, z, ZS_FULL);
		z->finished = 1;
		file_put_zone(e, z);
		return 0;
	default:
		return ST_TRANSITION;
	}
}

static int zone_reset(struct zns_emu *e, struct emu_zone *z)
{
	switch (z->state) {
	case ZS_EMPTY:
		return 0;
	case ZS_IOPEN:
	case ZS_EOPEN:
	case ZS_CLOSED:
	case ZS_FULL:
		set_state(e, z, ZS_EMPTY);
		z->za = 0;
		z->finished = 0;
		drop_data(z, z->zslba);
		z->wp = z->zslba;
		make_durable(e, z, z->zslba);
		return 0;
	default:
		return ST_TRANSITION;
	}
}

static int zone_offline(struct zns_emu *e, struct emu_zone *z)
{
	if (z->state == ZS_RO)
		set_state(e, z, ZS_OFFLINE);
	else if (z->state != ZS_OFFLINE)
		return ST_TRANSITION;
	file_put_zone(e, z);
	return 0;
}

static int zone_set_ext(struct zns_emu *e, struct emu_zone *z,
			const struct nvme_uring_cmd *c)
{
	if (c->data_len < e->o.zdes || !c->addr)
		return ST_INVALID_FIELD;
	if (z->state != ZS_EMPTY)
		return ST_TRANSITION;
	if (e->o.max_active && e->nr_active >= e->o.max_active)
		return ST_TOO_MANY_ACTIVE;
	memcpy(z->ext, (const void *)(uintptr_t)c->addr, e->o.zdes);
	z->za |= NVME_ZNS_ZA_ZDEV;
	set_state(e, z, ZS_CLOSED);
	if (e->fd >= 0 &&
	    pwrite(e->fd, z->ext, e->o.zdes, (off_t)(file_ext_off(e) +
			(z->zslba / e->o.zone_size) * e->o.zdes)) < 0)
		return SC(0x006);
	file_put_zone(e, z);
	return 0;
}

static int zrwa_flush(struct zns_emu *e, struct emu_zone *z, uint64_t elba)
{
	uint64_t nlb;

	if (!e->o.numzrwa)
		return ST_INVALID_ZONE_OP;
	if (!(z->za & NVME_ZNS_ZA_ZRWAV))
		return ST_INVALID_FIELD;
	if (elba < z->wp || elba > z->wp + e->o.zrwas)
		return ST_BOUNDARY;
	nlb = elba - z->wp + 1;
	if (nlb % e->o.zrwafg)
		return ST_INVALID_FIELD;
	advance_wp(e, z, nlb);
	return 0;
}

/* Select All: the action on every zone in the states it applies to. */
static int send_all(struct zns_emu *e, uint8_t zsa)
{
	uint32_t i;
	int rc = 0;

	for (i = 0; i < e->o.nr_zones && !rc; i++) {
		struct emu_zone *z = &e->z[i];

		switch (zsa) {
		case NVME_ZNS_ZSA_OPEN:
			if (z->state == ZS_CLOSED)
				rc = zone_open(e, z, 0);
			break;
		case NVME_ZNS_ZSA_CLOSE:
			if (is_open(z->state))
				rc = zone_close(e, z);
			break;
		case NVME_ZNS_ZSA_FINISH:
			if (is_active(z->state))
				rc = zone_finish(e, z);
			break;
		case NVME_ZNS_ZSA_RESET:
			if (is_active(z->state) || z->state == ZS_FULL)
				rc = zone_reset(e, z);
			break;
		case NVME_ZNS_ZSA_OFFLINE:
			if (z->state == ZS_RO)
				rc = zone_offline(e, z);
			break;
		default:
			return ST_INVALID_FIELD;
		}
	}
	return rc;
}

static int do_mgmt_send(struct zns_emu *e, const struct nvme_uring_cmd *c)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint8_t zsa = c->cdw13 & 0xff;
	int all = (c->cdw13 >> 8) & 1, zrwa = (c->cdw13 >> 9) & 1;
	struct emu_zone *z;

	if (all) {
		if (zsa == NVME_ZNS_ZSA_SET_DESC_EXT || zsa == NVME_ZNS_ZSA_ZRWA_FLUSH)
			return ST_INVALID_FIELD;
		return send_all(e, zsa);
	}
	if (slba >= e->nr_lbas)
		return ST_LBA_RANGE;
	z = zone_of(e, slba);
	if (slba != z->zslba && zsa != NVME_ZNS_ZSA_ZRWA_FLUSH)
		return ST_INVALID_FIELD;
	switch (zsa) {
	case NVME_ZNS_ZSA_OPEN:
		if (zrwa && !e->o.numzrwa)
			return ST_INVALID_ZONE_OP;
		return zone_open(e, z, zrwa);
	case NVME_ZNS_ZSA_CLOSE:
		return zone_close(e, z);
	case NVME_ZNS_ZSA_FINISH:
		return zone_finish(e, z);
	case NVME_ZNS_ZSA_RESET:
		return zone_reset(e, z);
	case NVME_ZNS_ZSA_OFFLINE:
		return zone_offline(e, z);
	case NVME_ZNS_ZSA_SET_DESC_EXT:
		if (!e->o.zdes)
			return ST_INVALID_FIELD;
		return zone_set_ext(e, z, c);
	case NVME_ZNS_ZSA_ZRWA_FLUSH:
		return zrwa_flush(e, z, slba);
	default:
		return ST_INVALID_FIELD;
	}
}

static int matches(uint8_t zrasf, uint8_t s)
{
	static const uint8_t want[] = { 0, ZS_EMPTY, ZS_IOPEN, ZS_EOPEN,
					ZS_CLOSED, ZS_FULL, ZS_RO, ZS_OFFLINE };

	return zrasf == 0 || want[zrasf] == s;
}

static void put_desc(const struct zns_emu *e, const struct emu_zone *z,
		     uint8_t *d)
{
	struct nvme_zns_desc *x = (struct nvme_zns_desc *)d;
	uint64_t wp = z->wp;

	memset(x, 0, sizeof(*x));
	x->zt = NVME_ZONE_TYPE_SEQWRITE_REQ;
	x->zs = (uint8_t)(z->state << NVME_ZNS_ZS_SHIFT);
	x->za = z->za;
	x->zcap = zns_cpu_to_le64(z->zcap);
	x->zslba = zns_cpu_to_le64(z->zslba);
	if (z->state == ZS_FULL)
		wp = z->zslba + z->zcap;
	else if (z->state == ZS_OFFLINE)
		wp = ~0ull;
	x->wp = zns_cpu_to_le64(wp);
	(void)e;
}

static int do_mgmt_recv(struct zns_emu *e, const struct nvme_uring_cmd *c)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint64_t len = ((uint64_t)c->cdw12 + 1) * 4, max, nr = 0;
	uint8_t zra = c->cdw13 & 0xff, zrasf = (c->cdw13 >> 8) & 0xff;
	int partial = (c->cdw13 >> 16) & 1;
	uint32_t stride = 64 + (zra ? e->o.zdes : 0), i, first;
	uint8_t *buf = (uint8_t *)(uintptr_t)c->addr, *p;

	if (slba >= e->nr_lbas)
		return ST_LBA_RANGE;
	if (zra > 1 || (zra == 1 && !e->o.zdes) || zrasf > 7)
		return ST_INVALID_FIELD;
	if (len < 64 || len > e->o.mdts || c->data_len < len || !buf)
		return ST_INVALID_FIELD;
	max = (len - 64) / stride;
	first = (uint32_t)(slba / e->o.zone_size);
	for (i = first; i < e->o.nr_zones; i++) {
		if (partial && nr >= max)
			break;
		nr += matches(zrasf, e->z[i].state);
	}
	memset(buf, 0, len);
	((struct nvme_zone_report *)buf)->nr_zones = zns_cpu_to_le64(nr);
	p = buf + 64;
	for (i = first; i < e->o.nr_zones && max; i++) {
		const struct emu_zone *z = &e->z[i];

		if (!matches(zrasf, z->state))
			continue;
		put_desc(e, z, p);
		if (zra && (z->za & NVME_ZNS_ZA_ZDEV))
			memcpy(p + 64, z->ext, e->o.zdes);
		p += stride;
		max--;
	}
	return 0;
}

/* ------------------------------------------------------------ admin -- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static unsigned int log2u(uint64_t v)
{
	unsigned int n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

static void id_ctrl(const struct zns_emu *e, uint8_t *d)
{
	memcpy(d + 4, "LIBZNSEMU0000001    ", 20);		/* SN */
	memcpy(d + 24, "libzns emulated ZNS namespace           ", 40); /* MN */
	memcpy(d + 64, "0.2     ", 8);			/* FR */
	d[77] = (uint8_t)log2u(e->o.mdts / 4096);		/* MDTS */
	put32(d + 80, 0x00020000);				/* VER 2.0 */
	d[512] = 0x66;						/* SQES */
	d[513] = 0x44;						/* CQES */
	put32(d + 516, 1);					/* NN */
	d[525] = (e->o.flags & ZNS_EMU_VWC) ? 1 : 0;		/* VWC */
}

static void id_ns(const struct zns_emu *e, uint8_t *d)
{
	put64(d, e->nr_lbas);					/* NSZE */
	put64(d + 8, e->nr_lbas);				/* NCAP */
	put64(d + 16, e->nr_lbas);				/* NUSE */
	d[25] = 0;						/* NLBAF: 1 format */
	d[26] = 0;						/* FLBAS */
	d[128 + 2] = (uint8_t)e->lba_shift;			/* LBAF0.LBADS */
}

static void zns_id_ns(const struct zns_emu *e, uint8_t *d)
{
	uint16_t ozcs = e->o.numzrwa ? 0x2 : 0;

	put16(d, 0);						/* ZOC */
	put16(d + 2, ozcs | ((e->o.flags & ZNS_EMU_READ_ACROSS) ? 1 : 0)); /* OZCS: RAZB */
	put32(d + 4, e->o.max_active ? e->o.max_active - 1 : 0xffffffff);
	put32(d + 8, e->o.max_open ? e->o.max_open - 1 : 0xffffffff);
	if (e->o.numzrwa) {
		put32(d + 44, e->o.numzrwa - 1);
		put16(d + 48, (uint16_t)e->o.zrwafg);
		put16(d + 50, (uint16_t)e->o.zrwas);
		d[52] = 1;					/* explicit flush */
	}
	put64(d + 2816, e->o.zone_size);			/* LBAFE0.ZSZE */
	d[2816 + 8] = (uint8_t)(e->o.zdes / 64);		/* LBAFE0.ZDES */
}

static int do_identify(struct zns_emu *e, const struct nvme_uring_cmd *c)
{
	uint8_t *d = (uint8_t *)(uintptr_t)c->addr;
	uint8_t cns = c->cdw10 & 0xff, csi = c->cdw11 >> 24;

	if (!d || c->data_len < 4096)
		return ST_INVALID_FIELD;
	if ((cns == ZNS_CNS_ID_NS || cns == ZNS_CNS_CSI_ID_NS) &&
	    c->nsid != e->o.nsid)
		return ST_INVALID_NS;
	memset(d, 0, 4096);
	switch (cns) {
	case ZNS_CNS_ID_CTRL:
		id_ctrl(e, d);
		return 0;
	case ZNS_CNS_ID_NS:
		id_ns(e, d);
		return 0;
	case ZNS_CNS_CSI_ID_NS:
		if (csi != NVME_CSI_ZNS)
			return ST_INVALID_FIELD;
		zns_id_ns(e, d);
		return 0;
	case ZNS_CNS_CSI_ID_CTRL:
		if (csi != NVME_CSI_ZNS)
			return ST_INVALID_FIELD;
		d[0] = (uint8_t)log2u(e->o.zasl / 4096);		/* ZASL */
		return 0;
	default:
		return ST_INVALID_FIELD;
	}
}

static int do_get_log(struct zns_emu *e, const struct nvme_uring_cmd *c)
{
	uint8_t *d = (uint8_t *)(uintptr_t)c->addr;
	uint32_t len = (((c->cdw10 >> 16) | (c->cdw11 & 0xffff) << 16) + 1) * 4;
	uint8_t log[4096];
	unsigned int i;

	if ((c->cdw10 & 0xff) != NVME_LOG_LID_ZNS_CHANGED_ZONES ||
	    (c->cdw14 >> 24) != NVME_CSI_ZNS)
		return ST_INVALID_FIELD;
	if (c->nsid != e->o.nsid)
		return ST_INVALID_NS;
	if (!d || c->data_len < len || c->cdw12 || c->cdw13)
		return ST_INVALID_FIELD;
	memset(log, 0, sizeof(log));
	put16(log, e->changed_overflow ? NVME_ZNS_CHANGED_ZONES_OVERFLOW :
					 (uint16_t)e->nr_changed);
	for (i = 0; i < e->nr_changed && !e->changed_overflow; i++)
		put64(log + 8 + 8 * i, e->changed[i]);
	memcpy(d, log, len < sizeof(log) ? len : sizeof(log));
	if (!((c->cdw10 >> 15) & 1)) {		/* RAE clear: consumed */
		e->nr_changed = 0;
		e->changed_overflow = 0;
	}
	return 0;
}

/* ----------------------------------------------------------- faults -- */

static void power_cycle(struct zns_emu *e, uint64_t keep)
{
	uint32_t i;

	for (i = 0; i < e->o.nr_zones; i++) {
		struct emu_zone *z = &e->z[i];
		uint64_t wp = z->dwp + keep;

		if (z->state == ZS_OFFLINE || z->state == ZS_RO)
			continue;
		if (wp > z->wp)
			wp = z->wp;
		if (wp > z->dwp)
			make_durable(e, z, wp);
		if (z->wp > wp)
			drop_data(z, wp);
		z->wp = wp;
		if (z->finished || wp == z->zslba + z->zcap)
			set_state(e, z, ZS_FULL);
		else if (wp == z->zslba && !(z->za & NVME_ZNS_ZA_ZDEV))
			set_state(e, z, ZS_EMPTY);
		else
			set_state(e, z, ZS_CLOSED);
	}
}

/* The fault, if any, this command sets off; it is spent as it fires. */
static struct zns_emu_fault *fault_for(struct zns_emu *e, int admin,
				       const struct nvme_uring_cmd *c)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	unsigned int i;

	if (admin)
		return NULL;
	for (i = 0; i < e->nr_faults; i++) {
		struct zns_emu_fault *f = &e->faults[i];

		if (f->opcode != ZNS_EMU_ANY && f->opcode != c->opcode)
			continue;
		if (f->zslba != ~0ull &&
		    (slba >= e->nr_lbas || zone_of(e, slba)->zslba != f->zslba))
			continue;
		if (--f->nth)
			continue;
		f->nth = 1;
		return f;
	}
	return NULL;
}

static void fault_spent(struct zns_emu *e, struct zns_emu_fault *f)
{
	if (f->count > 1) {
		f->count--;
		return;
	}
	*f = e->faults[--e->nr_faults];
}

/* ------------------------------------------------------------- exec -- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int zns_emu_path_live_locked(struct zns_emu *e)
{
	if (e->nopath_until && mono_ns() >= e->nopath_until)
		e->nopath_until = 0;
	return !e->nopath_until;
}

int zns_emu_path_live(struct zns_emu *e)
{
	int live;

	emu_lock(e);
	live = zns_emu_path_live_locked(e);
	emu_unlock(e);
	return live;
}

static int exec_io(struct zns_emu *e, const struct nvme_uring_cmd *c,
		   int vec, uint64_t *result)
{
	if (c->nsid != e->o.nsid)
		return ST_INVALID_NS;
	if (vec && c->opcode != ZNS_OP_READ && c->opcode != ZNS_OP_WRITE &&
	    c->opcode != nvme_zns_cmd_append)
		return -EINVAL;	/* as the kernel: no vector for this opcode */
	switch (c->opcode) {
	case ZNS_OP_READ:
		return do_read(e, c, vec);
	case ZNS_OP_WRITE:
	case ZNS_OP_WRITE_ZEROES:
	case nvme_zns_cmd_append:
		return do_write(e, c, vec, result, 0);
	case ZNS_OP_FLUSH:
		return do_flush(e);
	case nvme_zns_cmd_mgmt_send:
		return do_mgmt_send(e, c);
	case nvme_zns_cmd_mgmt_recv:
		return do_mgmt_recv(e, c);
	default:
		return ST_INVALID_OPCODE;
	}
}

static int exec_admin(struct zns_emu *e, const struct nvme_uring_cmd *c)
{
	switch (c->opcode) {
	case ZNS_ADMIN_IDENTIFY:
		return do_identify(e, c);
	case ZNS_ADMIN_GET_LOG_PAGE:
		return do_get_log(e, c);
	default:
		return ST_INVALID_OPCODE;
	}
}

/* Keep @c to run later, with a copy of its data (one buffer, however it
 * came), just before the @after-th IO command from now. */
static int keep_late(struct zns_emu *e, const struct nvme_uring_cmd *c,
		     int vec, uint32_t after)
{
	struct emu_late *l;
	uint64_t len = 0;
	uint8_t *d;
	uint32_t i;

	if (e->nr_late == MAX_FAULTS)
		return -EIO;	/* not kept: it fails, not late */
	if (vec) {
		const struct iovec *iov = (const struct iovec *)(uintptr_t)c->addr;

		for (i = 0; c->addr && i < c->data_len && i < ZNS_MAX_IOV; i++)
			len += iov[i].iov_len;
	} else {
		len = c->addr ? c->data_len : 0;
	}
	d = len ? malloc(len) : NULL;
	if (len && !d)
		return -EIO;
	if (vec) {
		const struct iovec *iov = (const struct iovec *)(uintptr_t)c->addr;
		uint64_t at = 0;

		for (i = 0; c->addr && i < c->data_len && i < ZNS_MAX_IOV; i++) {
			memcpy(d + at, iov[i].iov_base, iov[i].iov_len);
			at += iov[i].iov_len;
		}
	} else if (len) {
		memcpy(d, (const void *)(uintptr_t)c->addr, len);
	}
	l = &e->late[e->nr_late++];
	l->c = *c;
	l->c.addr = (uint64_t)(uintptr_t)d;
	l->c.data_len = (uint32_t)len;
	l->data = d;
	l->left = after ? after : 1;
	return 0;
}

/* An IO command arrives: the late commands whose turn it is run first,
 * in the order they were kept; what they answer goes nowhere. */
static void run_late(struct zns_emu *e)
{
	unsigned int i = 0;
	uint64_t res;

	while (i < e->nr_late) {
		struct emu_late *l = &e->late[i];

		if (--l->left) {
			i++;
			continue;
		}
		(void)exec_io(e, &l->c, 0, &res);
		free(l->data);
		memmove(l, l + 1, (--e->nr_late - i) * sizeof(*l));
	}
}

/* Commands kept to run late are lost (a power loss, a removal). */
static void drop_late(struct zns_emu *e)
{
	while (e->nr_late)
		free(e->late[--e->nr_late].data);
}

static int apply_fault(struct zns_emu *e, struct zns_emu_fault *f,
		       const struct nvme_uring_cmd *c, int vec,
		       uint64_t *result, uint32_t *delay_us)
{
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	struct zns_emu_fault x = *f;
	int rc;

	fault_spent(e, f);
	switch (x.kind) {
	case ZNS_EMU_FAIL:
		return x.status;
	case ZNS_EMU_AMBIGUOUS:
		if (x.granularity && c->opcode == ZNS_OP_WRITE &&
		    x.granularity <= (c->cdw12 & 0xffff)) {
			/* a write of which only the first blocks land */
			struct nvme_uring_cmd part = *c;

			part.cdw12 = (c->cdw12 & ~0xffffu) |
				     (uint32_t)(x.granularity - 1);
			rc = exec_io(e, &part, vec, result);
		} else {
			rc = exec_io(e, c, vec, result);
		}
		return rc ? rc : x.status;
	case ZNS_EMU_OFFLINE:
	case ZNS_EMU_READ_ONLY:
		if (slba < e->nr_lbas) {
			struct emu_zone *z = zone_of(e, slba);

			set_state(e, z, x.kind == ZNS_EMU_OFFLINE ? ZS_OFFLINE : ZS_RO);
			z->finished = 0;
			note_changed(e, z);
			file_put_zone(e, z);
		}
		return exec_io(e, c, vec, result);
	case ZNS_EMU_DELAY:
		if (delay_us)
			*delay_us = x.delay_us;
		return exec_io(e, c, vec, result);
	case ZNS_EMU_POWER_LOSS:
		drop_late(e);
		power_cycle(e, x.granularity);
		return x.status ? x.status : -EIO;
	case ZNS_EMU_NO_PATH:
		e->nopath_until = mono_ns() + (uint64_t)x.delay_us * 1000;
		return -EINVAL;
	case ZNS_EMU_LATE:
		rc = keep_late(e, c, vec, x.after);
		return rc ? rc : x.status;
	case ZNS_EMU_HOLLOW:
		if (c->nsid != e->o.nsid ||
		    (c->opcode != ZNS_OP_WRITE && c->opcode != nvme_zns_cmd_append))
			return x.status;	/* as ZNS_EMU_FAIL */
		rc = do_write(e, c, vec, result, 1);
		return rc ? rc : x.status;
	case ZNS_EMU_STRAY:
		rc = exec_io(e, c, vec, result);
		if (!rc && c->nsid == e->o.nsid && c->opcode == nvme_zns_cmd_append)
			*result += (uint64_t)(x.after ? x.after : 1) * e->o.zone_size;
		return rc;
	case ZNS_EMU_REMOVE:
	default:
		e->removed = 1;
		drop_late(e);
		return -ENODEV;
	}
}

int zns_emu_exec(struct zns_emu *e, int how, const struct nvme_uring_cmd *c,
		 uint64_t *result, uint32_t *delay_us)
{
	int admin = how == ZNS_EXEC_ADMIN, vec = how == ZNS_EXEC_IOVEC;
	struct zns_emu_fault *f;
	uint64_t res = 0;
	int rc;

	if (delay_us)
		*delay_us = 0;
	emu_lock(e);
	if (unlikely(e->nr_late) && !admin && !e->removed)
		run_late(e);
	if (e->removed) {
		rc = -ENODEV;
	} else if (unlikely(e->nopath_until) && !admin && !zns_emu_path_live_locked(e)) {
		rc = -EINVAL;	/* never run: no path to the namespace */
	} else if (unlikely(e->nr_faults) && (f = fault_for(e, admin, c))) {
		rc = apply_fault(e, f, c, vec, &res, delay_us);
	} else {
		rc = admin ? exec_admin(e, c) : exec_io(e, c, vec, &res);
	}
	emu_unlock(e);
	if (result)
		*result = res;
	return rc;
}

/* ------------------------------------------------------------ setup -- */

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* Every impossible geometry, named. */
static int check_opts(struct zns_emu_opts *o)
{
	uint64_t lbas;

	if (o->lba_size != 512 && o->lba_size != 4096)
		return zns_fail(-EINVAL, "zns_dev_open_emu: lba_size must be 512 or 4096");
	if (!o->nr_zones)
		return zns_fail(-EINVAL, "zns_dev_open_emu: nr_zones is 0");
	if (!o->zone_size)
		return zns_fail(-EINVAL, "zns_dev_open_emu: zone_size is 0");
	if (!o->zone_cap)
		o->zone_cap = o->zone_size;
	if (o->zone_cap > o->zone_size)
		return zns_fail(-EINVAL, "zns_dev_open_emu: zone_cap is above zone_size");
	if (o->zone_size > (UINT64_MAX >> 12) / o->nr_zones)
		return zns_fail(-EINVAL, "zns_dev_open_emu: nr_zones x zone_size x lba_size overflows 64 bits");
	lbas = o->zone_size * o->nr_zones;
	if (lbas > (UINT64_MAX >> 13))
		return zns_fail(-EINVAL, "zns_dev_open_emu: the namespace is too large");
	if (o->max_open && o->max_active && o->max_open > o->max_active)
		return zns_fail(-EINVAL, "zns_dev_open_emu: max_open is above max_active");
	if (!o->mdts)
		o->mdts = 512u << 10;
	if (!is_pow2(o->mdts) || o->mdts < 4096)
		return zns_fail(-EINVAL, "zns_dev_open_emu: mdts must be a power of two of at least 4096 bytes");
	if (!o->zasl)
		o->zasl = o->mdts;
	if (!is_pow2(o->zasl) || o->zasl < 4096 || o->zasl > o->mdts)
		return zns_fail(-EINVAL, "zns_dev_open_emu: zasl must be a power of two from 4096 bytes to mdts");
	if (o->zdes % 64 || o->zdes > 255 * 64)
		return zns_fail(-EINVAL, "zns_dev_open_emu: zdes must be a multiple of 64 bytes, at most 16320");
	if (o->numzrwa && (!o->zrwas || !o->zrwafg || o->zrwas % o->zrwafg ||
			   o->zrwas > o->zone_cap || o->zrwas > 0xffff))
		return zns_fail(-EINVAL, "zns_dev_open_emu: zrwas and zrwafg must be set, zrwafg dividing zrwas, zrwas at most zone_cap");
	if (!o->nsid)
		o->nsid = 1;
	return 0;
}

static int setup_zones(struct zns_emu *e)
{
	uint32_t i;

	e->z = calloc(e->o.nr_zones, sizeof(*e->z));
	if (!e->z)
		return -ENOMEM;
	for (i = 0; i < e->o.nr_zones; i++) {
		struct emu_zone *z = &e->z[i];

		z->zslba = (uint64_t)i * e->o.zone_size;
		z->zcap = e->o.zone_cap;
		z->wp = z->dwp = z->hw = z->zslba;
		z->state = ZS_EMPTY;
		if (e->o.zdes && !(z->ext = calloc(1, e->o.zdes)))
			return -ENOMEM;
	}
	return 0;
}

static int open_file(struct zns_emu *e)
{
	int create = !!(e->o.flags & ZNS_EMU_CREATE);
	int rc;

	e->fd = open(e->o.path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
	if (e->fd < 0)
		return zns_failf(-errno, "zns_dev_open_emu: %s: %s the backing file: %s",
				 e->o.path, create ? "cannot create or open" : "cannot open",
				 strerror(errno));
	rc = create ? file_create(e) : file_load(e);
	if (rc == -EMEDIUMTYPE)
		return zns_failf(rc, "zns_dev_open_emu: %s holds no namespace of this geometry (too small, another geometry, or not one at all; ZNS_EMU_CREATE makes a new one)",
				 e->o.path);
	if (rc)
		return zns_failf(rc, "zns_dev_open_emu: %s: the backing file could not be read or written: %s",
				 e->o.path, strerror(-rc));
	return 0;
}

void zns_emu_free(struct zns_emu *e)
{
	uint32_t i, c;

	if (!e)
		return;
	drop_late(e);
	for (i = 0; e->z && i < e->o.nr_zones; i++) {
		for (c = 0; e->z[i].chunks && c < e->nr_chunks; c++)
			free(e->z[i].chunks[c]);
		free(e->z[i].chunks);
		free(e->z[i].ext);
	}
	free(e->z);
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

/* Create the emulator for zns_dev_open_emu(). */
int zns_emu_create(const struct zns_emu_opts *opts, struct zns_emu **ep)
{
	struct zns_emu *e;
	const char *env;
	int rc;

	*ep = NULL;
	if (!opts)
		return zns_fail(-EINVAL, "zns_dev_open_emu: opts is NULL");
	if (opts->size < sizeof(*opts))
		return zns_fail(-EINVAL, "zns_dev_open_emu: opts->size must be sizeof(struct zns_emu_opts)");
	e = calloc(1, sizeof(*e));
	if (!e)
		return zns_fail(-ENOMEM, "zns_dev_open_emu: out of memory");
	e->fd = -1;
	e->o = *opts;
	rc = check_opts(&e->o);
	if (rc) {
		zns_emu_free(e);
		return rc;
	}
	e->lba_shift = e->o.lba_size == 512 ? 9 : 12;
	e->nr_lbas = e->o.zone_size * e->o.nr_zones;
	e->zone_shift = is_pow2(e->o.zone_size) ? (int)log2u(e->o.zone_size) : -1;
	e->nr_chunks = (uint32_t)(((e->o.zone_size << e->lba_shift) + CHUNK - 1) / CHUNK);
	e->zrwa_free = e->o.numzrwa;
	rc = setup_zones(e);
	if (!rc && e->o.path)
		rc = open_file(e);
	env = getenv("ZNS_EMU_FAULTS");
	if (!rc && env && *env)
		rc = zns_emu_parse_faults(e, env);
	if (rc) {
		zns_emu_free(e);
		return rc == -ENOMEM ? zns_fail(rc, "zns_dev_open_emu: out of memory") : rc;
	}
	*ep = e;
	return 0;
}

/* ----------------------------------------------------- the public calls -- */

static int add_fault(struct zns_emu *e, const struct zns_emu_fault *f)
{
	struct zns_emu_fault x = *f;

	if (x.kind < ZNS_EMU_FAIL || x.kind > ZNS_EMU_STRAY)
		return zns_fail(-EINVAL, "zns_emu_inject: unknown fault kind");
	if (x.opcode > 0xff && x.opcode != ZNS_EMU_ANY)
		return zns_fail(-EINVAL, "zns_emu_inject: opcode is above 0xff");
	if ((x.kind == ZNS_EMU_FAIL || x.kind == ZNS_EMU_AMBIGUOUS ||
	     x.kind == ZNS_EMU_LATE || x.kind == ZNS_EMU_HOLLOW) && !x.status)
		return zns_fail(-EINVAL, "zns_emu_inject: a failing fault needs a non-zero status");
	if (!x.nth)
		x.nth = 1;
	emu_lock(e);
	if (e->nr_faults == MAX_FAULTS) {
		emu_unlock(e);
		return zns_fail(-ENOSPC, "zns_emu_inject: 32 faults are armed already");
	}
	e->faults[e->nr_faults++] = x;
	emu_unlock(e);
	return 0;
}

ZNS_EXPORT
int zns_emu_inject(struct zns_dev *dev, const struct zns_emu_fault *fault)
{
	if (!dev || !dev->emu)
		return zns_fail(-EINVAL, "zns_emu_inject: dev is NULL or not an emulated device");
	if (!fault || fault->size < sizeof(*fault))
		return zns_fail(-EINVAL, "zns_emu_inject: fault is NULL or its size is not sizeof(struct zns_emu_fault)");
	return add_fault(dev->emu, fault);
}

ZNS_EXPORT
int zns_emu_power_cycle(struct zns_dev *dev)
{
	if (!dev || !dev->emu)
		return zns_fail(-EINVAL, "zns_emu_power_cycle: dev is NULL or not an emulated device");
	emu_lock(dev->emu);
	drop_late(dev->emu);
	power_cycle(dev->emu, 0);
	emu_unlock(dev->emu);
	return 0;
}

/* ZNS_EMU_FAULTS: "kind:key=value:...,kind:..." */
int zns_emu_parse_faults(struct zns_emu *e, const char *spec)
{
	static const char *const kinds[] = { "", "fail", "ambiguous", "offline",
		"read-only", "delay", "power-loss", "remove", "no-path", "late", "hollow",
		"stray" };
	char buf[1024], *save = NULL, *item;
	int rc = 0;

	if (strlen(spec) >= sizeof(buf))
		return zns_fail(-EINVAL, "ZNS_EMU_FAULTS is longer than 1023 characters");
	strcpy(buf, spec);
	for (item = strtok_r(buf, ",", &save); item && !rc;
	     item = strtok_r(NULL, ",", &save)) {
		struct zns_emu_fault f;
		char *s2 = NULL, *tok = strtok_r(item, ":", &s2);
		unsigned int k;

		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		f.opcode = ZNS_EMU_ANY;
		f.zslba = ~0ull;
		for (k = 1; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (tok && !strcmp(tok, kinds[k]))
				f.kind = k;
		if (!f.kind)
			return zns_fail(-EINVAL, "ZNS_EMU_FAULTS: unknown fault kind (fail, ambiguous, offline, read-only, delay, power-loss, remove, no-path, late, hollow, stray)");
		while ((tok = strtok_r(NULL, ":", &s2))) {
			char *eq = strchr(tok, '=');
			long long v;

			if (!eq)
				return zns_fail(-EINVAL, "ZNS_EMU_FAULTS: expected key=value");
			*eq = 0;
			v = strtoll(eq + 1, NULL, 0);
			if (!strcmp(tok, "op"))
				f.opcode = (uint32_t)v;
			else if (!strcmp(tok, "nth"))
				f.nth = (uint32_t)v;
			else if (!strcmp(tok, "count"))
				f.count = (uint32_t)v;
			else if (!strcmp(tok, "status"))
				f.status = (int32_t)v;
			else if (!strcmp(tok, "delay"))
				f.delay_us = (uint32_t)v;
			else if (!strcmp(tok, "zslba"))
				f.zslba = (uint64_t)v;
			else if (!strcmp(tok, "granularity"))
				f.granularity = (uint64_t)v;
			else if (!strcmp(tok, "after"))
				f.after = (uint32_t)v;
			else
				return zns_fail(-EINVAL, "ZNS_EMU_FAULTS: unknown key (op, nth, count, status, delay, zslba, granularity, after)");
		}
		rc = add_fault(e, &f);
	}
	return rc;
}
