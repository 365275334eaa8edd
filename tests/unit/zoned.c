// SPDX-License-Identifier: MIT
/*
 * Unit suite "zoned": the zone layer on the in-process device, through the
 * public API: ordered writes at depth, threads each with a queue, appends
 * split at the zone append limit tiling their zone, tokens under the
 * device's active limit, the fence-report-resume cycle after a write that
 * landed but reported failure, one that landed in part, one that did not
 * (sent again), one the device ran after reporting failure, and blocks
 * another writer put at the cursor, an append acknowledged outside its
 * zone, a zone reset or finish of unknown
 * outcome, retired zones, the rebuild after a power loss, a full queue,
 * merging the writes waiting on a zone (and the same without merging), the
 * layer on a null device, and misuse.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libzns.h>

#define ZS	1024ull
#define ZC	1000ull

static struct zns_dev *dev;
static struct zns_zoned *zt;
static struct zns_queue *q;

static void open_queue(void)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 64,
				     .sq_thread_cpu = -1 };

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
}

static void open_all(uint32_t flags, const char *path, uint32_t max_active)
{
	struct zns_emu_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.lba_size = 4096;
	o.nr_zones = 24;
	o.zone_size = ZS;
	o.zone_cap = ZC;
	o.max_open = o.max_active = max_active;
	o.zasl = 128 << 10;
	o.mdts = 512 << 10;
	o.flags = flags;
	o.path = path;
	rc = zns_dev_open_emu(&o, &dev);
	ck_assert_msg(rc == 0, "%s", zns_last_error());
	ck_assert_int_eq(zns_zoned_open(dev, NULL, &zt), 0);
	open_queue();
}

static void setup(void)
{
	open_all(0, NULL, 14);
}

/* The layer again, with @flags (loop tests: _i 0 merges, 1 does not). */
static void reopen_layer(uint32_t flags)
{
	struct zns_zoned_opts zo;

	memset(&zo, 0, sizeof(zo));
	zo.size = sizeof(zo);
	zo.flags = flags;
	ck_assert_int_eq(zns_zoned_close(zt), 0);
	ck_assert_int_eq(zns_zoned_open(dev, &zo, &zt), 0);
}

/* Reap until nothing is in flight; returns the commands completed. */
static unsigned int reap_count(struct zns_queue *qq)
{
	unsigned int n = 0;
	int rc;

	while (zns_queue_inflight(qq)) {
		rc = zns_reap(qq, 1, -1);
		ck_assert_int_ge(rc, 0);
		n += (unsigned int)rc;
	}
	return n;
}

static void close_all(void)
{
	if (q)
		ck_assert_int_eq(zns_queue_exit(q), 0);
	if (zt)
		ck_assert_int_eq(zns_zoned_close(zt), 0);
	zns_dev_close(dev);
	q = NULL;
	zt = NULL;
	dev = NULL;
}

static void reap_all(struct zns_queue *qq)
{
	while (zns_queue_inflight(qq))
		ck_assert_int_ge(zns_reap(qq, 1, -1), 0);
}

struct wr {
	int status;
	uint64_t lba;
	uint32_t nlb;
	unsigned int order, calls;
};
static unsigned int order;

static void wcb(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct wr *w = user;

	w->status = status;
	w->lba = lba;
	w->nlb = nlb;
	w->order = __atomic_add_fetch(&order, 1, __ATOMIC_RELAXED);	/* threads too */
	w->calls++;
}

static uint8_t *stamped(uint64_t tag, uint32_t nlb)
{
	uint8_t *b = NULL;
	uint32_t i;

	ck_assert_int_eq(posix_memalign((void **)&b, 4096, (size_t)nlb * 4096), 0);
	for (i = 0; i < nlb; i++)
		memcpy(b + (size_t)i * 4096, &tag, sizeof(tag));
	return b;
}

static uint64_t tag_at(uint64_t lba)
{
	static uint8_t r[4096] __attribute__((aligned(4096)));
	uint64_t t;

	ck_assert_int_eq(zns_read(dev, r, lba, 1), 0);
	memcpy(&t, r, sizeof(t));
	return t;
}

/* @n writes of @nlb blocks each, queued in this order from @lba0 and
 * stamped @tag0 + i: each called back once, in order, with 0 and its
 * place, its data there. */
static void check_landed(const struct wr *w, unsigned int n, uint64_t lba0,
			 uint32_t nlb, uint64_t tag0)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].order, w[0].order + i);
		ck_assert_uint_eq(w[i].lba, lba0 + (uint64_t)nlb * i);
		ck_assert_uint_eq(tag_at(w[i].lba), tag0 + i);
		ck_assert_uint_eq(tag_at(w[i].lba + nlb - 1), tag0 + i);
	}
}

/* Queue @n writes of @nlb blocks to @zone, stamped @tag0 + i, all at once;
 * reap them and check them (check_landed(), from the zone's cursor @lba0). */
static void write_check(struct wr *w, unsigned int n, uint32_t zone,
			uint64_t lba0, uint32_t nlb, uint64_t tag0)
{
	uint8_t **b = calloc(n, sizeof(*b));
	unsigned int i;

	memset(w, 0, n * sizeof(*w));
	for (i = 0; i < n; i++) {
		b[i] = stamped(tag0 + i, nlb);
		ck_assert_int_eq(zns_zoned_write(zt, q, zone, b[i], nlb, wcb, &w[i]), 0);
	}
	reap_all(q);
	check_landed(w, n, lba0, nlb, tag0);
	for (i = 0; i < n; i++)
		free(b[i]);
	free(b);
}

/* ------------------------------------------------------------- ordered -- */

START_TEST(test_ordered_depth)
{
	struct wr w[64];
	uint8_t *b[64];
	struct zns_zoned_zone in;
	unsigned int i;

	memset(w, 0, sizeof(w));
	order = 0;
	for (i = 0; i < 64; i++) {
		b[i] = stamped(1000 + i, 1 + i % 3);
		ck_assert_int_eq(zns_zoned_write(zt, q, 0, b[i], 1 + i % 3, wcb, &w[i]), 0);
	}
	ck_assert_int_eq(zns_zoned_info(zt, 0, &in), 0);
	ck_assert_uint_gt(in.queued, 0);
	reap_all(q);
	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_uint_eq(w[i].order, i + 1);	/* in order */
		if (i)
			ck_assert_uint_eq(w[i].lba, w[i - 1].lba + w[i - 1].nlb);
		ck_assert_uint_eq(tag_at(w[i].lba), 1000 + i);
		free(b[i]);
	}
	ck_assert_uint_eq(w[0].lba, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 0, &in), 0);
	ck_assert_uint_eq(in.acked, w[63].lba + w[63].nlb);
	ck_assert_uint_eq(in.queued, 0);
}
END_TEST

/* A full queue refuses a write to an idle zone at once (it would otherwise
 * wait with nothing in flight to send it) and takes nothing from the zone;
 * a write behind one in flight still queues. */
START_TEST(test_full_queue)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4,
				     .sq_thread_cpu = -1 };
	struct zns_queue *q4;
	struct zns_zoned_zone in;
	struct wr w[7];
	uint8_t *b = stamped(77, 1);
	unsigned int i;

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(zns_queue_init(&q4, &qo), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q4, 2 + i, b, 1, wcb, &w[i]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q4, 2, b, 1, wcb, &w[4]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q4, 6, b, 1, wcb, &w[5]), -EBUSY);
	ck_assert_msg(strstr(zns_last_error(), "queue is full") != NULL, "%s",
		      zns_last_error());
	ck_assert_int_eq(zns_zoned_info(zt, 6, &in), 0);
	ck_assert_uint_eq(in.queued, 0);
	ck_assert_uint_eq(in.active, 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(in.wp, 6 * ZS);
	reap_all(q4);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].calls, 1);
	}
	ck_assert_uint_eq(w[4].lba, 2 * ZS + 1);
	ck_assert_uint_eq(w[5].calls, 0);
	/* the zone is nobody's: another queue may take it */
	ck_assert_int_eq(zns_zoned_write(zt, q, 6, b, 1, wcb, &w[6]), 0);
	reap_all(q);
	ck_assert_int_eq(w[6].status, 0);
	ck_assert_uint_eq(w[6].lba, 6 * ZS);
	ck_assert_int_eq(zns_queue_exit(q4), 0);
	free(b);
}
END_TEST

/* 4 threads, a queue each, QD32, 8 zones: no Zone Invalid Write, every
 * stamp at its LBA. */
struct thr {
	unsigned int id, errors, done;
	struct wr w[200];
};

/* Write block i of @b to zone @zone[i % 2] through @mq, @n blocks at QD32,
 * and reap them all; returns the errors. */
static unsigned int write_two(struct zns_queue *mq, const uint32_t *zone,
			      uint8_t *const *b, struct wr *w, unsigned int n)
{
	unsigned int i = 0, errors = 0;

	while (i < n || zns_queue_inflight(mq)) {
		while (i < n && zns_queue_inflight(mq) < 32) {
			int rc = zns_zoned_write(zt, mq, zone[i % 2], b[i], 1, wcb, &w[i]);

			if (rc == -EBUSY)
				break;
			if (rc)
				errors++;
			i++;
		}
		if (zns_reap(mq, 1, -1) < 0)
			errors++;
	}
	return errors;
}

static void *writer(void *arg)
{
	struct thr *t = arg;
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 32,
				     .sq_thread_cpu = -1 };
	struct zns_queue *mq;
	uint32_t zone[2] = { 2 * t->id, 2 * t->id + 1 };
	uint8_t *b[200];
	unsigned int j;

	if (zns_queue_init(&mq, &qo))
		return NULL;
	for (j = 0; j < 200; j++)
		b[j] = stamped((uint64_t)t->id << 32 | j, 1);
	t->errors += write_two(mq, zone, b, t->w, 200);
	zns_queue_exit(mq);
	for (j = 0; j < 200; j++) {
		if (t->w[j].status || t->w[j].calls != 1)
			t->errors++;
		free(b[j]);
	}
	t->done = 1;
	return NULL;
}

START_TEST(test_threads)
{
	struct thr t[4];
	pthread_t th[4];
	unsigned int i, j;

	memset(t, 0, sizeof(t));
	for (i = 0; i < 4; i++) {
		t[i].id = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, writer, &t[i]), 0);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		ck_assert(t[i].done);
		ck_assert_uint_eq(t[i].errors, 0);
		for (j = 0; j < 200; j++)
			ck_assert_uint_eq(tag_at(t[i].w[j].lba), (uint64_t)i << 32 | j);
	}
}
END_TEST

/* Zones handed to each thread's queue (zns_zoned_alloc()): 4 owners write
 * 300 blocks each at QD32 into 2 zones of their own while another thread
 * reads every zone through zns_zoned_info(); then a collector's queue
 * resets the idle zones, which takes them from their owners. Every stamp
 * at its LBA; built under ThreadSanitizer, no race. */
struct own {
	unsigned int id, errors;
	uint32_t zone[2];
	struct wr w[300];
};
static unsigned int owners_done;

