// SPDX-License-Identifier: MIT
/*
 * zns-zoned-itest: the zone layer's promises on a device, through the
 * public API only. With ZNS_TEST_DEV=/dev/ngXnY it runs on that namespace
 * (in the zns-vm guests: QEMU's ZNS SSD and the kernel's NVMe target);
 * without, on the in-process emulator shaped like QEMU configuration a
 * (16 zones of 64 MiB, capacity 62 MiB, 14 open and active, zone append
 * limit 128 KiB, max transfer 512 KiB). DESTRUCTIVE: every zone is reset.
 *
 *   threads  4 threads, a queue each at QD32, 8 zones (2 each, handed out
 *            by zns_zoned_alloc from each thread's own set): no error, no
 *            Zone Invalid Write, every stamp read back at the LBA its
 *            callback gave.
 *   appends  appends of 4 KiB to 512 KiB, 8 in flight, into 2 zones: the
 *            fragments tile each zone exactly from its start to the write
 *            pointer the device reports, every block where its fragment
 *            says.
 *   streams  20 writer threads, each taking a zone (waiting for a token),
 *            writing, finishing and resetting it, round after round: never
 *            more tokens out than the device allows active zones (a
 *            monitor counts them as the writers go, and reports the zones),
 *            and the device never answers Too Many Open (0x1be) or Too Many
 *            Active (0x1bd).
 *   zrwa     on a namespace with a ZRWA (QEMU configuration c), only this
 *            part: ZNS_ZONED_ZRWA, 4 zones written at QD32 each with one
 *            4 KiB write per command (the ZRWA lets several go at once),
 *            then merged: no error, callbacks in order per zone, every
 *            stamp at its LBA, the device's write pointer flushed to the
 *            last whole granule; one zone filled to its capacity is
 *            finished (Full, its ZRWA given back), and 4 more zones then
 *            take ZRWAs again.
 *
 * ZNS_TEST_ZRWA=1 without a device: the emulator shaped like QEMU
 * configuration c (8 ZRWAs of 16 blocks), and so the zrwa part.
 *
 * Prints one "ok:" line per part with its counts; exits 0, 1 (a promise
 * broken), or 77 when the namespace is not zoned or too small.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libzns.h>

#define BLK	4096u
#define STREAMS	20

static struct zns_dev *dev;
static const struct zns_dev_info *info;
static struct zns_zoned *zt;
static uint32_t nlba;		/* logical blocks per 4 KiB */
static int failed;

#define FAIL(...) do {						\
	fprintf(stderr, "FAIL: " __VA_ARGS__);			\
	fputc('\n', stderr);					\
	__atomic_store_n(&failed, 1, __ATOMIC_RELAXED);		\
} while (0)

static void *xalloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len ? len : 4096)) {
		perror("posix_memalign");
		exit(1);
	}
	memset(p, 0, len);
	return p;
}

/* A stamp in the first 16 bytes of each 4 KiB: who wrote it and which. */
struct stamp {
	uint64_t a, b;
};

static void stamp(uint8_t *p, uint64_t a, uint64_t b)
{
	struct stamp s = { a, b };

	memcpy(p, &s, sizeof(s));
}

static int check_stamp(uint64_t lba, uint64_t a, uint64_t b)
{
	static __thread uint8_t *r;
	struct stamp s;
	int rc;

	if (!r)
		r = xalloc(BLK);
	rc = zns_read(dev, r, lba, nlba);
	if (rc) {
		FAIL("read at %llu: %s", (unsigned long long)lba, zns_status_str(rc));
		return 1;
	}
	memcpy(&s, r, sizeof(s));
	if (s.a != a || s.b != b) {
		FAIL("LBA %llu holds stamp (%llu, %llu), expected (%llu, %llu)",
		     (unsigned long long)lba, (unsigned long long)s.a,
		     (unsigned long long)s.b, (unsigned long long)a,
		     (unsigned long long)b);
		return 1;
	}
	return 0;
}

static struct zns_queue *new_queue(unsigned int depth)
{
	struct zns_queue_opts qo;
	struct zns_queue *q;
	int rc;

	memset(&qo, 0, sizeof(qo));
	qo.size = sizeof(qo);
	qo.depth = depth;
	qo.sq_thread_cpu = -1;
	rc = zns_queue_init(&q, &qo);
	if (rc) {
		fprintf(stderr, "zns_queue_init: %s (%s)\n", zns_status_str(rc), zns_last_error());
		exit(1);
	}
	return q;
}

