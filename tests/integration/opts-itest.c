// SPDX-License-Identifier: MIT
/*
 * zns-opts-itest: the command options (struct zns_io_opts) and the
 * synchronous and queued vectors on a device, through the public API only.
 * DESTRUCTIVE: zones 0 and 1 are reset.
 *
 *   ZNS_TEST_DEV=/dev/ngXnY ZNS_TEST_KIND=K zns-opts-itest
 *
 * What runs depends on the namespace's format (struct zns_dev_info):
 *   any      FUA and Limited Retry writes, reads and appends round-trip;
 *            a write with a directive type the controller has not enabled;
 *            synchronous and queued vectors (zns_writev/readv,
 *            zns_prep_writev/readv) round-trip as one command each.
 *   separate metadata with protection information (QEMU ms=8 pi=1):
 *            PRACT writes, whose metadata read back holds the guard (CRC16
 *            T10-DIF of the block, computed here) and the LBA as reference
 *            tag; checked reads pass; a wrong reference tag in the command
 *            is 0x181 Invalid Protection Information, a wrong one in the
 *            stored metadata 0x284, a wrong guard 0x282, a wrong
 *            application tag 0x283; metadata given by the caller
 *            round-trips; appends with PIREMAP get their tags remapped to
 *            the LBA they landed at; queued commands carry metadata too.
 *   extended LBAs with a 64-bit guard (QEMU ms=16 mset=1 pi=1 pif=2):
 *            interleaved metadata round-trips in the data buffer; PRACT
 *            writes store the CRC64 (NVMe polynomial, computed here) and
 *            the 48-bit LBA; a reference tag that differs above bit 31
 *            (CDW3) is refused with 0x181, so CDW3 reaches the device.
 *   ZNS_TEST_KIND=i (a throttled QEMU namespace): reads with a 100 ms
 *            timeout complete with -ETIMEDOUT, each exactly once; the
 *            same queue works afterwards. On an IOPOLL queue, reaps with
 *            a 50 ms timeout come back in time while reads take seconds.
 * Without ZNS_TEST_DEV: the emulator (the "any" part).
 *
 * Prints one "ok:" line per part; exits 0, 1 (a check failed) or 77.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libzns.h>

static struct zns_dev *dev;
static const struct zns_dev_info *info;
static int failed;

#define FAIL(...) do {						\
	fprintf(stderr, "FAIL: " __VA_ARGS__);			\
	fputc('\n', stderr);					\
	failed = 1;						\
} while (0)

/* A call that must answer @want; says which otherwise. */
#define EXPECT(call, want) do {						\
	int rc_ = (call);						\
	if (rc_ != (want))						\
		FAIL("%s:%d: %s = %d (%s), want %d", __FILE__, __LINE__, #call, \
		     rc_, zns_status_str(rc_), (want));			\
} while (0)

/* An NVMe status whose code (SCT and SC, without More and DNR) is @sc. */
#define EXPECT_SC(call, sc) do {					\
	int rc_ = (call);						\
	if (rc_ <= 0 || (rc_ & 0x7ff) != (sc))				\
		FAIL("%s:%d: %s = %#x (%s), want status %#x", __FILE__, __LINE__, \
		     #call, rc_, zns_status_str(rc_), (sc));		\
} while (0)

static void *xalloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len)) {
		perror("posix_memalign");
		exit(1);
	}
	memset(p, 0, len);
	return p;
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static uint64_t zslba(unsigned int z)
{
	return (uint64_t)z * info->zone_size;
}

static uint64_t wp_of(uint64_t zs)
{
	struct zns_zone z;
	unsigned int nr = 1;

	if (zns_report_zones(dev, zs, 0, &z, &nr, NULL) || nr != 1) {
		FAIL("report of zone %#llx", (unsigned long long)zs);
		return ~0ull;
	}
	return z.wp;
}

static void reset(unsigned int z)
{
	EXPECT(zns_reset_zone(dev, zslba(z)), 0);
}

static struct zns_io_opts opts(uint16_t control)
{
	struct zns_io_opts o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.control = control;
	return o;
}

/* ---------------------------------------------- guards, computed here -- */

/* CRC16 T10-DIF: polynomial 0x8bb7, initial 0, MSB first. */
static uint16_t crc16_t10dif(const uint8_t *p, size_t len)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (uint16_t)(p[i] << 8);
		for (b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x8bb7 : crc << 1);
	}
	return crc;
}

