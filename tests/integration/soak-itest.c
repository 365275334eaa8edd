// SPDX-License-Identifier: MIT
/*
 * zns-soak-itest: a mixed workload of several threads against a shadow
 * model, for a bounded time. Each thread owns a few zones and a queue; it
 * draws operations on them (batches of appends in flight together, writes
 * at and off the write pointer, reads, opens, closes, finishes, resets,
 * reports) and runs each on the device and on the model, the in-process
 * emulator made with the device's geometry. After every operation the
 * answers must agree, and so must the zone's state and write pointer;
 * reads must bring the same data. Appends in flight together land in the
 * order the device chose: the model takes them as writes at the LBAs the
 * device returned, which must tile the zone from its write pointer.
 *
 *   ZNS_TEST_DEV=/dev/ngXnY [ZNS_SOAK_SECS=600] [ZNS_SOAK_THREADS=3]
 *   [ZNS_SOAK_SEED=1] zns-soak-itest          (DESTRUCTIVE)
 *
 * Without ZNS_TEST_DEV, an emulator stands for the device for 3 s: that
 * checks the harness, not a device (make check runs it so).
 *
 * The threads' zones together stay within the device's active limit, so
 * the zones are independent and one model serves all threads. The one
 * accounted departure of QEMU 7.2 (zns-diff's full-wp: a Full zone's write
 * pointer reads all ones) is accepted; with ZNS_DIFF_NVMET, so are the
 * kernel's target's (zns-diff's zone-status and close-empty; its reads
 * are compared below the write pointer only, as everywhere here), and its
 * append-plug (emu-like.h: a write right after appends fails without
 * landing, and lands when sent again). Prints the operation counts; on a
 * divergence, what differed and the thread's last operations; exits 0, 1
 * (a divergence) or 77.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libzns.h>

#include "emu-like.h"

enum op { O_APPENDS, O_WRITE, O_WRITE_OFF, O_READ, O_OPEN, O_CLOSE, O_FINISH,
	  O_RESET, O_REPORT, O_COUNT };
static const char *const op_name[O_COUNT] = { "append batches", "writes",
	"writes off the pointer", "reads", "opens", "closes", "finishes", "resets",
	"reports" };
static const unsigned int weight[O_COUNT] = { 30, 25, 3, 12, 5, 4, 3, 6, 8 };

#define ZONES_MAX	4
#define BATCH		8
#define NLB_MAX		4

static struct zns_dev *dev, *model;
static const struct zns_dev_info *in;
static double end_at;
static unsigned long appended;	/* appends in all batches */
static int diverged;
static int nvmet;		/* ZNS_DIFF_NVMET: the target's departures */
static unsigned long zone_status, close_empty, append_plug;	/* accounted (nvmet) */
static enum op last_w[16 * ZONES_MAX];	/* per zone: its last append batch, write, reset or finish */

/* the last operations of a thread, printed when it diverges */
#define HIST		12
struct hist {
	enum op op;
	uint32_t zone, nlb;
	uint64_t lba;
	int ra, rb;
	double at;
};