static void reap_all(struct zns_queue *q)
{
	while (zns_queue_inflight(q)) {
		int rc = zns_reap(q, 1, -1);

		if (rc < 0) {
			FAIL("zns_reap: %s", zns_status_str(rc));
			return;
		}
	}
}

/* Statuses a part counts: any error, and the ones it must never see. */
struct tally {
	unsigned int errors, invalid_write, too_many;
};

static void count(struct tally *t, int status)
{
	int code = status > 0 ? zns_status_code(status) : 0;

	if (!status)
		return;
	__atomic_add_fetch(&t->errors, 1, __ATOMIC_RELAXED);
	if (code == 0x1bc)
		__atomic_add_fetch(&t->invalid_write, 1, __ATOMIC_RELAXED);
	if (code == 0x1bd || code == 0x1be)
		__atomic_add_fetch(&t->too_many, 1, __ATOMIC_RELAXED);
}

/* --------------------------------------------------------------- ZRWA -- */

#define ZW_ZONES	4
#define ZW_PER_ZONE	400

struct zw {
	uint64_t lba;
	int status;
	unsigned int calls, order;
	unsigned int *seq;		/* the zone's callback count */
};

static void zw_cb(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct zw *w = user;

	(void)nlb;
	w->status = status;
	w->lba = lba;
	w->calls++;
	w->order = (*w->seq)++;
}

/* Write @per 4 KiB writes to each of zones [@first, @first + ZW_ZONES) at
 * QD32 a zone; check them; the most commands seen in flight at once goes
 * to *@most. Returns the writes that failed a check. */
static unsigned int zrwa_round(struct zns_queue *q, uint32_t first,
			       unsigned int per, unsigned int *most)
{
	struct zw *w = calloc((size_t)ZW_ZONES * per, sizeof(*w));
	uint8_t *bufs = xalloc((size_t)ZW_ZONES * 64 * BLK);
	unsigned int seq[ZW_ZONES] = { 0 }, sent[ZW_ZONES] = { 0 };
	unsigned int z, i, bad = 0, left = ZW_ZONES * per;

	while (left) {
		for (z = 0; z < ZW_ZONES; z++) {
			struct zw *x = &w[z * per + sent[z]];
			uint8_t *b = bufs + ((size_t)z * 64 + sent[z] % 64) * BLK;
			int rc;

			if (sent[z] == per || sent[z] - seq[z] >= 32)
				continue;	/* the zone's QD32 is full */
			stamp(b, 1000 + first + z, sent[z]);
			x->seq = &seq[z];
			rc = zns_zoned_write(zt, q, first + z, b, nlba, zw_cb, x);
			if (rc == -EBUSY)
				break;
			if (rc) {
				FAIL("zrwa: zns_zoned_write: %s (%s)", zns_status_str(rc), zns_last_error());
				left = 0;
				break;
			}
			sent[z]++;
			left--;
			z--;	/* this zone again, up to its QD32 */
		}
		if (zns_queue_inflight(q) > *most)
			*most = zns_queue_inflight(q);
		if (zns_reap(q, 1, -1) < 0)
			break;
	}
	reap_all(q);
	for (z = 0; z < ZW_ZONES; z++)
		for (i = 0; i < per; i++) {
			struct zw *x = &w[z * per + i];

			if (x->calls != 1 || x->status || x->order != i ||
			    x->lba != info->zone_size * (first + z) + (uint64_t)i * nlba ||
			    check_stamp(x->lba, 1000 + first + z, i)) {
				if (bad++ < 4)
					FAIL("zrwa: zone %u write %u: %u callbacks, status %s, order %u, LBA %#llx",
					     first + z, i, x->calls, zns_status_str(x->status), x->order,
					     (unsigned long long)x->lba);
			}
		}
	free(w);
	free(bufs);
	return bad;
}

