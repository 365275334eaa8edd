// SPDX-License-Identifier: MIT
/*
 * Queue setup: creating a queue for one of its three backends (io_uring
 * passthrough, the synchronous ioctl fallback, the null backend),
 * registering buffers and files, binding it to its thread, freeing it.
 *
 * Layer: queues; see queue-internal.h. Nothing here runs per command.
 */
#include "queue-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
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

/* Whether the kernel has passthrough commands; whether they take
 * registered buffers (IORING_URING_CMD_FIXED came with Linux 6.0, as did
 * IORING_OP_SEND_ZC, which the probe can tell: 5.19 answers a command with
 * that flag -EINVAL). */
static int uring_cmd_supported(struct zns_queue *q)
{
	struct io_uring_probe *p = io_uring_get_probe_ring(&q->ring);
	int ok;

	q->cmd_fixed = 1;
	if (!p)
		return 1;	/* cannot tell: let commands answer */
	ok = io_uring_opcode_supported(p, IORING_OP_URING_CMD);
	q->cmd_fixed = p->last_op >= IORING_OP_SEND_ZC;
	io_uring_free_probe(p);
	return ok;
}

/* An io_uring queue, or the fallback when io_uring cannot be had and the
 * caller asked for nothing only io_uring gives. */
static int setup_uring(struct zns_queue *q, const struct zns_queue_opts *o)
{
	int rc = ring_setup(q, o);

	if (rc == 0 && !uring_cmd_supported(q)) {
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

static void bufs_unmap(struct zns_queue *q);

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
	bufs_unmap(q);
	free(q->bufs);
	free(q->own);
	free(q->own_slot_used);
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

/* The kernel's buffer table: the caller's buffers
 * (zns_queue_register_buffers(), q->bufs) in q->buf_ents entries, then
 * ZNS_BUF_OWN_SLOTS entries for the queue's own (zns_queue_alloc_buffer()).
 * Every buffer is registered as pieces in consecutive entries: 256 KiB
 * (1 << ZNS_BUF_CHUNK_SHIFT) for the queue's own, and for the caller's
 * unless they are too many for the table that way (then the smallest power
 * of two that fits, q->buf_shift). Linux 6.1 fails a command when more pages
 * follow its start in its registered entry than the device takes segments
 * (127 on NVMe PCIe); a command across two pieces goes as a plain buffer.
 * Empty entries are {NULL, 0}, which the kernel keeps as empty slots. The
 * whole table is registered when the caller's part changes (nothing in
 * flight); the slots of a buffer of the queue's own are updated alone,
 * which the kernel allows while commands are in flight (one that uses the
 * old buffer keeps it until it ends). */

/* Unmap the queue's own buffers (zns_queue_free(), after the ring). */
static void bufs_unmap(struct zns_queue *q)
{
	unsigned int i;

	for (i = 0; q->own && i < q->own_hi; i++)
		if (q->own[i].base)
			munmap(q->own[i].base, q->own[i].len);
}

/* Entries @len bytes take in pieces of 1 << @shift bytes. */
static uint32_t npieces(size_t len, unsigned int shift)
{
	return (uint32_t)((len + ((size_t)1 << shift) - 1) >> shift);
}

/* The @len bytes at @base as entries of 1 << @shift bytes, into @tab. */
static void piece_entries(uintptr_t base, size_t len, unsigned int shift,
			  struct iovec *tab)
{
	size_t chunk = (size_t)1 << shift, off;
	unsigned int c;

	for (c = 0, off = 0; off < len; c++, off += chunk) {
		tab[c].iov_base = (void *)(base + off);
		tab[c].iov_len = len - off < chunk ? len - off : chunk;
	}
}

/* Buffer @o's entries, into @tab. */
static void own_entries(const struct zns_own_buf *o, struct iovec *tab)
{
	piece_entries((uintptr_t)o->base, o->len, ZNS_BUF_CHUNK_SHIFT, tab);
}

/* The whole table: the caller's buffers @b (@nr of them, in @ents entries
 * of 1 << @shift bytes), then the queue's own. */
static struct iovec *table_build(const struct zns_queue *q,
				 const struct zns_buf *b, unsigned int nr,
				 unsigned int ents, unsigned int shift)
{
	struct iovec *tab = calloc(ents + ZNS_BUF_OWN_SLOTS, sizeof(*tab));
	unsigned int i;

	if (!tab)
		return NULL;
	for (i = 0; i < nr; i++)
		piece_entries(b[i].base, b[i].len, shift, tab + b[i].first);
	for (i = 0; i < q->own_hi; i++)
		if (q->own[i].base && q->own[i].registered)
			own_entries(&q->own[i], tab + ents + q->own[i].slot);
	return tab;
}

/* Register @tab (@n entries), in place of the table there, if any: then
 * nothing may be in flight. */
static int table_register(struct zns_queue *q, struct iovec *tab, unsigned int n)
{
	int rc;

	if (q->buf_table) {
		io_uring_unregister_buffers(&q->ring);
		q->buf_table = 0;
	}
	rc = io_uring_register_buffers(&q->ring, tab, n);
	if (rc == 0)
		q->buf_table = n;
	return rc;
}

/* Entries @iov's @nr buffers take in pieces of 1 << @shift bytes. */
static uint64_t pieces(const struct iovec *iov, unsigned int nr,
		       unsigned int shift)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < nr; i++)
		n += npieces(iov[i].iov_len, shift);
	return n;
}

