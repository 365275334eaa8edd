// SPDX-License-Identifier: MIT
/*
 * Queue setup: creating a queue for one of its three backends (io_uring
 * passthrough, the synchronous ioctl fallback, the null backend),
 * registering buffers and files, binding it to its thread, freeing it.
 *
 * Layer: queues; see queue-internal.h. Nothing here runs per command.
 */
#include "queue-internal.h"

#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

ZNS_TLS char zns_thread_tag;

/* ------------------------------------------------------- the io_uring -- */

static void ring_params(struct io_uring_params *p, const struct zns_queue *q,
			const struct zns_queue_opts *o, unsigned int extra)
{
	memset(p, 0, sizeof(*p));
	p->flags = IORING_SETUP_SQE128 | IORING_SETUP_CQE32 |
		   IORING_SETUP_CQSIZE | extra;
	if (q->flags & ZNS_QUEUE_IOPOLL)
		p->flags |= IORING_SETUP_IOPOLL;
	/* A single-issuer ring belongs to the task that enables it: enable
	 * on first use, so a queue may be made on one thread and handed to
	 * the thread that runs it. */
	if (extra & IORING_SETUP_SINGLE_ISSUER)
		p->flags |= IORING_SETUP_R_DISABLED;
	p->cq_entries = q->depth * 2;
	if (q->flags & ZNS_QUEUE_SQPOLL) {
		p->flags |= IORING_SETUP_SQPOLL;
		p->sq_thread_idle = o->sq_thread_idle ? o->sq_thread_idle : 1000;
		if (o->sq_thread_cpu >= 0) {
			p->flags |= IORING_SETUP_SQ_AFF;
			p->sq_thread_cpu = (unsigned int)o->sq_thread_cpu;
		}
	}
}

/* Create the ring and map it, with the SQ array that liburing 2.10 and
 * later leave out by default (IORING_SETUP_NO_SQARRAY): through it each
 * context submits its own SQE (zns_sqe_take() in queue-internal.h), so the
 * SQE of a command stays untouched until the command completes. */
static int ring_create(struct zns_queue *q, struct io_uring_params *p)
{
	int fd = (int)syscall(__NR_io_uring_setup, q->depth, p);
	int rc;

	if (fd < 0)
		return -errno;
	rc = io_uring_queue_mmap(fd, p, &q->ring);
	if (rc) {
		close(fd);
		return rc;
	}
	/* liburing before 2.4 leaves the features to its own init: the
	 * timeout wait reads them */
	q->ring.features = p->features;
	return 0;
}

static int ring_setup(struct zns_queue *q, const struct zns_queue_opts *o)
{
	/* TASKRUN_FLAG: the kernel says in the SQ ring flags when entering
	 * it would complete something, so an idle zns_reap() stays in user
	 * space. Older kernels refuse the newer flags: fall back. */
	static const unsigned int tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		0,
	};
	unsigned int i;
	int rc = -EINVAL;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;

		/* An SQPOLL ring has no task to defer work to; an eventfd
		 * must be signalled while the owner sleeps in poll; NO_DEFER
		 * asks for a plain ring, whose completions the kernel posts
		 * when it interrupts the task (a poller sees them without
		 * entering the kernel). */
		if (tries[i] && (q->flags & (ZNS_QUEUE_SQPOLL | ZNS_QUEUE_EVENTFD |
					     ZNS_QUEUE_NO_DEFER)))
			continue;
		ring_params(&p, q, o, tries[i]);
		rc = ring_create(q, &p);
		if (rc == 0) {
			q->setup_flags = p.flags;
			q->disabled = !!(p.flags & IORING_SETUP_R_DISABLED);
			return 0;
		}
		if (rc != -EINVAL)
			break;
	}
	return rc;
}

static int uring_cmd_supported(struct io_uring *ring)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(ring);
	int ok;

	if (!p)
		return 1;	/* cannot tell: let commands answer */
	ok = io_uring_opcode_supported(p, IORING_OP_URING_CMD);
	io_uring_free_probe(p);
	return ok;
}

/* An io_uring queue, or the fallback when io_uring cannot be had and the
 * caller asked for nothing only io_uring gives. */