static void *owner(void *arg)
{
	struct own *t = arg;
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 32,
				     .sq_thread_cpu = -1 };
	struct zns_queue *mq;
	uint8_t *b[300];
	unsigned int j;

	if (zns_queue_init(&mq, &qo)) {
		t->errors++;
		goto out;
	}
	for (j = 0; j < 2; j++)
		if (zns_zoned_alloc(zt, mq, 2 * t->id, 2, 0, &t->zone[j]))
			t->errors++;
	for (j = 0; j < 300; j++)
		b[j] = stamped((uint64_t)t->id << 32 | j, 1);
	if (!t->errors)
		t->errors += write_two(mq, t->zone, b, t->w, 300);
	zns_queue_exit(mq);
	for (j = 0; j < 300; j++)
		free(b[j]);
out:
	__atomic_add_fetch(&owners_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *watcher(void *arg)
{
	unsigned int *errors = arg, z;

	while (__atomic_load_n(&owners_done, __ATOMIC_ACQUIRE) < 4)
		for (z = 0; z < 8; z++) {
			struct zns_zoned_zone in;

			if (zns_zoned_info(zt, z, &in) || in.acked > in.zslba + ZC ||
			    in.wp < in.zslba || in.acked < in.zslba)
				(*errors)++;
		}
	return NULL;
}

START_TEST(test_owned_zones)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 8,
				     .sq_thread_cpu = -1 };
	static struct own t[4];
	struct zns_queue *q2;
	struct zns_zoned_zone in;
	unsigned int i, j, werr = 0;
	pthread_t th[4], wt;
	struct wr r[8];

	memset(t, 0, sizeof(t));
	memset(r, 0, sizeof(r));
	owners_done = 0;
	ck_assert_int_eq(pthread_create(&wt, NULL, watcher, &werr), 0);
	for (i = 0; i < 4; i++) {
		t[i].id = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, owner, &t[i]), 0);
	}
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	ck_assert_int_eq(pthread_join(wt, NULL), 0);
	ck_assert_uint_eq(werr, 0);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(t[i].errors, 0);
		for (j = 0; j < 300; j++) {
			uint64_t zs = t[i].zone[j % 2] * ZS;

			ck_assert_uint_eq(t[i].w[j].calls, 1);
			ck_assert_int_eq(t[i].w[j].status, 0);
			ck_assert_uint_eq(t[i].w[j].lba, zs + j / 2);
			ck_assert_uint_eq(tag_at(t[i].w[j].lba), (uint64_t)i << 32 | j);
		}
	}
	/* the collector: the owners' queues are gone, their zones idle */
	ck_assert_int_eq(zns_queue_init(&q2, &qo), 0);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(zns_zoned_reset(zt, q2, i, wcb, &r[i]), 0);
		reap_all(q2);
		ck_assert_int_eq(r[i].status, 0);
		ck_assert_int_eq(zns_zoned_info(zt, i, &in), 0);
		ck_assert_uint_eq(in.claimed, 0);
		ck_assert_uint_eq(in.wp, in.zslba);
	}
	ck_assert_int_eq(zns_queue_exit(q2), 0);
}
END_TEST

#ifdef ZNS_ZONED_TESTING
/* The owner's path takes no table lock: with the lock held by another
 * thread, the owner of a zone writes 64 blocks at QD8 into it and reaps
 * them (after a first round the same, which fills its queue's cache). */
void zns_zoned_test_lock(struct zns_zoned *zt, int hold);

struct held {
	unsigned int warm, go, done, errors;
	struct wr w[128];
};

static void held_round(struct held *h, struct zns_queue *mq, uint32_t zone,
		       uint8_t *const *b, unsigned int first)
{
	unsigned int i = first;

	while (i < first + 64 || zns_queue_inflight(mq)) {
		/* 8 writes at most not yet called back (waiting writes
		 * merge: the queue's count would let all 64 wait) */
		for (; i < first + 64 && i - __atomic_load_n(&order, __ATOMIC_RELAXED) < 8; i++)
			if (zns_zoned_write(zt, mq, zone, b[i], 1, wcb, &h->w[i]))
				h->errors++;
		if (zns_reap(mq, 1, -1) < 0)
			h->errors++;
	}
}

static void *held_owner(void *arg)
{
	struct held *h = arg;
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 16,
				     .sq_thread_cpu = -1 };
	struct zns_queue *mq = NULL;	/* zns_queue_exit(NULL) is -EINVAL */
	uint8_t *b[128];
	uint32_t zone;
	unsigned int i;

	for (i = 0; i < 128; i++)
		b[i] = stamped(7000 + i, 1);
	if (zns_queue_init(&mq, &qo) || zns_zoned_alloc(zt, mq, 0, 0, 0, &zone)) {
		h->errors++;
	} else {
		held_round(h, mq, zone, b, 0);
		__atomic_store_n(&h->warm, 1, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&h->go, __ATOMIC_ACQUIRE))
			sched_yield();
		held_round(h, mq, zone, b, 64);
	}
	__atomic_store_n(&h->done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 128; i++)
		free(b[i]);
	zns_queue_exit(mq);
	return NULL;
}

START_TEST(test_owned_no_lock)
{
	struct timespec ts = { 0, 1000000 };
	static struct held h;
	unsigned int i, done = 0;
	pthread_t th;

	memset(&h, 0, sizeof(h));
	order = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, held_owner, &h), 0);
	while (!__atomic_load_n(&h.warm, __ATOMIC_ACQUIRE) &&
	       !__atomic_load_n(&h.done, __ATOMIC_ACQUIRE))
		sched_yield();
	zns_zoned_test_lock(zt, 1);
	__atomic_store_n(&h.go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3000 && !done; i++) {	/* 3 s at most */
		done = __atomic_load_n(&h.done, __ATOMIC_ACQUIRE);
		nanosleep(&ts, NULL);
	}
	zns_zoned_test_lock(zt, 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(done, "the owner's writes waited for the table's lock");
	ck_assert_uint_eq(h.errors, 0);
	check_landed(h.w, 128, h.w[0].lba, 1, 7000);
}
END_TEST
#endif

/* ------------------------------------------------------------- appends -- */

struct ar {
	int status;
	unsigned int nr, calls;
	struct zns_zoned_frag f[64];
};

static void acb(void *user, int status, const struct zns_zoned_frag *f,
		unsigned int nr)
{
	struct ar *a = user;

	a->status = status;
	a->nr = nr;
	a->calls++;
	memcpy(a->f, f, nr * sizeof(*f));
}

/* Eight appends of two blocks to @zone, stamped @tag0 + i, all in flight
 * together, then reaped: @b and @a filled. */
static void append8(uint32_t zone, uint64_t tag0, uint8_t **b, struct ar *a)
{
	unsigned int i;

	memset(a, 0, 8 * sizeof(*a));
	for (i = 0; i < 8; i++) {
		b[i] = stamped(tag0 + i, 2);
		ck_assert_int_eq(zns_zoned_append(zt, q, zone, b[i], 2, acb, &a[i]), 0);
	}
	reap_all(q);
}

/* One append of append8() called back once with 0, its one fragment
 * holding its stamp @tag. */
static void appended(const struct ar *a, uint64_t tag)
{
	ck_assert_uint_eq(a->calls, 1);
	ck_assert_int_eq(a->status, 0);
	ck_assert_uint_eq(a->nr, 1);
	ck_assert_uint_eq(tag_at(a->f[0].lba), tag);
	ck_assert_uint_eq(tag_at(a->f[0].lba + 1), tag);
}

static int cmp_frag(const void *a, const void *b)
{
	const struct zns_zoned_frag *x = a, *y = b;

	return x->lba < y->lba ? -1 : x->lba > y->lba;
}

START_TEST(test_appends_tile)
{
	static const uint32_t sizes[] = { 1, 32, 33, 64, 128, 7, 100, 2, 96, 128 };
	struct zns_zoned_frag all[256];
	struct ar a[10];
	unsigned int i, j, n = 0;
	uint64_t next = ZS * 3, total = 0;
	uint8_t *b = stamped(7, 128);

	memset(a, 0, sizeof(a));
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(zns_zoned_append(zt, q, 3, b, sizes[i], acb, &a[i]), 0);
		total += sizes[i];
	}
	reap_all(q);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(a[i].status, 0);
		ck_assert_uint_eq(a[i].calls, 1);
		ck_assert_uint_eq(a[i].nr, (sizes[i] + 31) / 32);	/* ZASL 128 KiB */
		for (j = 0; j < a[i].nr; j++)
			all[n++] = a[i].f[j];
	}
	/* the pieces tile the zone from its start to its write pointer */
	qsort(all, n, sizeof(all[0]), cmp_frag);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(all[i].lba, next);
		next += all[i].nlb;
	}
	ck_assert_uint_eq(next, ZS * 3 + total);
	free(b);
}
END_TEST

/* ------------------------------------------------------------- tokens -- */

/* An append the queue has room for in part: the pieces that fit go, the
 * rest are listed unsent at LBA ~0 with -EBUSY; with no room at all the call
 * fails and the zone keeps no token. */
START_TEST(test_full_queue_append)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4,
				     .sq_thread_cpu = -1 };
	struct zns_queue *q4;
	struct zns_zoned_zone in;
	struct ar a[4];
	uint8_t *b = stamped(33, 96);

	memset(a, 0, sizeof(a));
	ck_assert_int_eq(zns_queue_init(&q4, &qo), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q4, 2, b, 1, acb, &a[0]), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q4, 3, b, 1, acb, &a[1]), 0);
	/* 96 blocks are three pieces of 32: two fit */
	ck_assert_int_eq(zns_zoned_append(zt, q4, 8, b, 96, acb, &a[2]), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q4, 9, b, 1, acb, &a[3]), -EBUSY);
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.active, 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_EMPTY);
	reap_all(q4);
	ck_assert_int_eq(a[0].status, 0);
	ck_assert_int_eq(a[1].status, 0);
	ck_assert_uint_eq(a[2].calls, 1);
	ck_assert_int_eq(a[2].status, -EBUSY);
	ck_assert_uint_eq(a[2].nr, 3);
	ck_assert_uint_ne(a[2].f[0].lba, ~0ull);
	ck_assert_uint_ne(a[2].f[1].lba, ~0ull);
	ck_assert_uint_eq(a[2].f[2].lba, ~0ull);
	ck_assert_uint_eq(a[3].calls, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 8, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 8 + 64);
	ck_assert_int_eq(zns_queue_exit(q4), 0);
	free(b);
}
END_TEST