/* The NVMe 64-bit CRC (polynomial 0xad93d23594c93659, reflected, all ones
 * in and out). */
static uint64_t crc64_nvme(const uint8_t *p, size_t len)
{
	uint64_t crc = ~0ull;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = crc & 1 ? (crc >> 1) ^ 0x9a6c9329ac4bc9b5ull : crc >> 1;
	}
	return ~crc;
}

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* ----------------------------------------------------- any format ---- */

static struct zns_queue *new_queue_flags(unsigned int flags)
{
	struct zns_queue_opts qo;
	struct zns_queue *q = NULL;
	int rc;

	memset(&qo, 0, sizeof(qo));
	qo.size = sizeof(qo);
	qo.depth = 16;
	qo.flags = flags;
	qo.sq_thread_cpu = -1;
	rc = zns_queue_init(&q, &qo);
	if (rc) {
		fprintf(stderr, "FAIL: zns_queue_init: %s\n", zns_status_str(rc));
		exit(1);
	}
	return q;
}

static struct zns_queue *new_queue(void)
{
	return new_queue_flags(0);
}

static void cb_status(void *user, int status, uint64_t result)
{
	(void)result;
	*(int *)user = status;
}

static void part_any(void)
{
	uint32_t bs = info->lba_size, nlb = 4096 / bs ? 4096 / bs : 1;
	size_t len = (size_t)nlb * bs;
	uint8_t *w = xalloc(4 * len), *r = xalloc(4 * len);
	struct zns_io_opts o = opts(NVME_IO_FUA);
	struct iovec wv[3] = { { w, len }, { w + len, 2 * len }, { w + 3 * len, len } };
	struct iovec rv[2] = { { r, 3 * len }, { r + 3 * len, len } };
	struct zns_queue *q;
	uint64_t lba = 0;
	int st, dtype_rc;

	reset(0);
	fill(w, 4 * len, 1);
	EXPECT(zns_write_opts(dev, w, 0, nlb, &o), 0);
	o = opts(NVME_IO_FUA | NVME_IO_LR);
	EXPECT(zns_read_opts(dev, r, 0, nlb, &o), 0);
	if (memcmp(w, r, len))
		FAIL("FUA write, FUA|LR read: the data differs");
	o = opts(NVME_IO_LR);
	EXPECT(zns_append_opts(dev, w + len, 0, nlb, &o, &lba), 0);
	if (lba != nlb)
		FAIL("LR append landed at %llu, want %u", (unsigned long long)lba, nlb);
	/* a directive type the controller has not enabled: whatever the
	 * device says, it is said once and the zone stays usable */
	o = opts(NVME_IO_DTYPE_STREAMS);
	o.dspec = 1;
	dtype_rc = zns_write_opts(dev, w, 2 * nlb, nlb, &o);
	if (dtype_rc < 0)
		FAIL("a write with a directive: %d (%s)", dtype_rc, zns_status_str(dtype_rc));
	printf("ok: FUA, LR: write, read, append round-trip; a streams directive on a write: %s (%#x)\n",
	       dtype_rc ? zns_status_str(dtype_rc) : "accepted", dtype_rc);

	/* vectors: one command, one step of the write pointer */
	reset(1);
	fill(w, 4 * len, 2);
	EXPECT(zns_writev(dev, wv, 3, zslba(1), 4 * nlb), 0);
	if (wp_of(zslba(1)) != zslba(1) + 4 * nlb)
		FAIL("zns_writev: the write pointer did not move by 4 blocks");
	EXPECT(zns_readv(dev, rv, 2, zslba(1), 4 * nlb), 0);
	if (memcmp(w, r, 4 * len))
		FAIL("zns_writev then zns_readv: the data differs");
	q = new_queue();
	fill(w, 4 * len, 3);
	memset(r, 0, 4 * len);
	st = ZNS_PENDING;
	EXPECT(zns_prep_writev(q, dev, wv, 3, zslba(1) + 4 * nlb, 4 * nlb, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	st = ZNS_PENDING;
	EXPECT(zns_prep_readv(q, dev, rv, 2, zslba(1) + 4 * nlb, 4 * nlb, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	if (memcmp(w, r, 4 * len))
		FAIL("zns_prep_writev then zns_prep_readv: the data differs");
	/* queued options: FUA write, LR read */
	st = ZNS_PENDING;
	o = opts(NVME_IO_FUA);
	EXPECT(zns_prep_write_opts(q, dev, w, zslba(1) + 8 * nlb, nlb, &o, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	st = ZNS_PENDING;
	o = opts(NVME_IO_LR);
	EXPECT(zns_prep_read_opts(q, dev, r, zslba(1) + 8 * nlb, nlb, &o, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	if (memcmp(w, r, len))
		FAIL("queued FUA write, LR read: the data differs");
	EXPECT(zns_queue_exit(q), 0);
	printf("ok: vectors: zns_writev/readv and zns_prep_writev/readv (3 and 2 elements, one command each); queued FUA and LR\n");
	free(w);
	free(r);
}

/* ------------------------------------- separate metadata, 16-bit guard -- */

/* The 8 bytes of 16-bit-guard protection information of a block. */
static void pi16(uint8_t *m, const uint8_t *data, uint32_t bs, uint16_t app,
		 uint32_t ref)
{
	uint16_t g = crc16_t10dif(data, bs);

	m[0] = (uint8_t)(g >> 8);
	m[1] = (uint8_t)g;
	m[2] = (uint8_t)(app >> 8);
	m[3] = (uint8_t)app;
	m[4] = (uint8_t)(ref >> 24);
	m[5] = (uint8_t)(ref >> 16);
	m[6] = (uint8_t)(ref >> 8);
	m[7] = (uint8_t)ref;
}

static void part_separate_pi(void)
{
	uint32_t bs = info->lba_size, ms = info->ms, n = 4, i;
	uint8_t *w = xalloc(n * bs), *r = xalloc(n * bs);
	uint8_t *md = xalloc(n * ms), *rmd = xalloc(n * ms);
	uint64_t z = zslba(0), lba = 0;
	struct zns_io_opts o;
	struct zns_queue *q;
	int st;

	if (info->pi_first) {
		printf("ok: separate metadata: protection information first, not checked here\n");
		return;
	}
	reset(0);
	reset(1);
	fill(w, n * bs, 4);
	/* without options, the format is refused before the device */
	EXPECT(zns_write(dev, w, z, n), -EINVAL);
	/* PRACT: the controller makes the protection information */
	o = opts(NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_GUARD | NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = (uint32_t)z;
	o.apptag = 0x1234;
	EXPECT(zns_write_opts(dev, w, z, n, &o), 0);
	o = opts(0);
	o.md = rmd;
	o.md_len = n * ms;
	EXPECT(zns_read_opts(dev, r, z, n, &o), 0);
	for (i = 0; i < n; i++) {
		const uint8_t *m = rmd + i * ms + (ms - 8);

		if (be(m, 2) != crc16_t10dif(w + i * bs, bs) || be(m + 2, 2) != 0x1234 ||
		    be(m + 4, 4) != (uint32_t)(z + i))
			FAIL("PRACT block %u: guard %#llx app %#llx ref %#llx, want %#x 0x1234 %#x", i,
			     (unsigned long long)be(m, 2), (unsigned long long)be(m + 2, 2),
			     (unsigned long long)be(m + 4, 4), crc16_t10dif(w + i * bs, bs),
			     (uint32_t)(z + i));
	}
	if (memcmp(w, r, n * bs))
		FAIL("PRACT write: the data read back differs");
	/* checked reads: PRACT strips, the checks pass */
	o = opts(NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_GUARD |
		 NVME_IO_PRINFO_PRCHK_REF | NVME_IO_PRINFO_PRCHK_APP);
	o.reftag = (uint32_t)z;
	o.apptag = 0x1234;
	o.appmask = 0xffff;
	EXPECT(zns_read_opts(dev, r, z, n, &o), 0);
	/* a wrong application tag: 0x283 */
	o.apptag = 0x4321;
	EXPECT_SC(zns_read_opts(dev, r, z, n, &o), 0x283);
	/* the command's reference tag is not the LBA (type 1): 0x181 */
	o.apptag = 0x1234;
	o.reftag = (uint32_t)z + 1;
	EXPECT_SC(zns_read_opts(dev, r, z, n, &o), 0x181);
	printf("ok: PRACT: the stored guard is the block's CRC16 T10-DIF, the reference tag its LBA, the application tag as given; checked reads pass; wrong application tag 0x283, wrong reference tag in the command 0x181\n");

	/* metadata from the caller, unchecked on the way in */
	for (i = 0; i < n; i++)
		pi16(md + i * ms + (ms - 8), w + i * bs, bs, 0x0042, (uint32_t)(z + n + i));
	md[(ms - 8) + 0] ^= 0xff;			/* block 0: bad guard */
	md[ms + (ms - 8) + 7] ^= 0x01;			/* block 1: bad reference tag */
	o = opts(0);
	o.md = md;
	o.md_len = n * ms;
	EXPECT(zns_write_opts(dev, w, z + n, n, &o), 0);
	o.md = rmd;
	memset(rmd, 0, n * ms);
	EXPECT(zns_read_opts(dev, r, z + n, n, &o), 0);
	if (memcmp(md, rmd, n * ms))
		FAIL("metadata given by the caller does not read back as written");
	o = opts(NVME_IO_PRINFO_PRCHK_GUARD);
	o.md = rmd;
	o.md_len = ms;
	EXPECT_SC(zns_read_opts(dev, r, z + n, 1, &o), 0x282);
	o = opts(NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = (uint32_t)(z + n + 1);
	o.md = rmd;
	o.md_len = ms;
	EXPECT_SC(zns_read_opts(dev, r, z + n + 1, 1, &o), 0x284);
	o = opts(NVME_IO_PRINFO_PRCHK_GUARD | NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = (uint32_t)(z + n + 2);
	o.md = rmd;
	o.md_len = 2 * ms;
	EXPECT(zns_read_opts(dev, r, z + n + 2, 2, &o), 0);
	printf("ok: caller's metadata round-trips; a bad stored guard 0x282, a bad stored reference tag 0x284, good blocks pass\n");

	/* appends: the tags are remapped to where the data landed */
	o = opts(NVME_IO_PRINFO_PRACT | NVME_IO_ZNS_APPEND_PIREMAP);
	o.reftag = (uint32_t)zslba(1);
	EXPECT(zns_append_opts(dev, w, zslba(1), 2, &o, &lba), 0);
	EXPECT(zns_append_opts(dev, w, zslba(1), 2, &o, &lba), 0);
	if (lba != zslba(1) + 2)
		FAIL("the second append landed at %llu", (unsigned long long)lba);
	o = opts(0);
	o.md = rmd;
	o.md_len = 2 * ms;
	EXPECT(zns_read_opts(dev, r, lba, 2, &o), 0);
	for (i = 0; i < 2; i++)
		if (be(rmd + i * ms + (ms - 8) + 4, 4) != (uint32_t)(lba + i))
			FAIL("PIREMAP append block %u: reference tag %#llx, want %#llx", i,
			     (unsigned long long)be(rmd + i * ms + (ms - 8) + 4, 4),
			     (unsigned long long)(uint32_t)(lba + i));
	printf("ok: appends with PIREMAP: the reference tags are the LBAs the data landed at\n");

	/* queued: metadata through io_uring, both ways */
	q = new_queue();
	for (i = 0; i < n; i++)
		pi16(md + i * ms + (ms - 8), w + i * bs, bs, 0x0077, (uint32_t)(z + 2 * n + i));
	st = ZNS_PENDING;
	o = opts(NVME_IO_PRINFO_PRCHK_GUARD | NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = (uint32_t)(z + 2 * n);
	o.md = md;
	o.md_len = n * ms;
	EXPECT(zns_prep_write_opts(q, dev, w, z + 2 * n, n, &o, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	st = ZNS_PENDING;
	memset(rmd, 0, n * ms);
	o.md = rmd;
	EXPECT(zns_prep_read_opts(q, dev, r, z + 2 * n, n, &o, cb_status, &st), 0);
	EXPECT(zns_queue_wait(q, &st), 0);
	if (memcmp(md, rmd, n * ms) || memcmp(w, r, n * bs))
		FAIL("queued write and read with metadata: what came back differs");
	EXPECT(zns_queue_exit(q), 0);
	printf("ok: queued (%s): a checked write with the caller's metadata and a checked read bring it back\n",
	       "io_uring");
	free(w);
	free(r);
	free(md);
	free(rmd);
}

/* ------------------------------------- extended LBAs, 64-bit guard ---- */

static void part_extended(void)
{
	uint32_t bs = info->lba_size, ms = info->ms, ext = bs + ms, n = 4, i;
	uint8_t *w = xalloc(n * ext), *r = xalloc(n * ext), *data = xalloc(n * bs);
	uint64_t z = zslba(0);
	struct zns_io_opts o;

	reset(0);
	/* interleaved metadata, unchecked: it round-trips in the data */
	fill(w, n * ext, 5);
	EXPECT(zns_write_opts(dev, w, z, n, NULL), 0);
	EXPECT(zns_read_opts(dev, r, z, n, NULL), 0);
	if (memcmp(w, r, n * ext))
		FAIL("extended LBAs: data and metadata do not read back as written");
	printf("ok: extended LBAs: %u + %u bytes a block round-trip\n", bs, ms);
	if (info->pi_format != 2 || info->pi_first) {
		printf("ok: extended LBAs: protection information format %u not checked here\n",
		       info->pi_format);
		return;
	}
	/* PRACT with metadata that is only protection information: the
	 * buffer holds the data alone */
	fill(data, n * bs, 6);
	o = opts(NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = z + n;
	EXPECT(zns_write_opts(dev, data, z + n, n, &o), 0);
	EXPECT(zns_read_opts(dev, r, z + n, n, NULL), 0);
	for (i = 0; i < n; i++) {
		const uint8_t *m = r + i * ext + bs;

		if (memcmp(r + i * ext, data + i * bs, bs))
			FAIL("PRACT block %u: the data differs", i);
		if (be(m, 8) != crc64_nvme(data + i * bs, bs) || be(m + 10, 6) != z + n + i)
			FAIL("PRACT block %u: guard %#llx ref %#llx, want %#llx %#llx", i,
			     (unsigned long long)be(m, 8), (unsigned long long)be(m + 10, 6),
			     (unsigned long long)crc64_nvme(data + i * bs, bs),
			     (unsigned long long)(z + n + i));
	}
	o = opts(NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_GUARD | NVME_IO_PRINFO_PRCHK_REF);
	o.reftag = z + n;
	EXPECT(zns_read_opts(dev, r, z + n, n, &o), 0);
	if (memcmp(r, data, n * bs))
		FAIL("a PRACT read: the data differs");
	/* bits above 31 of the tag travel in CDW3: the device sees them */
	o.reftag = (z + n) | 1ull << 40;
	EXPECT_SC(zns_read_opts(dev, r, z + n, n, &o), 0x181);
	printf("ok: 64-bit guard: PRACT stores the block's NVMe CRC64 and its 48-bit LBA; checked reads pass; a tag differing above bit 31 is 0x181\n");
	free(w);
	free(r);
	free(data);
}

/* ---------------------------------------------------------- timeouts -- */

struct tmo {
	int status;
	int calls;
};

static void cb_tmo(void *user, int status, uint64_t result)
{
	struct tmo *t = user;

	(void)result;
	t->status = status;
	t->calls++;
}

static void part_timeout(void)
{
	enum { N = 8 };
	uint32_t bs = info->lba_size;
	uint8_t *r = xalloc((size_t)N * bs);
	struct tmo t[N];
	struct zns_io_opts o = opts(0);
	struct zns_queue *q;
	unsigned int i, timedout = 0, okays = 0, others = 0;
	struct timespec a, b;
	int st;

	/* the namespace's backend takes a few commands a second: N reads at
	 * once, each with 100 ms, cannot all be served in time */
	o.timeout_ms = 100;
	memset(t, 0, sizeof(t));
	q = new_queue();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < N; i++)
		EXPECT(zns_prep_read_opts(q, dev, r + (size_t)i * bs, i, 1, &o, cb_tmo, &t[i]), 0);
	EXPECT(zns_submit(q), N);
	while (zns_queue_inflight(q))
		if (zns_reap(q, 1, 30 * 1000000) <= 0)
			break;
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (i = 0; i < N; i++) {
		if (t[i].calls != 1)
			FAIL("read %u: %d callbacks", i, t[i].calls);
		if (t[i].status == -ETIMEDOUT)
			timedout++;
		else if (t[i].status == 0)
			okays++;
		else
			others++;
	}
	if (!timedout || others)
		FAIL("timeouts: %u timed out, %u completed, %u other", timedout, okays, others);
	/* the same queue, once the controller is back from its reset */
	for (i = 0; i < 100; i++) {
		st = ZNS_PENDING;
		if (zns_prep_read(q, dev, r, 0, 1, cb_status, &st) ||
		    zns_queue_wait(q, &st) == 0)
			break;
		usleep(100000);
	}
	if (st != 0)
		FAIL("the queue after the timeouts: a read gives %d (%s)", st, zns_status_str(st));
	EXPECT(zns_queue_exit(q), 0);
	printf("ok: timeouts: %u of %d reads with 100 ms timed out (-ETIMEDOUT), %u completed, each once, in %.1f s; the queue works afterwards\n",
	       timedout, N, okays,
	       (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	free(r);
}

/* Seconds since @a. */
static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/* A waiting reap with a timeout on an IOPOLL queue: the kernel polls the
 * device's queue and keeps no timeout of its own, so the library must. N
 * reads on a namespace that serves about one a second take seconds; each
 * reap for all of them with 50 ms must come back within its time, and each
 * read completes once, successfully. */
static void part_iopoll_timeout(void)
{
	enum { N = 4 };
	uint32_t bs = info->lba_size;
	uint8_t *r = xalloc((size_t)N * bs);
	struct tmo t[N];
	struct zns_queue *q = new_queue_flags(ZNS_QUEUE_IOPOLL);
	struct timespec a;
	double first, worst = 0, all;
	unsigned int i, reaps = 0, got = 0;
	int rc, failed0 = failed;

	memset(t, 0, sizeof(t));
	for (i = 0; i < N; i++)
		EXPECT(zns_prep_read(q, dev, r + (size_t)i * bs, i, 1, cb_tmo, &t[i]), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = zns_reap(q, N, 50000);
	first = since(&a);
	if (rc < 0)
		FAIL("IOPOLL: zns_reap(N, 50 ms) failed: %d (%s)", rc, zns_status_str(rc));
	got = rc > 0 ? (unsigned int)rc : 0;
	while (zns_queue_inflight(q) && since(&a) < 60) {
		struct timespec b;
		double d;

		clock_gettime(CLOCK_MONOTONIC, &b);
		rc = zns_reap(q, N, 50000);
		d = since(&b);
		worst = d > worst ? d : worst;
		reaps++;
		if (rc < 0)
			FAIL("IOPOLL: zns_reap(N, 50 ms) failed: %d (%s)", rc, zns_status_str(rc));
		got += rc > 0 ? (unsigned int)rc : 0;
	}
	all = since(&a);
	for (i = 0; i < N; i++)
		if (t[i].calls != 1 || t[i].status != 0)
			FAIL("IOPOLL: read %u: %d callbacks, status %d", i, t[i].calls, t[i].status);
	/* 50 ms asked for; a guest under software emulation may be late by
	 * a scheduler tick or two, not by the second the next read takes */
	if (first > 0.5 || worst > 0.5)
		FAIL("IOPOLL: a reap with a 50 ms timeout took %.3f s (first) and at most %.3f s (the %u after it), for %u reads that took %.1f s: the timeout was not kept",
		     first, worst, reaps, N, all);
	if (all < 0.2)
		FAIL("IOPOLL: %u reads took %.3f s: the namespace is not throttled, so this part proves nothing", N, all);
	EXPECT(zns_queue_exit(q), 0);
	printf("%s: IOPOLL: %u reads took %.1f s; %u reaps with a 50 ms timeout each came back within %.3f s, the first in %.3f s; %u completions, each once\n",
	       failed == failed0 ? "ok" : "measured", N, all, reaps + 1,
	       worst > first ? worst : first, first, got);
	free(r);
}

int main(void)
{
	const char *path = getenv("ZNS_TEST_DEV");
	const char *kind = getenv("ZNS_TEST_KIND");
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (path && *path) {
		rc = zns_dev_open(path, &dev);
	} else {
		struct zns_emu_opts eo;

		memset(&eo, 0, sizeof(eo));
		eo.size = sizeof(eo);
		eo.lba_size = 4096;
		eo.nr_zones = 4;
		eo.zone_size = 4096;
		eo.mdts = 512 << 10;
		eo.zasl = 128 << 10;
		rc = zns_dev_open_emu(&eo, &dev);
		path = "the emulator";
	}
	if (rc) {
		fprintf(stderr, "zns-opts-itest: %s: %s (%s)\n", path, zns_status_str(rc),
			zns_last_error());
		return rc == -EMEDIUMTYPE ? 77 : 1;
	}
	info = zns_dev_get_info(dev);
	printf("== zns-opts-itest: %s: %u + %u bytes a block, %s metadata, PI type %u format %u (%u bytes)\n",
	       path, info->lba_size, info->ms, !info->ms ? "no" : info->ext_lba ? "interleaved" : "separate",
	       info->pi_type, info->pi_format, info->pi_size);
	if (kind && !strcmp(kind, "i")) {
		/* first: the timeouts of the other part reset the controller */
		part_iopoll_timeout();
		part_timeout();
	} else if (!info->ms)
		part_any();
	else if (info->ext_lba)
		part_extended();
	else if (info->pi_type)
		part_separate_pi();
	else
		FAIL("a format this test does not know");
	zns_dev_close(dev);
	return failed;
}
