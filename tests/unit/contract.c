// SPDX-License-Identifier: MIT
/*
 * Unit suite "contract": the queue's contract with its caller, in each of
 * its three modes (io_uring, synchronous fallback, null), through the
 * public API only, on a device handle without a device:
 *   - a callback may prepare, submit, reap and wait on its own queue, and
 *     every completion is still delivered exactly once;
 *   - zns_queue_exit() from a callback is refused, and the queue goes on;
 *   - another thread's prepare, submit and reap fail before anything is
 *     queued, and the owner's queue is unchanged;
 *   - NULL handles get -EINVAL, and every refusal names its rule.
 * On the null device, io_uring commands complete with -EBADF (the device
 * has no file) and fallback commands too; the null backend completes them
 * with 0. What is checked is delivery, not the device's answer.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzns.h>

#define NCMD	8

static const unsigned int mode_flags[] = {
	0,			/* io_uring (the host kernel has it) */
	ZNS_QUEUE_SYNC,
	ZNS_QUEUE_NULL,
};
static const int mode_expect[] = { ZNS_MODE_URING, ZNS_MODE_SYNC, ZNS_MODE_NULL };
static const char *const mode_name[] = { "uring", "sync", "null" };

static uint8_t buf[4096] __attribute__((aligned(4096)));
static struct zns_dev *dev;
static struct zns_queue *q;

struct cmd {
	unsigned int calls;
	int status;
	int (*then)(struct cmd *c);	/* what the callback does next */
	int then_rc;
	struct cmd *other;		/* a command the callback waits for */
	int inner_status;
};

static void cb(void *user, int status, uint64_t result)
{
	struct cmd *c = user;

	(void)result;
	c->calls++;
	c->status = status;
	if (c->then && c->calls == 1)
		c->then_rc = c->then(c);
}

static void setup_mode(int i)
{
	struct zns_dev_info in;
	struct zns_queue_opts o = { .size = sizeof(o), .depth = NCMD,
				    .flags = mode_flags[i], .sq_thread_cpu = -1 };
	int rc;

	memset(&in, 0, sizeof(in));
	in.lba_shift = 12;
	in.nr_lbas = 16 * 4096;
	in.zone_size = 4096;
	in.max_xfer = 128 << 10;
	in.zasl = 64 << 10;
	in.max_open = in.max_active = ZNS_NO_LIMIT;
	ck_assert_int_eq(zns_dev_open_null(&in, &dev), 0);
	rc = zns_queue_init(&q, &o);
	ck_assert_msg(rc == 0, "%s queue: %s", mode_name[i], zns_status_str(rc));
	ck_assert_msg(zns_queue_mode(q) == mode_expect[i],
		      "mode %s: the host kernel gave mode %d", mode_name[i],
		      zns_queue_mode(q));
}

static void teardown_mode(void)
{
	ck_assert_int_eq(zns_queue_exit(q), 0);
	zns_dev_close(dev);
	q = NULL;
	dev = NULL;
}

/* Reap until nothing is in flight (bounded: Check's timeout catches a hang). */
static void reap_all(void)
{
	while (zns_queue_inflight(q))
		ck_assert_int_ge(zns_reap(q, 1, -1), 0);
}

static void prep(struct cmd *c)
{
	ck_assert_int_eq(zns_prep_read(q, dev, buf, 0, 1, cb, c), 0);
}

static void assert_once(const struct cmd *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		ck_assert_msg(c[i].calls == 1, "command %u: %u callbacks", i,
			      c[i].calls);
}

/* ---------------------------------------------- callbacks call back in -- */

/* The callback prepares another command, then reaps. */
static int then_reap(struct cmd *c)
{
	int rc = zns_prep_read(q, dev, buf, 0, 1, cb, c + NCMD);

	return rc ? rc : zns_reap(q, 0, 0);
}

START_TEST(test_cb_reaps)
{
	struct cmd c[2 * NCMD];
	unsigned int i;

	setup_mode(_i);
	memset(c, 0, sizeof(c));
	for (i = 0; i < NCMD; i++) {
		c[i].then = then_reap;
		prep(&c[i]);
	}
	ck_assert_int_ge(zns_submit(q), 0);
	reap_all();
	assert_once(c, 2 * NCMD);
	for (i = 0; i < NCMD; i++)
		ck_assert_int_ge(c[i].then_rc, 0);
	teardown_mode();
}
END_TEST