START_TEST(test_tokens)
{
	struct wr w[20];
	uint8_t *b = stamped(1, 1);
	struct zns_zoned_zone in;
	unsigned int i, ok = 0, busy = 0;

	memset(w, 0, sizeof(w));
	/* 20 streams, 14 active zones at most: 6 wait for a token */
	for (i = 0; i < 20; i++) {
		int rc = zns_zoned_write(zt, q, i, b, 1, wcb, &w[i]);

		ok += rc == 0;
		busy += rc == -EBUSY;
	}
	ck_assert_uint_eq(ok, 14);
	ck_assert_uint_eq(busy, 6);
	reap_all(q);
	for (i = 0; i < 14; i++)
		ck_assert_int_eq(w[i].status, 0);	/* never 0x1bd / 0x1be */
	/* finishing one gives a token back */
	ck_assert_int_eq(zns_zoned_finish(zt, q, 0, wcb, &w[0]), 0);
	reap_all(q);
	ck_assert_int_eq(w[0].status, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 0, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	ck_assert(!in.active);
	ck_assert_int_eq(zns_zoned_write(zt, q, 14, b, 1, wcb, &w[14]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 15, b, 1, wcb, &w[15]), -EBUSY);
	ck_assert(strstr(zns_last_error(), "token") != NULL);
	reap_all(q);
	ck_assert_int_eq(w[14].status, 0);
	/* a zone that fills up gives its token back too */
	ck_assert_int_eq(zns_zoned_reset(zt, q, 1, wcb, &w[1]), 0);
	reap_all(q);
	free(b);
}
END_TEST

/* ------------------------------------------------------------- faults -- */

/* The table's fault counts (zns_zoned_get_stats()) are these. */
static void stats_are(uint64_t doubtful, uint64_t reports, uint64_t landed,
		      uint64_t resent)
{
	struct zns_zoned_stats st;

	memset(&st, 0xff, sizeof(st));
	st.size = sizeof(st);
	ck_assert_int_eq(zns_zoned_get_stats(zt, &st), 0);
	ck_assert_uint_eq(st.size, sizeof(st));
	ck_assert_uint_eq(st.doubtful, doubtful);
	ck_assert_uint_eq(st.reports, reports);
	ck_assert_uint_eq(st.landed, landed);
	ck_assert_uint_eq(st.resent, resent);
	ck_assert_uint_eq(st.rsvd[0] | st.rsvd[1] | st.rsvd[2] | st.rsvd[3], 0);
}

static struct zns_emu_fault fault(uint32_t kind, int32_t status, uint32_t nth)
{
	struct zns_emu_fault f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.kind = kind;
	f.opcode = 0x01;
	f.status = status;
	f.nth = nth;
	f.zslba = ~0ull;
	return f;
}

/* Eight writes queued at once: merged, the first goes alone and the other
 * seven as the second command; one at a time, the third write is the
 * third command. That command reports -EINTR but lands. */
START_TEST(test_landed_but_failed)
{
	struct zns_emu_fault f = fault(ZNS_EMU_AMBIGUOUS, -EINTR, _i ? 3 : 2);
	struct wr w[8];
	uint8_t *b[8];
	struct zns_zoned_zone in;
	unsigned int i;

	memset(w, 0, sizeof(w));
	reopen_layer(_i ? ZNS_ZONED_NO_MERGE : 0);
	stats_are(0, 0, 0, 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	for (i = 0; i < 8; i++) {
		b[i] = stamped(50 + i, 2);
		ck_assert_int_eq(zns_zoned_write(zt, q, 5, b[i], 2, wcb, &w[i]), 0);
	}
	reap_all(q);
	/* it reported -EINTR but landed: the write pointer proves it */
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].lba, ZS * 5 + 2 * i);
		ck_assert_uint_eq(tag_at(w[i].lba), 50 + i);
		free(b[i]);
	}
	ck_assert_int_eq(zns_zoned_info(zt, 5, &in), 0);
	/* read at the verdict */
	ck_assert_uint_eq(in.device_wp, ZS * 5 + (_i ? 6 : 16));
	ck_assert_uint_eq(in.acked, ZS * 5 + 16);
	/* merged, the command in doubt carried seven writes, else one */
	stats_are(_i ? 1 : 7, 1, _i ? 1 : 7, 0);
}
END_TEST

/* A write of which only the first 3 of 4 blocks landed before it reported
 * -EINTR: its callback says so (the error, 3 blocks), the zone goes on from
 * the device's write pointer, and the landed blocks count against the
 * capacity (a later write past it is refused, not sent). */
START_TEST(test_partly_landed)
{
	struct zns_emu_fault f = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 2);
	struct zns_zoned_zone in;
	struct wr w[2], fill[8], last;
	uint8_t *b = stamped(90, 4), *big = stamped(91, 128);
	unsigned int i;

	memset(w, 0, sizeof(w));
	memset(fill, 0, sizeof(fill));
	memset(&last, 0, sizeof(last));
	f.granularity = 3;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 4, wcb, &w[0]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 4, wcb, &w[1]), 0);
	reap_all(q);
	ck_assert_int_eq(w[0].status, 0);
	ck_assert_int_eq(w[1].status, -EINTR);
	ck_assert_uint_eq(w[1].lba, ZS * 7 + 4);
	ck_assert_uint_eq(w[1].nlb, 3);
	ck_assert_uint_eq(tag_at(ZS * 7 + 6), 90);
	ck_assert_int_eq(zns_zoned_info(zt, 7, &in), 0);
	ck_assert_uint_eq(in.device_wp, ZS * 7 + 7);
	ck_assert_uint_eq(in.wp, ZS * 7 + 7);
	ck_assert_uint_eq(in.acked, ZS * 7 + 7);
	/* 993 blocks are left: 7 x 128 + 97 fit, one more does not */
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 7, big, 128, wcb, &fill[i]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, big, 97, wcb, &fill[7]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 1, wcb, &last), -ENOSPC);
	reap_all(q);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(fill[i].status, 0);
	ck_assert_uint_eq(fill[7].lba + fill[7].nlb, ZS * 7 + ZC);
	ck_assert_uint_eq(last.calls, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 7, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(in.active, 0);
	free(b);
	free(big);
}
END_TEST

/* Twelve one-block writes to zone 6, stamped @tag0 + i: eight queued
 * together and reaped, then four more; @b and @w filled. */
static void write12(uint64_t tag0, uint8_t **b, struct wr *w)
{
	unsigned int i;

	memset(w, 0, 12 * sizeof(*w));
	for (i = 0; i < 12; i++)
		b[i] = stamped(tag0 + i, 1);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 6, b[i], 1, wcb, &w[i]), 0);
	reap_all(q);
	for (i = 8; i < 12; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 6, b[i], 1, wcb, &w[i]), 0);
	reap_all(q);
}

/* The second command fails without landing (a path error): the layer
 * asks where the zone stands and sends what it carried again (one write,
 * or the seven merged into it), which lands in order; all twelve land,
 * nothing is lost or reordered. _i 2 and 3: the path error comes back on
 * every try (the first and three more): what it carried fails, after the
 * layer's third try, and nothing else does; the writes behind go where the
 * failed ones were. */
START_TEST(test_failed_no_cascade)
{
	struct zns_emu_fault f = fault(ZNS_EMU_FAIL, 0x371, 2);
	struct wr w[12];
	uint8_t *b[12];
	int merge = !(_i & 1), stuck = _i >= 2;
	unsigned int i, failed = stuck ? (merge ? 7 : 1) : 0;

	reopen_layer(merge ? 0 : ZNS_ZONED_NO_MERGE);
	f.count = stuck ? 4 : 1;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	write12(70, b, w);
	/* the command of seven writes (one without merging) failed once, or
	 * four times: sent again after each but the last */
	stats_are((merge ? 7 : 1) * (stuck ? 4 : 1), stuck ? 4 : 1, 0,
		  (merge ? 7 : 1) * (stuck ? 3 : 1));
	for (i = 0; i < 12; i++) {
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_uint_eq(w[i].order, w[0].order + i);
		if (i >= 1 && i < 1 + failed) {
			ck_assert_int_eq(w[i].status, 0x371);
			continue;
		}
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].lba, ZS * 6 + (i ? i - failed : 0));
		ck_assert_uint_eq(tag_at(w[i].lba), 70 + i);
	}
	for (i = 0; i < 12; i++)
		free(b[i]);
}
END_TEST

/* A write that fails after its zone's write pointer moved past it, with
 * nothing written (QEMU's Write Fault for a transfer it cancelled;
 * ZNS_EMU_HOLLOW): eight writes of one block, the seven behind the first
 * merged into one hollow command (_i 1: not merged, the second hollow).
 * Those fail; the writes after them land behind the hollow blocks, each
 * called back with where it is, nothing called landed where it is not. */
START_TEST(test_write_hollow)
{
	struct zns_emu_fault f = fault(ZNS_EMU_HOLLOW, 0x280, 2);
	struct wr w[12];
	uint8_t *b[12];
	unsigned int i, failed = _i ? 1 : 7;
	uint64_t at = ZS * 6;

	reopen_layer(_i ? ZNS_ZONED_NO_MERGE : 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	write12(90, b, w);
	for (i = 0; i < 12; i++, at++) {
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_uint_eq(w[i].order, w[0].order + i);
		if (i >= 1 && i < 1 + failed) {
			ck_assert_int_eq(w[i].status, 0x280);
			continue;
		}
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].lba, at);
		ck_assert_uint_eq(tag_at(w[i].lba), 90 + i);
	}
	for (i = 0; i < 12; i++)
		free(b[i]);
}
END_TEST

/* The trace: with ZNS_ZONED_TRACE set when the table opens, each decision
 * on a fault path is one line on stderr; without it, nothing. A write that
 * landed but was reported failed (_i 0), then the same without the
 * variable (_i 1). */
START_TEST(test_trace)
{
	struct zns_emu_fault f = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 1);
	char out[4096];
	uint8_t *b = stamped(60, 1);
	struct wr w;
	FILE *tf = tmpfile();
	int saved = dup(2);
	size_t n;

	ck_assert_ptr_nonnull(tf);
	ck_assert_int_ge(saved, 0);
	memset(&w, 0, sizeof(w));
	if (!_i)
		setenv("ZNS_ZONED_TRACE", "1", 1);
	reopen_layer(0);
	unsetenv("ZNS_ZONED_TRACE");
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	fflush(stderr);
	ck_assert_int_eq(dup2(fileno(tf), 2), 2);
	ck_assert_int_eq(zns_zoned_write(zt, q, 3, b, 1, wcb, &w), 0);
	reap_all(q);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	ck_assert_int_eq(w.status, 0);	/* it landed: the report said so */
	rewind(tf);
	n = fread(out, 1, sizeof(out) - 1, tf);
	out[n] = 0;
	fclose(tf);
	if (_i) {
		ck_assert_uint_eq(n, 0);
	} else {
		ck_assert_msg(strstr(out, "libzns zoned: zone 3: a write of 1 requests at 0xc00 in doubt: Interrupted system call (-0x4)") != NULL, "%s", out);
		ck_assert_msg(strstr(out, "libzns zoned: zone 3: the report for the write at 0xc00: Success (0), write pointer 0xc01; 1 of 1 requests landed") != NULL, "%s", out);
	}
	free(b);
}
END_TEST

