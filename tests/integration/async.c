// SPDX-License-Identifier: MIT
/*
 * Integration case "async": queues in every mode and option against the
 * device: appends at depth, fixed buffers and files, IOPOLL, SQPOLL, the
 * fallback, many zones, mixed commands, a full queue, exit with commands in
 * flight, eventfd, threads, two devices, no allocation per command.
 */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include "alloc-count.h"
#include "itest.h"

struct acb {
	int status;
	uint64_t result;
	unsigned int calls;
};

static void acb_fn(void *user, int status, uint64_t result)
{
	struct acb *a = user;

	a->status = status;
	a->result = result;
	a->calls++;
}

static struct zns_queue *mkq(unsigned int depth, unsigned int flags)
{
	struct zns_queue_opts o = { .size = sizeof(o), .depth = depth,
				    .flags = flags, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	int rc = zns_queue_init(&q, &o);

	ck_assert_msg(rc == 0, "queue init flags %#x: %s", flags, zns_status_str(rc));
	if (fallback_expected)
		ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_SYNC);
	else if (!(flags & ZNS_QUEUE_SYNC))
		ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_URING);
	return q;
}

static void reap_all(struct zns_queue *q)
{
	while (zns_queue_inflight(q))
		ck_assert_int_ge(zns_reap(q, 1, -1), 0);
}

/* QD appends spread over zones: unique LBAs inside their zone, data back.
 * @fixed: 1, buffers the caller registers; 2, the queue's own
 * (zns_queue_alloc_buffer(), which zns_queue_exit() frees). */
static void append_qd(unsigned int flags, unsigned int qd, unsigned int zones,
		      int fixed)
{
	unsigned int per = qd / zones, n = per * zones, i, j;
	uint32_t bs = info->lba_size;
	struct acb *cb = calloc(n, sizeof(*cb));
	struct zns_queue *q = mkq(qd, flags);
	uint8_t *arena = fixed == 2 ? zns_queue_alloc_buffer(q, (size_t)n * bs) :
			 xalloc((size_t)n * bs), *r = xalloc(bs);

	ck_assert_msg(arena != NULL, "buffers: %s", zns_last_error());
	if (fixed == 1) {
		struct iovec iov = { arena, (size_t)n * bs };

		ck_assert_int_eq(zns_queue_register_buffers(q, &iov, 1), 0);
	}
	for (i = 0; i < n; i++) {
		fill(arena + (size_t)i * bs, bs, 1000 + i);
		ck_assert_int_eq(zns_prep_append(q, dev, arena + (size_t)i * bs,
				 zslba(i % zones), 1, acb_fn, &cb[i]), 0);
	}
	ck_assert_int_ge(zns_submit(q), 0);
	reap_all(q);
	for (i = 0; i < n; i++) {
		uint64_t z = zslba(i % zones);

		ck_assert_uint_eq(cb[i].calls, 1);
		ck_assert_msg(cb[i].status == 0, "append %u: %s", i, zns_status_str(cb[i].status));
		ck_assert_uint_ge(cb[i].result, z);
		ck_assert_uint_lt(cb[i].result, z + per);
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(cb[i].result, cb[j].result);
		ck_assert_int_eq(zns_read(dev, r, cb[i].result, 1), 0);
		ck_assert_mem_eq(r, arena + (size_t)i * bs, bs);
	}
	for (i = 0; i < zones; i++)
		ck_assert_uint_eq(get_zone(i).wp, zslba(i) + per);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	free(cb);
	if (fixed != 2)
		free(arena);
	free(r);
}

START_TEST(test_async_append_qd64)
{
	append_qd(0, 64, 4, 0);
}
END_TEST

START_TEST(test_async_append_fixed_buffers)
{
	append_qd(0, 32, 2, 1);
}
END_TEST

/* Buffers the queue allocates and registers itself, on a real device: the
 * appends' data comes back. */
START_TEST(test_async_append_own_buffers)
{
	append_qd(0, 32, 2, 2);
}
END_TEST

START_TEST(test_async_append_forced_fallback)
{
	struct zns_queue *q = mkq(4, ZNS_QUEUE_SYNC);

	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_SYNC);
	zns_queue_exit(q);
	append_qd(ZNS_QUEUE_SYNC, 16, 2, 0);
}
END_TEST

