// SPDX-License-Identifier: MIT
/*
 * Unit suite "queue": the queue's bookkeeping through its user-space
 * (null) backend, and its options.
 */
#include "unit.h"

struct tally {
	unsigned int calls;
	int status;
	uint64_t result;
};

static void tally_cb(void *user, int status, uint64_t result)
{
	struct tally *t = user;

	t->calls++;
	t->status = status;
	t->result = result;
}


START_TEST(test_queue_null)
{
	struct zns_dev d = fake_dev(12, 16384, 16 * 16384);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4,
				    .flags = ZNS_QUEUE_NULL, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	struct tally t[5];
	unsigned int i, round;
	unsigned long before = 0, after;
	int bad = 0;

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_NULL);
	ck_assert_int_eq(zns_queue_fd(q), -EINVAL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_prep_append(q, &d, buf, 16384 * i, 1, tally_cb, &t[i]), 0);
	ck_assert_int_eq(zns_prep_append(q, &d, buf, 0, 1, tally_cb, &t[4]), -EBUSY);
	ck_assert_uint_eq(zns_queue_inflight(q), 4);
	ck_assert_int_eq(zns_reap(q, 0, 0), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(t[i].calls, 1);
		ck_assert_uint_eq(t[i].result, 16384 * i);
	}
	ck_assert_uint_eq(t[4].calls, 0);
	/* bad arguments take no slot */
	ck_assert_int_eq(zns_prep_append(q, &d, buf, 1, 1, tally_cb, &t[4]), -EINVAL);
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 200, tally_cb, &t[4]), -E2BIG);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	/* steady state allocates nothing */
	for (round = 0; round < 100; round++) {
		if (round == 10)
			before = zns_test_allocs;
		for (i = 0; i < 4; i++)
			bad |= zns_prep_read(q, &d, buf, i, 1, tally_cb, &t[i]);
		if (zns_reap(q, 4, -1) != 4)
			bad = 1;
	}
	after = zns_test_allocs;
	ck_assert_int_eq(bad, 0);
	ck_assert_uint_eq(after, before);
	/* exit delivers what is still queued, exactly once */
	for (i = 0; i < 4; i++)
		t[i].calls = 0;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_prep_flush(q, &d, tally_cb, &t[i]), 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(t[i].calls, 1);
	ck_assert_uint_eq(t[3].calls, 0);
}
END_TEST

START_TEST(test_queue_opts)
{
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 8, .sq_thread_cpu = -1 };
	struct zns_queue *q = (void *)1;

	o.size = 4;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	ck_assert_ptr_null(q);
	o.size = sizeof(o);
	o.depth = 0;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.depth = 5000;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.depth = 8;
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_SQPOLL;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.flags = 1u << 20;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	/* the sync fallback needs no kernel support to be created */
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_EVENTFD;
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_SYNC);
	ck_assert_int_ge(zns_queue_fd(q), 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	ck_assert_int_eq(zns_queue_exit(NULL), 0);
}
END_TEST


int main(void)
{
	Suite *s = suite_create("queue");
	TCase *t = tcase_create("queue");

	tcase_add_test(t, test_queue_null);
	tcase_add_test(t, test_queue_opts);
	suite_add_tcase(s, t);
	return unit_run(s);
}