/* A command the device ran after its failure was reported (a controller
 * reset or a broken connection cancelled it on the host; the device still
 * had it): it reports a path error, the report says nothing landed, and it
 * lands just before the layer's next command, its resend, which then meets
 * Zone Invalid Write. The layer must not take the resend's blocks for
 * landed because the write pointer passed them: the data there decides.
 * Every write is reported landed exactly once, where its data is, in
 * order. _i 0 merges (the second command carries seven writes), 1 does
 * not (the third write is the third command); _i 2 and 3: the same with
 * the late command landing after the resend (which then lands itself; the
 * late one meets Zone Invalid Write on the device). */
START_TEST(test_late_write)
{
	struct zns_emu_fault f = fault(ZNS_EMU_LATE, 0x371, (_i & 1) ? 3 : 2);
	struct zns_zoned_zone in;
	struct wr w[8];

	reopen_layer((_i & 1) ? ZNS_ZONED_NO_MERGE : 0);
	f.after = _i >= 2 ? 3 : 2;	/* the report is the first after it */
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	write_check(w, 8, 10, ZS * 10, 2, 300);
	/* a write after it goes on from the device's write pointer */
	write_check(w, 1, 10, ZS * 10 + 16, 2, 310);
	ck_assert_int_eq(zns_zoned_info(zt, 10, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 10 + 18);
	ck_assert_uint_eq(in.wp, ZS * 10 + 18);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.queued, 0);
}
END_TEST

/* The report after a doubtful write fails too (Internal Error: the queue
 * holds a report only through path errors): nothing is proven, so the writes go again from where they were; one
 * that had landed (-EINTR, landed) then meets Zone Invalid Write, and the
 * next report and its data show it landed. Every write reports 0 once, in
 * order, and the zone's counts stay true. */
START_TEST(test_report_fails)
{
	struct zns_emu_fault f = fault(_i ? ZNS_EMU_AMBIGUOUS : ZNS_EMU_FAIL, -EINTR, 2);
	struct zns_emu_fault rep = fault(ZNS_EMU_FAIL, 0x006, 1);	/* not held */
	struct zns_zoned_zone in;
	struct wr w[4];

	rep.opcode = 0x7a;	/* Zone Management Receive */
	reopen_layer(ZNS_ZONED_NO_MERGE);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &rep), 0);
	write_check(w, 4, 13, ZS * 13, 3, 950);
	ck_assert_int_eq(zns_zoned_info(zt, 13, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 13 + 12);
	ck_assert_uint_eq(in.wp, ZS * 13 + 12);
	ck_assert_uint_eq(in.queued, 0);
}
END_TEST

/* Blocks another writer put at the layer's cursor: the layer's write meets
 * Zone Invalid Write, the report moves the write pointer past it, but the
 * data there is not the caller's: the write is not taken for landed; it
 * goes again at the device's write pointer and lands there. */
START_TEST(test_foreign_blocks)
{
	uint8_t *mine = stamped(401, 2), *theirs = stamped(402, 3);
	struct zns_zoned_zone in;
	struct wr w[2];

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(zns_zoned_write(zt, q, 11, mine, 2, wcb, &w[0]), 0);
	reap_all(q);
	ck_assert_int_eq(zns_write(dev, theirs, ZS * 11 + 2, 3), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 11, mine, 2, wcb, &w[1]), 0);
	reap_all(q);
	ck_assert_uint_eq(w[1].calls, 1);
	ck_assert_int_eq(w[1].status, 0);
	ck_assert_uint_eq(w[1].lba, ZS * 11 + 5);
	ck_assert_uint_eq(tag_at(ZS * 11 + 2), 402);
	ck_assert_uint_eq(tag_at(ZS * 11 + 5), 401);
	ck_assert_uint_eq(tag_at(ZS * 11 + 6), 401);
	ck_assert_int_eq(zns_zoned_info(zt, 11, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 11 + 7);
	free(mine);
	free(theirs);
}
END_TEST

/* A piece in doubt that landed, and the read of its zone's blocks after the
 * report fails once (the fault still passing): the read is tried again, the
 * piece is found where it landed and not written a second time. The same
 * for a write: a failed read does not send again a write that landed. */
START_TEST(test_doubt_read_fails)
{
	struct zns_emu_fault amb = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 2);
	struct zns_emu_fault rd = fault(ZNS_EMU_FAIL, -EINTR, 1);
	struct zns_zoned_zone in;
	struct ar a[4];
	struct wr w[4];
	uint8_t *b[4];
	unsigned int i;

	memset(a, 0, sizeof(a));
	memset(w, 0, sizeof(w));
	amb.opcode = 0x7d;
	rd.opcode = 0x02;
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &rd), 0);
	for (i = 0; i < 4; i++) {
		b[i] = stamped(600 + i, 2);
		ck_assert_int_eq(zns_zoned_append(zt, q, 11, b[i], 2, acb, &a[i]), 0);
	}
	reap_all(q);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(a[i].calls, 1);
		ck_assert_int_eq(a[i].status, 0);
		ck_assert_uint_eq(tag_at(a[i].f[0].lba), 600 + i);
	}
	ck_assert_int_eq(zns_zoned_info(zt, 11, &in), 0);
	ck_assert_uint_eq(in.device_wp, ZS * 11 + 8);	/* no second copy */
	ck_assert_uint_eq(in.acked, ZS * 11 + 8);
	stats_are(1, 1, 1, 0);
	/* writes: the second command (three merged writes) lands but
	 * reports -EINTR, the first read of the verdict fails */
	amb.opcode = 0x01;
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &rd), 0);
	write_check(w, 4, 12, ZS * 12, 2, 610);
	ck_assert_int_eq(zns_zoned_info(zt, 12, &in), 0);
	ck_assert_uint_eq(in.device_wp, ZS * 12 + 8);
	stats_are(1 + 3, 2, 1 + 3, 0);
	for (i = 0; i < 4; i++)
		free(b[i]);
}
END_TEST

/* Appends whose outcome is unknown: a piece that reports -EINTR but
 * landed, and one that fails with Internal Error without landing.
 * While a piece is in doubt the zone is fenced (new appends answer
 * -EBUSY); once the pieces in flight drain, the report and the data decide:
 * the landed one is reported at the LBA it went to, the other as failed;
 * nothing else is lost. A two-piece append whose second piece was in doubt
 * lists both. */
START_TEST(test_append_doubt)
{
	struct zns_emu_fault amb = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 3);
	/* Internal Error: in doubt, but not one to send again */
	struct zns_emu_fault lost = fault(ZNS_EMU_FAIL, 0x006, 4); /* the 3rd does not count: the first fault took it */
	struct zns_emu_fault slow = fault(ZNS_EMU_DELAY, 0, 1);
	struct zns_zoned_zone in;
	struct ar a[10], extra;
	uint8_t *b[8], *big = stamped(777, 40);
	uint64_t end = ZS * 9;
	unsigned int i;

	memset(a, 0, sizeof(a));
	memset(&extra, 0, sizeof(extra));
	amb.opcode = lost.opcode = slow.opcode = 0x7d;
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &lost), 0);
	append8(9, 700, b, a);
	for (i = 0; i < 8; i++) {
		if (i == 4) {	/* the fifth command: lost */
			ck_assert_uint_eq(a[i].calls, 1);
			ck_assert_uint_eq(a[i].nr, 1);
			ck_assert_int_eq(a[i].status, 0x006);
			ck_assert_uint_eq(a[i].f[0].lba, ~0ull);
			continue;
		}
		appended(&a[i], 700 + i);	/* the third too */
		end += 2;
	}
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.acked, end);
	ck_assert_uint_eq(in.device_wp, end);
	ck_assert_uint_eq(in.queued, 0);
	/* two pieces in doubt, one report: one found, one lost (Internal
	 * Error is not a status to send again after) */
	stats_are(2, 1, 1, 0);
	/* a piece held in flight while another is in doubt: the zone is
	 * fenced until the held one completes; then both pieces of the long
	 * append are listed where they went */
	slow.delay_us = 30000;
	amb.nth = 2;
	ck_assert_int_eq(zns_emu_inject(dev, &slow), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, b[0], 2, acb, &a[8]), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, big, 40, acb, &a[9]), 0);
	ck_assert_int_ge(zns_reap(q, 1, -1), 1);	/* the doubt, first */
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.fenced, 1);
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, b[1], 2, acb, &extra), -EBUSY);
	ck_assert_msg(strstr(zns_last_error(), "fenced") != NULL, "%s", zns_last_error());
	ck_assert_int_eq(zns_zoned_write(zt, q, 9, b[1], 2, wcb, &extra), -EBUSY);
	reap_all(q);
	ck_assert_int_eq(a[8].status, 0);
	ck_assert_int_eq(a[9].status, 0);
	ck_assert_uint_eq(a[9].nr, 2);
	ck_assert_uint_eq(a[9].f[0].nlb + a[9].f[1].nlb, 40);
	for (i = 0; i < 2; i++)
		ck_assert_uint_eq(tag_at(a[9].f[i].lba + a[9].f[i].nlb - 1), 777);
	ck_assert_uint_eq(extra.calls, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.acked, end + 42);
	for (i = 0; i < 8; i++)
		free(b[i]);
	free(big);
}
END_TEST

/* Appends in doubt behind blocks no append wrote: the device moved its
 * write pointer past a failed append's blocks without writing them (QEMU,
 * for one it cancelled in a controller reset). Eight appends of two
 * blocks: the third hollow, the fourth landed but reported failed. The
 * report's hole holds the hollow blocks, then the fourth's data: the
 * fourth is found behind them, the third, found nowhere, is written again
 * at the write pointer; nothing is written twice. */
START_TEST(test_append_hollow)
{
	struct zns_emu_fault hollow = fault(ZNS_EMU_HOLLOW, -EINTR, 3);
	struct zns_emu_fault amb = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 3);
	struct zns_zoned_zone in;
	uint64_t zs = ZS * 9;
	uint8_t *b[8], *r = NULL;
	struct ar a[8];
	unsigned int i;

	hollow.opcode = amb.opcode = 0x7d;
	ck_assert_int_eq(zns_emu_inject(dev, &hollow), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);	/* the 4th: the 3rd went to the first */
	append8(9, 800, b, a);
	for (i = 0; i < 8; i++)
		appended(&a[i], 800 + i);
	ck_assert_uint_eq(a[3].f[0].lba, zs + 6);	/* found where it landed */
	ck_assert_uint_eq(a[2].f[0].lba, zs + 16);	/* written again */
	ck_assert_int_eq(posix_memalign((void **)&r, 4096, 8192), 0);
	ck_assert_int_eq(zns_read(dev, r, zs + 4, 2), 0);	/* the hollow blocks */
	for (i = 0; i < 8192; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.acked, zs + 18);
	ck_assert_uint_eq(in.device_wp, zs + 16);	/* as the report said */
	stats_are(2, 1, 1, 1);
	for (i = 0; i < 8; i++)
		free(b[i]);
	free(r);
}
END_TEST