START_TEST(test_async_append_iopoll)
{
	append_qd(ZNS_QUEUE_IOPOLL, 32, 2, 0);
}
END_TEST

START_TEST(test_async_append_sqpoll)
{
	append_qd(ZNS_QUEUE_SQPOLL, 32, 2, 0);
}
END_TEST

START_TEST(test_async_append_fixed_files)
{
	struct zns_queue *q = mkq(8, ZNS_QUEUE_FIXED_FILES);
	struct acb cb[8] = { { 0 } };
	uint8_t *buf = xalloc(info->lba_size);
	struct nvme_zns_id_ctrl *id = xalloc(4096);
	unsigned int i;

	ck_assert_int_eq(zns_queue_add_dev(q, dev), 0);
	for (i = 0; i < 6; i++)
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(0), 1, acb_fn, &cb[i]), 0);
	ck_assert_int_eq(zns_prep_identify_ctrl(q, dev, id, acb_fn, &cb[6]), 0);
	reap_all(q);
	for (i = 0; i < 7; i++)
		ck_assert_msg(cb[i].calls == 1 && cb[i].status == 0, "cmd %u: %d", i, cb[i].status);
	ck_assert_uint_eq(get_zone(0).wp, zslba(0) + 6);
	zns_queue_exit(q);
	free(buf);
	free(id);
}
END_TEST

/* Sequential writes, QD1 per zone, on many zones at once. */
struct seqw {
	struct zns_queue *q;
	uint64_t next, end;
	uint8_t *buf;
	int status;
	unsigned int done;
};

static void seqw_cb(void *user, int status, uint64_t result)
{
	struct seqw *s = user;

	(void)result;
	if (status) {
		s->status = status;
		return;
	}
	s->done++;
	if (++s->next < s->end)
		ck_assert_int_eq(zns_prep_write(s->q, dev, s->buf, s->next, 1, seqw_cb, s), 0);
}

START_TEST(test_async_seq_write_many_zones)
{
	unsigned int zones = 8, per = 16, i;
	struct zns_queue *q = mkq(zones, 0);
	struct seqw s[8];
	uint8_t *r = xalloc(info->lba_size);

	if (info->max_open != ZNS_NO_LIMIT && info->max_open < zones)
		zones = info->max_open;
	for (i = 0; i < zones; i++) {
		s[i] = (struct seqw){ q, zslba(i), zslba(i) + per,
				      xalloc(info->lba_size), 0, 0 };
		fill(s[i].buf, info->lba_size, i);
		ck_assert_int_eq(zns_prep_write(q, dev, s[i].buf, s[i].next, 1, seqw_cb, &s[i]), 0);
	}
	reap_all(q);
	for (i = 0; i < zones; i++) {
		ck_assert_msg(s[i].status == 0, "zone %u: %s", i, zns_status_str(s[i].status));
		ck_assert_uint_eq(s[i].done, per);
		ck_assert_uint_eq(get_zone(i).wp, zslba(i) + per);
		ck_assert_int_eq(zns_read(dev, r, zslba(i) + per - 1, 1), 0);
		ck_assert_mem_eq(r, s[i].buf, info->lba_size);
		free(s[i].buf);
	}
	zns_queue_exit(q);
	free(r);
}
END_TEST