struct thr {
	unsigned int id, nzones;
	uint32_t zone[ZONES_MAX];
	uint64_t rnd;
	unsigned long n[O_COUNT];
	struct zns_queue *q;
	uint8_t *wb, *rb1, *rb2;
	struct hist h[HIST];
	unsigned long nh;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t pick(struct thr *t, uint32_t n)
{
	t->rnd ^= t->rnd << 13;
	t->rnd ^= t->rnd >> 7;
	t->rnd ^= t->rnd << 17;
	return (uint32_t)(t->rnd % n);
}

static double t_start;

/* A divergence: what differed, then the thread's last operations, oldest
 * first; the one that diverged is the last. */
static void history(const struct thr *t)
{
	unsigned long i = t->nh > HIST ? t->nh - HIST : 0;

	for (; i < t->nh; i++) {
		const struct hist *h = &t->h[i % HIST];

		fprintf(stderr, "  thread %u at %.6f s: zone %u, %s, LBA %#llx + %u: device %#x, model %#x\n",
			t->id, h->at - t_start, h->zone, op_name[h->op],
			(unsigned long long)h->lba, h->nlb, h->ra, h->rb);
	}
}

static void remember(struct thr *t, enum op o, uint32_t zi, uint64_t lba, uint32_t nlb,
		     int ra, int rb)
{
	struct hist *h = &t->h[t->nh++ % HIST];

	h->op = o;
	h->zone = zi;
	h->lba = lba;
	h->nlb = nlb;
	h->ra = ra;
	h->rb = rb;
	h->at = now_s();
}

#define DIVERGE(t, z, what, ...) do {					\
	fprintf(stderr, "FAIL: thread %u zone %u, %s: " what "\n", (t)->id,	\
		(z), op_name[o], __VA_ARGS__);				\
	if (!__atomic_exchange_n(&diverged, 1, __ATOMIC_RELAXED))	\
		history(t);						\
} while (0)

static int report_one(struct zns_dev *d, uint64_t zs, struct zns_zone *z)
{
	unsigned int nr = 1;
	int rc = zns_report_zones(d, zs, 0, z, &nr, NULL);

	return rc ? rc : nr == 1 ? 0 : -EIO;
}

/* The zone's state and write pointer on both sides agree (a Full zone's
 * write pointer may read all ones on the device: QEMU's departure). */
static int same_zone(struct thr *t, uint32_t zi, enum op o)
{
	uint64_t zs = (uint64_t)zi * in->zone_size;
	struct zns_zone a, b;
	int ra = report_one(dev, zs, &a), rb = report_one(model, zs, &b);

	if (ra || rb) {
		DIVERGE(t, zi, "report: device %d, model %d", ra, rb);
		return 0;
	}
	if (a.state != b.state || (a.wp != b.wp &&
	    !(a.state == NVME_ZNS_ZS_FULL && a.wp == ~0ull))) {
		DIVERGE(t, zi, "device state %u wp %#llx, model state %u wp %#llx", a.state,
			(unsigned long long)a.wp, b.state, (unsigned long long)b.wp);
		return 0;
	}
	return 1;
}

static void stamp(struct thr *t, uint8_t *p, uint32_t nlb, unsigned long seq)
{
	uint32_t i;

	for (i = 0; i < nlb; i++) {
		uint64_t v[2] = { (uint64_t)t->id << 48 | seq, i };

		memset(p + (size_t)i * in->lba_size, (int)(seq + i), in->lba_size);
		memcpy(p + (size_t)i * in->lba_size, v, sizeof(v));
	}
}

struct app {
	int status;
	uint64_t lba;
	uint32_t nlb;
	uint8_t *data;
};

static void app_done(void *user, int status, uint64_t result)
{
	struct app *a = user;

	a->status = status;
	a->lba = result;
}

static int by_lba(const void *x, const void *y)
{
	const struct app *a = x, *b = y;

	return a->lba < b->lba ? -1 : a->lba > b->lba;
}

/* A batch of appends in flight together, then the model takes them where
 * the device put them. */