/* An append the device placed well whose completion says 0 with an LBA in
 * another zone (the next one, _i 0; far past the namespace, _i 1): the
 * layer does not take it: the piece is in doubt, the report and the data
 * find it where it landed, and its callback says that LBA. The zone's
 * bookkeeping is not moved by the bad LBA: the zone takes appends to its
 * capacity after. */
START_TEST(test_append_stray)
{
	struct zns_emu_fault f = fault(ZNS_EMU_STRAY, 0, 3);
	struct zns_zoned_zone in;
	uint64_t zs = ZS * 9;
	uint8_t *b[8], *big;
	struct ar a[8], last;
	unsigned int i;

	f.opcode = 0x7d;
	f.after = _i ? 1000 : 0;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	append8(9, 900, b, a);
	for (i = 0; i < 8; i++) {
		appended(&a[i], 900 + i);
		ck_assert_uint_eq(a[i].f[0].lba, zs + 2 * i);
	}
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.acked, zs + 16);
	ck_assert_uint_eq(in.queued, 0);
	stats_are(1, 1, 1, 0);
	/* the rest of the capacity: taken, and then no more */
	big = stamped(990, (uint32_t)(ZC - 16));
	memset(&last, 0, sizeof(last));
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, big, (uint32_t)(ZC - 16), acb, &last), 0);
	reap_all(q);
	ck_assert_int_eq(last.status, 0);
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, big, 1, acb, &last), -ENOSPC);
	for (i = 0; i < 8; i++)
		free(b[i]);
	free(big);
}
END_TEST

/* Appends complete out of LBA order; the layer counts what is in flight
 * against the capacity once. The zone is filled to four blocks short, then
 * three one-block appends go out, the first held back (its completion comes
 * late): the other two complete, so the highest acknowledged end is one
 * block short of the capacity with the first still in flight below it. One
 * more block fits and is taken; another does not. Each append is called
 * back once with 0, each block of the four holds its own stamp. */
START_TEST(test_append_out_of_order)
{
	struct zns_emu_fault slow = fault(ZNS_EMU_DELAY, 0, 1);
	struct zns_zoned_zone in;
	uint64_t zs = ZS * 10, tail = zs + ZC - 4;
	uint8_t *big = stamped(600, (uint32_t)(ZC - 4)), *b[4];
	struct ar fill, a[4], none;
	unsigned int i, tries, seen = 0;

	memset(&fill, 0, sizeof(fill));
	memset(&none, 0, sizeof(none));
	memset(a, 0, sizeof(a));
	ck_assert_int_eq(zns_zoned_append(zt, q, 10, big, (uint32_t)(ZC - 4), acb, &fill), 0);
	reap_all(q);
	ck_assert_int_eq(fill.status, 0);
	slow.opcode = 0x7d;
	slow.delay_us = 300000;
	ck_assert_int_eq(zns_emu_inject(dev, &slow), 0);
	for (i = 0; i < 4; i++)
		b[i] = stamped(610 + i, 1);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_zoned_append(zt, q, 10, b[i], 1, acb, &a[i]), 0);
	for (tries = 0; !(a[1].calls && a[2].calls) && tries < 100; tries++)
		ck_assert_int_ge(zns_reap(q, 1, 10000), 0);
	ck_assert_uint_eq(a[0].calls, 0);	/* still in flight */
	ck_assert_int_eq(zns_zoned_info(zt, 10, &in), 0);
	ck_assert_uint_eq(in.acked, zs + ZC - 1);
	ck_assert_uint_eq(in.queued, 1);
	ck_assert_msg(zns_zoned_append(zt, q, 10, b[3], 1, acb, &a[3]) == 0,
		      "one block is left: %s", zns_last_error());
	ck_assert_int_eq(zns_zoned_append(zt, q, 10, b[3], 1, acb, &none), -ENOSPC);
	reap_all(q);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(a[i].calls, 1);
		ck_assert_int_eq(a[i].status, 0);
		ck_assert_uint_eq(a[i].nr, 1);
		ck_assert_uint_ge(a[i].f[0].lba, tail);
		ck_assert_uint_lt(a[i].f[0].lba, zs + ZC);
		ck_assert_uint_eq(tag_at(a[i].f[0].lba), 610 + i);
		seen |= 1u << (a[i].f[0].lba - tail);
		free(b[i]);
	}
	ck_assert_uint_eq(seen, 0xf);
	ck_assert_uint_eq(none.calls, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 10, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(in.queued, 0);
	free(big);
}
END_TEST

/* An append the device runs after reporting a path error: eight appends
 * of two blocks, the third late. _i 0: it runs after the layer's report
 * (which finds it nowhere) and before the layer writes the piece at the
 * write pointer; that write meets Zone Invalid Write and the next report
 * finds the piece where the late copy put it. _i 1: it runs after that
 * write landed: the caller hears of the written copy; the late copy is a
 * second one past it, nobody's. Either way every append reports 0 once,
 * with an LBA that holds its data. */
START_TEST(test_late_append)
{
	struct zns_emu_fault f = fault(ZNS_EMU_LATE, 0x371, 3);
	struct zns_zoned_zone in;
	struct ar a[8];
	uint8_t *b[8];
	uint64_t zs = ZS * 12;
	unsigned int i, j, seen = 0;

	f.opcode = 0x7d;
	f.after = _i ? 8 : 7;	/* five appends, the report, the write */
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	append8(12, 500, b, a);
	for (i = 0; i < 8; i++) {
		appended(&a[i], 500 + i);
		ck_assert_uint_lt(a[i].f[0].lba, zs + 16);
		seen |= 1u << ((a[i].f[0].lba - zs) / 2);
	}
	ck_assert_uint_eq(seen, 0xff);	/* each at its own place */
	ck_assert_int_eq(zns_zoned_info(zt, 12, &in), 0);
	ck_assert_uint_eq(in.fenced, 0);
	ck_assert_uint_eq(in.queued, 0);
	ck_assert_uint_eq(in.acked, zs + 16);
	if (_i) {	/* the late copy ran before the reads: a second copy */
		for (j = 0; j < 8 && tag_at(zs + 16) != 500 + j; j++)
			;
		ck_assert_uint_eq(j, 2);
	}
	for (i = 0; i < 8; i++)
		free(b[i]);
}
END_TEST

/* ---------------------------------------------------------------- ZRWA -- */

/* The fixture's device again with @numzrwa ZRWAs of 16 blocks, flush
 * granularity 4, and the layer opened with ZNS_ZONED_ZRWA | @flags. */
static void open_zrwa(uint32_t numzrwa, uint32_t flags)
{
	struct zns_emu_opts o;
	struct zns_zoned_opts zo;

	close_all();
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.lba_size = 4096;
	o.nr_zones = 24;
	o.zone_size = ZS;
	o.zone_cap = ZC;
	o.max_open = o.max_active = 14;
	o.zasl = 128 << 10;
	o.mdts = 512 << 10;
	o.numzrwa = numzrwa;
	o.zrwas = 16;
	o.zrwafg = 4;
	ck_assert_int_eq(zns_dev_open_emu(&o, &dev), 0);
	memset(&zo, 0, sizeof(zo));
	zo.size = sizeof(zo);
	zo.flags = ZNS_ZONED_ZRWA | flags;
	ck_assert_int_eq(zns_zoned_open(dev, &zo, &zt), 0);
	open_queue();
}

/* Writes to a zone with a ZRWA: several commands in flight at once (one
 * block each without merging, the window's 16 blocks), some completing
 * late (out of order); the callbacks run in order, each block where its
 * callback said; the layer flushes what completed, so the device's write
 * pointer follows (to the last whole granule). _i 0 merges, 1 does not. */
START_TEST(test_zrwa_ordered)
{
	struct zns_emu_fault slow = fault(ZNS_EMU_DELAY, 0, 2);
	struct zns_zoned_zone in;
	struct zns_zone dz;
	unsigned int i, nr = 1, most = 0;
	struct wr w[66];
	uint8_t *b[66];

	open_zrwa(2, _i ? ZNS_ZONED_NO_MERGE : 0);
	memset(w, 0, sizeof(w));
	slow.delay_us = 20000;
	slow.count = 3;
	ck_assert_int_eq(zns_emu_inject(dev, &slow), 0);
	for (i = 0; i < 66; i++) {
		b[i] = stamped(600 + i, 1);
		ck_assert_int_eq(zns_zoned_write(zt, q, 3, b[i], 1, wcb, &w[i]), 0);
	}
	while (zns_queue_inflight(q)) {
		ck_assert_int_ge(zns_reap(q, 1, -1), 0);
		if (zns_queue_inflight(q) > most)
			most = zns_queue_inflight(q);
	}
	if (_i)		/* one block a command: the window's worth at once */
		ck_assert_uint_ge(most, 8);
	check_landed(w, 66, ZS * 3, 1, 600);
	for (i = 0; i < 66; i++)
		free(b[i]);
	ck_assert_int_eq(zns_zoned_info(zt, 3, &in), 0);
	ck_assert_uint_eq(in.zrwa, 1);
	ck_assert_uint_eq(in.acked, ZS * 3 + 66);
	ck_assert_uint_eq(in.device_wp, ZS * 3 + 64);	/* whole granules */
	ck_assert_int_eq(zns_report_zones(dev, ZS * 3, 0, &dz, &nr, NULL), 0);
	ck_assert_uint_eq(dz.wp, ZS * 3 + 64);
	ck_assert(dz.attrs & NVME_ZNS_ZA_ZRWAV);
}
END_TEST

/* Faults in a ZRWA: a write that reports -EINTR but landed, one that
 * fails with a path error without landing, and one the device runs late,
 * after its resend: each is written again to the same LBAs (a ZRWA takes
 * that), every write reports 0, in order, each block holds its data. */
START_TEST(test_zrwa_faults)
{
	struct zns_emu_fault amb = fault(ZNS_EMU_AMBIGUOUS, -EINTR, 3);
	struct zns_emu_fault lost = fault(ZNS_EMU_FAIL, 0x371, 2);
	struct zns_emu_fault late = fault(ZNS_EMU_LATE, 0x371, 2);
	struct wr w[40];

	open_zrwa(2, ZNS_ZONED_NO_MERGE);
	late.after = 3;
	ck_assert_int_eq(zns_emu_inject(dev, &amb), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &lost), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &late), 0);
	write_check(w, 40, 4, ZS * 4, 2, 800);
	/* three writes in doubt, each sent again to its own blocks: no
	 * report (a ZRWA takes the copy whether or not the first landed) */
	stats_are(3, 0, 0, 3);
}
END_TEST

/* ZRWA resources are tokens: with two, the third zone written has none
 * (and is written one command at a time); a zone whose capacity completed
 * is finished, Full, and gives its ZRWA and active token back, so the next
 * zone gets one. A zone with a ZRWA takes no appends, nor writes above
 * the window's size; both refused with the rule, nothing sent. After the
 * table is built again, a zone still open with a ZRWA keeps it, with
 * ZNS_ZONED_ZRWA or without. */
