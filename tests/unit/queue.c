// SPDX-License-Identifier: MIT
/*
 * Unit suite "queue": the queue's bookkeeping through its user-space
 * (null) backend, and its options.
 */
#include "unit.h"
#include "queue-internal.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

/* A queue with @o whose device @d is /dev/null (commands are sent, only
 * their encoding matters). Returns the file, or -1 when the kernel has no
 * io_uring passthrough: nothing is left open and @what is said not checked
 * (the fallback has its own test, mock). */
static int uring_on_null(struct zns_dev *d, struct zns_queue **q,
			 const struct zns_queue_opts *o, const char *what)
{
	int fd = open("/dev/null", O_RDWR);

	ck_assert_int_ge(fd, 0);
	d->fd = d->ctrl_fd = fd;
	ck_assert_int_eq(zns_queue_init(q, o), 0);
	if (zns_queue_mode(*q) == ZNS_MODE_URING)
		return fd;
	printf("queue: no io_uring passthrough on this kernel; %s not checked\n", what);
	zns_queue_exit(*q);
	close(fd);
	return -1;
}

/* Under io_uring each context has its own SQE, named by the SQ array at
 * the ring position it is submitted from (zns_sqe_take()): the kernel may
 * read a command's SQE after the submit returned, so it is never written
 * while the command is in flight. A read, write or append writes only the
 * fields that change into an SQE that the last such command left ("plain
 * slots" in queue.c). Reads and zone management commands take turns, one
 * to three in flight at a time, so every context and every ring position
 * is used, in changing pairings; each SQE must hold, all 128 bytes of it,
 * what a freshly zeroed SQE would, and must not change while later ones
 * are prepared. The commands go to /dev/null: only their encoding is
 * looked at, not what comes back. */
START_TEST(test_queue_sqe_reuse)
{
	struct zns_dev d = fake_dev(12, 16384, 1ull << 30);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	unsigned int n, round, entries, k, i, used = 0;
	struct tally t[3];
	struct io_uring_sqe want[3][2], *sqe[3];
	int fd = uring_on_null(&d, &q, &o, "SQE reuse");

	if (fd < 0)
		return;
	entries = *q->ring.sq.kring_entries;
	ck_assert_uint_ge(entries, 4);
	for (round = 0, n = 0; round < 6 * entries; round++) {
		k = 1 + round % 3;
		for (i = 0; i < k; i++) {
			struct nvme_uring_cmd *c = (struct nvme_uring_cmd *)want[i][0].cmd;
			unsigned int pos = q->ring.sq.sqe_tail & (entries - 1), ctx, j;
			int kind = (round + i) % 3;
			uint64_t lba = 0x1000 + round * 4 + i;

			memset(&t[i], 0, sizeof(t[i]));
			memset(want[i], 0, sizeof(want[i]));
			if (kind == 1)
				ck_assert_int_eq(zns_prep_mgmt_send(q, &d, 0x4000, NVME_ZNS_ZSA_FINISH,
								    ZNS_SEND_SELECT_ALL, NULL, 0,
								    tally_cb, &t[i]), 0);
			else
				ck_assert_int_eq(zns_prep_read(q, &d, buf, lba, 2, tally_cb, &t[i]), 0);
			/* the SQ array names the context's own SQE */
			ctx = q->ring.sq.array[pos];
			ck_assert_uint_lt(ctx, 4);
			sqe[i] = &q->ring.sq.sqes[2 * ctx];
			ck_assert_uint_eq(sqe[i]->user_data, ctx);
			used |= 1u << ctx;
			want[i][0].opcode = IORING_OP_URING_CMD;
			want[i][0].fd = fd;
			want[i][0].cmd_op = NVME_URING_CMD_IO;
			want[i][0].user_data = ctx;
			c->nsid = 7;
			if (kind == 1) {
				c->opcode = 0x79;
				c->cdw10 = 0x4000;
				c->cdw13 = 0x02 | 1u << 8;
			} else {
				c->opcode = 0x02;
				c->addr = (uintptr_t)buf;
				c->data_len = 8192;
				c->cdw10 = (uint32_t)lba;
				c->cdw12 = 1;
			}
			/* this one as fresh, and the ones before it untouched */
			for (j = 0; j <= i; j++)
				ck_assert_msg(memcmp(sqe[j], want[j], sizeof(want[j])) == 0,
					      "round %u, command %u of %u: the SQE of context %u is not what a fresh one would hold",
					      round, j, i + 1, (unsigned int)((sqe[j] - q->ring.sq.sqes) / 2));
			n++;
		}
		ck_assert_int_eq(zns_submit(q), (int)k);
		for (i = 0; i < k; i++)
			ck_assert_int_eq(memcmp(sqe[i], want[i], sizeof(want[i])), 0);
		ck_assert_int_eq(zns_reap(q, k, -1), (int)k);
		for (i = 0; i < k; i++)
			ck_assert_uint_eq(t[i].calls, 1);
	}
	ck_assert_uint_eq(used, 0x7);	/* three contexts were in flight at once */
	ck_assert_uint_eq(n, 12 * entries);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	close(fd);
}
END_TEST