ZNS_EXPORT
int zns_queue_register_buffers(struct zns_queue *q, const struct iovec *iov,
			       unsigned int nr)
{
	const unsigned int room = ZNS_BUF_TABLE_MAX - ZNS_BUF_OWN_SLOTS;
	unsigned int i, shift = ZNS_BUF_CHUNK_SHIFT, ents = 0;
	struct zns_buf *copy;
	struct iovec *tab;
	int rc = setup_allowed(q, "zns_queue_register_buffers: q is NULL");

	if (rc)
		return rc;
	if (!nr || !iov)
		return zns_fail(-EINVAL, "zns_queue_register_buffers: no buffers given");
	if (nr > room)
		return zns_fail(-EINVAL, "zns_queue_register_buffers: at most 12288 buffers (the kernel's table holds 16384, and 4096 are kept for zns_queue_alloc_buffer())");
	for (i = 0; i < nr; i++)
		if (!iov[i].iov_base || !iov[i].iov_len || iov[i].iov_len > ZNS_BUF_LEN_MAX)
			return zns_fail(-EINVAL, "zns_queue_register_buffers: a buffer is NULL, empty or over 1 GiB (the kernel's limit)");
	if (q->mode == ZNS_MODE_URING && !q->cmd_fixed)
		return zns_fail(-EOPNOTSUPP, "zns_queue_register_buffers: this kernel's passthrough commands take no registered buffers (Linux 6.0 or newer)");
	/* pieces of 256 KiB, or larger where there are too many (at 1 GiB,
	 * the most a buffer holds, each is one) */
	while (pieces(iov, nr, shift) > room)
		shift++;
	copy = malloc(nr * sizeof(*copy));
	if (!copy)
		return zns_fail(-ENOMEM, "zns_queue_register_buffers: out of memory");
	for (i = 0; i < nr; i++) {
		copy[i].base = (uintptr_t)iov[i].iov_base;
		copy[i].len = iov[i].iov_len;
		copy[i].first = ents;
		ents += npieces(iov[i].iov_len, shift);
	}
	if (q->mode == ZNS_MODE_URING) {
		tab = table_build(q, copy, nr, ents, shift);
		if (!tab) {
			free(copy);
			return zns_fail(-ENOMEM, "zns_queue_register_buffers: out of memory");
		}
		rc = table_register(q, tab, ents + ZNS_BUF_OWN_SLOTS);
		free(tab);
		if (rc) {
			/* none is registered now, the queue's own neither:
			 * commands go with plain buffers */
			free(copy);
			free(q->bufs);
			q->bufs = NULL;
			q->nr_bufs = 0;
			q->buf_ents = 0;
			for (i = 0; i < q->own_hi; i++)
				q->own[i].registered = 0;
			if (q->own_slot_used)
				memset(q->own_slot_used, 0, ZNS_BUF_OWN_SLOTS);
			if (rc == -EINVAL)
				return zns_fail(-EOPNOTSUPP, "zns_queue_register_buffers: the kernel refused the buffers (fixed buffers need Linux 6.0 for passthrough)");
			if (rc == -ENOMEM)
				return zns_fail(rc, "zns_queue_register_buffers: the kernel could not pin the buffers (RLIMIT_MEMLOCK, ulimit -l)");
			return zns_fail(rc, "zns_queue_register_buffers: io_uring_register_buffers failed");
		}
	}
	free(q->bufs);
	q->bufs = copy;
	q->nr_bufs = nr;
	q->buf_ents = ents;
	q->buf_shift = shift;
	return 0;
}

/* Register buffer @o of the queue's own in its slots; 0 or -errno. */
static int own_register(struct zns_queue *q, struct zns_own_buf *o)
{
	struct iovec *tab;
	int rc;

	if (q->mode != ZNS_MODE_URING || !q->cmd_fixed)
		return -EOPNOTSUPP;
	if (!q->buf_table) {
		/* the first: the table, with it in its slots */
		o->registered = 1;
		tab = table_build(q, q->bufs, q->nr_bufs, q->buf_ents,
				  q->buf_shift);
		if (!tab) {
			o->registered = 0;
			return -ENOMEM;
		}
		rc = table_register(q, tab, q->buf_ents + ZNS_BUF_OWN_SLOTS);
	} else {
		tab = calloc(o->nchunks, sizeof(*tab));
		if (!tab)
			return -ENOMEM;
		own_entries(o, tab);
		rc = io_uring_register_buffers_update_tag(&q->ring, q->buf_ents + o->slot,
							  tab, NULL, o->nchunks);
		rc = rc == (int)o->nchunks ? 0 : rc < 0 ? rc : -EIO;
	}
	free(tab);
	o->registered = rc == 0;
	return rc;
}