START_TEST(test_zrwa_tokens)
{
	struct zns_zoned_zone in;
	struct wr w[140], x;	/* 132..134: write_check() */
	struct ar a;
	uint8_t *b = stamped(900, 16), *big = stamped(901, 17);
	unsigned int i;

	open_zrwa(2, 0);
	memset(w, 0, sizeof(w));
	memset(&x, 0, sizeof(x));
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 5 + i, b, 8, wcb, &w[i]), 0);
	reap_all(q);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_int_eq(zns_zoned_info(zt, 5 + i, &in), 0);
		ck_assert_uint_eq(in.zrwa, i < 2);
	}
	ck_assert_int_eq(zns_zoned_append(zt, q, 5, b, 1, acb, &a), -EINVAL);
	ck_assert_msg(strstr(zns_last_error(), "ZRWA") != NULL, "%s", zns_last_error());
	ck_assert_int_eq(zns_zoned_write(zt, q, 5, big, 17, wcb, &x), -EINVAL);
	ck_assert_msg(strstr(zns_last_error(), "zrwas") != NULL, "%s", zns_last_error());
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	/* fill zone 5: 992 more blocks, 124 writes of 8 */
	for (i = 0; i < 124; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 5, b, 8, wcb, &w[3 + i]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 5, b, 1, wcb, &x), -ENOSPC);
	reap_all(q);
	for (i = 0; i < 124; i++)
		ck_assert_int_eq(w[3 + i].status, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 5, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(in.zrwa, 0);
	ck_assert_uint_eq(in.active, 0);
	ck_assert_uint_eq(in.device_wp, ZS * 5 + ZC);
	ck_assert_uint_eq(tag_at(ZS * 5 + ZC - 1), 900);
	ck_assert_int_eq(zns_zoned_write(zt, q, 9, b, 8, wcb, &w[130]), 0);
	reap_all(q);
	ck_assert_int_eq(w[130].status, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert_uint_eq(in.zrwa, 1);
	/* built again: zone 6 keeps its ZRWA, zone 7 has none */
	ck_assert_int_eq(zns_zoned_close(zt), 0);
	{
		struct zns_zoned_opts zo;

		memset(&zo, 0, sizeof(zo));
		zo.size = sizeof(zo);
		zo.flags = ZNS_ZONED_ZRWA;
		ck_assert_int_eq(zns_zoned_open(dev, &zo, &zt), 0);
	}
	ck_assert_int_eq(zns_zoned_info(zt, 6, &in), 0);
	ck_assert_uint_eq(in.zrwa, 1);
	ck_assert_uint_eq(in.wp, ZS * 6 + 8);
	ck_assert_int_eq(zns_zoned_info(zt, 7, &in), 0);
	ck_assert_uint_eq(in.zrwa, 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 6, b, 8, wcb, &w[131]), 0);
	reap_all(q);
	ck_assert_int_eq(w[131].status, 0);
	ck_assert_uint_eq(w[131].lba, ZS * 6 + 8);
	/* built again without ZNS_ZONED_ZRWA: zone 6 is still written
	 * through its ZRWA (the device's write pointer trails there) */
	ck_assert_int_eq(zns_zoned_close(zt), 0);
	ck_assert_int_eq(zns_zoned_open(dev, NULL, &zt), 0);
	ck_assert_int_eq(zns_zoned_info(zt, 6, &in), 0);
	ck_assert_uint_eq(in.zrwa, 1);
	write_check(&w[132], 3, 6, ZS * 6 + 16, 2, 960);
	ck_assert_int_eq(zns_zoned_info(zt, 6, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 6 + 22);
	ck_assert_uint_eq(in.device_wp, ZS * 6 + 20);
	free(b);
	free(big);
}
END_TEST

/* ---------------------------------------------------------- allocation -- */

/* A zone handed to a queue is that queue's until it is reset or released:
 * writes and appends through another queue fail with -EPERM and send
 * nothing; a reset of the idle zone may come from another queue (a
 * collector's) and ends the ownership; a zone handed out without a queue,
 * or free again, takes any queue. */
START_TEST(test_alloc_owner)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 8,
				     .sq_thread_cpu = -1 };
	struct zns_queue *q2;
	struct zns_zoned_zone in;
	uint8_t *b = stamped(9, 1);
	struct wr w[4];
	struct ar a;
	uint32_t z, z2;

	memset(w, 0, sizeof(w));
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(zns_queue_init(&q2, &qo), 0);
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, 0, &z), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q2, z, b, 1, wcb, &w[0]), -EPERM);
	ck_assert_msg(strstr(zns_last_error(), "another queue") != NULL, "%s", zns_last_error());
	ck_assert_int_eq(zns_zoned_append(zt, q2, z, b, 1, acb, &a), -EPERM);
	ck_assert_uint_eq(zns_queue_inflight(q2), 0);
	ck_assert_int_eq(zns_zoned_info(zt, z, &in), 0);
	ck_assert_uint_eq(in.queued, 0);
	ck_assert_uint_eq(in.wp, in.zslba);
	/* the owner writes; another queue's reset of the idle zone ends
	 * the ownership, and the zone takes any queue */
	ck_assert_int_eq(zns_zoned_write(zt, q, z, b, 1, wcb, &w[1]), 0);
	reap_all(q);
	ck_assert_int_eq(w[1].status, 0);
	ck_assert_int_eq(zns_zoned_reset(zt, q2, z, wcb, &w[1]), 0);
	reap_all(q2);
	ck_assert_int_eq(w[1].status, 0);
	ck_assert_int_eq(zns_zoned_info(zt, z, &in), 0);
	ck_assert_uint_eq(in.claimed, 0);
	ck_assert_int_eq(zns_zoned_write(zt, q2, z, b, 1, wcb, &w[2]), 0);
	reap_all(q2);
	ck_assert_int_eq(w[2].status, 0);
	/* released unwritten: free for any queue */
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, 0, &z2), 0);
	ck_assert_int_eq(zns_zoned_release(zt, z2), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q2, z2, b, 1, wcb, &w[3]), 0);
	reap_all(q2);
	ck_assert_int_eq(w[3].status, 0);
	/* handed out without a queue: any queue */
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 0, 0, &z2), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q2, z2, b, 1, wcb, &w[3]), 0);
	reap_all(q2);
	ck_assert_int_eq(w[3].status, 0);
	ck_assert_int_eq(zns_queue_exit(q2), 0);
	free(b);
}
END_TEST

/* Zones handed out with their tokens, up to the device's 14; then -EBUSY,
 * or the zone with the least space left finished for a token (with or
 * without waiting); given back unwritten, or by a reset; a set of zones;
 * no Empty zone left. */
START_TEST(test_alloc)
{
	struct zns_zoned_zone in;
	uint32_t got[14], z, extra;
	uint8_t *b = stamped(5, 8);
	struct wr w[14];
	unsigned int i;

	memset(w, 0, sizeof(w));
	for (i = 0; i < 14; i++) {
		ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 0, 0, &got[i]), 0);
		ck_assert_uint_eq(got[i], i);
		ck_assert_int_eq(zns_zoned_info(zt, got[i], &in), 0);
		ck_assert_uint_eq(in.claimed, 1);
		ck_assert_uint_eq(in.active, 1);
		/* zone i gets 8 - i % 8 blocks: zones 0 and 8 the most */
		ck_assert_int_eq(zns_zoned_write(zt, q, got[i], b, 8 - i % 8, wcb, &w[i]), 0);
	}
	reap_all(q);
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 0, 0, &z), -EBUSY);
	ck_assert_msg(strstr(zns_last_error(), "token") != NULL, "%s", zns_last_error());
	/* waiting with nothing in flight that could free one: no hang */
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, ZNS_ZONED_WAIT, &z), -EBUSY);
	ck_assert_msg(strstr(zns_last_error(), "nothing in flight") != NULL, "%s", zns_last_error());
	/* a written zone is not given back by release */
	ck_assert_int_eq(zns_zoned_release(zt, got[0]), -EINVAL);
	/* finish for a token, without waiting: -EBUSY while it is finished,
	 * then the token; the zone finished is one with the most written
	 * (least space left): zone 0 or 8 */
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, ZNS_ZONED_FINISH, &z), -EBUSY);
	ck_assert_msg(strstr(zns_last_error(), "being finished") != NULL, "%s", zns_last_error());
	reap_all(q);
	ck_assert_int_eq(zns_zoned_info(zt, 0, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(in.active, 0);
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, ZNS_ZONED_FINISH, &z), 0);
	ck_assert_uint_eq(z, 14);
	/* finish and wait in one call: zone 8 (8 blocks) goes next */
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, ZNS_ZONED_FINISH | ZNS_ZONED_WAIT, &extra), 0);
	ck_assert_uint_eq(extra, 15);
	ck_assert_int_eq(zns_zoned_info(zt, 8, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_FULL);
	/* an unwritten zone given back, then handed out again */
	ck_assert_int_eq(zns_zoned_release(zt, extra), 0);
	ck_assert_int_eq(zns_zoned_info(zt, extra, &in), 0);
	ck_assert_uint_eq(in.claimed, 0);
	ck_assert_uint_eq(in.active, 0);
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 0, 0, &z), 0);
	ck_assert_uint_eq(z, extra);
	/* a set: zones 20-23 only; reset makes a zone free again */
	ck_assert_int_eq(zns_zoned_reset(zt, q, got[1], wcb, &w[1]), 0);
	reap_all(q);
	ck_assert_int_eq(w[1].status, 0);
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 20, 4, 0, &z), 0);
	ck_assert_uint_eq(z, 20);
	ck_assert_int_eq(zns_zoned_release(zt, 20), 0);
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 2, 0, &z), 0);
	ck_assert_uint_eq(z, 1);
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 2, 0, &z), -ENOSPC);
	/* misuse */
	ck_assert_int_eq(zns_zoned_alloc(zt, NULL, 0, 0, ZNS_ZONED_WAIT, &z), -EINVAL);
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 24, 0, 0, &z), -EINVAL);
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, 4, &z), -EINVAL);
	ck_assert_int_eq(zns_zoned_alloc(NULL, q, 0, 0, 0, &z), -EINVAL);
	ck_assert_int_eq(zns_zoned_alloc(zt, q, 0, 0, 0, NULL), -EINVAL);
	ck_assert_int_eq(zns_zoned_release(zt, 99), -EINVAL);
	free(b);
}
END_TEST

/* ------------------------------------------------------------- merging -- */

/* 40 writes of 4 blocks from separate buffers, queued at once: the first
 * goes alone, then 32 (128 blocks: max_xfer) as one vectored command, then
 * the last 7: 3 commands, 40 callbacks in order, every stamp at its LBA.
 * Unmerged: 40 commands. Slices of one buffer merge into one element. */