/* The callback prepares a command and blocks on it. */
static int then_prep_and_wait(struct cmd *c)
{
	int rc;

	c->inner_status = ZNS_PENDING;
	rc = zns_prep_flush(q, dev, zns_sync_cb, &c->inner_status);
	if (rc)
		return rc;
	return zns_queue_wait(q, &c->inner_status);
}

START_TEST(test_cb_waits_new)
{
	struct cmd c[NCMD - 1];
	unsigned int i;

	setup_mode(_i);
	memset(c, 0, sizeof(c));
	/* one context stays free for the command each callback makes */
	for (i = 0; i < NCMD - 1; i++) {
		c[i].then = then_prep_and_wait;
		prep(&c[i]);
	}
	reap_all();
	assert_once(c, NCMD - 1);
	for (i = 0; i < NCMD - 1; i++) {
		ck_assert_int_ne(c[i].inner_status, ZNS_PENDING);
		ck_assert_int_eq(c[i].then_rc, c[i].inner_status);
	}
	teardown_mode();
}
END_TEST

/* The callback waits for a command prepared before it, which may have
 * completed in the same batch: it must be delivered from there, not
 * waited for forever. */
static int then_wait_other(struct cmd *c)
{
	struct cmd *o = c->other;

	while (!o->calls) {
		int rc = zns_reap(q, 1, -1);

		if (rc < 0)
			return rc;
	}
	return 0;
}

START_TEST(test_cb_waits_earlier)
{
	struct cmd c[NCMD];
	unsigned int i;

	setup_mode(_i);
	memset(c, 0, sizeof(c));
	for (i = 0; i < NCMD; i += 2) {
		c[i].then = then_wait_other;
		c[i].other = &c[i + 1];
		prep(&c[i]);
		prep(&c[i + 1]);
	}
	ck_assert_int_ge(zns_submit(q), 0);
	reap_all();
	assert_once(c, NCMD);
	for (i = 0; i < NCMD; i += 2)
		ck_assert_int_eq(c[i].then_rc, 0);
	teardown_mode();
}
END_TEST

/* A callback that refills the queue to full depth from inside the reap. */
static int then_refill(struct cmd *c)
{
	c->other = NULL;
	return zns_prep_read(q, dev, buf, 0, 1, cb, c + NCMD);
}

START_TEST(test_cb_refills)
{
	struct cmd c[2 * NCMD];
	unsigned int i;

	setup_mode(_i);
	memset(c, 0, sizeof(c));
	for (i = 0; i < NCMD; i++) {
		c[i].then = then_refill;
		prep(&c[i]);
	}
	/* the queue is full: one more is refused, and nothing is lost */
	ck_assert_int_eq(zns_prep_read(q, dev, buf, 0, 1, cb, &c[0]), -EBUSY);
	reap_all();
	assert_once(c, 2 * NCMD);
	for (i = 0; i < NCMD; i++)
		ck_assert_int_eq(c[i].then_rc, 0);
	teardown_mode();
}
END_TEST

static int then_exit(struct cmd *c)
{
	(void)c;
	return zns_queue_exit(q);
}

START_TEST(test_cb_exit_refused)
{
	struct cmd c[NCMD];
	unsigned int i;

	setup_mode(_i);
	memset(c, 0, sizeof(c));
	for (i = 0; i < NCMD; i++) {
		c[i].then = i % 2 ? then_exit : NULL;
		prep(&c[i]);
	}
	reap_all();
	assert_once(c, NCMD);
	for (i = 1; i < NCMD; i += 2)
		ck_assert_int_eq(c[i].then_rc, -EDEADLK);
	ck_assert(strstr(zns_last_error(), "callback") != NULL);
	/* the queue still works */
	memset(c, 0, sizeof(c));
	prep(&c[0]);
	reap_all();
	assert_once(c, 1);
	teardown_mode();
}
END_TEST

/* ---------------------------------------------------- another thread -- */

struct foreign {
	int prep_rc, submit_rc, reap_rc, wait_rc, exit_rc, alloc_errno;
	void *alloc;
	unsigned int inflight_seen;
	char why[256];
	struct cmd c;
};