static void appends(struct thr *t, uint32_t zi, enum op o, unsigned long seq)
{
	uint64_t zs = (uint64_t)zi * in->zone_size;
	struct app a[BATCH];
	struct zns_zone mz;
	uint64_t room, next;
	unsigned int n = 1 + pick(t, BATCH), i, sent = 0;

	if (report_one(model, zs, &mz))
		return;
	if (mz.state == NVME_ZNS_ZS_FULL)
		return;
	room = mz.zslba + mz.zcap - mz.wp;
	for (i = 0; i < n; i++) {
		a[i].nlb = 1 + pick(t, NLB_MAX);
		if (a[i].nlb > room)
			break;
		room -= a[i].nlb;
		a[i].data = t->wb + (size_t)i * NLB_MAX * in->lba_size;
		stamp(t, a[i].data, a[i].nlb, seq * BATCH + i);
		a[i].status = ZNS_PENDING;
		if (zns_prep_append(t->q, dev, a[i].data, zs, a[i].nlb, app_done, &a[i]))
			break;
		sent++;
	}
	if (!sent)
		return;
	zns_submit(t->q);
	while (zns_queue_inflight(t->q))
		zns_reap(t->q, 1, -1);
	{
		uint32_t nlb = 0;
		int st = 0;

		for (i = 0; i < sent; i++) {
			nlb += a[i].nlb;
			if (!st)
				st = a[i].status;
		}
		remember(t, o, zi, mz.wp, nlb, st, 0);
	}
	for (i = 0; i < sent; i++)
		if (a[i].status) {
			DIVERGE(t, zi, "append %u of %u: %s", i, sent, zns_status_str(a[i].status));
			return;
		}
	qsort(a, sent, sizeof(a[0]), by_lba);
	for (i = 0, next = mz.wp; i < sent; next += a[i++].nlb) {
		int rc;

		if (a[i].lba != next) {
			DIVERGE(t, zi, "the appends do not tile the zone: one at %#llx, expected %#llx",
				(unsigned long long)a[i].lba, (unsigned long long)next);
			return;
		}
		rc = zns_write(model, a[i].data, a[i].lba, a[i].nlb);
		if (rc) {
			DIVERGE(t, zi, "the model refuses the append's blocks: %s", zns_status_str(rc));
			return;
		}
	}
	__atomic_add_fetch(&appended, sent, __ATOMIC_RELAXED);
}

