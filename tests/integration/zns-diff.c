// SPDX-License-Identifier: MIT
/*
 * zns-diff: the emulator against a real ZNS namespace, operation for
 * operation. One seeded random sequence (writes at and off the write
 * pointer, write zeroes that may cross the zone capacity, appends, reads
 * within and across zones, opens, closes, finishes, resets, one zone or
 * all, descriptor extensions, reports with every filter, partial bit and
 * buffer size) runs on the device and on an emulator made with the device's
 * geometry; after each operation the statuses, append LBAs, data read and
 * every zone's state, attributes and write pointer must be the same.
 *
 * Where QEMU 7.2 departs from the specification, the emulator follows the
 * specification and this table accounts for exactly that difference:
 *
 *   full-wp    A Full zone's write pointer: QEMU reports all ones, the
 *              emulator zslba + zcap.
 *   open-limit An open (explicit, or implicit by a write) of an Empty zone
 *              when the open and the active limits are both reached and no
 *              zone is implicitly open: QEMU answers Too Many Active Zones
 *              (0x1bd), the emulator Too Many Open Zones (0x1be).
 *
 * With ZNS_DIFF_NVMET set, the device is the kernel's NVMe target over a
 * zoned null_blk (Linux 6.12), whose departures are accounted as well:
 *
 *   unwritten-read  A block at or above its zone's write pointer reads as
 *                   what a reset left there, or null_blk's fill; the
 *                   emulator reads zeros (the specification leaves it to
 *                   the deallocated-read behaviour). Only written blocks
 *                   are compared.
 *   zone-status     Every zone error (Zone Boundary Error, Zone Is Full,
 *                   Zone Invalid Write, Too Many Open, ...; 0x1b8-0x1bf)
 *                   comes back as Internal Error (0x006, with or without
 *                   DNR): the target turns the block layer's errors into it.
 *   close-empty     An open zone whose write pointer is at its start closes
 *                   to Empty on the target (as the kernel's zoned block
 *                   model does), to Closed on QEMU and the emulator; the
 *                   emulator's zone is reset to Empty to match.
 *   append-plug     A write (or write zeroes) at the write pointer right
 *                   after appends to its zone fails with Internal Error
 *                   without landing, and lands when sent again (a race in
 *                   the kernel's zone write plugging: emu-like.h).
 *
 * and the sequence keeps out of three things the target does its own way:
 * it stays within max_open - 1 zones (null_blk closes another implicitly
 * open zone than the emulator and QEMU when the open limit is reached, and
 * counts active zones apart from them after that), draws no write zeroes
 * past a zone's capacity and no read across a zone boundary (the target
 * does both; QEMU and the emulator answer Zone Boundary Error).
 *
 * Anything else that differs fails the run, naming the seed, the step, the
 * operation and both answers.
 *
 *   [ZNS_DIFF_NVMET=1] zns-diff /dev/ngXnY [SEEDS [OPS [FIRST_SEED]]]
 *                              (DESTRUCTIVE)
 *   zns-diff emu:a|emu:b ...   an emulator with QEMU configuration a's or
 *                              b's geometry in place of the device (checks
 *                              the harness itself, on any machine)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzns.h>

#include "emu-like.h"

#define MAXZ	64
#define MAXNLB	8

enum op { OP_WRITE, OP_WRITE_OFF, OP_ZEROES, OP_APPEND, OP_READ, OP_OPEN,
	  OP_CLOSE, OP_FINISH, OP_RESET, OP_ALL, OP_EXT, OP_REPORT, OP_COUNT };
static const char *const op_names[] = { "write", "write-off-wp", "write-zeroes",
	"append", "read", "open", "close", "finish", "reset", "select-all",
	"set-ext", "report" };
/* how often each is drawn, out of the sum; every fourth seed opens and
 * closes more and resets less, to run into the open and active limits */