static void part_zrwa(void)
{
	struct zns_zoned_opts zo;
	struct zns_zoned_zone in;
	struct zns_queue *q = new_queue(128);
	unsigned int most1 = 0, most2 = 0, bad, z, n = 0;
	uint64_t fill;
	int rc;

	memset(&zo, 0, sizeof(zo));
	zo.size = sizeof(zo);
	zo.flags = ZNS_ZONED_ZRWA | ZNS_ZONED_NO_MERGE;
	rc = zns_zoned_open(dev, &zo, &zt);
	if (rc) {
		FAIL("zrwa: zns_zoned_open: %s (%s)", zns_status_str(rc), zns_last_error());
		return;
	}
	bad = zrwa_round(q, 0, ZW_PER_ZONE, &most1);
	for (z = 0; z < ZW_ZONES; z++) {
		zns_zoned_info(zt, z, &in);
		if (!in.zrwa || in.device_wp != in.acked - (in.acked - in.zslba) % info->zrwafg) {
			FAIL("zrwa: zone %u: zrwa %u, device_wp %#llx, acked %#llx", z, in.zrwa,
			     (unsigned long long)in.device_wp, (unsigned long long)in.acked);
			bad++;
		}
	}
	if (most1 <= ZW_ZONES) {	/* one a zone: no ZRWA at work */
		FAIL("zrwa: at most %u commands in flight for 4 zones at QD32 of one-block writes", most1);
		bad++;
	}
	zns_zoned_close(zt);
	zo.flags = ZNS_ZONED_ZRWA;
	rc = zns_zoned_open(dev, &zo, &zt);
	if (!rc)
		bad += zrwa_round(q, ZW_ZONES, ZW_PER_ZONE, &most2);
	/* fill zone 0 to its capacity: finished, Full, its ZRWA back */
	zns_zoned_info(zt, 0, &in);
	fill = in.zslba + in.zcap - in.wp;
	while (!rc && fill) {
		static __thread uint8_t *b;
		uint32_t len = fill < info->zrwas ? (uint32_t)fill : info->zrwas;
		struct zw x = { 0 };
		unsigned int s = 0;

		if (!b)
			b = xalloc((size_t)info->zrwas * info->lba_size);
		x.seq = &s;
		rc = zns_zoned_write(zt, q, 0, b, len, zw_cb, &x);
		if (rc == -EBUSY) {
			rc = 0;
			zns_reap(q, 1, -1);
			continue;
		}
		fill -= len;
		n++;
		reap_all(q);
		if (x.status)
			rc = x.status;
	}
	zns_zoned_info(zt, 0, &in);
	if (rc || in.state != NVME_ZNS_ZS_FULL || in.zrwa) {
		FAIL("zrwa: filling zone 0: %s, state %#x, zrwa %u", zns_status_str(rc), in.state, in.zrwa);
		bad++;
	}
	if (!bad)
		printf("ok: zrwa: %u zones x %u one-block writes at QD32 (up to %u commands in flight), then merged (up to %u), callbacks in order, every stamp at its LBA, the device's write pointer at the last whole granule; a zone filled (%u writes) was finished and gave its ZRWA back\n",
		       2 * ZW_ZONES, ZW_PER_ZONE, most1, most2, n);
	zns_queue_exit(q);
	zns_zoned_close(zt);
}

/* ------------------------------------------------------------ threads -- */

#define THREADS		4
#define PER_THREAD	2000	/* 4 KiB writes per thread */

struct tw {
	unsigned int id;
	uint64_t lba;
	int status;
	unsigned int calls;
	unsigned int *completed;	/* the thread's count */
};

struct thr {
	unsigned int id;
	uint32_t zone[2];
	struct tally t;
	struct tw *w;
	uint8_t *bufs;
	unsigned int done, completed;
};

static void thr_cb(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct tw *w = user;

	(void)nlb;
	w->status = status;
	w->lba = lba;
	w->calls++;
	(*w->completed)++;
}

static void thr_cb_plain(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct tw *w = user;

	(void)lba;
	(void)nlb;
	w->status = status;
	w->calls++;
}

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	struct zns_queue *q = new_queue(32);
	unsigned int i, sent = 0;
	int rc;

	for (i = 0; i < 2; i++) {
		rc = zns_zoned_alloc(zt, q, t->id * 2, 2, ZNS_ZONED_WAIT, &t->zone[i]);
		if (rc) {
			FAIL("thread %u: zns_zoned_alloc: %s (%s)", t->id, zns_status_str(rc), zns_last_error());
			goto out;
		}
	}
	while (sent < PER_THREAD) {
		struct tw *w = &t->w[sent];
		uint8_t *b = t->bufs + (size_t)(sent % 64) * BLK;

		if (sent - t->completed >= 32) {	/* the caller's QD32 */
			if (zns_reap(q, 1, -1) < 0)
				break;
			continue;
		}
		/* the buffer's previous write has completed: 64 slots, QD32 */
		stamp(b, t->id, sent);
		w->id = sent;
		w->completed = &t->completed;
		rc = zns_zoned_write(zt, q, t->zone[sent % 2], b, nlba, thr_cb, w);
		if (rc == -EBUSY) {
			zns_reap(q, 1, -1);
			continue;
		}
		if (rc) {
			FAIL("thread %u: zns_zoned_write: %s (%s)", t->id, zns_status_str(rc), zns_last_error());
			break;
		}
		sent++;
	}
	reap_all(q);
	t->done = sent;
