// SPDX-License-Identifier: MIT
/*
 * The asynchronous engine: io_uring NVMe passthrough queues, with the
 * synchronous ioctl fallback and the user-space null backend behind the
 * same calls.
 *
 * Per command: one free-list pop, the shared encoder writes straight into
 * the SQE (or the fallback's pending slot), no allocation and no syscall
 * unless the submission ring is full. Completions are taken off the CQ ring
 * in one pass and the head is advanced once per batch.
 */
#include "zns-private.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <liburing.h>

#ifndef IORING_SETUP_SINGLE_ISSUER
#define IORING_SETUP_SINGLE_ISSUER	(1U << 12)
#endif
#ifndef IORING_SETUP_DEFER_TASKRUN
#define IORING_SETUP_DEFER_TASKRUN	(1U << 13)
#endif
#ifndef IORING_SETUP_COOP_TASKRUN
#define IORING_SETUP_COOP_TASKRUN	(1U << 8)
#endif
#ifndef IORING_SETUP_TASKRUN_FLAG
#define IORING_SETUP_TASKRUN_FLAG	(1U << 9)
#endif
#ifndef IORING_URING_CMD_FIXED
#define IORING_URING_CMD_FIXED		(1U << 0)
#endif

#define ZNS_MAX_DEPTH		4096
#define ZNS_MAX_FILES		64

struct zns_ctx {
	zns_cb cb;
	void *user;
	int status;		/* fallback and null backends */
	uint64_t result;
};

/* A command prepared for the fallback or null backend. */
struct zns_pending {
	struct nvme_uring_cmd cmd;
	int fd;
	uint32_t idx;
	uint8_t admin;
};

struct zns_queue {
	struct io_uring ring;
	int mode;
	int disabled;			/* ring created disabled, not yet bound */
	int reg_ring;			/* entered by an index owned by @owner */
	pthread_t owner;
	unsigned int flags;
	unsigned int setup_flags;	/* io_uring setup flags in use */
	unsigned int depth;
	unsigned int nr_free;
	uint32_t *free;			/* stack of free context indices */
	struct zns_ctx *ctx;
	/* fallback and null backends */
	struct zns_pending *pend;
	struct zns_pending *pend_alt;	/* null backend: double buffer */
	unsigned int nr_pend;
	uint32_t *done;			/* ring of completed context indices */
	unsigned int done_head, done_tail, done_mask;
	int efd;
	/* registered buffers and files */
	struct iovec *bufs;
	unsigned int nr_bufs;
	const struct zns_dev *files[ZNS_MAX_FILES];
	unsigned int nr_files;
};

/* ---------------------------------------------------------------- setup -- */

static int ring_setup(struct zns_queue *q, const struct zns_queue_opts *o)
{
	/* TASKRUN_FLAG: the kernel says in the SQ ring flags when entering
	 * it would complete something, so an idle zns_reap() stays in user
	 * space. */
	static const unsigned int tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
			IORING_SETUP_TASKRUN_FLAG,
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		0,
	};
	unsigned int i, base = IORING_SETUP_SQE128 | IORING_SETUP_CQE32;
	int rc = -EINVAL;

	if (q->flags & ZNS_QUEUE_IOPOLL)
		base |= IORING_SETUP_IOPOLL;
	if (q->flags & ZNS_QUEUE_SQPOLL)
		base |= IORING_SETUP_SQPOLL;
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		struct io_uring_params p;
		unsigned int extra = tries[i];

		/* An SQPOLL ring has no task to defer work to; an eventfd
		 * must be signalled while the owner sleeps in poll. */
		if (extra && (q->flags & (ZNS_QUEUE_SQPOLL | ZNS_QUEUE_EVENTFD)))
			continue;
		memset(&p, 0, sizeof(p));
		p.flags = base | extra;
		/* A single-issuer ring belongs to the task that enables it:
		 * enable on first use, so a queue may be made on one thread and
		 * handed to the thread that runs it. */
		if (extra & IORING_SETUP_SINGLE_ISSUER)
			p.flags |= IORING_SETUP_R_DISABLED;
		p.cq_entries = q->depth * 2;
		p.flags |= IORING_SETUP_CQSIZE;
		if (q->flags & ZNS_QUEUE_SQPOLL) {
			p.sq_thread_idle = o->sq_thread_idle ? o->sq_thread_idle : 1000;
			if (o->sq_thread_cpu >= 0) {
				p.flags |= IORING_SETUP_SQ_AFF;
				p.sq_thread_cpu = (unsigned int)o->sq_thread_cpu;
			}
		}
		rc = io_uring_queue_init_params(q->depth, &q->ring, &p);
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