START_TEST(test_async_mixed_read_mgmt_admin)
{
	struct zns_queue *q = mkq(16, 0);
	uint8_t *w = xalloc(info->lba_size * 4), *r = xalloc(info->lba_size * 4);
	uint8_t *rep = xalloc(4096);
	struct nvme_zns_id_ns *id = xalloc(4096), *id2 = xalloc(4096);
	struct nvme_zns_id_ctrl *ic = xalloc(4096);
	struct nvme_zns_changed_zone_log *log = xalloc(4096);
	struct acb cb[8] = { { 0 } };
	struct zns_zone z[8];
	unsigned int nr;

	fill(w, info->lba_size * 4, 77);
	ck_assert_int_eq(zns_write(dev, w, zslba(0), 4), 0);
	ck_assert_int_eq(zns_prep_read(q, dev, r, zslba(0), 4, acb_fn, &cb[0]), 0);
	ck_assert_int_eq(zns_prep_open_zone(q, dev, zslba(1), acb_fn, &cb[1]), 0);
	ck_assert_int_eq(zns_prep_identify_ns(q, dev, id, acb_fn, &cb[2]), 0);
	ck_assert_int_eq(zns_prep_identify_ctrl(q, dev, ic, acb_fn, &cb[3]), 0);
	ck_assert_int_eq(zns_prep_changed_zones(q, dev, 1, log, acb_fn, &cb[4]), 0);
	ck_assert_int_eq(zns_prep_flush(q, dev, acb_fn, &cb[5]), 0);
	ck_assert_int_eq(zns_prep_write_zeroes(q, dev, zslba(0) + 4, 4, acb_fn, &cb[6]), 0);
	reap_all(q);
	ck_assert_int_eq(cb[0].status, 0);
	ck_assert_mem_eq(r, w, info->lba_size * 4);
	ck_assert_int_eq(cb[1].status, 0);
	ck_assert_int_eq(cb[2].status, 0);
	ck_assert_int_eq(zns_identify_ns(dev, id2), 0);
	ck_assert_mem_eq(id, id2, 4096);
	ck_assert_int_eq(cb[3].status, 0);
	if (ex)
		ck_assert_int_eq(cb[4].status, ex->log_status);
	ck_assert_int_eq(cb[5].status, 0);
	ck_assert_int_eq(cb[6].status, 0);
	/* the report sees all of it */
	ck_assert_int_eq(zns_prep_mgmt_recv(q, dev, 0, 0, 0, 1, rep, 4096, acb_fn, &cb[7]), 0);
	ck_assert_int_eq(zns_queue_wait(q, &cb[7].status) , 0);
	cb[7].status = ZNS_PENDING;
	reap_all(q);
	ck_assert_int_eq(zns_parse_report(rep, 4096, 0, z, 8, &nr), 0);
	ck_assert_uint_eq(z[0].wp, zslba(0) + 8);
	ck_assert_uint_eq(z[1].state, NVME_ZNS_ZS_EXPL_OPEN);
	zns_queue_exit(q);
	free(w); free(r); free(rep); free(id); free(id2); free(ic); free(log);
}
END_TEST

START_TEST(test_async_queue_full_and_errors)
{
	struct zns_queue *q = mkq(4, 0);
	uint8_t *buf = xalloc(info->lba_size);
	struct acb cb[5] = { { 0 } };
	unsigned int i;
	int st = ZNS_PENDING;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(0), 1, acb_fn, &cb[i]), 0);
	ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(0), 1, acb_fn, &cb[4]), -EBUSY);
	ck_assert_int_eq(zns_prep_flush(q, dev, acb_fn, &cb[4]), -EBUSY);
	ck_assert_uint_eq(zns_queue_inflight(q), 4);
	reap_all(q);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(cb[i].calls, 1);
	ck_assert_uint_eq(cb[4].calls, 0);
	ck_assert_uint_eq(get_zone(0).wp, zslba(0) + 4);
	/* bad arguments take no slot */
	ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(0) + 1, 1, acb_fn, &cb[4]), -EINVAL);
	ck_assert_int_eq(zns_prep_read(q, dev, buf, info->nr_lbas, 1, acb_fn, &cb[4]), -ERANGE);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	/* an NVMe error arrives as the status, with DNR */
	ck_assert_int_eq(zns_prep_write(q, dev, buf, zslba(0) + 9, 1, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), ex ? ex->write_off_wp : 0x41bc);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	free(buf);
}
END_TEST

START_TEST(test_async_exit_with_inflight)
{
	struct zns_queue *q = mkq(32, 0);
	uint8_t *buf = xalloc(info->lba_size);
	struct acb cb[32] = { { 0 } };
	unsigned int i;

	for (i = 0; i < 32; i++)
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(i % 2), 1, acb_fn, &cb[i]), 0);
	ck_assert_int_ge(zns_submit(q), 1);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	for (i = 0; i < 32; i++) {
		ck_assert_uint_eq(cb[i].calls, 1);
		ck_assert_int_eq(cb[i].status, 0);
	}
	ck_assert_uint_eq(get_zone(0).wp + get_zone(1).wp, zslba(0) + zslba(1) + 32);
	free(buf);
}
END_TEST