/* Empty buffer @o's slots in the kernel's table. */
static void own_unregister(struct zns_queue *q, struct zns_own_buf *o)
{
	struct iovec *tab;

	if (!o->registered || !q->buf_table)
		return;
	o->registered = 0;
	tab = calloc(o->nchunks, sizeof(*tab));
	if (tab)	/* else the slots keep pages pinned until the queue
			 * exits; nothing names them again */
		io_uring_register_buffers_update_tag(&q->ring, q->buf_ents + o->slot,
						     tab, NULL, o->nchunks);
	free(tab);
}

/* The first run of @n free own slots, or -1. */
static int own_slots_find(const struct zns_queue *q, unsigned int n)
{
	unsigned int i, run = 0;

	for (i = 0; i < ZNS_BUF_OWN_SLOTS; i++) {
		run = q->own_slot_used[i] ? 0 : run + 1;
		if (run == n)
			return (int)(i + 1 - n);
	}
	return -1;
}

static void *alloc_fail(int err, const char *why)
{
	zns_fail(-err, why);
	errno = err;
	return NULL;
}

ZNS_EXPORT
void *zns_queue_alloc_buffer(struct zns_queue *q, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct zns_own_buf *o;
	unsigned int k;
	int slot;
	void *p;

	if (!q)
		return alloc_fail(EINVAL, "zns_queue_alloc_buffer: q is NULL");
	if (q->owner && q->owner != zns_self())
		return alloc_fail(EEXIST, "zns_queue_alloc_buffer: this queue belongs to another thread (the first that prepared, submitted or reaped on it): give each thread its own queue");
	if (!size || size > ZNS_BUF_LEN_MAX)
		return alloc_fail(EINVAL, "zns_queue_alloc_buffer: size must be 1 byte to 1 GiB (the kernel's limit for one registered buffer)");
	if (!q->own) {
		q->own = calloc(ZNS_BUF_OWN, sizeof(*q->own));
		q->own_slot_used = calloc(ZNS_BUF_OWN_SLOTS, 1);
		if (!q->own || !q->own_slot_used) {
			free(q->own);
			free(q->own_slot_used);
			q->own = NULL;
			q->own_slot_used = NULL;
			return alloc_fail(ENOMEM, "zns_queue_alloc_buffer: out of memory");
		}
	}
	for (k = 0; k < ZNS_BUF_OWN && q->own[k].base; k++)
		;
	if (k == ZNS_BUF_OWN)
		return alloc_fail(ENOSPC, "zns_queue_alloc_buffer: a queue holds at most 64 buffers of its own at once: allocate fewer, larger ones and divide them");
	size = (size + pg - 1) & ~(pg - 1);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return alloc_fail(ENOMEM, "zns_queue_alloc_buffer: mmap failed");
	o = &q->own[k];
	o->base = p;
	o->len = size;
	o->nchunks = npieces(size, ZNS_BUF_CHUNK_SHIFT);
	o->registered = 0;
	if (k >= q->own_hi)
		q->own_hi = k + 1;
	/* where the kernel cannot take it (older than 6.0, RLIMIT_MEMLOCK, a
	 * table too full), the buffer still works, as a plain one */
	slot = own_slots_find(q, o->nchunks);
	if (slot >= 0) {
		o->slot = (uint32_t)slot;
		if (own_register(q, o) == 0)
			memset(q->own_slot_used + slot, 1, o->nchunks);
	}
	return p;
}

ZNS_EXPORT
int zns_queue_free_buffer(struct zns_queue *q, void *buf)
{
	struct zns_own_buf *o;
	unsigned int k;

	if (!q)
		return zns_fail(-EINVAL, "zns_queue_free_buffer: q is NULL");
	if (!buf)
		return 0;
	if (q->owner && q->owner != zns_self())
		return zns_fail(-EEXIST, "zns_queue_free_buffer: this queue belongs to another thread (the first that prepared, submitted or reaped on it): give each thread its own queue");
	for (k = 0; k < q->own_hi; k++)
		if (q->own[k].base == buf)
			break;
	if (k == q->own_hi)
		return zns_fail(-EINVAL, "zns_queue_free_buffer: buf was not returned by zns_queue_alloc_buffer() on this queue, or was freed already");
	o = &q->own[k];
	if (o->registered) {
		own_unregister(q, o);
		memset(q->own_slot_used + o->slot, 0, o->nchunks);
	}
	munmap(o->base, o->len);
	memset(o, 0, sizeof(*o));
	while (q->own_hi && !q->own[q->own_hi - 1].base)
		q->own_hi--;
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