out:
	zns_queue_exit(q);
	return NULL;
}

static void part_threads(void)
{
	struct thr t[THREADS];
	pthread_t th[THREADS];
	unsigned int i, j, calls = 0, errors = 0, ziw = 0;

	memset(t, 0, sizeof(t));
	for (i = 0; i < THREADS; i++) {
		t[i].id = i;
		t[i].w = calloc(PER_THREAD, sizeof(*t[i].w));
		t[i].bufs = xalloc((size_t)64 * BLK);
		pthread_create(&th[i], NULL, thr_main, &t[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < THREADS; i++) {
		for (j = 0; j < t[i].done; j++) {
			struct tw *w = &t[i].w[j];

			calls += w->calls;
			if (w->calls != 1)
				FAIL("thread %u write %u: %u callbacks", i, j, w->calls);
			count(&t[i].t, w->status);
			if (!w->status && check_stamp(w->lba, i, j))
				break;
		}
		errors += t[i].t.errors;
		ziw += t[i].t.invalid_write;
		if (t[i].done != PER_THREAD)
			FAIL("thread %u sent %u of %u writes", i, t[i].done, PER_THREAD);
		free(t[i].w);
		free(t[i].bufs);
	}
	if (errors || ziw)
		FAIL("threads: %u errors, %u Zone Invalid Write", errors, ziw);
	else
		printf("ok: threads: %u threads x %u writes at QD32 into 8 zones, %u callbacks, 0 errors, 0 Zone Invalid Write, every stamp at its LBA\n",
		       THREADS, PER_THREAD, calls);
	/* give the 8 zones (and their tokens: nvmet allows 8) back */
	{
		struct zns_queue *q = new_queue(8);
		struct tw done[THREADS * 2];

		memset(done, 0, sizeof(done));
		for (i = 0; i < THREADS; i++)
			for (j = 0; j < 2; j++) {
				int rc = zns_zoned_reset(zt, q, t[i].zone[j], thr_cb_plain, &done[2 * i + j]);

				if (rc)
					FAIL("reset zone %u: %s (%s)", t[i].zone[j], zns_status_str(rc), zns_last_error());
			}
		reap_all(q);
		for (i = 0; i < THREADS * 2; i++)
			if (done[i].status || done[i].calls != 1)
				FAIL("reset %u: status %d, %u callbacks", i, done[i].status, done[i].calls);
		zns_queue_exit(q);
	}
}

/* ------------------------------------------------------------ appends -- */

#define APPEND_BYTES	(8u << 20)	/* per zone */

struct ap {
	unsigned int id;
	uint32_t nlb;
	int status;
	unsigned int calls, nr;
	struct zns_zoned_frag frags[64];
};

static void ap_cb(void *user, int status, const struct zns_zoned_frag *f,
		  unsigned int nr)
{
	struct ap *a = user;

	a->status = status;
	a->nr = nr;
	memcpy(a->frags, f, nr * sizeof(*f));
	a->calls++;
}

struct piece {
	uint64_t lba;
	uint32_t nlb;
	unsigned int ap, off;	/* append and its 4 KiB offset */
};

static int by_lba(const void *x, const void *y)
{
	const struct piece *a = x, *b = y;

	return a->lba < b->lba ? -1 : a->lba > b->lba;
}

static int tile_zone(uint32_t zone, struct ap *aps, unsigned int n)
{
	struct piece *p = calloc((size_t)n * 64, sizeof(*p));
	struct zns_zone zz;
	unsigned int i, j, np = 0, nr = 1;
	uint64_t at, zslba = (uint64_t)zone * info->zone_size;
	int bad = 0;

	for (i = 0; i < n; i++) {
		uint32_t off = 0;

		if (aps[i].status || aps[i].calls != 1) {
			FAIL("append %u: status %d, %u callbacks", i, aps[i].status, aps[i].calls);
			bad = 1;
		}
		for (j = 0; j < aps[i].nr; j++) {
			p[np].lba = aps[i].frags[j].lba;
			p[np].nlb = aps[i].frags[j].nlb;
			p[np].ap = i;
			p[np++].off = off;
			off += aps[i].frags[j].nlb / nlba;
		}
	}
	qsort(p, np, sizeof(*p), by_lba);
	for (i = 0, at = zslba; !bad && i < np; at += p[i++].nlb)
		if (p[i].lba != at) {
			FAIL("zone %u: a fragment at %llu, expected %llu (gap or overlap)", zone,
			     (unsigned long long)p[i].lba, (unsigned long long)at);
			bad = 1;
		}
	if (!bad && zns_report_zones(dev, zslba, NVME_ZNS_ZRAS_REPORT_ALL, &zz, &nr, NULL) == 0 &&
	    zz.wp != at) {
		FAIL("zone %u: fragments end at %llu, the device's write pointer is %llu", zone,
		     (unsigned long long)at, (unsigned long long)zz.wp);
		bad = 1;
	}
	/* every 4 KiB where its fragment says, a few per fragment */
	for (i = 0; !bad && i < np; i++)
		for (j = 0; j < p[i].nlb / nlba; j += 1 + j / 4)
			if (check_stamp(p[i].lba + (uint64_t)j * nlba, 1000 + p[i].ap, p[i].off + j)) {
				bad = 1;
				break;
			}
	free(p);
	return bad ? -1 : (int)np;
}

static void part_appends(void)
{
	struct zns_queue *q = new_queue(64);
	unsigned int per = APPEND_BYTES / BLK, n[2] = { 0, 0 };
	struct ap *aps[2], *slot_ap[8] = { NULL };
	uint8_t *bufs = xalloc((size_t)8 * (512u << 10));
	uint32_t zone[2], used[2] = { 0, 0 };
	unsigned int slot = 0, z = 0, i, total = 0;
	uint64_t rnd = 88172645463325252ull;
	int rc, tiles = 0;

	aps[0] = calloc(per, sizeof(struct ap));
	aps[1] = calloc(per, sizeof(struct ap));
	for (z = 0; z < 2; z++) {
		rc = zns_zoned_alloc(zt, NULL, 0, 0, 0, &zone[z]);
		if (rc) {
			FAIL("appends: zns_zoned_alloc: %s (%s)", zns_status_str(rc), zns_last_error());
			return;
		}
	}
	for (z = 0; used[0] < per || used[1] < per; z ^= 1) {
		uint32_t blocks;
		uint8_t *b = bufs + (size_t)slot * (512u << 10);
		struct ap *a;

		if (used[z] >= per)
			continue;
		/* eight buffers: wait until this one's append has completed */
		while (slot_ap[slot] && !slot_ap[slot]->calls)
			if (zns_reap(q, 1, -1) < 0)
				break;
		rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
		blocks = 1 + (uint32_t)(rnd % 128);	/* 4 KiB to 512 KiB */
		if (blocks > per - used[z])
			blocks = per - used[z];
		a = &aps[z][n[z]];
		a->id = n[z];
		a->nlb = blocks * nlba;
		for (i = 0; i < blocks; i++)
			stamp(b + (size_t)i * BLK, 1000 + n[z], i);
		rc = zns_zoned_append(zt, q, zone[z], b, blocks * nlba, ap_cb, a);
		if (rc == -EBUSY) {
			zns_reap(q, 1, -1);
			z ^= 1;		/* the same zone again */
			continue;
		}
		if (rc) {
			FAIL("appends: zns_zoned_append: %s (%s)", zns_status_str(rc), zns_last_error());
			break;
		}
		slot_ap[slot] = a;
		slot = (slot + 1) % 8;
		n[z]++;
		total++;
		used[z] += blocks;
	}
	reap_all(q);
	for (z = 0; z < 2; z++) {
		rc = tile_zone(zone[z], aps[z], n[z]);
		if (rc < 0)
			tiles = -1;
		else if (tiles >= 0)
			tiles += rc;
	}
	if (tiles >= 0)
		printf("ok: appends: %u appends of 4 KiB to 512 KiB (zasl %u KiB) into 2 zones, %d fragments tile each zone from its start to the device's write pointer\n",
		       total, info->zasl >> 10, tiles);
	free(aps[0]);
	free(aps[1]);
	free(bufs);
	zns_queue_exit(q);
}

/* ------------------------------------------------------------ streams -- */

#define ROUNDS	4
#define SBLOCKS	16	/* 4 KiB writes per zone per round */

static unsigned int holding, max_holding, stop_monitor, max_seen, max_layer;
static struct tally st;

struct sw {
	int status;
	unsigned int calls;
};

static void s_cb(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct sw *w = user;

	(void)lba;
	(void)nlb;
	w->status = status;
	w->calls++;
}

static void *stream_main(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, r, i;
	struct zns_queue *q = new_queue(8);
	uint8_t *b = xalloc((size_t)SBLOCKS * BLK);
	struct sw w[SBLOCKS + 2];
	struct timespec nap = { 0, 200000 }, hold = { 0, 2000000 };
	uint32_t zone;
	int rc;

	for (r = 0; r < ROUNDS; r++) {
		unsigned int h;

		rc = zns_zoned_alloc(zt, q, 0, 0, ZNS_ZONED_WAIT, &zone);
		if (rc == -EBUSY || rc == -ENOSPC) {	/* every zone taken: again */
			nanosleep(&nap, NULL);
			r--;
			continue;
		}
		if (rc) {
			FAIL("stream %u: zns_zoned_alloc: %s (%s)", id, zns_status_str(rc), zns_last_error());
			break;
		}
		h = __atomic_add_fetch(&holding, 1, __ATOMIC_RELAXED);
		for (unsigned int m = __atomic_load_n(&max_holding, __ATOMIC_RELAXED); h > m &&
		     !__atomic_compare_exchange_n(&max_holding, &m, h, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED);)
			;
		memset(w, 0, sizeof(w));
		for (i = 0; i < SBLOCKS; i++) {
			stamp(b + (size_t)i * BLK, 5000 + id, r * SBLOCKS + i);
			while ((rc = zns_zoned_write(zt, q, zone, b + (size_t)i * BLK, nlba,
						     s_cb, &w[i])) == -EBUSY)
				zns_reap(q, 1, -1);
			if (rc)
				FAIL("stream %u: zns_zoned_write: %s (%s)", id, zns_status_str(rc), zns_last_error());
		}
		reap_all(q);
		nanosleep(&hold, NULL);	/* hold it a while: streams overlap */
		rc = zns_zoned_finish(zt, q, zone, s_cb, &w[SBLOCKS]);
		if (!rc)
			reap_all(q);
		__atomic_sub_fetch(&holding, 1, __ATOMIC_RELAXED);
		rc = rc ? rc : zns_zoned_reset(zt, q, zone, s_cb, &w[SBLOCKS + 1]);
		if (!rc)
			reap_all(q);
		else
			FAIL("stream %u: finish or reset: %s (%s)", id, zns_status_str(rc), zns_last_error());
		for (i = 0; i < SBLOCKS + 2; i++) {
			if (w[i].calls != 1)
				FAIL("stream %u: request %u: %u callbacks", id, i, w[i].calls);
			count(&st, w[i].status);
		}
	}
	free(b);
	zns_queue_exit(q);
	return NULL;
}

/* Report every zone now and then; the most that were open or closed. */
static void *monitor(void *arg)
{
	unsigned int nr = (unsigned int)info->nr_zones;
	struct zns_zone *zz = calloc(nr, sizeof(*zz));
	struct timespec nap = { 0, 5000000 };

	(void)arg;
	while (!__atomic_load_n(&stop_monitor, __ATOMIC_RELAXED)) {
		unsigned int n = nr, i, act = 0;

		if (zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_ALL, zz, &n, NULL) == 0) {
			for (i = 0; i < n; i++)
				act += zz[i].state == NVME_ZNS_ZS_IMPL_OPEN ||
				       zz[i].state == NVME_ZNS_ZS_EXPL_OPEN ||
				       zz[i].state == NVME_ZNS_ZS_CLOSED;
			if (act > max_seen)
				max_seen = act;
		}
		/* the layer's own count: zones holding a token */
		for (i = 0, act = 0; i < nr; i++) {
			struct zns_zoned_zone in;

			if (zns_zoned_info(zt, i, &in) == 0)
				act += in.active;
		}
		if (act > max_layer)
			max_layer = act;
		nanosleep(&nap, NULL);
	}
	free(zz);
	return NULL;
}

static void part_streams(void)
{
	pthread_t th[STREAMS], mon;
	unsigned int i, limit = info->max_active;

	pthread_create(&mon, NULL, monitor, NULL);
	for (i = 0; i < STREAMS; i++)
		pthread_create(&th[i], NULL, stream_main, (void *)(uintptr_t)i);
	for (i = 0; i < STREAMS; i++)
		pthread_join(th[i], NULL);
	__atomic_store_n(&stop_monitor, 1, __ATOMIC_RELAXED);
	pthread_join(mon, NULL);
	if (st.too_many || st.errors)
		FAIL("streams: %u errors, %u Too Many Open/Active", st.errors, st.too_many);
	else if (limit != ZNS_NO_LIMIT && max_layer > limit)
		FAIL("streams: %u tokens out at once, limit %u", max_layer, limit);
	else
		/* a report is not one instant (zones change while it is read,
		 * the more so over TCP), so the device's own proof is that it
		 * never refused a write for its limits */
		printf("ok: streams: %u writers x %u rounds (take a zone, %u writes, finish, reset), at most %u writers holding a zone and %u tokens out (limit %u; %u zones active in the device's reports, which are not one instant), 0 errors, 0 Too Many Open/Active\n",
		       STREAMS, ROUNDS, SBLOCKS, max_holding, max_layer, limit, max_seen);
}

/* ---------------------------------------------------------------- main -- */

static int open_device(void)
{
	const char *path = getenv("ZNS_TEST_DEV");
	struct zns_emu_opts o;
	int rc;

	if (path && *path) {
		rc = zns_dev_open(path, &dev);
		if (rc) {
			printf("SKIP: %s: %s (%s)\n", path, zns_status_str(rc), zns_last_error());
			return 77;
		}
	} else {
		memset(&o, 0, sizeof(o));
		o.size = sizeof(o);
		o.lba_size = 4096;
		o.nr_zones = 16;
		o.zone_size = 16384;
		o.zone_cap = 15872;
		o.max_open = o.max_active = 14;
		o.zasl = 128 << 10;
		o.mdts = 512 << 10;
		if (getenv("ZNS_TEST_ZRWA")) {	/* configuration c's shape */
			o.zone_size = o.zone_cap = 8192;
			o.max_open = o.max_active = 16;
			o.numzrwa = 8;
			o.zrwas = 16;
			o.zrwafg = 4;
		}
		rc = zns_dev_open_emu(&o, &dev);
		if (rc) {
			fprintf(stderr, "zns_dev_open_emu: %s\n", zns_last_error());
			return 1;
		}
	}
	info = zns_dev_get_info(dev);
	nlba = BLK / info->lba_size;
	if (info->lba_size > BLK || info->nr_zones < 8 ||
	    info->zone_cap * info->lba_size < 2 * (uint64_t)APPEND_BYTES) {
		printf("SKIP: %s: needs at most 4 KiB blocks, 8 zones of 16 MiB\n", info->path);
		return 77;
	}
	return 0;
}

int main(void)
{
	int rc = open_device();

	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("zns-zoned-itest on %s: %llu zones of %llu blocks (capacity %llu), %u active\n",
	       getenv("ZNS_TEST_DEV") ? info->path : "the emulator",
	       (unsigned long long)info->nr_zones, (unsigned long long)info->zone_size,
	       (unsigned long long)info->zone_cap, info->max_active);
	rc = zns_reset_all_zones(dev);
	if (!rc && info->numzrwa) {	/* a ZRWA namespace: that part only */
		part_zrwa();
		zns_reset_all_zones(dev);
		zns_dev_close(dev);
		return failed ? 1 : 0;
	}
	if (!rc)
		rc = zns_zoned_open(dev, NULL, &zt);
	if (rc) {
		fprintf(stderr, "FAIL: reset or zns_zoned_open: %s (%s)\n", zns_status_str(rc), zns_last_error());
		return 1;
	}
	part_threads();
	part_appends();
	/* the streams take zones from the whole device: start over */
	zns_zoned_close(zt);
	rc = zns_reset_all_zones(dev);
	if (!rc)
		rc = zns_zoned_open(dev, NULL, &zt);
	if (rc) {
		fprintf(stderr, "FAIL: reset or zns_zoned_open: %s\n", zns_status_str(rc));
		return 1;
	}
	part_streams();
	rc = zns_zoned_close(zt);
	if (rc)
		FAIL("zns_zoned_close: %s (%s)", zns_status_str(rc), zns_last_error());
	zns_dev_close(dev);
	return failed ? 1 : 0;
}