struct handoff {
	struct zns_queue *q;
	uint8_t *buf;
	struct acb cb[4];
	int rc;
};

static void *run_on_thread(void *arg)
{
	struct handoff *h = arg;
	unsigned int i;

	for (i = 0; i < 4; i++)
		h->rc |= zns_prep_append(h->q, dev, h->buf, zslba(0), 1, acb_fn, &h->cb[i]);
	while (zns_queue_inflight(h->q))
		if (zns_reap(h->q, 1, -1) < 0)
			h->rc = -1;
	return NULL;
}

/* A queue made on one thread runs on another (SINGLE_ISSUER binds it to the
 * first thread that submits). */
START_TEST(test_async_queue_other_thread)
{
	struct handoff h;
	pthread_t t;
	unsigned int i;

	memset(&h, 0, sizeof(h));
	h.q = mkq(8, 0);
	h.buf = xalloc(info->lba_size);
	ck_assert_int_eq(pthread_create(&t, NULL, run_on_thread, &h), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(h.rc, 0);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(h.cb[i].calls, 1);
		ck_assert_int_eq(h.cb[i].status, 0);
	}
	ck_assert_uint_eq(get_zone(0).wp, zslba(0) + 4);
	/* Bound to that thread, in every mode and on every kernel: this
	 * one is refused before anything is queued. */
	ck_assert_int_eq(zns_reap(h.q, 0, 0), -EEXIST);
	ck_assert_int_eq(zns_prep_read(h.q, dev, h.buf, zslba(0), 1, acb_fn, &h.cb[0]), -EEXIST);
	ck_assert_uint_eq(zns_queue_inflight(h.q), 0);
	ck_assert_int_eq(zns_queue_exit(h.q), 0);
	free(h.buf);
}
END_TEST

/* One queue, two namespaces (ZNS_TEST_DEV2): IO to both, admin to both
 * controllers, every completion back to the right caller. */
START_TEST(test_async_two_devices)
{
	const char *path2 = getenv("ZNS_TEST_DEV2");
	struct zns_dev *d2;
	struct zns_queue *q;
	struct acb cb[10];
	uint8_t *buf;
	struct nvme_zns_id_ctrl *ic;
	unsigned int i;

	ck_assert_ptr_nonnull(path2);
	ck_assert_int_eq(zns_dev_open(path2, &d2), 0);
	ck_assert_int_eq(zns_mgmt_send(d2, 0, NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL,
			 NULL, 0, NULL), 0);
	memset(cb, 0, sizeof(cb));
	q = mkq(16, 0);
	buf = xalloc(4096);
	ic = xalloc(4096);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(1), 4096 / info->lba_size,
				 acb_fn, &cb[i]), 0);
		ck_assert_int_eq(zns_prep_append(q, d2, buf, zns_dev_get_info(d2)->zone_size,
				 4096 / zns_dev_get_info(d2)->lba_size, acb_fn, &cb[4 + i]), 0);
	}
	ck_assert_int_eq(zns_prep_identify_ctrl(q, d2, ic, acb_fn, &cb[8]), 0);
	ck_assert_int_eq(zns_prep_identify_ctrl(q, dev, ic, acb_fn, &cb[9]), 0);
	reap_all(q);
	for (i = 0; i < 10; i++)
		ck_assert_msg(cb[i].calls == 1 && cb[i].status == 0, "cmd %u: %d", i, cb[i].status);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_lt(cb[i].result - zslba(1), 4 * 4096 / info->lba_size);
		ck_assert_uint_ge(cb[4 + i].result, zns_dev_get_info(d2)->zone_size);
		ck_assert_uint_lt(cb[4 + i].result, zns_dev_get_info(d2)->zone_size * 2);
	}
	ck_assert_uint_eq(get_zone(1).wp, zslba(1) + 4 * 4096 / info->lba_size);
	zns_queue_exit(q);
	zns_reset_all_zones(d2);
	zns_dev_close(d2);
	free(buf);
	free(ic);
}
END_TEST