static void *foreign_thread(void *arg)
{
	struct foreign *f = arg;
	int st = ZNS_PENDING;

	f->prep_rc = zns_prep_read(q, dev, buf, 0, 1, cb, &f->c);
	snprintf(f->why, sizeof(f->why), "%s", zns_last_error());
	f->inflight_seen = zns_queue_inflight(q);
	f->submit_rc = zns_submit(q);
	f->reap_rc = zns_reap(q, 0, 0);
	f->wait_rc = zns_prep_flush(q, dev, zns_sync_cb, &st);
	f->exit_rc = zns_queue_exit(q);
	errno = 0;
	f->alloc = zns_queue_alloc_buffer(q, 4096);
	f->alloc_errno = errno;
	return NULL;
}

START_TEST(test_other_thread)
{
	struct foreign f;
	struct cmd c[2];
	pthread_t t;

	setup_mode(_i);
	memset(&f, 0, sizeof(f));
	memset(c, 0, sizeof(c));
	prep(&c[0]);		/* binds the queue to this thread */
	ck_assert_int_eq(pthread_create(&t, NULL, foreign_thread, &f), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(f.prep_rc, -EEXIST);
	ck_assert_int_eq(f.submit_rc, -EEXIST);
	ck_assert_int_eq(f.reap_rc, -EEXIST);
	ck_assert_int_eq(f.wait_rc, -EEXIST);
	ck_assert_int_eq(f.exit_rc, -EEXIST);
	ck_assert_ptr_null(f.alloc);
	ck_assert_int_eq(f.alloc_errno, EEXIST);
	ck_assert_msg(strstr(f.why, "another thread") != NULL, "message: %s", f.why);
	ck_assert(strstr(zns_status_str(-EEXIST), "own queue") != NULL);
	/* nothing was queued by the other thread */
	ck_assert_uint_eq(f.inflight_seen, 1);
	ck_assert_uint_eq(zns_queue_inflight(q), 1);
	reap_all();
	ck_assert_uint_eq(c[0].calls, 1);
	ck_assert_uint_eq(f.c.calls, 0);
	prep(&c[1]);
	reap_all();
	ck_assert_uint_eq(c[1].calls, 1);
	teardown_mode();
}
END_TEST

/* A queue made on one thread binds to the thread that first uses it. */
static void *user_thread(void *arg)
{
	struct cmd *c = arg;

	if (zns_prep_read(q, dev, buf, 0, 1, cb, c) == 0)
		while (zns_queue_inflight(q) && zns_reap(q, 1, -1) >= 0)
			;
	return NULL;
}

START_TEST(test_handed_to_thread)
{
	struct cmd c;
	pthread_t t;

	setup_mode(_i);
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(pthread_create(&t, NULL, user_thread, &c), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(c.calls, 1);
	/* the maker is now the other thread: refused, nothing queued */
	ck_assert_int_eq(zns_prep_read(q, dev, buf, 0, 1, cb, &c), -EEXIST);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	/* an idle queue may be freed from any thread */
	teardown_mode();
}
END_TEST

/* --------------------------------------------------------- NULL handles -- */

START_TEST(test_null_handles)
{
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4,
				    .flags = ZNS_QUEUE_NULL, .sq_thread_cpu = -1 };
	struct zns_dev *d = NULL;
	struct zns_zone z;
	unsigned int nr = 1;
	uint8_t report[64] = { 0 };
	int st = ZNS_PENDING;

	setup_mode(_i);
	ck_assert_int_eq(zns_dev_open("/dev/null", NULL), -EINVAL);
	ck_assert_int_eq(zns_dev_open(NULL, &d), -EINVAL);
	ck_assert_int_eq(zns_dev_open_null(NULL, &d), -EINVAL);
	ck_assert_int_eq(zns_dev_open_null(zns_dev_get_info(dev), NULL), -EINVAL);
	ck_assert_ptr_null(zns_dev_get_info(NULL));
	ck_assert_int_eq(zns_dev_fd(NULL), -EINVAL);
	ck_assert_int_eq(zns_dev_ctrl_fd(NULL), -EINVAL);
	zns_dev_close(NULL);
	ck_assert_int_eq(zns_queue_init(NULL, &o), -EINVAL);
	ck_assert_int_eq(zns_queue_init((struct zns_queue **)&d, NULL), -EINVAL);
	ck_assert_int_eq(zns_submit(NULL), -EINVAL);
	ck_assert_int_eq(zns_reap(NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(zns_queue_wait(NULL, &st), -EINVAL);
	ck_assert_int_eq(zns_queue_wait(q, NULL), -EINVAL);
	ck_assert_int_eq(zns_queue_mode(NULL), -EINVAL);
	ck_assert_int_eq(zns_queue_fd(NULL), -EINVAL);
	ck_assert_uint_eq(zns_queue_inflight(NULL), 0);
	ck_assert_int_eq(zns_queue_register_buffers(NULL, NULL, 1), -EINVAL);
	errno = 0;
	ck_assert_ptr_null(zns_queue_alloc_buffer(NULL, 4096));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(zns_queue_free_buffer(NULL, buf), -EINVAL);
	ck_assert_int_eq(zns_queue_add_dev(NULL, dev), -EINVAL);
	ck_assert_int_eq(zns_queue_exit(NULL), 0);
	ck_assert_int_eq(zns_prep_read(NULL, dev, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_read(q, NULL, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_write(NULL, dev, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_write(q, NULL, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_append(NULL, dev, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_append(q, NULL, buf, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_write_zeroes(NULL, dev, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_write_zeroes(q, NULL, 0, 1, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_flush(NULL, dev, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_flush(q, NULL, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_mgmt_send(NULL, dev, 0, NVME_ZNS_ZSA_RESET, 0, NULL, 0, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_mgmt_send(q, NULL, 0, NVME_ZNS_ZSA_RESET, 0, NULL, 0, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_mgmt_recv(NULL, dev, 0, 0, 0, 0, report, 64, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_mgmt_recv(q, NULL, 0, 0, 0, 0, report, 64, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_identify_ns(NULL, dev, NULL, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_identify_ctrl(q, NULL, NULL, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_changed_zones(NULL, NULL, 0, NULL, cb, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_reset_zone(NULL, dev, 0, cb, NULL), -EINVAL);
	/* NULL data buffers are a different rule */
	ck_assert_int_eq(zns_prep_read(q, dev, NULL, 0, 1, cb, NULL), -EFAULT);
	ck_assert(strstr(zns_last_error(), "buffer") != NULL);
	/* the synchronous calls */
	ck_assert_int_eq(zns_read(NULL, buf, 0, 1), -EINVAL);
	ck_assert(strstr(zns_last_error(), "NULL") != NULL);
	ck_assert_int_eq(zns_write(NULL, buf, 0, 1), -EINVAL);
	ck_assert_int_eq(zns_append(NULL, buf, 0, 1, NULL), -EINVAL);
	ck_assert_int_eq(zns_write_zeroes(NULL, 0, 1), -EINVAL);
	ck_assert_int_eq(zns_flush(NULL), -EINVAL);
	ck_assert_int_eq(zns_mgmt_send(NULL, 0, NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(zns_reset_zone(NULL, 0), -EINVAL);
	ck_assert_int_eq(zns_mgmt_recv(NULL, 0, 0, 0, 0, report, 64), -EINVAL);
	ck_assert_int_eq(zns_identify_ns(NULL, NULL), -EINVAL);
	ck_assert_int_eq(zns_identify_ctrl(NULL, NULL), -EINVAL);
	ck_assert_int_eq(zns_get_changed_zones(NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(zns_report_zones(NULL, 0, 0, &z, &nr, NULL), -EINVAL);
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, &z, NULL, NULL), -EINVAL);
	ck_assert_int_eq(zns_parse_report(NULL, 64, 0, &z, 1, &nr), -EINVAL);
	ck_assert_int_eq(zns_parse_report(report, 64, 0, &z, 1, NULL), -EINVAL);
	ck_assert_int_eq(zns_parse_report(report, 64, 0, NULL, 1, &nr), -EINVAL);
	/* nothing above took a context */
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	teardown_mode();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("contract");
	TCase *t = tcase_create("contract");
	SRunner *sr;
	int failed, n = (int)(sizeof(mode_flags) / sizeof(mode_flags[0]));

	/* each test runs once per mode: _i 0 io_uring, 1 sync, 2 null */
	tcase_add_loop_test(t, test_cb_reaps, 0, n);
	tcase_add_loop_test(t, test_cb_waits_new, 0, n);
	tcase_add_loop_test(t, test_cb_waits_earlier, 0, n);
	tcase_add_loop_test(t, test_cb_refills, 0, n);
	tcase_add_loop_test(t, test_cb_exit_refused, 0, n);
	tcase_add_loop_test(t, test_other_thread, 0, n);
	tcase_add_loop_test(t, test_handed_to_thread, 0, n);
	tcase_add_loop_test(t, test_null_handles, 0, n);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