/* Wait in the kernel for the next CQE of @q's ring and make it say
 * -EFAULT, as the kernel does for a command whose data it could not map
 * (the CQ ring is the process's memory); the queue has not seen it yet. */
static void next_cqe_efault(struct zns_queue *q)
{
	struct io_uring_cqe *cqe = NULL;
	unsigned int spins = 0;

	while (io_uring_peek_cqe(&q->ring, &cqe) != 0 && spins++ < 1000)
		syscall(__NR_io_uring_enter, q->ring.ring_fd, 0, 1,
			IORING_ENTER_GETEVENTS, NULL, 0);
	ck_assert_ptr_nonnull(cqe);
	cqe->res = -EFAULT;
}

/* A command that comes back with -EFAULT was not sent (the kernel could
 * not map its data): the queue sends it again, unchanged, up to
 * ZNS_EFAULT_TRIES times, and runs its callback once, when it completes
 * otherwise or after the last try. The commands go to /dev/null, which
 * answers at once; each answer is made -EFAULT before the queue sees it.
 * The SQ ring's head counts what the kernel took: the first send and
 * every try. */
START_TEST(test_queue_efault_again)
{
	struct zns_dev d = fake_dev(12, 16384, 1ull << 30);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	struct tally t;
	unsigned int head, i;
	int fd = uring_on_null(&d, &q, &o, "-EFAULT sent again"), ok;

	if (fd < 0)
		return;
	/* -EFAULT once: sent again, and the second answer is the callback's */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 1, tally_cb, &t), 0);
	ck_assert_int_eq(zns_submit(q), 1);
	head = *q->ring.sq.khead - 1;
	next_cqe_efault(q);
	ck_assert_int_eq(zns_reap(q, 0, 0), 0);
	ck_assert_uint_eq(t.calls, 0);
	ck_assert_uint_eq(zns_queue_inflight(q), 1);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	ck_assert_uint_eq(t.calls, 1);
	ok = t.status;
	ck_assert_int_ne(ok, -EFAULT);
	ck_assert_uint_eq(*q->ring.sq.khead - head, 2);
	/* -EFAULT every time: the last try's -EFAULT is the callback's */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 1, tally_cb, &t), 0);
	ck_assert_int_eq(zns_submit(q), 1);
	head = *q->ring.sq.khead - 1;
	for (i = 0; i <= ZNS_EFAULT_TRIES && t.calls == 0; i++) {
		next_cqe_efault(q);
		ck_assert_int_ge(zns_reap(q, 0, 0), 0);
	}
	ck_assert_uint_eq(i, ZNS_EFAULT_TRIES + 1);
	ck_assert_uint_eq(t.calls, 1);
	ck_assert_int_eq(t.status, -EFAULT);
	ck_assert_uint_eq(*q->ring.sq.khead - head, 1 + ZNS_EFAULT_TRIES);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	ck_assert_uint_eq(q->nr_refault, 0);
	/* the context's next command starts with no tries counted */
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 1, tally_cb, &t), 0);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	ck_assert_int_eq(t.status, ok);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	close(fd);
}
END_TEST

/* ZNS_QUEUE_NO_DEFER: a ring without deferred or cooperative task work
 * (the default has them where the kernel does); a command still
 * completes, found by a reap that polls and by one that waits. */
START_TEST(test_queue_no_defer)
{
	const unsigned int lazy = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN |
				  IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_TASKRUN_FLAG;
	struct zns_dev d = fake_dev(12, 16384, 1ull << 30);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	struct tally t;
	int fd = uring_on_null(&d, &q, &o, "NO_DEFER"), wait;

	if (fd < 0)
		return;
	ck_assert_uint_ne(q->setup_flags & lazy, 0);	/* the default */
	ck_assert_int_eq(zns_queue_exit(q), 0);
	o.flags = ZNS_QUEUE_NO_DEFER;
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_URING);
	ck_assert_uint_eq(q->setup_flags & lazy, 0);
	for (wait = 0; wait < 2; wait++) {
		unsigned int spins = 0;

		memset(&t, 0, sizeof(t));
		ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 1, tally_cb, &t), 0);
		if (wait)
			ck_assert_int_eq(zns_reap(q, 1, -1), 1);
		else
			while (zns_queue_inflight(q) && spins++ < 1000000)
				ck_assert_int_ge(zns_reap(q, 0, 0), 0);
		ck_assert_uint_eq(t.calls, 1);
	}
	ck_assert_int_eq(zns_queue_exit(q), 0);
	close(fd);
}
END_TEST