static void one(struct thr *t, unsigned long seq)
{
	uint32_t zi = t->zone[pick(t, t->nzones)], nlb = 1 + pick(t, NLB_MAX);
	uint64_t zs = (uint64_t)zi * in->zone_size;
	unsigned int r = pick(t, 96), acc = 0;
	enum op o;
	struct zns_zone mz;
	uint64_t at = zs;
	int ra = 0, rb = 0;

	for (o = 0; o < O_COUNT - 1 && r >= acc + weight[o]; o++)
		acc += weight[o];
	t->n[o]++;
	if (report_one(model, zs, &mz))
		return;
	switch (o) {
	case O_APPENDS:
		appends(t, zi, o, seq);
		break;
	case O_WRITE:
	case O_WRITE_OFF:
		stamp(t, t->wb, nlb, seq);
		mz.wp += o == O_WRITE_OFF ? 1 : 0;
		at = mz.wp;
		if (mz.wp + nlb > zs + in->zone_size)
			break;
		ra = zns_write(dev, t->wb, mz.wp, nlb);
		if (nvmet && o == O_WRITE && last_w[zi] == O_APPENDS &&
		    zns_status_code(ra) == 0x006) {
			/* append-plug (emu-like.h): counted once the same
			 * write lands when sent again */
			unsigned int i;

			remember(t, o, zi, at, nlb, ra, 0);
			for (i = 0; zns_status_code(ra) == 0x006 && !nvmet_plug_wait(i); i++)
				ra = zns_write(dev, t->wb, mz.wp, nlb);
			if (!ra)
				__atomic_add_fetch(&append_plug, 1, __ATOMIC_RELAXED);
		}
		rb = zns_write(model, t->wb, mz.wp, nlb);
		break;
	case O_READ: {
		/* anywhere in the zone; the data is compared below the write
		 * pointer only: above it, what a read returns is the device's
		 * choice (DLFEAT; nvmet's null_blk keeps what a reset left) */
		uint64_t lba = zs + pick(t, (uint32_t)(in->zone_size - nlb));
		uint64_t wp = mz.state == NVME_ZNS_ZS_FULL ? zs + mz.zcap : mz.wp;

		at = lba;
		ra = zns_read(dev, t->rb1, lba, nlb);
		rb = zns_read(model, t->rb2, lba, nlb);
		if (!ra && !rb && lba + nlb <= wp &&
		    memcmp(t->rb1, t->rb2, (size_t)nlb * in->lba_size))
			DIVERGE(t, zi, "the data at %#llx differs", (unsigned long long)lba);
		break;
	}
	case O_OPEN:
	case O_CLOSE:
	case O_FINISH:
	case O_RESET: {
		unsigned int zsa = o == O_OPEN ? NVME_ZNS_ZSA_OPEN :
				   o == O_CLOSE ? NVME_ZNS_ZSA_CLOSE :
				   o == O_FINISH ? NVME_ZNS_ZSA_FINISH : NVME_ZNS_ZSA_RESET;

		ra = zns_mgmt_send(dev, zs, zsa, 0, NULL, 0, NULL);
		rb = zns_mgmt_send(model, zs, zsa, 0, NULL, 0, NULL);
		break;
	}
	default:
		break;		/* the report below */
	}
	if (o == O_APPENDS || o == O_WRITE || o == O_RESET || o == O_FINISH)
		last_w[zi] = o;
	if (o != O_APPENDS)
		remember(t, o, zi, at, o == O_WRITE || o == O_WRITE_OFF || o == O_READ ? nlb : 0,
			 ra, rb);
	if (ra != rb && nvmet && zns_status_code(ra) == 0x006 &&
	    zns_status_code(rb) >= 0x1b8 && zns_status_code(rb) <= 0x1bf) {
		__atomic_add_fetch(&zone_status, 1, __ATOMIC_RELAXED);
	} else if (ra != rb) {
		DIVERGE(t, zi, "device %#x (%s), model %#x (%s)", ra, zns_status_str(ra), rb,
			zns_status_str(rb));
	}
	if (nvmet && o == O_CLOSE && !ra && !rb && mz.wp == zs) {
		/* close-empty: the target closes an empty open zone to
		 * Empty; the model, to Closed */
		struct zns_zone a;

		if (!report_one(dev, zs, &a) && a.state == NVME_ZNS_ZS_EMPTY &&
		    !zns_reset_zone(model, zs))
			__atomic_add_fetch(&close_empty, 1, __ATOMIC_RELAXED);
	}
	same_zone(t, zi, o);
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = BATCH, .sq_thread_cpu = -1 };
	unsigned long seq = 0;

	if (zns_queue_init(&t->q, &qo)) {
		fprintf(stderr, "FAIL: thread %u: no queue\n", t->id);
		__atomic_store_n(&diverged, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	while (now_s() < end_at && !__atomic_load_n(&diverged, __ATOMIC_RELAXED))
		one(t, ++seq);
	zns_queue_exit(t->q);
	return NULL;
}

int main(void)
{
	const char *path = getenv("ZNS_TEST_DEV");
	double secs = getenv("ZNS_SOAK_SECS") ? atof(getenv("ZNS_SOAK_SECS")) : 600;
	unsigned int nthr = getenv("ZNS_SOAK_THREADS") ? (unsigned int)atoi(getenv("ZNS_SOAK_THREADS")) : 3;
	unsigned long seed = getenv("ZNS_SOAK_SEED") ? strtoul(getenv("ZNS_SOAK_SEED"), NULL, 0) : 1;
	struct zns_emu_opts o;
	struct thr *t;
	pthread_t *th;
	unsigned long tot[O_COUNT] = { 0 }, all = 0;
	unsigned int i, j, per, limit;
	double t0;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	nvmet = getenv("ZNS_DIFF_NVMET") != NULL;
	if (!path || !*path) {
		/* no device: an emulator with QEMU configuration b's geometry
		 * stands for it, for a few seconds (make check: the harness) */
		memset(&o, 0, sizeof(o));
		o.size = sizeof(o);
		o.lba_size = 512;
		o.nr_zones = 32;
		o.zone_size = 32768;
		rc = zns_dev_open_emu(&o, &dev);
		path = "an emulator (configuration b's geometry)";
		if (!getenv("ZNS_SOAK_SECS"))
			secs = 3;
	} else {
		rc = zns_dev_open(path, &dev);
	}
	if (rc) {
		fprintf(stderr, "zns-soak-itest: %s: %s\n", path, zns_status_str(rc));
		return rc == -EMEDIUMTYPE ? 77 : 1;
	}
	in = zns_dev_get_info(dev);
	if (in->ms || nthr == 0 || nthr > 16) {
		printf("SKIP: zns-soak-itest needs a format without metadata and 1 to 16 threads\n");
		return 77;
	}
	limit = in->max_active == ZNS_NO_LIMIT ? (unsigned int)in->nr_zones : in->max_active;
	if (limit > in->nr_zones)
		limit = (unsigned int)in->nr_zones;
	per = limit / nthr > ZONES_MAX ? ZONES_MAX : limit / nthr;
	if (!per) {
		printf("SKIP: %u threads need %u zones within the active limit\n", nthr, nthr);
		return 77;
	}
	for (i = 0; i < sizeof(last_w) / sizeof(last_w[0]); i++)
		last_w[i] = O_RESET;	/* the threads' zones start reset */
	emu_like(in, &o);
	o.max_open = o.max_active = 0;	/* the threads' zones stay within */
	o.zdes = 0;
	rc = zns_dev_open_emu(&o, &model);
	if (rc) {
		fprintf(stderr, "zns-soak-itest: the model: %s (%s)\n", zns_status_str(rc),
			zns_last_error());
		return 1;
	}
	/* a common start: every zone the threads use, empty on both */
	t = calloc(nthr, sizeof(*t));
	th = calloc(nthr, sizeof(*th));
	if (!t || !th)
		return 1;
	for (i = 0; i < nthr; i++) {
		t[i].id = i;
		t[i].nzones = per;
		t[i].rnd = seed * 0x9e3779b97f4a7c15ull + i + 1;
		for (j = 0; j < per; j++) {
			t[i].zone[j] = i * per + j;
			zns_reset_zone(dev, (uint64_t)t[i].zone[j] * in->zone_size);
		}
		if (posix_memalign((void **)&t[i].wb, 4096, (size_t)BATCH * NLB_MAX * in->lba_size) ||
		    posix_memalign((void **)&t[i].rb1, 4096, (size_t)NLB_MAX * in->lba_size) ||
		    posix_memalign((void **)&t[i].rb2, 4096, (size_t)NLB_MAX * in->lba_size))
			return 1;
	}
	printf("== zns-soak-itest: %s, %u threads x %u zones, %.0f s, seed %lu\n", path, nthr, per,
	       secs, seed);
	t0 = t_start = now_s();
	end_at = t0 + secs;
	for (i = 0; i < nthr; i++)
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	for (i = 0; i < nthr; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < nthr; i++)
		for (j = 0; j < O_COUNT; j++) {
			tot[j] += t[i].n[j];
			all += t[i].n[j];
		}
	printf("%s: soak: %lu operations in %.0f s (", diverged ? "FAIL" : "ok", all, now_s() - t0);
	for (j = 0; j < O_COUNT; j++)
		printf("%s%lu %s", j ? ", " : "", tot[j], op_name[j]);
	printf("; %lu appends), %s", appended,
	       diverged ? "the device and the model diverged" : "0 divergences from the model");
	if (nvmet)
		printf("; accounted (zns-diff.c): zone-status %lu, close-empty %lu, append-plug %lu",
		       zone_status, close_empty, append_plug);
	printf("\n");
	for (i = 0; i < nthr; i++)
		for (j = 0; j < per; j++)
			zns_reset_zone(dev, (uint64_t)t[i].zone[j] * in->zone_size);
	zns_dev_close(model);
	zns_dev_close(dev);
	return diverged;
}