/* Release everything a queue holds (a partly built one too). */
static void queue_free(struct zns_queue *q)
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
	free(q->pend_alt);
	free(q->done);
	free(q->free);
	free(q->ctx);
	free(q);
}

ZNS_EXPORT
int zns_queue_init(struct zns_queue **qp, const struct zns_queue_opts *opts)
{
	const unsigned int known = ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL |
		ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL | ZNS_QUEUE_EVENTFD |
		ZNS_QUEUE_FIXED_FILES;
	struct zns_queue *q;
	unsigned int i;
	int rc;

	*qp = NULL;
	if (!opts || opts->size < sizeof(*opts) || !opts->depth ||
	    opts->depth > ZNS_MAX_DEPTH || (opts->flags & ~known))
		return -EINVAL;
	if ((opts->flags & ZNS_QUEUE_SYNC) && (opts->flags & ZNS_QUEUE_NULL))
		return -EINVAL;
	if ((opts->flags & (ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL)) &&
	    (opts->flags & (ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL)))
		return -EINVAL;

	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->flags = opts->flags;
	q->depth = opts->depth;
	q->efd = -1;
	q->free = calloc(q->depth, sizeof(*q->free));
	q->ctx = calloc(q->depth, sizeof(*q->ctx));
	if (!q->free || !q->ctx) {
		rc = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < q->depth; i++)
		q->free[i] = q->depth - 1 - i;
	q->nr_free = q->depth;

	if (q->flags & ZNS_QUEUE_NULL) {
		q->mode = ZNS_MODE_NULL;
	} else if (q->flags & ZNS_QUEUE_SYNC) {
		q->mode = ZNS_MODE_SYNC;
	} else {
		rc = ring_setup(q, opts);
		if (rc == 0 && !uring_cmd_supported(&q->ring)) {
			io_uring_queue_exit(&q->ring);
			rc = -EOPNOTSUPP;
		}
		if (rc == 0) {
			q->mode = ZNS_MODE_URING;
		} else if (q->flags & (ZNS_QUEUE_IOPOLL | ZNS_QUEUE_SQPOLL)) {
			/* The caller asked for an io_uring feature: say so. */
			rc = rc == -ENOMEM ? rc : -EOPNOTSUPP;
			goto fail;
		} else if (rc == -ENOMEM) {
			goto fail;
		} else {
			/* No io_uring (ENOSYS), disabled (EPERM), filtered,
			 * or too old (EINVAL, EOPNOTSUPP): the ioctl path. */
			q->mode = ZNS_MODE_SYNC;
		}
	}
	if (q->mode != ZNS_MODE_URING) {
		unsigned int ring = 1;

		while (ring < q->depth)
			ring <<= 1;
		q->done_mask = ring - 1;
		q->pend = calloc(q->depth, sizeof(*q->pend));
		q->pend_alt = calloc(q->depth, sizeof(*q->pend));
		q->done = calloc(ring, sizeof(*q->done));
		if (!q->pend || !q->pend_alt || !q->done) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	if (q->flags & ZNS_QUEUE_EVENTFD) {
		q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (q->efd < 0) {
			rc = -errno;
			goto fail;
		}
		if (q->mode == ZNS_MODE_URING) {
			rc = io_uring_register_eventfd(&q->ring, q->efd);
			if (rc)
				goto fail;
		}
	}
	if ((q->flags & ZNS_QUEUE_FIXED_FILES) && q->mode == ZNS_MODE_URING) {
		rc = io_uring_register_files_sparse(&q->ring, 2 * ZNS_MAX_FILES);
		if (rc) {
			rc = rc == -EINVAL ? -EOPNOTSUPP : rc;
			goto fail;
		}
	}
	*qp = q;
	return 0;
fail:
	queue_free(q);
	return rc;
}

ZNS_EXPORT
int zns_queue_mode(const struct zns_queue *q)
{
	return q->mode;
}

ZNS_EXPORT
int zns_queue_fd(const struct zns_queue *q)
{
	return q->efd >= 0 ? q->efd : -EINVAL;
}

ZNS_EXPORT
unsigned int zns_queue_inflight(const struct zns_queue *q)
{
	return q->depth - q->nr_free;
}

ZNS_EXPORT
int zns_queue_register_buffers(struct zns_queue *q, const struct iovec *iov,
			       unsigned int nr)
{
	struct iovec *copy;
	int rc;

	if (!nr || !iov)
		return -EINVAL;
	if (zns_queue_inflight(q))
		return -EBUSY;
	copy = calloc(nr, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
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
			return rc == -EINVAL ? -EOPNOTSUPP : rc;
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
	int rc;

	if (!(q->flags & ZNS_QUEUE_FIXED_FILES))
		return -EINVAL;
	for (i = 0; i < q->nr_files; i++)
		if (q->files[i] == dev)
			return 0;
	if (q->nr_files == ZNS_MAX_FILES)
		return -ENOSPC;
	if (q->mode == ZNS_MODE_URING) {
		fds[0] = dev->fd;
		fds[1] = dev->ctrl_fd;
		rc = io_uring_register_files_update(&q->ring, 2 * q->nr_files,
						    fds, dev->ctrl_fd >= 0 ? 2 : 1);
		if (rc < 0)
			return rc;
	}
	q->files[q->nr_files++] = dev;
	return 0;
}

/* Bind a single-issuer ring to the calling thread on its first use. */
static inline int q_enable(struct zns_queue *q)
{
	int rc;

	if (likely(!q->disabled)) {
		/* Another thread has no such index: answer as SINGLE_ISSUER
		 * does, rather than with the kernel's EINVAL. */
		if (q->reg_ring && unlikely(!pthread_equal(q->owner, pthread_self())))
			return -EEXIST;
		return 0;
	}
	/* liburing exports io_uring_enable_rings() only from 2.4 */
	rc = (int)syscall(__NR_io_uring_register, q->ring.ring_fd,
			  IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (rc < 0)
		return -errno;
	q->disabled = 0;
	/* The ring belongs to this thread now: let it enter the kernel by a
	 * registered index rather than an fd lookup (Linux 5.18+; without
	 * it, the plain fd is used). */
	if (io_uring_register_ring_fd(&q->ring) == 1) {
		q->reg_ring = 1;
		q->owner = pthread_self();
	}
	return 0;
}

/* ------------------------------------------------------------ the slot -- */

/* Registered buffer holding [buf, buf + len), or -1. */
static inline int find_buf(const struct zns_queue *q, const void *buf,
			   uint32_t len)
{
	uintptr_t a = (uintptr_t)buf;
	unsigned int i;

	for (i = 0; i < q->nr_bufs; i++) {
		uintptr_t b = (uintptr_t)q->bufs[i].iov_base;

		if (a >= b && a + len <= b + q->bufs[i].iov_len)
			return (int)i;
	}
	return -1;
}

static inline int find_file(const struct zns_queue *q,
			    const struct zns_dev *dev, int admin)
{
	unsigned int i;

	for (i = 0; i < q->nr_files; i++)
		if (q->files[i] == dev)
			return (int)(2 * i + (admin ? 1 : 0));
	return -1;
}

/*
 * Take a context and the place to encode a command into. Everything that
 * can fail is checked by the caller first, so a slot is never wasted.
 */
static inline __attribute__((always_inline)) struct nvme_uring_cmd *
zns_slot(struct zns_queue *q, const struct zns_dev *dev, int admin,
	 const void *buf, uint32_t len, zns_cb cb, void *user, int *rc)
{
	uint32_t idx;

	if (unlikely(q->nr_free == 0)) {
		*rc = -EBUSY;
		return NULL;
	}
	if (likely(q->mode == ZNS_MODE_URING)) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&q->ring);
		int fd = admin ? dev->ctrl_fd : dev->fd;
		int b;

		if (unlikely(!sqe)) {
			if (q_enable(q) == 0)
				io_uring_submit(&q->ring);
			sqe = io_uring_get_sqe(&q->ring);
			if (!sqe) {
				*rc = -EBUSY;
				return NULL;
			}
		}
		idx = q->free[--q->nr_free];
		q->ctx[idx].cb = cb;
		q->ctx[idx].user = user;
		/* The 64-byte header; the command goes in sqe->cmd. */
		memset(sqe, 0, offsetof(struct io_uring_sqe, cmd));
		sqe->opcode = IORING_OP_URING_CMD;
		sqe->fd = fd;
		sqe->cmd_op = admin ? NVME_URING_CMD_ADMIN : NVME_URING_CMD_IO;
		sqe->user_data = idx;
		if (unlikely(q->nr_files)) {
			int f = find_file(q, dev, admin);

			if (f >= 0) {
				sqe->fd = f;
				sqe->flags |= IOSQE_FIXED_FILE;
			}
		}
		if (unlikely(q->nr_bufs) && buf && (b = find_buf(q, buf, len)) >= 0) {
			sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
			sqe->buf_index = (uint16_t)b;
		}
		/* Bytes 72-79 of the command area are not part of the NVMe
		 * command; keep them zero. */
		memset(sqe->cmd + sizeof(struct nvme_uring_cmd), 0, 8);
		return (struct nvme_uring_cmd *)sqe->cmd;
	}
	idx = q->free[--q->nr_free];
	q->ctx[idx].cb = cb;
	q->ctx[idx].user = user;
	q->pend[q->nr_pend].fd = admin ? zns_admin_fd(dev) : dev->fd;
	q->pend[q->nr_pend].admin = (uint8_t)admin;
	q->pend[q->nr_pend].idx = idx;
	return &q->pend[q->nr_pend++].cmd;
}

/* ----------------------------------------------------------- prep_* ------ */

/* Read, write and zone append share everything but opcode and limit. */
static inline __attribute__((always_inline)) int prep_io(struct zns_queue *q, struct zns_dev *dev,
			  uint8_t opcode, const void *buf, uint64_t slba,
			  uint32_t nlb, uint32_t limit, zns_cb cb, void *user)
{
	struct nvme_uring_cmd *c;
	uint32_t len = nlb << dev->lba_shift;
	int rc = zns_check_xfer(dev, buf, slba, nlb, limit);

	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, buf, len, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_rw(c, opcode, dev->nsid, buf, len, slba, nlb, 0);
	return 0;
}

ZNS_EXPORT
int zns_prep_read(struct zns_queue *q, struct zns_dev *dev, void *buf,
		  uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	return prep_io(q, dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer, cb,
		       user);
}

ZNS_EXPORT
int zns_prep_write(struct zns_queue *q, struct zns_dev *dev, const void *buf,
		   uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	return prep_io(q, dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer, cb,
		       user);
}

ZNS_EXPORT
int zns_prep_append(struct zns_queue *q, struct zns_dev *dev,
		    const void *buf, uint64_t zslba, uint32_t nlb, zns_cb cb,
		    void *user)
{
	if (unlikely(!zns_is_zone_start(dev, zslba)))
		return zslba < dev->nr_lbas ? -EINVAL : -ERANGE;
	return prep_io(q, dev, nvme_zns_cmd_append, buf, zslba, nlb, dev->zasl,
		       cb, user);
}

ZNS_EXPORT
int zns_prep_write_zeroes(struct zns_queue *q, struct zns_dev *dev,
			  uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	struct nvme_uring_cmd *c;
	int rc = zns_check_range(dev, slba, nlb);

	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, NULL, 0, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_write_zeroes(c, dev->nsid, slba, nlb);
	return 0;
}

ZNS_EXPORT
int zns_prep_flush(struct zns_queue *q, struct zns_dev *dev, zns_cb cb,
		   void *user)
{
	struct nvme_uring_cmd *c;
	int rc = 0;

	c = zns_slot(q, dev, 0, NULL, 0, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_flush(c, dev->nsid);
	return 0;
}

ZNS_EXPORT
int zns_prep_mgmt_send(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zsa, unsigned int flags,
		       void *data, uint32_t len, zns_cb cb, void *user)
{
	struct nvme_uring_cmd *c;
	int rc = zns_check_send(dev, slba, zsa, flags, data, len);

	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, data, len, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_mgmt_send(c, dev->nsid, slba, (uint8_t)zsa,
			  flags & ZNS_SEND_SELECT_ALL, flags & ZNS_SEND_ZRWA,
			  data, len);
	return 0;
}

ZNS_EXPORT
int zns_prep_mgmt_recv(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zra, unsigned int zrasf,
		       int partial, void *buf, uint32_t len, zns_cb cb,
		       void *user)
{
	struct nvme_uring_cmd *c;
	int rc = zns_check_recv(dev, zra, zrasf, buf, len);

	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, buf, len, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_mgmt_recv(c, dev->nsid, slba, (uint8_t)zra, (uint8_t)zrasf,
			  partial, buf, len);
	return 0;
}

/* A slot for an admin command: under io_uring it needs the controller
 * device, which the kernel only accepts NVME_URING_CMD_ADMIN on. */
static struct nvme_uring_cmd *admin_slot(struct zns_queue *q,
					 const struct zns_dev *d,
					 const void *buf, zns_cb cb,
					 void *user, int *rc)
{
	*rc = 0;
	if (!buf)
		*rc = -EFAULT;
	else if (q->mode == ZNS_MODE_URING && d->ctrl_fd < 0)
		*rc = -ENODEV;
	return *rc ? NULL : zns_slot(q, d, 1, NULL, 0, cb, user, rc);
}

ZNS_EXPORT
int zns_prep_identify_ns(struct zns_queue *q, struct zns_dev *dev,
			 struct nvme_zns_id_ns *id, zns_cb cb, void *user)
{
	int rc;
	struct nvme_uring_cmd *c = admin_slot(q, dev, id, cb, user, &rc);

	if (c)
		zns_enc_identify(c, dev->nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS, id);
	return rc;
}

ZNS_EXPORT
int zns_prep_identify_ctrl(struct zns_queue *q, struct zns_dev *dev,
			   struct nvme_zns_id_ctrl *id, zns_cb cb, void *user)
{
	int rc;
	struct nvme_uring_cmd *c = admin_slot(q, dev, id, cb, user, &rc);

	if (c)
		zns_enc_identify(c, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS, id);
	return rc;
}

ZNS_EXPORT
int zns_prep_changed_zones(struct zns_queue *q, struct zns_dev *dev, int rae,
			   struct nvme_zns_changed_zone_log *log, zns_cb cb,
			   void *user)
{
	int rc;
	struct nvme_uring_cmd *c = admin_slot(q, dev, log, cb, user, &rc);

	if (c)
		zns_enc_get_log(c, dev->nsid, NVME_LOG_LID_ZNS_CHANGED_ZONES,
				NVME_CSI_ZNS, rae, 0, log, sizeof(*log));
	return rc;
}

/* ------------------------------------------------- submit and complete -- */

/* Fallback backend: run what is pending, queue its completion. The null
 * backend leaves its commands pending: zns_reap() completes them in place. */
static int run_pending(struct zns_queue *q)
{
	unsigned int i, n = q->nr_pend;

	for (i = 0; i < n && q->mode == ZNS_MODE_SYNC; i++) {
		struct zns_pending *p = &q->pend[i];
		struct zns_ctx *x = &q->ctx[p->idx];

		x->result = 0;
		x->status = zns_ioctl_exec(p->fd, p->admin, &p->cmd, &x->result);
		q->done[q->done_tail++ & q->done_mask] = p->idx;
	}
	if (q->mode == ZNS_MODE_SYNC)
		q->nr_pend = 0;
	if (n && q->efd >= 0) {
		uint64_t one = 1;

		if (write(q->efd, &one, sizeof(one)) < 0)
			return -errno;
	}
	return (int)n;
}

ZNS_EXPORT
int zns_submit(struct zns_queue *q)
{
	if (likely(q->mode == ZNS_MODE_URING)) {
		int rc = q_enable(q);

		return rc ? rc : io_uring_submit(&q->ring);
	}
	return run_pending(q);
}

static inline void complete(struct zns_queue *q, uint32_t idx, int status,
			    uint64_t result)
{
	struct zns_ctx *x = &q->ctx[idx];
	zns_cb cb = x->cb;
	void *user = x->user;

	q->free[q->nr_free++] = idx;
	if (cb)
		cb(user, status, result);
}

/* Take every CQE that is there, advance the head once. */
static unsigned int drain_cq(struct zns_queue *q)
{
	struct io_uring_cq *cq = &q->ring.cq;
	unsigned int mask = *cq->kring_mask;
	unsigned int head = *cq->khead;
	unsigned int tail = io_uring_smp_load_acquire(cq->ktail);
	unsigned int n = 0;

	for (; head != tail; head++) {
		/* CQE32: each entry spans two 16-byte io_uring_cqe slots. */
		struct io_uring_cqe *cqe = &cq->cqes[(head & mask) << 1];
		uint64_t ud = cqe->user_data;

		if (unlikely(ud >= q->depth))
			continue;	/* not ours (liburing timeout) */
		complete(q, (uint32_t)ud, cqe->res, cqe->big_cqe[0]);
		n++;
	}
	io_uring_smp_store_release(cq->khead, head);
	return n;
}

/* Null backend: every pending command completes now, successfully; an
 * append "lands" at its zone start. */
static unsigned int complete_null(struct zns_queue *q)
{
	struct zns_pending *cur = q->pend;
	unsigned int i, n = q->nr_pend;

	/* Callbacks may prepare more: they fill the other array. */
	q->pend = q->pend_alt;
	q->pend_alt = cur;
	q->nr_pend = 0;
	for (i = 0; i < n; i++) {
		const struct nvme_uring_cmd *c = &cur[i].cmd;
		uint64_t res = c->opcode == nvme_zns_cmd_append && !cur[i].admin ?
			(uint64_t)c->cdw11 << 32 | c->cdw10 : 0;

		complete(q, cur[i].idx, 0, res);
	}
	return n;
}

static unsigned int drain_done(struct zns_queue *q)
{
	unsigned int n = 0;

	while (q->done_head != q->done_tail) {
		uint32_t idx = q->done[q->done_head++ & q->done_mask];

		complete(q, idx, q->ctx[idx].status, q->ctx[idx].result);
		n++;
	}
	return n;
}

/* Would entering the kernel complete anything? Deferred and cooperative task
 * work runs only when the task enters it; IOPOLL completes only when polled.
 * With TASKRUN_FLAG the kernel tells (it also flags an overflowed CQ). */
static inline int kernel_has_events(const struct zns_queue *q)
{
	unsigned int f = q->setup_flags;

	if (f & IORING_SETUP_IOPOLL)
		return 1;
	if (f & IORING_SETUP_TASKRUN_FLAG)
		return !!(IO_URING_READ_ONCE(*q->ring.sq.kflags) &
			  (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW));
	return !!(f & (IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN));
}

/* One kernel entry: submit what is prepared and, with @events, run the
 * deferred or polled completions (DEFER_TASKRUN and IOPOLL post them only
 * when the task enters the kernel). */
static int submit_get_events(struct zns_queue *q, int events)
{
	int rc;

	if (!events)
		return io_uring_submit(&q->ring);
#ifdef HAVE_IO_URING_SUBMIT_AND_GET_EVENTS
	rc = io_uring_submit_and_get_events(&q->ring);
#else
	if (io_uring_sq_ready(&q->ring)) {
		rc = io_uring_submit(&q->ring);
		if (rc < 0)
			return rc;
	}
	rc = (int)syscall(__NR_io_uring_enter, q->ring.ring_fd, 0, 0,
			  IORING_ENTER_GETEVENTS, NULL, 0);
	rc = rc < 0 ? -errno : rc;
#endif
	return rc;
}

/* Submit and wait for @nr completions in one kernel entry. */
static int uring_wait(struct zns_queue *q, unsigned int nr, int64_t timeout_us)
{
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts;
	int rc;

	if (timeout_us < 0) {
		rc = io_uring_submit_and_wait(&q->ring, nr);
		return rc < 0 ? rc : 0;
	}
	ts.tv_sec = timeout_us / 1000000;
	ts.tv_nsec = (timeout_us % 1000000) * 1000;
	rc = io_uring_submit_and_wait_timeout(&q->ring, &cqe, nr, &ts, NULL);
	return rc < 0 ? rc : 0;
}

ZNS_EXPORT
int zns_reap(struct zns_queue *q, unsigned int min, int64_t timeout_us)
{
	unsigned int got;
	int rc;

	if (q->efd >= 0) {
		uint64_t v;

		if (read(q->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
	}
	if (q->mode != ZNS_MODE_URING) {
		if (q->mode == ZNS_MODE_NULL)
			return (int)complete_null(q);
		rc = run_pending(q);
		if (rc < 0)
			return rc;
		return (int)drain_done(q);
	}
	rc = q_enable(q);
	if (unlikely(rc))
		return rc;

	got = drain_cq(q);
	if (got >= min) {
		/* Nothing to wait for: at most one kernel entry, to submit and,
		 * when nothing was found, to collect deferred completions. */
		int events = !got && zns_queue_inflight(q) && kernel_has_events(q);

		if (io_uring_sq_ready(&q->ring) || events) {
			rc = submit_get_events(q, events);
			if (rc < 0 && rc != -EAGAIN && rc != -EINTR && rc != -EBUSY)
				return got ? (int)got : rc;
			got += drain_cq(q);
		}
		return (int)got;
	}
	/* Waiting: submit in the same kernel entry that waits. Commands the
	 * callbacks prepare go out with the next call. */
	while (got < min && zns_queue_inflight(q)) {
		rc = uring_wait(q, min - got, timeout_us);
		if (rc < 0 && rc != -ETIME && rc != -EINTR)
			return got ? (int)got : rc;
		got += drain_cq(q);
		if (rc < 0 || timeout_us >= 0)
			break;
	}
	return (int)got;
}

ZNS_EXPORT
void zns_sync_cb(void *user, int status, uint64_t result)
{
	(void)result;
	*(int *)user = status;
}

ZNS_EXPORT
int zns_queue_wait(struct zns_queue *q, volatile int *status)
{
	while (*status == ZNS_PENDING) {
		int rc;

		if (!zns_queue_inflight(q))
			return -EINVAL;	/* nothing will ever complete it */
		rc = zns_reap(q, 1, -1);
		if (rc < 0)
			return rc;
	}
	return *status;
}

ZNS_EXPORT
int zns_queue_exit(struct zns_queue *q)
{
	int rc, first = 0;

	if (!q)
		return 0;
	while (zns_queue_inflight(q)) {
		rc = zns_reap(q, 1, -1);
		if (rc < 0) {
			first = first ? first : rc;
			if (rc != -EINTR && rc != -EAGAIN)
				break;
		}
	}
	queue_free(q);
	return first;
}