START_TEST(test_merge)
{
	struct wr w[40];
	uint8_t *b[40], *big = stamped(500, 64);
	struct zns_zoned_zone in;
	unsigned int i;

	memset(w, 0, sizeof(w));
	order = 0;
	reopen_layer(_i ? ZNS_ZONED_NO_MERGE : 0);
	for (i = 0; i < 40; i++) {
		b[i] = stamped(300 + i, 4);
		ck_assert_int_eq(zns_zoned_write(zt, q, 3, b[i], 4, wcb, &w[i]), 0);
	}
	ck_assert_uint_eq(reap_count(q), _i ? 40 : 3);
	for (i = 0; i < 40; i++) {
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_uint_eq(w[i].order, i + 1);
		ck_assert_uint_eq(w[i].lba, ZS * 3 + 4 * i);
		ck_assert_uint_eq(w[i].nlb, 4);
		ck_assert_uint_eq(tag_at(w[i].lba + 3), 300 + i);
		free(b[i]);
	}
	/* slices of one buffer: one element each command, whatever the
	 * count (64 writes of one block: 1 + 63) */
	memset(w, 0, sizeof(w));
	for (i = 0; i < 64; i++) {
		memcpy(big + (size_t)i * 4096, &(uint64_t){ 600 + i }, 8);
		ck_assert_int_eq(zns_zoned_write(zt, q, 3, big + (size_t)i * 4096, 1,
						 i < 40 ? wcb : NULL, &w[i % 40]), 0);
	}
	ck_assert_uint_eq(reap_count(q), _i ? 64 : 2);
	for (i = 0; i < 64; i++)
		ck_assert_uint_eq(tag_at(ZS * 3 + 160 + i), 600 + i);
	ck_assert_int_eq(zns_zoned_info(zt, 3, &in), 0);
	ck_assert_uint_eq(in.acked, ZS * 3 + 224);
	ck_assert_uint_eq(in.queued, 0);
	free(big);
}
END_TEST

/* A merged command the device refuses outright (Invalid Field: not in
 * doubt, not sent again): its writes fail with that status, the cursor
 * goes back, and the writes behind land where they were meant to. */
START_TEST(test_merge_refused)
{
	struct zns_emu_fault f = fault(ZNS_EMU_FAIL, 0x4002, 2);
	struct wr w[6];
	uint8_t *b[6];
	unsigned int i;

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	for (i = 0; i < 6; i++) {
		b[i] = stamped(800 + i, 2);
		ck_assert_int_eq(zns_zoned_write(zt, q, 4, b[i], 2, wcb, &w[i]), 0);
	}
	ck_assert_uint_eq(reap_count(q), 2);
	ck_assert_int_eq(w[0].status, 0);
	for (i = 1; i < 6; i++)
		ck_assert_int_eq(w[i].status, 0x4002);
	ck_assert_int_eq(zns_zoned_write(zt, q, 4, b[5], 2, wcb, &w[5]), 0);
	reap_all(q);
	ck_assert_int_eq(w[5].status, 0);
	ck_assert_uint_eq(w[5].lba, ZS * 4 + 2);
	ck_assert_uint_eq(tag_at(ZS * 4 + 3), 805);
	for (i = 0; i < 6; i++)
		free(b[i]);
}
END_TEST

/* A callback that reaps and writes while the callbacks of its own command
 * are still to run: the zone's callbacks still fire in order. */
static struct wr nest_w[48];
static uint8_t *nest_b;
static unsigned int nest_next;

static void nest_cb(void *user, int status, uint64_t lba, uint32_t nlb)
{
	wcb(user, status, lba, nlb);
	if (nest_next < 48) {
		ck_assert_int_eq(zns_zoned_write(zt, q, 8, nest_b, 1, nest_cb,
						 &nest_w[nest_next]), 0);
		nest_next++;
	}
	ck_assert_int_ge(zns_reap(q, 0, 0), 0);
}

START_TEST(test_merge_nested)
{
	unsigned int i;

	memset(nest_w, 0, sizeof(nest_w));
	order = 0;
	nest_b = stamped(900, 1);
	reopen_layer(_i ? ZNS_ZONED_NO_MERGE : 0);
	for (nest_next = 0; nest_next < 8; nest_next++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 8, nest_b, 1, nest_cb,
						 &nest_w[nest_next]), 0);
	reap_all(q);
	for (i = 0; i < 48; i++) {
		ck_assert_int_eq(nest_w[i].status, 0);
		ck_assert_uint_eq(nest_w[i].calls, 1);
		ck_assert_uint_eq(nest_w[i].order, i + 1);
		ck_assert_uint_eq(nest_w[i].lba, ZS * 8 + i);
	}
	free(nest_b);
}
END_TEST

START_TEST(test_retired)
{
	struct zns_emu_fault f = fault(ZNS_EMU_OFFLINE, 0, 2);
	struct wr w[4];
	uint8_t *b = stamped(1, 1);
	struct zns_zoned_zone in;

	memset(w, 0, sizeof(w));
	f.zslba = ZS * 7;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 1, wcb, &w[0]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 1, wcb, &w[1]), 0);
	reap_all(q);
	ck_assert_int_eq(w[0].status, 0);
	ck_assert_int_eq(zns_status_code(w[1].status), 0x1bb);
	ck_assert_int_eq(zns_zoned_info(zt, 7, &in), 0);
	ck_assert(in.retired);
	ck_assert_int_eq(zns_zoned_write(zt, q, 7, b, 1, wcb, &w[2]), -EROFS);
	ck_assert(strstr(zns_last_error(), "retired") != NULL);
	free(b);
}
END_TEST

/* A zone reset (_i 0, 1) or finish (_i 2, 3) of a written zone whose
 * completion says -EINTR: the layer reports the zone and goes by what it
 * says. One that took effect (_i 0, 2) completes with 0, the zone Empty
 * (written again from its start) or Full, its token back; one that did not
 * (_i 1, 3) fails with -EINTR, the zone as it was, and the writes that
 * waited behind it go on at the device's write pointer. */
START_TEST(test_action_doubt)
{
	int took = !(_i & 1), finish = _i >= 2;
	struct zns_emu_fault f = fault(took ? ZNS_EMU_AMBIGUOUS : ZNS_EMU_FAIL,
				       -EINTR, 1);
	struct zns_zoned_zone in;
	struct wr w[4], a, nx;
	uint64_t z0 = ZS * 9;
	struct ar ap;
	uint8_t *b;

	f.opcode = 0x79;	/* Zone Management Send */
	write_check(w, 4, 9, z0, 3, 700);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	memset(&a, 0, sizeof(a));
	memset(&nx, 0, sizeof(nx));
	ck_assert_int_eq(finish ? zns_zoned_finish(zt, q, 9, wcb, &a) :
				  zns_zoned_reset(zt, q, 9, wcb, &a), 0);
	/* nothing goes to the zone meanwhile */
	b = stamped(777, 2);
	ck_assert_int_eq(zns_zoned_write(zt, q, 9, b, 2, wcb, &nx), -EBUSY);
	ck_assert(strstr(zns_last_error(), "reset or finish of the zone") != NULL);
	ck_assert_int_eq(zns_zoned_append(zt, q, 9, b, 2, acb, &ap), -EBUSY);
	ck_assert(strstr(zns_last_error(), "reset or finish of the zone") != NULL);
	reap_all(q);
	ck_assert_uint_eq(a.calls, 1);
	ck_assert_int_eq(a.status, took ? 0 : -EINTR);
	ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
	ck_assert(!in.fenced);
	if (finish) {
		ck_assert_uint_eq(in.state, took ? NVME_ZNS_ZS_FULL : NVME_ZNS_ZS_IMPL_OPEN);
		ck_assert_uint_eq(in.active, !took);
		ck_assert_uint_eq(in.device_wp, took ? z0 + ZC : z0 + 12);
		ck_assert_int_eq(zns_zoned_write(zt, q, 9, b, 2, wcb, &nx),
				 took ? -ENOSPC : 0);
	} else {
		/* the next write goes where the zone says */
		ck_assert_uint_eq(in.state, took ? NVME_ZNS_ZS_EMPTY : NVME_ZNS_ZS_IMPL_OPEN);
		ck_assert_uint_eq(in.active, !took);
		ck_assert_uint_eq(in.wp, took ? z0 : z0 + 12);
		ck_assert_uint_eq(in.acked, in.wp);
		ck_assert_int_eq(zns_zoned_write(zt, q, 9, b, 2, wcb, &nx), 0);
	}
	reap_all(q);
	if (!finish || !took) {
		ck_assert_uint_eq(nx.calls, 1);
		ck_assert_int_eq(nx.status, 0);
		ck_assert_uint_eq(nx.lba, took ? z0 : z0 + 12);
		ck_assert_uint_eq(tag_at(nx.lba), 777);
	}
	free(b);
	stats_are(1, 1, took, 0);
	if (!took) {	/* the same again goes through */
		memset(&a, 0, sizeof(a));
		ck_assert_int_eq(finish ? zns_zoned_finish(zt, q, 9, wcb, &a) :
					  zns_zoned_reset(zt, q, 9, wcb, &a), 0);
		reap_all(q);
		ck_assert_int_eq(a.status, 0);
		ck_assert_int_eq(zns_zoned_info(zt, 9, &in), 0);
		ck_assert_uint_eq(in.state, finish ? NVME_ZNS_ZS_FULL : NVME_ZNS_ZS_EMPTY);
	}
}
END_TEST

/* The same reset, taking effect, with its report failing as well: the
 * layer cannot know, so the reset fails with its own status; another reset
 * settles the zone. A status that is not in doubt asks nothing. */
START_TEST(test_action_doubt_unknown)
{
	struct zns_emu_fault f = fault(_i ? ZNS_EMU_FAIL : ZNS_EMU_AMBIGUOUS,
				       _i ? 0x2 : -EINTR, 1);
	struct zns_emu_fault rep = fault(ZNS_EMU_FAIL, 0x006, 1);
	struct zns_zoned_zone in;
	struct wr w[2], a;

	f.opcode = 0x79;
	rep.opcode = 0x7a;
	write_check(w, 2, 10, ZS * 10, 1, 710);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &rep), 0);
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(zns_zoned_reset(zt, q, 10, wcb, &a), 0);
	reap_all(q);
	ck_assert_int_eq(a.status, _i ? 0x2 : -EINTR);
	ck_assert_int_eq(zns_zoned_info(zt, 10, &in), 0);
	ck_assert_uint_eq(in.wp, ZS * 10 + 2);
	stats_are(!_i, !_i, 0, 0);
	ck_assert_int_eq(zns_zoned_reset(zt, q, 10, wcb, &a), 0);
	reap_all(q);
	ck_assert_int_eq(a.status, 0);
	ck_assert_int_eq(zns_zoned_info(zt, 10, &in), 0);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(in.wp, ZS * 10);
}
END_TEST