static const unsigned int weights[2][OP_COUNT] = {
	{ 30, 4, 4, 20, 10, 6, 5, 3, 4, 2, 1, 6 },
	{ 5, 1, 0, 2, 2, 60, 3, 1, 1, 0, 0, 2 },
};
static const unsigned int *weight = weights[0];

static struct zns_dev *real, *emu;
static const struct zns_dev_info *in;
static unsigned int nz;
static uint64_t rnd;
static uint8_t *wbuf, *rb1, *rb2;
static unsigned long long accounted[6];
static enum op last_w[MAXZ];	/* per zone: its last write, zeroes, append, reset or finish */
static int nvmet;	/* ZNS_DIFF_NVMET: the kernel's target (below) */

static uint64_t xr(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

static uint32_t pick(uint32_t n)
{
	return (uint32_t)(xr() % n);
}

static uint64_t zslba(unsigned int z)
{
	return (uint64_t)z * in->zone_size;
}

static int report(struct zns_dev *d, struct zns_zone *z)
{
	unsigned int nr = nz;

	return zns_report_zones(d, 0, 0, z, &nr, NULL) ? -1 : (int)nr;
}

/* After each step every zone must agree, but for the full-wp row. */
static int compare_zones(unsigned long seed, unsigned int step, const char *what)
{
	struct zns_zone a[MAXZ], b[MAXZ];
	unsigned int i;

	if (report(real, a) != (int)nz || report(emu, b) != (int)nz) {
		printf("seed %lu step %u (%s): a report failed\n", seed, step, what);
		return 1;
	}
	for (i = 0; i < nz; i++) {
		uint64_t wa = a[i].wp, wb = b[i].wp;

		if (a[i].state == NVME_ZNS_ZS_FULL && b[i].state == NVME_ZNS_ZS_FULL &&
		    wa == ~0ull && wb == b[i].zslba + b[i].zcap) {
			accounted[0]++;
			continue;
		}
		if (a[i].state != b[i].state || wa != wb || a[i].attrs != b[i].attrs ||
		    a[i].zcap != b[i].zcap) {
			printf("seed %lu step %u (%s): zone %u: device state %#x wp %#" PRIx64
			       " za %#x, emulator state %#x wp %#" PRIx64 " za %#x\n",
			       seed, step, what, i, a[i].state, wa, a[i].attrs,
			       b[i].state, wb, b[i].attrs);
			return 1;
		}
	}
	return 0;
}

/* Zones open and active, and whether one is implicitly open, as the
 * emulator sees them before the step. */
static void counts(unsigned int *open, unsigned int *active, int *impl)
{
	struct zns_zone z[MAXZ];
	int i, n = report(emu, z);

	*open = *active = 0;
	*impl = 0;
	for (i = 0; i < n; i++) {
		uint8_t s = z[i].state;

		*open += s == NVME_ZNS_ZS_IMPL_OPEN || s == NVME_ZNS_ZS_EXPL_OPEN;
		*active += s == NVME_ZNS_ZS_IMPL_OPEN || s == NVME_ZNS_ZS_EXPL_OPEN ||
			   s == NVME_ZNS_ZS_CLOSED;
		*impl |= s == NVME_ZNS_ZS_IMPL_OPEN;
	}
}

static enum op draw(void)
{
	unsigned int sum = 0, i, r;

	for (i = 0; i < OP_COUNT; i++)
		sum += weight[i];
	r = pick(sum);
	for (i = 0; r >= weight[i]; i++)
		r -= weight[i];
	return (enum op)i;
}

struct step {
	enum op op;
	unsigned int zone, flt, partial, all_zsa;
	uint64_t lba;
	uint32_t nlb, len;
};

/* The last steps, for the report of one that differs: what the device
 * answered to each (after any resend), and whether it was sent again. */
#define HIST 64
static struct hist {
	struct step s;
	unsigned int step;
	int ra, rb, resent;
} hist[HIST];
static unsigned int nhist;

static void hist_add(const struct step *s, unsigned int step, int ra, int rb,
		     int resent)
{
	struct hist *h = &hist[nhist++ % HIST];

	h->s = *s;
	h->step = step;
	h->ra = ra;
	h->rb = rb;
	h->resent = resent;
}

/* The steps before the one that differs that touched its zone (or all
 * zones), oldest first. */
static void hist_print(unsigned int zone)
{
	unsigned int i = nhist > HIST ? nhist - HIST : 0;

	printf("  the steps before it on zone %u (device, emulator):\n", zone);
	for (; i < nhist; i++) {
		const struct hist *h = &hist[i % HIST];

		if (h->s.zone != zone && h->s.op != OP_ALL)
			continue;
		printf("  step %u: %s lba %#" PRIx64 " nlb %u: %#x, %#x%s\n",
		       h->step, op_names[h->s.op], h->s.lba, h->s.nlb, h->ra,
		       h->rb, h->resent ? " (sent again)" : "");
	}
}

/* Run one step on one device; the result and append LBA out. */
static int run(struct zns_dev *d, const struct step *s, uint64_t *lba,
	       uint8_t *rbuf)
{
	static const unsigned int zsa[] = { NVME_ZNS_ZSA_OPEN, NVME_ZNS_ZSA_CLOSE,
		NVME_ZNS_ZSA_FINISH, NVME_ZNS_ZSA_RESET };

	*lba = 0;
	switch (s->op) {
	case OP_WRITE:
	case OP_WRITE_OFF:
		return zns_write(d, wbuf, s->lba, s->nlb);
	case OP_ZEROES:
		return zns_write_zeroes(d, s->lba, s->nlb);
	case OP_APPEND:
		return zns_append(d, wbuf, zslba(s->zone), s->nlb, lba);
	case OP_READ:
		memset(rbuf, 0xa5, (size_t)s->nlb * in->lba_size);
		return zns_read(d, rbuf, s->lba, s->nlb);
	case OP_OPEN:
		return zns_open_zone(d, zslba(s->zone));
	case OP_CLOSE:
		return zns_close_zone(d, zslba(s->zone));
	case OP_FINISH:
		return zns_finish_zone(d, zslba(s->zone));
	case OP_RESET:
		return zns_reset_zone(d, zslba(s->zone));
	case OP_ALL:
		return zns_mgmt_send(d, 0, zsa[s->all_zsa], ZNS_SEND_SELECT_ALL,
				     NULL, 0, NULL);
	case OP_EXT:
		memset(wbuf, (int)s->zone + 1, in->zdes);
		return zns_mgmt_send(d, zslba(s->zone), NVME_ZNS_ZSA_SET_DESC_EXT,
				     0, wbuf, in->zdes, NULL);
	case OP_REPORT:
		memset(rbuf, 0xa5, s->len);
		return zns_mgmt_recv(d, zslba(s->zone), NVME_ZNS_ZRA_REPORT_ZONES,
				     s->flt, (int)s->partial, rbuf, s->len);
	default:
		return -EINVAL;
	}
}

/* A report's bytes, but for the full-wp row. */
static int same_report(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	uint32_t off;

	if (memcmp(a, b, 64))
		return 0;
	for (off = 64; off + 64 <= len; off += 64) {
		const struct nvme_zns_desc *x = (const void *)(a + off);
		const struct nvme_zns_desc *y = (const void *)(b + off);

		if (memcmp(x, y, 24) || memcmp(x->rsvd32, y->rsvd32, 32))
			return 0;
		if (x->wp == y->wp)
			continue;
		if ((x->zs >> 4) == NVME_ZNS_ZS_FULL && zns_le64(x->wp) == ~0ull &&
		    zns_le64(y->wp) == zns_le64(y->zslba) + zns_le64(y->zcap)) {
			accounted[0]++;
			continue;
		}
		return 0;
	}
	return memcmp(a + off, b + off, len - off) == 0;
}

static void make_step(struct step *s)
{
	struct zns_zone z[MAXZ];
	uint64_t cap;

	memset(s, 0, sizeof(*s));
	s->op = draw();
	s->zone = pick(nz);
	report(emu, z);
	cap = z[s->zone].zcap;
	s->nlb = 1 + pick(MAXNLB);
	s->lba = z[s->zone].wp;
	if (z[s->zone].state == NVME_ZNS_ZS_FULL)
		s->lba = zslba(s->zone) + pick((uint32_t)cap);
	switch (s->op) {
	case OP_WRITE_OFF:
		s->lba = zslba(s->zone) + pick((uint32_t)cap);
		break;
	case OP_ZEROES:
		/* sometimes to the capacity, sometimes past it */
		if (s->lba < zslba(s->zone) + cap) {
			uint64_t left = zslba(s->zone) + cap - s->lba;

			s->nlb = (uint32_t)(left > 65536 ? 65536 : left);
			if (pick(2) && s->nlb < 65536 && !nvmet)
				s->nlb++;
			else if (pick(2) && s->nlb > 1)
				s->nlb -= 1 + pick(s->nlb - 1);
		}
		break;
	case OP_READ:
		s->lba = zslba(s->zone) + pick((uint32_t)in->zone_size);
		if (pick(4) == 0 && s->zone + 1 < nz && !nvmet)	/* across the boundary */
			s->lba = zslba(s->zone + 1) - 1 - pick(3);
		break;
	case OP_ALL:
		s->all_zsa = pick(4);
		break;
	case OP_EXT:
		if (!in->zdes)
			s->op = OP_OPEN;
		break;
	case OP_REPORT:
		s->flt = pick(8);
		s->partial = pick(2);
		s->len = 64 + 64 * pick(nz + 2) + 4 * pick(8);
		break;
	default:
		break;
	}
	if (s->lba + s->nlb > in->nr_lbas)
		s->nlb = (uint32_t)(in->nr_lbas - s->lba);
	/* nvmet reads across a zone boundary (not drawn there) */
	if (nvmet && s->op == OP_READ && s->lba + s->nlb > zslba(s->zone + 1))
		s->nlb = (uint32_t)(zslba(s->zone + 1) - s->lba);
}

/* unwritten-read (nvmet): a block at or above its zone's write pointer
 * reads as what a reset left there, or as null_blk's fill; the emulator
 * gives zeros (the specification leaves it to the deallocated-read
 * behaviour). Copies the emulator's bytes over the device's there, so that
 * only written blocks are compared; counts the blocks that differed. */
static void mask_unwritten(const struct step *s)
{
	struct zns_zone z[MAXZ];
	uint32_t i, bs = in->lba_size;

	if (report(emu, z) != (int)nz)
		return;
	for (i = 0; i < s->nlb; i++) {
		uint64_t blk = s->lba + i, wp;
		unsigned int zi = (unsigned int)(blk / in->zone_size);

		if (zi >= nz)
			continue;
		wp = z[zi].state == NVME_ZNS_ZS_FULL ? z[zi].zslba + z[zi].zcap : z[zi].wp;
		if (blk >= wp && memcmp(rb1 + (size_t)i * bs, rb2 + (size_t)i * bs, bs)) {
			memcpy(rb1 + (size_t)i * bs, rb2 + (size_t)i * bs, bs);
			accounted[2]++;
		}
	}
}

/* close-empty (nvmet): an open zone whose write pointer is at its start
 * (no descriptor extension) closes to Empty on the target (null_blk, as
 * the kernel's zoned block model does), to Closed on QEMU and the
 * emulator. Counted, and the emulator's zone reset to Empty to match. */
static int close_empty(void)
{
	struct zns_zone a[MAXZ], b[MAXZ];
	unsigned int i;
	int n = 0;

	if (report(real, a) != (int)nz || report(emu, b) != (int)nz)
		return 0;
	for (i = 0; i < nz; i++)
		if (a[i].state == NVME_ZNS_ZS_EMPTY && b[i].state == NVME_ZNS_ZS_CLOSED &&
		    b[i].wp == b[i].zslba && !(b[i].attrs & NVME_ZNS_ZA_ZDEV) &&
		    !zns_reset_zone(emu, b[i].zslba)) {
			accounted[4]++;
			n++;
		}
	return n;
}

static int one_seed(unsigned long seed, unsigned int ops)
{
	unsigned int step, i;

	rnd = 0x9e3779b97f4a7c15ull ^ (seed * 0x2545f4914f6cdd1dull);
	weight = weights[seed % 4 == 0];
	if (zns_reset_all_zones(real) || zns_reset_all_zones(emu)) {
		printf("seed %lu: reset all failed\n", seed);
		return 1;
	}
	for (i = 0; i < nz; i++)
		last_w[i] = OP_RESET;
	nhist = 0;
	for (step = 0; step < ops; step++) {
		struct step s;
		unsigned int op, act;
		int impl, ra, rb, resent = 0;
		uint64_t la, lb;

		make_step(&s);
		counts(&op, &act, &impl);
		memset(wbuf, (int)(seed + step), (size_t)MAXNLB * in->lba_size);
		ra = run(real, &s, &la, rb1);
		rb = run(emu, &s, &lb, rb2);
		if (nvmet && (s.op == OP_WRITE || s.op == OP_ZEROES) && !rb &&
		    last_w[s.zone] == OP_APPEND && zns_status_code(ra) == 0x006) {
			/* append-plug (emu-like.h): a write the emulator
			 * takes, counted once it lands on the device when
			 * sent again */
			for (i = 0; zns_status_code(ra) == 0x006 && !nvmet_plug_wait(i); i++)
				ra = run(real, &s, &la, rb1);
			accounted[5] += !ra;
			resent = 1;
			if (i > 5)
				printf("NOTE: seed %lu step %u: %s after appends to zone %u: %s after %u waits (%s)\n",
				       seed, step, op_names[s.op], s.zone, ra ? "still failed" : "landed",
				       i, ra ? "below" : "over 0.6 s");
		}
		if (s.op == OP_WRITE || s.op == OP_ZEROES || s.op == OP_APPEND ||
		    s.op == OP_RESET || s.op == OP_FINISH)
			last_w[s.zone] = s.op;
		else if (s.op == OP_ALL)
			for (i = 0; i < nz; i++)
				last_w[i] = OP_RESET;
		if (ra == 0x41bd && rb == 0x41be && in->max_open != ZNS_NO_LIMIT &&
		    op == in->max_open && act == in->max_active && !impl) {
			accounted[1]++;
		} else if (nvmet && zns_status_code(ra) == 0x006 &&
			   zns_status_code(rb) >= 0x1b8 && zns_status_code(rb) <= 0x1bf) {
			accounted[3]++;	/* zone-status */
		} else if (ra != rb || (!ra && la != lb)) {
			/* a failed command's result is not defined: QEMU
			 * returns its write pointer there */
			printf("seed %lu step %u: %s zone %u lba %#" PRIx64 " nlb %u: device %#x"
			       " (%s) lba %#" PRIx64 ", emulator %#x (%s) lba %#" PRIx64 "\n",
			       seed, step, op_names[s.op], s.zone, s.lba, s.nlb, ra,
			       zns_status_str(ra), la, rb, zns_status_str(rb), lb);
			hist_print(s.zone);
			return 1;
		}
		hist_add(&s, step, ra, rb, resent);
		if (!ra && s.op == OP_READ && nvmet)
			mask_unwritten(&s);
		if (!ra && s.op == OP_READ &&
		    memcmp(rb1, rb2, (size_t)s.nlb * in->lba_size)) {
			printf("seed %lu step %u: read %#" PRIx64 " +%u: the data differs\n",
			       seed, step, s.lba, s.nlb);
			return 1;
		}
		if (!ra && s.op == OP_REPORT && !same_report(rb1, rb2, s.len)) {
			printf("seed %lu step %u: report zone %u filter %u partial %u len %u differs\n",
			       seed, step, s.zone, s.flt, s.partial, s.len);
			return 1;
		}
		if (nvmet && (s.op == OP_CLOSE || s.op == OP_ALL))
			close_empty();
		if (compare_zones(seed, step, op_names[s.op]))
			return 1;
	}
	return 0;
}

/* The device under test, or an emulator standing in for it. */
static int open_device(const char *path, struct zns_dev **d)
{
	struct zns_emu_opts o;

	if (strncmp(path, "emu:", 4))
		return zns_dev_open(path, d);
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	if (!strcmp(path + 4, "a")) {
		o.lba_size = 4096;
		o.nr_zones = 16;
		o.zone_size = 16384;
		o.zone_cap = 15872;
		o.max_open = o.max_active = 14;
		o.zdes = 64;
		o.zasl = 128 << 10;
	} else {
		o.lba_size = 512;
		o.nr_zones = 32;
		o.zone_size = 32768;
	}
	return zns_dev_open_emu(&o, d);
}

int main(int argc, char **argv)
{
	struct zns_emu_opts o;
	unsigned long seeds, ops, first, s;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s /dev/ngXnY [SEEDS [OPS [FIRST_SEED]]]\n", argv[0]);
		return 2;
	}
	nvmet = getenv("ZNS_DIFF_NVMET") != NULL;
	seeds = argc > 2 ? strtoul(argv[2], NULL, 0) : 20;
	ops = argc > 3 ? strtoul(argv[3], NULL, 0) : 500;
	first = argc > 4 ? strtoul(argv[4], NULL, 0) : 1;
	rc = open_device(argv[1], &real);
	if (rc) {
		fprintf(stderr, "zns-diff: %s: %s\n", argv[1], zns_status_str(rc));
		return 1;
	}
	in = zns_dev_get_info(real);
	nz = in->nr_zones > MAXZ ? MAXZ : (unsigned int)in->nr_zones;
	/* nvmet: below the open and active limits (limit-free) */
	if (nvmet && in->max_open != ZNS_NO_LIMIT && nz >= in->max_open)
		nz = in->max_open - 1;
	/* the emulator, with the device's geometry */
	emu_like(in, &o);
	rc = zns_dev_open_emu(&o, &emu);
	if (rc) {
		fprintf(stderr, "zns-diff: emulator: %s (%s)\n", zns_status_str(rc),
			zns_last_error());
		return 1;
	}
	if (posix_memalign((void **)&wbuf, 4096, (size_t)MAXNLB * in->lba_size + 4096) ||
	    posix_memalign((void **)&rb1, 4096, 1 << 20) ||
	    posix_memalign((void **)&rb2, 4096, 1 << 20))
		return 1;
	for (s = first; s < first + seeds; s++) {
		if (one_seed(s, (unsigned int)ops)) {
			printf("zns-diff: FAIL %s: seed %lu differs (rerun: zns-diff %s 1 %lu %lu)\n",
			       argv[1], s, argv[1], ops, s);
			return 1;
		}
	}
	zns_reset_all_zones(real);
	printf("zns-diff: %s: %lu seeds x %lu operations identical; accounted differences: "
	       "full-wp %llu, open-limit %llu", argv[1], seeds, ops, accounted[0],
	       accounted[1]);
	if (nvmet)
		printf(", unwritten-read %llu, zone-status %llu, close-empty %llu, "
		       "append-plug %llu", accounted[2], accounted[3], accounted[4], accounted[5]);
	printf("\n");
	zns_dev_close(emu);
	zns_dev_close(real);
	return 0;
}