static int setup_uring(struct zns_queue *q, const struct zns_queue_opts *o)
{
	int rc = ring_setup(q, o);

	if (rc == 0 && !uring_cmd_supported(&q->ring)) {
		io_uring_queue_exit(&q->ring);
		rc = -EOPNOTSUPP;
	}
	if (rc == 0) {
		/* no SQE is plain until a read, write or append made it so */
		q->sqe_plain = calloc(*q->ring.sq.kring_entries, 1);
		q->refault = calloc(q->depth, sizeof(*q->refault));
		if (!q->sqe_plain || !q->refault) {
			io_uring_queue_exit(&q->ring);
			return zns_fail(-ENOMEM, "zns_queue_init: out of memory");
		}
		q->mode = ZNS_MODE_URING;
		return 0;
	}
	if (rc == -ENOMEM)
		return zns_fail(rc, "zns_queue_init: no memory for the io_uring rings (RLIMIT_MEMLOCK on old kernels)");
	if (q->flags & (ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL))
		return zns_fail(-EOPNOTSUPP, "zns_queue_init: IOPOLL and SQPOLL need io_uring passthrough (Linux 5.19+, 6.1+ for IOPOLL), which this kernel does not give");
	/* No io_uring (ENOSYS), disabled (EPERM), filtered, or too old
	 * (EINVAL, EOPNOTSUPP): the ioctl path. */
	q->mode = ZNS_MODE_SYNC;
	return 0;
}

/* The fallback and null backends (and emulated devices in every mode)
 * keep prepared and completed commands in two rings of a power of two of
 * at least depth entries. */
static int setup_backend(struct zns_queue *q)
{
	unsigned int n = 1;

	while (n < q->depth)
		n <<= 1;
	q->ring_mask = n - 1;
	q->pend = calloc(n, sizeof(*q->pend));
	q->done = calloc(n, sizeof(*q->done));
	q->delayed = calloc(q->depth, sizeof(*q->delayed));
	return q->pend && q->done && q->delayed ? 0 :
		zns_fail(-ENOMEM, "zns_queue_init: out of memory");
}

static int setup_eventfd(struct zns_queue *q)
{
	int rc;

	q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->efd < 0)
		return zns_fail(-errno, "zns_queue_init: eventfd() failed");
	if (q->mode != ZNS_MODE_URING)
		return 0;
	rc = io_uring_register_eventfd(&q->ring, q->efd);
	return rc ? zns_fail(rc, "zns_queue_init: the eventfd could not be registered with io_uring") : 0;
}

static int setup_files(struct zns_queue *q)
{
	int rc;

	if (q->mode != ZNS_MODE_URING)
		return 0;
	rc = io_uring_register_files_sparse(&q->ring, 2 * ZNS_MAX_FILES);
	if (rc == -EINVAL)
		return zns_fail(-EOPNOTSUPP, "zns_queue_init: this kernel cannot register sparse file tables (Linux 5.19+)");
	return rc ? zns_fail(rc, "zns_queue_init: registering the file table failed") : 0;
}

static int check_opts(const struct zns_queue_opts *o)
{
	const unsigned int known = ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL |
		ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL | ZNS_QUEUE_EVENTFD |
		ZNS_QUEUE_FIXED_FILES | ZNS_QUEUE_NOPATH_FAIL | ZNS_QUEUE_NO_DEFER;

	if (!o)
		return zns_fail(-EINVAL, "zns_queue_init: opts is NULL");
	/* programs built before nopath_hold_ms pass the smaller size */
	if (o->size < offsetof(struct zns_queue_opts, nopath_hold_ms))
		return zns_fail(-EINVAL, "zns_queue_init: opts->size must be sizeof(struct zns_queue_opts)");
	if (!o->depth || o->depth > ZNS_MAX_DEPTH)
		return zns_fail(-EINVAL, "zns_queue_init: depth must be 1 to 4096");
	if (o->flags & ~known)
		return zns_fail(-EINVAL, "zns_queue_init: unknown ZNS_QUEUE_* flag");
	if ((o->flags & ZNS_QUEUE_SYNC) && (o->flags & ZNS_QUEUE_NULL))
		return zns_fail(-EINVAL, "zns_queue_init: ZNS_QUEUE_SYNC and ZNS_QUEUE_NULL exclude each other");
	if ((o->flags & (ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL)) &&
	    (o->flags & (ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL)))
		return zns_fail(-EINVAL, "zns_queue_init: IOPOLL and SQPOLL need the io_uring backend, not SYNC or NULL");
	return 0;
}