START_TEST(test_rebuild_after_power_loss)
{
	char path[] = "/tmp/zoned-test.XXXXXX";
	struct wr w[6];
	uint8_t *b = stamped(3, 1);
	struct zns_zoned_zone in;
	int fd = mkstemp(path);
	unsigned int i;

	ck_assert_int_ge(fd, 0);
	close_all();
	open_all(ZNS_EMU_CREATE | ZNS_EMU_VWC, path, 14);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 2, b, 1, wcb, &w[i]), 0);
	reap_all(q);
	ck_assert_int_eq(zns_flush(dev), 0);		/* 4 durable */
	for (i = 4; i < 6; i++)
		ck_assert_int_eq(zns_zoned_write(zt, q, 2, b, 1, wcb, &w[i]), 0);
	reap_all(q);
	ck_assert_int_eq(zns_emu_power_cycle(dev), 0);
	/* the mount-time rebuild sees what survived */
	ck_assert_int_eq(zns_zoned_close(zt), 0);
	ck_assert_int_eq(zns_zoned_open(dev, NULL, &zt), 0);
	ck_assert_int_eq(zns_zoned_info(zt, 2, &in), 0);
	ck_assert_uint_eq(in.device_wp, ZS * 2 + 4);
	ck_assert_uint_eq(in.wp, ZS * 2 + 4);
	ck_assert_uint_eq(in.state, NVME_ZNS_ZS_CLOSED);
	ck_assert(in.active);
	ck_assert_int_eq(zns_zoned_write(zt, q, 2, b, 1, wcb, &w[0]), 0);
	reap_all(q);
	ck_assert_uint_eq(w[0].lba, ZS * 2 + 4);
	close(fd);
	unlink(path);
	free(b);
}
END_TEST

/* The layer on a null device (zns_dev_open_null(), a ZNS_QUEUE_NULL queue),
 * which zns-bench times it on: every zone starts Empty at its start, writes
 * go out in order and fill a zone to Full (its token back), a reset makes it
 * Empty again; appends are refused (the null device answers each with its
 * zone's start). */
START_TEST(test_null_device)
{
	struct zns_dev_info in = { .lba_shift = 12, .nr_lbas = 8 * ZS,
				   .zone_size = ZS, .zone_cap = ZC,
				   .max_xfer = 512 << 10, .max_open = 4,
				   .max_active = 4 };
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 16,
				     .sq_thread_cpu = -1, .flags = ZNS_QUEUE_NULL };
	struct zns_dev *nd;
	struct zns_zoned *nz;
	struct zns_queue *nq;
	struct zns_zoned_zone zi;
	struct wr w[40];
	struct ar a;
	uint8_t *b = stamped(5, 128);
	unsigned int i;
	uint64_t at;

	ck_assert_int_eq(zns_dev_open_null(&in, &nd), 0);
	ck_assert_int_eq(zns_zoned_open(nd, NULL, &nz), 0);
	ck_assert_int_eq(zns_queue_init(&nq, &qo), 0);
	ck_assert_uint_eq(zns_zoned_nr_zones(nz), 8);
	ck_assert_int_eq(zns_zoned_info(nz, 3, &zi), 0);
	ck_assert_uint_eq(zi.zslba, 3 * ZS);
	ck_assert_uint_eq(zi.wp, 3 * ZS);
	ck_assert_uint_eq(zi.zcap, ZC);
	ck_assert_uint_eq(zi.state, NVME_ZNS_ZS_EMPTY);
	memset(w, 0, sizeof(w));
	order = 0;
	for (i = 0; i < 40; i++)	/* more than the queue holds: in turns */
		while (zns_zoned_write(nz, nq, 2, b, 1 + i % 3, wcb, &w[i]) == -EBUSY)
			ck_assert_int_ge(zns_reap(nq, 1, -1), 0);
	reap_all(nq);
	for (at = 2 * ZS, i = 0; i < 40; at += w[i].nlb, i++) {
		ck_assert_uint_eq(w[i].calls, 1);
		ck_assert_int_eq(w[i].status, 0);
		ck_assert_uint_eq(w[i].order, i + 1);
		ck_assert_uint_eq(w[i].lba, at);
		ck_assert_uint_eq(w[i].nlb, 1 + i % 3);
	}
	ck_assert_int_eq(zns_zoned_info(nz, 2, &zi), 0);
	ck_assert_uint_eq(zi.acked, at);
	ck_assert_uint_eq(zi.state, NVME_ZNS_ZS_IMPL_OPEN);
	ck_assert_uint_eq(zi.active, 1);
	ck_assert_int_eq(zns_zoned_append(nz, nq, 4, b, 1, acb, &a), -EOPNOTSUPP);
	ck_assert(strstr(zns_last_error(), "null device") != NULL);
	ck_assert_int_eq(zns_zoned_info(nz, 4, &zi), 0);
	ck_assert_uint_eq(zi.state, NVME_ZNS_ZS_EMPTY);
	/* to its capacity: Full, its token back; then reset */
	while (at + 128 <= 2 * ZS + ZC) {
		ck_assert_int_eq(zns_zoned_write(nz, nq, 2, b, 128, NULL, NULL), 0);
		at += 128;
		reap_all(nq);
	}
	ck_assert_int_eq(zns_zoned_write(nz, nq, 2, b, (uint32_t)(2 * ZS + ZC - at), NULL, NULL), 0);
	reap_all(nq);
	ck_assert_int_eq(zns_zoned_info(nz, 2, &zi), 0);
	ck_assert_uint_eq(zi.state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(zi.active, 0);
	ck_assert_int_eq(zns_zoned_write(nz, nq, 2, b, 1, wcb, &w[0]), -ENOSPC);
	memset(w, 0, sizeof(w));
	ck_assert_int_eq(zns_zoned_reset(nz, nq, 2, wcb, &w[0]), 0);
	reap_all(nq);
	ck_assert_int_eq(w[0].status, 0);
	ck_assert_int_eq(zns_zoned_info(nz, 2, &zi), 0);
	ck_assert_uint_eq(zi.state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(zi.wp, 2 * ZS);
	ck_assert_int_eq(zns_queue_exit(nq), 0);
	ck_assert_int_eq(zns_zoned_close(nz), 0);
	zns_dev_close(nd);
	free(b);
}
END_TEST

START_TEST(test_misuse)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 8,
				     .sq_thread_cpu = -1 };
	struct zns_queue *q2;
	struct wr w[4];
	struct ar a;
	uint8_t *b = stamped(1, 256);
	struct zns_zoned_opts o = { .size = 4 };
	struct zns_zoned *z2;

	memset(w, 0, sizeof(w));
	ck_assert_int_eq(zns_zoned_open(NULL, NULL, &z2), -EINVAL);
	ck_assert_int_eq(zns_zoned_open(dev, &o, &z2), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(NULL, q, 0, b, 1, wcb, w), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(zt, NULL, 0, b, 1, wcb, w), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(zt, q, 99, b, 1, wcb, w), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 0, wcb, w), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, NULL, 1, wcb, w), -EINVAL);
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 129, wcb, w), -EINVAL);	/* > mdts */
	ck_assert_int_eq(zns_zoned_append(zt, q, 0, b, 0, acb, &a), -EINVAL);
	ck_assert_int_eq(zns_zoned_info(zt, 99, NULL), -EINVAL);
	{
		struct zns_zoned_stats st = { .size = sizeof(st) - 1 };

		ck_assert_int_eq(zns_zoned_get_stats(zt, &st), -EINVAL);
		ck_assert(strstr(zns_last_error(), "st->size") != NULL);
		ck_assert_int_eq(zns_zoned_get_stats(NULL, &st), -EINVAL);
		ck_assert_int_eq(zns_zoned_get_stats(zt, NULL), -EINVAL);
	}
	/* past the capacity: refused, nothing sent */
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 128, wcb, &w[0]), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 128, wcb, &w[1]), 0);
	ck_assert_int_eq(zns_zoned_append(zt, q, 1, b, 256, acb, &a), 0);
	/* a zone with requests in flight belongs to their queue */
	ck_assert_int_eq(zns_queue_init(&q2, &qo), 0);
	ck_assert_int_eq(zns_zoned_write(zt, q2, 0, b, 1, wcb, &w[3]), -EBUSY);
	ck_assert(strstr(zns_last_error(), "another queue") != NULL);
	/* writes and appends do not mix on one zone */
	ck_assert_int_eq(zns_zoned_write(zt, q, 1, b, 1, wcb, &w[3]), -EBUSY);
	ck_assert_int_eq(zns_zoned_reset(zt, q, 0, wcb, &w[3]), -EBUSY);
	ck_assert_int_eq(zns_zoned_close(zt), -EBUSY);
	reap_all(q);
	ck_assert_int_eq(zns_queue_exit(q2), 0);
	{
		unsigned int i;

		for (i = 0; i < 5; i++)		/* 256 + 5 x 128 + 104 = 1000 */
			ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 128, wcb, &w[0]), 0);
		ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 104, wcb, &w[0]), 0);
	}
	ck_assert_int_eq(zns_zoned_write(zt, q, 0, b, 1, wcb, &w[0]), -ENOSPC);
	ck_assert(strstr(zns_last_error(), "capacity") != NULL);
	reap_all(q);
	free(b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("zoned");
	TCase *t = tcase_create("zoned");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, close_all);
	tcase_add_test(t, test_ordered_depth);
	tcase_add_test(t, test_full_queue);
	tcase_add_test(t, test_threads);
	tcase_add_test(t, test_owned_zones);
#ifdef ZNS_ZONED_TESTING
	tcase_add_test(t, test_owned_no_lock);
#endif
	tcase_add_test(t, test_appends_tile);
	tcase_add_test(t, test_full_queue_append);
	tcase_add_test(t, test_tokens);
	tcase_add_loop_test(t, test_landed_but_failed, 0, 2);
	tcase_add_test(t, test_partly_landed);
	tcase_add_loop_test(t, test_failed_no_cascade, 0, 4);
	tcase_add_loop_test(t, test_late_write, 0, 4);
	tcase_add_test(t, test_foreign_blocks);
	tcase_add_loop_test(t, test_report_fails, 0, 2);
	tcase_add_loop_test(t, test_merge, 0, 2);
	tcase_add_test(t, test_merge_refused);
	tcase_add_test(t, test_alloc);
	tcase_add_test(t, test_alloc_owner);
	tcase_add_test(t, test_append_doubt);
	tcase_add_test(t, test_append_hollow);
	tcase_add_loop_test(t, test_append_stray, 0, 2);
	tcase_add_test(t, test_append_out_of_order);
	tcase_add_loop_test(t, test_trace, 0, 2);
	tcase_add_loop_test(t, test_write_hollow, 0, 2);
	tcase_add_test(t, test_doubt_read_fails);
	tcase_add_loop_test(t, test_late_append, 0, 2);
	tcase_add_loop_test(t, test_zrwa_ordered, 0, 2);
	tcase_add_test(t, test_zrwa_faults);
	tcase_add_test(t, test_zrwa_tokens);
	tcase_add_loop_test(t, test_merge_nested, 0, 2);
	tcase_add_test(t, test_retired);
	tcase_add_loop_test(t, test_action_doubt, 0, 4);
	tcase_add_loop_test(t, test_action_doubt_unknown, 0, 2);
	tcase_add_test(t, test_rebuild_after_power_loss);
	tcase_add_test(t, test_null_device);
	tcase_add_test(t, test_misuse);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