START_TEST(test_async_eventfd)
{
	struct zns_queue *q = mkq(8, ZNS_QUEUE_EVENTFD);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	uint8_t *buf = xalloc(info->lba_size);
	struct acb cb = { 0 };
	int ep = epoll_create1(0), fd = zns_queue_fd(q), rc;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);
	ck_assert_int_eq(zns_prep_append(q, dev, buf, zslba(0), 1, acb_fn, &cb), 0);
	ck_assert_int_eq(zns_submit(q), 1);
	/* task work may interrupt the wait (EINTR): wait again */
	do
		rc = epoll_wait(ep, &out, 1, 10000);
	while (rc < 0 && errno == EINTR);
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(zns_reap(q, 0, 0), 1);
	ck_assert_uint_eq(cb.calls, 1);
	ck_assert_int_eq(cb.status, 0);
	ck_assert_uint_eq(cb.result, zslba(0));
	/* drained: not readable any more */
	ck_assert_int_eq(epoll_wait(ep, &out, 1, 0), 0);
	close(ep);
	zns_queue_exit(q);
	free(buf);
}
END_TEST

/* Allocation counting: libzns is linked statically, its calls are wrapped. */

static void count_allocs(unsigned int flags)
{
	struct zns_queue *q = mkq(16, flags);
	uint8_t *buf = xalloc(info->lba_size * 16);
	struct acb cb[16];
	unsigned long before = 0, after;
	unsigned int round, i;
	int bad = 0;

	/* No Check assertion inside the measured loop: Check allocates. */
	memset(cb, 0, sizeof(cb));
	for (round = 0; round < 40; round++) {
		if (round == 8)
			before = zns_test_allocs;	/* warmed up */
		for (i = 0; i < 16; i++) {
			if (i % 2)
				bad |= zns_prep_read(q, dev, buf + i * info->lba_size,
						     zslba(0), 1, acb_fn, &cb[i]);
			else
				bad |= zns_prep_append(q, dev, buf + i * info->lba_size,
						       zslba(1 + round % 2), 1, acb_fn, &cb[i]);
		}
		while (zns_queue_inflight(q))
			if (zns_reap(q, 1, -1) < 0)
				bad = 1;
	}
	after = zns_test_allocs;
	ck_assert_int_eq(bad, 0);
	ck_assert_msg(after == before, "%lu allocations in 512 commands", after - before);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(cb[i].status, 0);
	zns_queue_exit(q);
	free(buf);
}

START_TEST(test_async_no_alloc_per_command)
{
	count_allocs(0);
	count_allocs(ZNS_QUEUE_SYNC);
}
END_TEST

START_TEST(test_fallback_when_io_uring_disabled)
{
	struct zns_queue *q;
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 8,
				    .flags = ZNS_QUEUE_IOPOLL, .sq_thread_cpu = -1 };

	/* an explicit io_uring feature is refused cleanly */
	ck_assert_int_eq(zns_queue_init(&q, &o), -EOPNOTSUPP);
	append_qd(0, 16, 2, 0);
}
END_TEST

void add_async(Suite *s)
{
	TCase *t = tcase_create("async");

	tcase_add_checked_fixture(t, setup, teardown);
	if (fallback_expected) {
		tcase_add_test(t, test_fallback_when_io_uring_disabled);
	} else {
		tcase_add_test(t, test_async_append_qd64);
		tcase_add_test(t, test_async_append_fixed_buffers);
		tcase_add_test(t, test_async_append_own_buffers);
		tcase_add_test(t, test_async_append_forced_fallback);
		tcase_add_test(t, test_async_append_iopoll);
		tcase_add_test(t, test_async_append_sqpoll);
		tcase_add_test(t, test_async_append_fixed_files);
		tcase_add_test(t, test_async_seq_write_many_zones);
		tcase_add_test(t, test_async_mixed_read_mgmt_admin);
		tcase_add_test(t, test_async_queue_full_and_errors);
		tcase_add_test(t, test_async_exit_with_inflight);
		tcase_add_test(t, test_async_eventfd);
		tcase_add_test(t, test_async_queue_other_thread);
		if (getenv("ZNS_TEST_DEV2"))
			tcase_add_test(t, test_async_two_devices);
		tcase_add_test(t, test_async_no_alloc_per_command);
	}
	tcase_set_timeout(t, 300);
	suite_add_tcase(s, t);
}