/* Release everything a queue holds (a partly built one too). */
void zns_queue_free(struct zns_queue *q)
{
	/* io_uring_queue_exit() also drops a registered ring index; from
	 * another thread that fails, and the kernel drops it when the owner
	 * exits. */
	if (q->mode == ZNS_MODE_URING)
		io_uring_queue_exit(&q->ring);
	if (q->efd >= 0)
		close(q->efd);
	free(q->bufs);
	free(q->pend);
	free(q->sqe_plain);
	free(q->refault);
	free(q->done);
	free(q->delayed);
	free(q->free);
	free(q->ctx);
	free(q->sent_ns);
	free(q->parked);
	free(q->shadow);
	free(q->shadow_dev);
	free(q->held_pend);
	free(q->held_due);
	free(q);
}

static struct zns_queue *queue_alloc(unsigned int depth, unsigned int flags)
{
	struct zns_queue *q = calloc(1, sizeof(*q));
	unsigned int i;

	if (!q)
		return NULL;
	q->flags = flags;
	q->depth = depth;
	q->efd = -1;
	q->free = calloc(depth, sizeof(*q->free));
	q->ctx = calloc(depth, sizeof(*q->ctx));
	q->sent_ns = calloc(depth, sizeof(*q->sent_ns));
	if (!q->free || !q->ctx || !q->sent_ns) {
		zns_queue_free(q);
		return NULL;
	}
	for (i = 0; i < depth; i++)
		q->free[i] = depth - 1 - i;
	q->nr_free = depth;
	return q;
}

ZNS_EXPORT
int zns_queue_init(struct zns_queue **qp, const struct zns_queue_opts *opts)
{
	struct zns_queue *q;
	int rc;

	if (!qp)
		return zns_fail(-EINVAL, "zns_queue_init: qp is NULL");
	*qp = NULL;
	rc = check_opts(opts);
	if (rc)
		return rc;
	q = queue_alloc(opts->depth, opts->flags);
	if (!q)
		return zns_fail(-ENOMEM, "zns_queue_init: out of memory");
	if (opts->size >= offsetof(struct zns_queue_opts, spin_us))
		q->hold_ms = opts->nopath_hold_ms;
	if (opts->size >= sizeof(struct zns_queue_opts))
		q->spin_ns = (uint64_t)opts->spin_us * 1000u;
	if (q->flags & ZNS_QUEUE_NULL)
		q->mode = ZNS_MODE_NULL;
	else if (q->flags & ZNS_QUEUE_SYNC)
		q->mode = ZNS_MODE_SYNC;
	else
		rc = setup_uring(q, opts);
	/* every mode: emulated devices take the fallback's path */
	if (!rc)
		rc = setup_backend(q);
	if (!rc && (q->flags & ZNS_QUEUE_EVENTFD))
		rc = setup_eventfd(q);
	if (!rc && (q->flags & ZNS_QUEUE_FIXED_FILES))
		rc = setup_files(q);
	if (rc) {
		zns_queue_free(q);
		return rc;
	}
	*qp = q;
	return 0;
}

/* --------------------------------------------------------- the thread -- */

/* Enable a ring created disabled: it now belongs to the calling task. */
static int enable_ring(struct zns_queue *q)
{
	/* liburing exports io_uring_enable_rings() only from 2.4 */
	int rc = (int)syscall(__NR_io_uring_register, q->ring.ring_fd,
			      IORING_REGISTER_ENABLE_RINGS, NULL, 0);

	if (rc < 0)
		return zns_fail(-errno, "the io_uring ring could not be enabled for this thread");
	q->disabled = 0;
	/* Enter the kernel by a registered index rather than an fd lookup
	 * (Linux 5.18+; without it, the plain fd is used). */
	if (io_uring_register_ring_fd(&q->ring) == 1)
		q->reg_ring = 1;
	return 0;
}

int zns_queue_bind(struct zns_queue *q)
{
	int rc;

	if (q->owner)
		return zns_fail(-EEXIST, "this queue belongs to another thread (the first that prepared, submitted or reaped on it): give each thread its own queue");
	if (q->mode == ZNS_MODE_URING && q->disabled) {
		rc = enable_ring(q);
		if (rc)
			return rc;
	}
	q->owner = zns_self();
	q->reap_owner = q->efd < 0 ? q->owner : 0;
	return 0;
}