/* The SQE of the command prepared last. */
static struct io_uring_sqe *last_sqe(struct zns_queue *q)
{
	unsigned int pos = (q->ring.sq.sqe_tail - 1) & q->ring.sq.ring_mask;

	return &q->ring.sq.sqes[2 * q->ring.sq.array[pos]];
}

/* Prepare a read of 2 blocks (8 KiB) into @p on @q; the buffer index its SQE names
 * (-1: a plain buffer). */
static int read_index(struct zns_queue *q, struct zns_dev *d, void *p,
		      struct tally *t)
{
	struct io_uring_sqe *sqe;

	ck_assert_int_eq(zns_prep_read(q, d, p, 0, 2, tally_cb, t), 0);
	sqe = last_sqe(q);
	if (!(sqe->uring_cmd_flags & IORING_URING_CMD_FIXED))
		return -1;
	return sqe->buf_index;
}

/* zns_queue_alloc_buffer(): page-aligned zeroed memory, registered in the
 * queue's own slots after the caller's buffers, also while commands are in
 * flight; a command whose data lies inside it names its slot, one that runs
 * past its end does not; freed, it is not named again; 64 at most; a large
 * one in pieces. The commands go to /dev/null: only their encoding is
 * looked at. */
START_TEST(test_queue_own_buffers)
{
	struct zns_dev d = fake_dev(12, 16384, 1ull << 30);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4, .sq_thread_cpu = -1 };
	struct iovec iov = { buf, sizeof(buf) };
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), i;
	uint8_t *a, *b, *big, *own[ZNS_BUF_OWN];
	struct iovec two[2], *many;
	struct zns_queue *q;
	struct tally t[4];
	int fd = uring_on_null(&d, &q, &o, "the queue's own buffers");

	if (fd < 0)
		return;
	if (!q->cmd_fixed) {
		printf("queue: this kernel's passthrough takes no registered buffers; own buffers not checked\n");
		zns_queue_exit(q);
		close(fd);
		return;
	}
	errno = 0;
	ck_assert_ptr_null(zns_queue_alloc_buffer(q, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(zns_queue_alloc_buffer(q, (1ull << 30) + 1));
	ck_assert_int_eq(errno, EINVAL);
	a = zns_queue_alloc_buffer(q, 2 * pg + 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq((uintptr_t)a % pg, 0);
	for (i = 0; i < 3 * pg; i++)
		ck_assert_uint_eq(a[i], 0);
	memset(a, 0xa5, 3 * pg);
	ck_assert_int_eq(read_index(q, &d, a + pg, &t[0]), 0);
	/* 8 KiB from 1 KiB before its end: not inside it */
	ck_assert_int_eq(read_index(q, &d, a + 3 * pg - 1024, &t[1]), -1);
	ck_assert_int_eq(read_index(q, &d, buf, &t[2]), -1);
	ck_assert_int_eq(zns_submit(q), 3);
	/* while those are in flight: the next slot */
	b = zns_queue_alloc_buffer(q, 2 * pg);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(read_index(q, &d, b, &t[3]), 1);
	ck_assert_int_eq(zns_reap(q, 4, -1), 4);
	/* the caller's buffers come first, the queue's own after them */
	ck_assert_int_eq(zns_queue_register_buffers(q, &iov, 1), 0);
	ck_assert_int_eq(read_index(q, &d, buf, &t[0]), 0);
	ck_assert_int_eq(read_index(q, &d, a, &t[1]), 1);
	ck_assert_int_eq(read_index(q, &d, b, &t[2]), 2);
	ck_assert_int_eq(zns_reap(q, 3, -1), 3);
	/* freed: not named again; a second free, or a pointer of another
	 * kind, is refused */
	ck_assert_int_eq(zns_queue_free_buffer(q, a), 0);
	ck_assert_int_eq(zns_queue_free_buffer(q, a), -EINVAL);
	ck_assert_int_eq(zns_queue_free_buffer(q, buf), -EINVAL);
	ck_assert_int_eq(zns_queue_free_buffer(q, NULL), 0);
	ck_assert_int_eq(read_index(q, &d, a, &t[0]), -1);
	ck_assert_int_eq(read_index(q, &d, b, &t[1]), 2);
	ck_assert_int_eq(zns_reap(q, 2, -1), 2);
	/* 64 at once: b and 63 more */
	for (i = 0; i < ZNS_BUF_OWN - 1; i++)
		ck_assert_ptr_nonnull(own[i] = zns_queue_alloc_buffer(q, 2 * pg));
	errno = 0;
	ck_assert_ptr_null(zns_queue_alloc_buffer(q, pg));
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(read_index(q, &d, own[ZNS_BUF_OWN - 2], &t[0]), ZNS_BUF_OWN);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	ck_assert_int_eq(zns_queue_free_buffer(q, own[0]), 0);
	ck_assert_ptr_nonnull(own[0] = zns_queue_alloc_buffer(q, pg));
	ck_assert_int_eq(zns_queue_exit(q), 0);	/* frees the 64 */
	/* a large one is registered in pieces of 256 KiB, in consecutive
	 * slots: a command inside one piece names it, one across two is
	 * sent plain (Linux 6.1 fails a command with more pages after its
	 * start in its registered buffer than the device has segments) */
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	a = zns_queue_alloc_buffer(q, 1 << 20);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(read_index(q, &d, a, &t[0]), 0);
	ck_assert_int_eq(read_index(q, &d, a + (256 << 10) + pg, &t[1]), 1);
	ck_assert_int_eq(read_index(q, &d, a + (1 << 20) - 8192, &t[2]), 3);
	ck_assert_int_eq(read_index(q, &d, a + (512 << 10) - pg, &t[3]), -1);
	ck_assert_int_eq(zns_reap(q, 4, -1), 4);
	b = zns_queue_alloc_buffer(q, 2 * pg);
	ck_assert_int_eq(read_index(q, &d, b, &t[0]), 4);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	/* the caller's buffers in pieces of 256 KiB too: 1 MiB + 8 KiB in
	 * five, then 8 KiB in one; the queue's own move up after them */
	big = mmap(NULL, (1 << 20) + 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(big, MAP_FAILED);
	two[0].iov_base = big;
	two[0].iov_len = (1 << 20) + 8192;
	two[1] = iov;
	ck_assert_int_eq(zns_queue_register_buffers(q, two, 2), 0);
	ck_assert_int_eq(read_index(q, &d, big, &t[0]), 0);
	ck_assert_int_eq(read_index(q, &d, big + (256 << 10) + pg, &t[1]), 1);
	ck_assert_int_eq(read_index(q, &d, big + (1 << 20), &t[2]), 4);
	ck_assert_int_eq(read_index(q, &d, big + (512 << 10) - pg, &t[3]), -1);
	ck_assert_int_eq(zns_reap(q, 4, -1), 4);
	ck_assert_int_eq(read_index(q, &d, buf, &t[0]), 5);
	ck_assert_int_eq(read_index(q, &d, a + (1 << 20) - 8192, &t[1]), 9);
	ck_assert_int_eq(read_index(q, &d, b, &t[2]), 10);
	ck_assert_int_eq(zns_reap(q, 3, -1), 3);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	munmap(big, (1 << 20) + 8192);
	close(fd);
	/* without io_uring: the memory, nothing registered */
	o.flags = ZNS_QUEUE_NULL;
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	a = zns_queue_alloc_buffer(q, pg);
	ck_assert_ptr_nonnull(a);
	a[pg - 1] = 1;
	ck_assert_uint_eq(q->nr_bufs, 0);
	ck_assert_int_eq(zns_queue_free_buffer(q, a), 0);
	/* too many pieces of 256 KiB for the table's 12288 entries: larger
	 * ones (12288 buffers of 512 KiB, named only, in 512 KiB each) */
	many = calloc(12288, sizeof(*many));
	ck_assert_ptr_nonnull(many);
	for (i = 0; i < 12288; i++) {
		many[i].iov_base = buf;
		many[i].iov_len = 512 << 10;
	}
	ck_assert_int_eq(zns_queue_register_buffers(q, many, 3), 0);
	ck_assert_uint_eq(q->buf_shift, 18);
	ck_assert_uint_eq(q->buf_ents, 6);
	ck_assert_int_eq(zns_queue_register_buffers(q, many, 12288), 0);
	ck_assert_uint_eq(q->buf_shift, 19);
	ck_assert_uint_eq(q->buf_ents, 12288);
	free(many);
	ck_assert_int_eq(zns_queue_exit(q), 0);
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
	/* spin_us, read only from callers that know the field */
	o.flags = ZNS_QUEUE_NULL;
	o.spin_us = 7;
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_uint_eq(q->spin_ns, 7000);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	o.size = offsetof(struct zns_queue_opts, spin_us);
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_uint_eq(q->spin_ns, 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST


int main(void)
{
	Suite *s = suite_create("queue");
	TCase *t = tcase_create("queue");

	tcase_add_test(t, test_queue_null);
	tcase_add_test(t, test_queue_opts);
	tcase_add_test(t, test_queue_sqe_reuse);
	tcase_add_test(t, test_queue_efault_again);
	tcase_add_test(t, test_queue_no_defer);
	tcase_add_test(t, test_queue_own_buffers);
	suite_add_tcase(s, t);
	return unit_run(s);
}