/* Setup calls may come from any thread until the queue is bound. */
static int setup_allowed(struct zns_queue *q, const char *who)
{
	if (!q)
		return zns_fail(-EINVAL, who);
	if (q->owner && q->owner != zns_self())
		return zns_fail(-EEXIST, "this queue belongs to another thread (the first that prepared, submitted or reaped on it): give each thread its own queue");
	if (zns_inflight(q))
		return zns_fail(-EBUSY, "registration needs a queue with nothing in flight: reap first");
	return 0;
}

/* --------------------------------------------------------- the state -- */

ZNS_EXPORT
int zns_queue_mode(const struct zns_queue *q)
{
	return q ? q->mode : zns_fail(-EINVAL, "zns_queue_mode: q is NULL");
}

ZNS_EXPORT
int zns_queue_fd(const struct zns_queue *q)
{
	if (!q)
		return zns_fail(-EINVAL, "zns_queue_fd: q is NULL");
	return q->efd >= 0 ? q->efd :
		zns_fail(-EINVAL, "zns_queue_fd: the queue was made without ZNS_QUEUE_EVENTFD");
}

ZNS_EXPORT
unsigned int zns_queue_inflight(const struct zns_queue *q)
{
	return q ? zns_inflight(q) : 0;
}

/* ---------------------------------------------------------- register -- */

ZNS_EXPORT
int zns_queue_register_buffers(struct zns_queue *q, const struct iovec *iov,
			       unsigned int nr)
{
	struct iovec *copy;
	int rc = setup_allowed(q, "zns_queue_register_buffers: q is NULL");

	if (rc)
		return rc;
	if (!nr || !iov)
		return zns_fail(-EINVAL, "zns_queue_register_buffers: no buffers given");
	if (nr > UINT16_MAX)
		return zns_fail(-EINVAL, "zns_queue_register_buffers: at most 65535 buffers");
	copy = calloc(nr, sizeof(*copy));
	if (!copy)
		return zns_fail(-ENOMEM, "zns_queue_register_buffers: out of memory");
	memcpy(copy, iov, nr * sizeof(*copy));
	if (q->mode == ZNS_MODE_URING) {
		if (q->nr_bufs)
			io_uring_unregister_buffers(&q->ring);
		rc = io_uring_register_buffers(&q->ring, iov, nr);
		if (rc) {
			free(copy);
			q->nr_bufs = 0;
			free(q->bufs);
			q->bufs = NULL;
			if (rc == -EINVAL)
				return zns_fail(-EOPNOTSUPP, "zns_queue_register_buffers: the kernel refused the buffers (fixed buffers need Linux 6.0 for passthrough)");
			return zns_fail(rc, "zns_queue_register_buffers: io_uring_register_buffers failed");
		}
	}
	free(q->bufs);
	q->bufs = copy;
	q->nr_bufs = nr;
	return 0;
}

ZNS_EXPORT
int zns_queue_add_dev(struct zns_queue *q, struct zns_dev *dev)
{
	unsigned int i;
	int fds[2];
	int rc = setup_allowed(q, "zns_queue_add_dev: q is NULL");

	if (rc)
		return rc;
	if (!dev)
		return zns_fail(-EINVAL, "zns_queue_add_dev: dev is NULL");
	if (!(q->flags & ZNS_QUEUE_FIXED_FILES))
		return zns_fail(-EINVAL, "zns_queue_add_dev: the queue was made without ZNS_QUEUE_FIXED_FILES");
	for (i = 0; i < q->nr_files; i++)
		if (q->files[i] == dev)
			return 0;
	if (q->nr_files == ZNS_MAX_FILES)
		return zns_fail(-ENOSPC, "zns_queue_add_dev: a queue registers at most 64 devices");
	if (q->mode == ZNS_MODE_URING) {
		fds[0] = dev->fd;
		fds[1] = dev->ctrl_fd;
		rc = io_uring_register_files_update(&q->ring, 2 * q->nr_files,
						    fds, dev->ctrl_fd >= 0 ? 2 : 1);
		if (rc < 0)
			return zns_fail(rc, "zns_queue_add_dev: io_uring_register_files_update failed");
	}
	q->files[q->nr_files++] = dev;
	return 0;
}
