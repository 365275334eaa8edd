// SPDX-License-Identifier: MIT
/*
 * The per-command path of a queue: prepare (check, take a context, encode
 * straight into the SQE or the backend's pending slot), submit, reap, wait,
 * and drain on exit.
 *
 * Per command: one free-list pop and one encode, no allocation and no
 * syscall unless the submission ring is full. Completions are copied off
 * the CQ ring in batches and the head is advanced before their callbacks
 * run, so a callback may prepare, submit, reap and wait on its own queue:
 * each completion is delivered exactly once.
 *
 * Layer: queues; see queue-internal.h.
 */
#include "queue-internal.h"
#include "queue-null.h"
#include "queue-zoned.h"

#include <unistd.h>
#include <sys/syscall.h>

/* ------------------------------------------------------------ the slot -- */

/* Where [a, a + len) lies in the buffer at @base of @blen bytes, registered
 * as pieces of 1 << @shift bytes: its piece, -1 when it crosses one's end,
 * -2 when it is not inside. */
static inline int buf_piece(uintptr_t a, uint32_t len, uintptr_t base,
			    size_t blen, unsigned int shift)
{
	uintptr_t off = a - base;

	if (a < base || off + len > blen)
		return -2;
	if ((off >> shift) != ((off + len - 1) >> shift))
		return -1;
	return (int)(off >> shift);
}

/* The entry of the kernel's buffer table holding [buf, buf + len), or -1:
 * the piece of one of the caller's buffers, or of one of the queue's own,
 * that holds it whole (pieces: queue-setup.c). */
static inline int find_buf(const struct zns_queue *q, const void *buf,
			   uint32_t len)
{
	uintptr_t a = (uintptr_t)buf;
	unsigned int i;
	int p;

	if (!len)
		return -1;
	for (i = 0; i < q->nr_bufs; i++) {
		const struct zns_buf *c = &q->bufs[i];

		p = buf_piece(a, len, c->base, c->len, q->buf_shift);
		if (p != -2)
			return p < 0 ? -1 : (int)c->first + p;
	}
	for (i = 0; i < q->own_hi; i++) {
		const struct zns_own_buf *o = &q->own[i];

		p = buf_piece(a, len, (uintptr_t)o->base, o->len,
			      ZNS_BUF_CHUNK_SHIFT);
		if (p != -2)
			return p < 0 || !o->registered ? -1 :
			       (int)(q->buf_ents + o->slot) + p;
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

/* Plain slots. A read, write or append sets opcode, nsid, addr, data_len
 * and CDW10-12 of its command and leaves every other field zero; under
 * io_uring its SQE header differs from the next one's only in fd, flags,
 * cmd_op, user_data, uring_cmd_flags and buf_index. A slot (a context's
 * SQE, zns_sqe_take(), or a backend's pending entry) whose last command was
 * one of those is "plain": the next read, write or append writes only what
 * changes, and not the 128 bytes of a whole SQE. Any other command marks
 * its slot not plain; so does a held command copied back into the ring
 * (queue-nopath.c). Nothing else writes to these slots: the kernel only
 * reads SQEs. */

/* The SQE header of a passthrough command; the command goes in sqe->cmd.
 * @plain: the SQE is plain (see above), and only what changes is written. */
static inline struct nvme_uring_cmd *
uring_slot(struct zns_queue *q, struct io_uring_sqe *sqe, uint32_t idx,
	   const struct zns_dev *dev, int admin, const void *buf, uint32_t len,
	   int plain)
{
	int b;

	if (!plain) {
		/* all 128 bytes: the header, the command and bytes 72-79 of
		 * the command area, which are not part of the NVMe command */
		memset(sqe, 0, 2 * sizeof(*sqe));
		sqe->opcode = IORING_OP_URING_CMD;
	}
	sqe->fd = admin ? dev->ctrl_fd : dev->fd;
	sqe->flags = 0;
	sqe->cmd_op = admin ? NVME_URING_CMD_ADMIN : NVME_URING_CMD_IO;
	sqe->uring_cmd_flags = 0;
	sqe->buf_index = 0;
	sqe->user_data = idx | (!admin && dev->holdable ? ZNS_UD_HOLDABLE : 0);
	if (unlikely(q->nr_files)) {
		int f = find_file(q, dev, admin);

		if (f >= 0) {
			sqe->fd = f;
			sqe->flags = IOSQE_FIXED_FILE;
		}
	}
	if ((q->nr_bufs | q->own_hi) && buf && (b = find_buf(q, buf, len)) >= 0) {
		sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
		sqe->buf_index = (uint16_t)b;
	}
	return (struct nvme_uring_cmd *)sqe->cmd;
}

/* The fallback and null backends' pending slot. */
static inline struct zns_pending *
backend_slot(struct zns_queue *q, uint32_t idx, const struct zns_dev *dev,
	     int admin, uint64_t null_res)
{
	struct zns_pending *p = &q->pend[q->pend_tail++ & q->ring_mask];

	p->dev = dev;
	p->null_res = null_res;
	p->how = (uint8_t)admin;
	p->idx = idx;
	return p;
}

/* Can a slot be had without a call: the queue is this thread's, a context
 * is free and, under io_uring, so is an SQE? */
static inline int slot_ready(struct zns_queue *q)
{
	if (unlikely(q->owner != zns_self() || q->nr_free == 0))
		return 0;
	return q->mode != ZNS_MODE_URING || io_uring_sq_space_left(&q->ring) > 0;
}

/* Take a context and the place to encode a command into; slot_ready() or
 * slot_make_ready() has said there is one. No call on this path.
 * @null_res is what the null backend completes the command with. @rw: the
 * command will be a read, write or append, encoded by zns_enc_rw_plain():
 * a slot that was not plain is zeroed first, and the slot is plain
 * afterwards; otherwise the slot is zeroed and marked not plain. */
static inline __attribute__((always_inline)) struct nvme_uring_cmd *
take_slot(struct zns_queue *q, const struct zns_dev *dev, int admin,
	  const void *buf, uint32_t len, zns_cb cb, void *user, uint64_t null_res,
	  int rw)
{
	uint32_t idx = q->free[--q->nr_free];
	uint8_t *plain;
	int was;

	q->ctx[idx].cb = cb;
	q->ctx[idx].user = user;
	if (likely(q->mode == ZNS_MODE_URING) && likely(!dev->emu)) {
		/* slot_ready(): the SQ ring has space */
		struct io_uring_sqe *sqe = zns_sqe_take(q, idx);

		plain = zns_sqe_plain(q, sqe);
		was = rw && *plain;
		*plain = (uint8_t)rw;
		return uring_slot(q, sqe, idx, dev, admin, buf, len, was);
	} else {
		struct zns_pending *p = backend_slot(q, idx, dev, admin, null_res);

		was = rw && p->plain;
		p->plain = (uint8_t)rw;
		if (!was)
			memset(&p->cmd, 0, sizeof(p->cmd));
		return &p->cmd;
	}
}

/* What slot_ready() found missing: bind the queue to this thread (or
 * refuse another thread), refuse a full queue, submit a full SQ ring. */
static int slot_make_ready(struct zns_queue *q)
{
	int rc = zns_queue_owned(q);

	if (unlikely(rc))
		return rc;
	if (unlikely(q->nr_free == 0))
		return zns_fail(-EBUSY, "the queue holds depth commands already: reap completions, then prepare again");
	if (q->mode == ZNS_MODE_URING && !io_uring_sq_space_left(&q->ring)) {
		io_uring_submit(&q->ring);
		if (!io_uring_sq_space_left(&q->ring))
			return zns_fail(-EBUSY, "the submission ring is full and could not be submitted: reap, then prepare again");
	}
	return 0;
}

/* A slot for the less frequent commands: checked, then taken. Nothing is
 * queued when this fails. */
static inline __attribute__((always_inline)) struct nvme_uring_cmd *
zns_slot(struct zns_queue *q, const struct zns_dev *dev, int admin,
	 const void *buf, uint32_t len, zns_cb cb, void *user, int *rc)
{
	*rc = slot_ready(q) ? 0 : slot_make_ready(q);
	if (unlikely(*rc))
		return NULL;
	return take_slot(q, dev, admin, buf, len, cb, user, 0, 0);
}

/* ----------------------------------------------------------- prep_* ------ */

#define CHECK_HANDLES(q, dev, who) do {					\
	if (unlikely(!(q) || !(dev)))					\
		return zns_fail(-EINVAL, who ": q or dev is NULL");	\
} while (0)

/* ------------------------------------------------------------ vectors -- */

/* A read or write whose data is a vector: the kernel's vectored passthrough
 * (NVME_URING_CMD_IO_VEC; the ioctl fallback's NVME_IOCTL_IO64_CMD_VEC).
 * The kernel reads the array when it issues the command, which may be
 * after the submit returns: it stays the caller's until the callback. */
static int prep_vec(struct zns_queue *q, struct zns_dev *dev, uint8_t opcode,
		    const struct iovec *iov, unsigned int nr, uint64_t slba,
		    uint32_t nlb, zns_cb cb, void *user, const char *who)
{
	struct nvme_uring_cmd *c;
	int rc = zns_check_vec(dev, iov, nr, slba, nlb, who);

	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, NULL, 0, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_rw(c, opcode, dev->nsid, NULL, 0, slba, nlb, 0);
	c->addr = (uintptr_t)iov;
	c->data_len = nr;
	if (q->mode == ZNS_MODE_URING && !dev->emu)
		((struct io_uring_sqe *)((char *)c - offsetof(struct io_uring_sqe, cmd)))
			->cmd_op = NVME_URING_CMD_IO_VEC;
	else
		((struct zns_pending *)((char *)c - offsetof(struct zns_pending, cmd)))
			->how = ZNS_EXEC_IOVEC;
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

ZNS_EXPORT
int zns_prep_writev(struct zns_queue *q, struct zns_dev *dev,
		    const struct iovec *iov, unsigned int nr_iov,
		    uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_writev");
	return prep_vec(q, dev, ZNS_OP_WRITE, iov, nr_iov, slba, nlb, cb, user,
			"zns_prep_writev");
}

ZNS_EXPORT
int zns_prep_readv(struct zns_queue *q, struct zns_dev *dev,
		   const struct iovec *iov, unsigned int nr_iov,
		   uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_readv");
	return prep_vec(q, dev, ZNS_OP_READ, iov, nr_iov, slba, nlb, cb, user,
			"zns_prep_readv");
}

/* Encode a read, write or append into a slot that is ready. */
static inline __attribute__((always_inline)) int
put_io(struct zns_queue *q, struct zns_dev *dev, uint8_t opcode,
       const void *buf, uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	uint32_t len = nlb << dev->lba_shift;
	/* the null backend "lands" an append at its zone start */
	struct nvme_uring_cmd *c = take_slot(q, dev, 0, buf, len, cb, user,
					     opcode == nvme_zns_cmd_append ? slba : 0,
					     1);

	/* a slot that was not plain has been zeroed */
	zns_enc_rw_plain(c, opcode, dev->nsid, buf, len, slba, nlb);
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

/* The rare path of read, write and append (first use, full queue, full SQ
 * ring), out of line so that the common one makes no call and saves no
 * register. @nlb_op carries the opcode in bits 31:24. */
static __attribute__((noinline, cold)) int
prep_io_slow(struct zns_queue *q, struct zns_dev *dev, const void *buf,
	     uint64_t slba, uint32_t nlb_op, zns_cb cb, void *user)
{
	int rc = slot_make_ready(q);

	if (rc)
		return rc;
	return put_io(q, dev, (uint8_t)(nlb_op >> 24), buf, slba,
		      nlb_op & 0xffffff, cb, user);
}

/* Read, write and zone append share everything but opcode and limit. */
static inline __attribute__((always_inline)) int
prep_io(struct zns_queue *q, struct zns_dev *dev, uint8_t opcode,
	const void *buf, uint64_t slba, uint32_t nlb, uint32_t limit,
	zns_cb cb, void *user)
{
	int rc = zns_check_xfer(dev, buf, slba, nlb, limit);

	if (unlikely(rc))
		return rc;
	if (unlikely(!slot_ready(q)))
		return prep_io_slow(q, dev, buf, slba,
				    nlb | (uint32_t)opcode << 24, cb, user);
	return put_io(q, dev, opcode, buf, slba, nlb, cb, user);
}

ZNS_EXPORT
int zns_prep_read(struct zns_queue *q, struct zns_dev *dev, void *buf,
		  uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_read");
	return prep_io(q, dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer, cb,
		       user);
}

ZNS_EXPORT
int zns_prep_write(struct zns_queue *q, struct zns_dev *dev, const void *buf,
		   uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_write");
	return prep_io(q, dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer, cb,
		       user);
}

/* queue-zoned.h: a write the zone layer has checked (the handles, the
 * buffer, the length against max_xfer); the range and the format are still
 * checked here. No call through the PLT, and no check made twice. */
int zns_prep_write_zoned(struct zns_queue *q, struct zns_dev *dev,
			 const void *buf, uint64_t slba, uint32_t nlb,
			 zns_cb cb, void *user)
{
	int rc = zns_check_range(dev, slba, nlb);

	if (unlikely(rc))
		return rc;
	if (unlikely(dev->md))
		return zns_refuse_md();
	if (unlikely(!slot_ready(q)))
		return prep_io_slow(q, dev, buf, slba,
				    nlb | (uint32_t)ZNS_OP_WRITE << 24, cb, user);
	return put_io(q, dev, ZNS_OP_WRITE, buf, slba, nlb, cb, user);
}

ZNS_EXPORT
int zns_prep_append(struct zns_queue *q, struct zns_dev *dev,
		    const void *buf, uint64_t zslba, uint32_t nlb, zns_cb cb,
		    void *user)
{
	int rc;

	CHECK_HANDLES(q, dev, "zns_prep_append");
	rc = zns_check_zslba(dev, zslba);
	if (unlikely(rc))
		return rc;
	return prep_io(q, dev, nvme_zns_cmd_append, buf, zslba, nlb, dev->zasl,
		       cb, user);
}

/* ------------------------------------------------- with options -- */

/* A read, write or append with options (struct zns_io_opts): checked, then
 * encoded in full into a slot marked not plain. A command with a timeout
 * notes when it was prepared, so that its cancellation after that long can
 * be told a timeout (zns_complete()). */
static int prep_opts(struct zns_queue *q, struct zns_dev *dev, uint8_t opcode,
		     const void *buf, uint64_t slba, uint32_t nlb,
		     uint32_t limit, const struct zns_io_opts *opts, zns_cb cb,
		     void *user)
{
	struct nvme_uring_cmd *c;
	struct zns_io_opts o;
	uint32_t len, idx;
	int rc = zns_check_opts(dev, opcode, buf, slba, nlb, limit, opts, &o,
				&len);

	if (rc)
		return rc;
	rc = slot_ready(q) ? 0 : slot_make_ready(q);
	if (rc)
		return rc;
	/* the null backend "lands" an append at its zone start */
	c = take_slot(q, dev, 0, buf, len, cb, user,
		      opcode == nvme_zns_cmd_append ? slba : 0, 0);
	idx = q->free[q->nr_free];	/* the context take_slot() popped */
	zns_enc_rw_opts(c, opcode, dev->nsid, buf, len, slba, nlb, &o);
	if (o.timeout_ms) {
		q->ctx[idx].timeout_ms = o.timeout_ms;
		q->sent_ns[idx] = zns_now_ns();
	}
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

ZNS_EXPORT
int zns_prep_read_opts(struct zns_queue *q, struct zns_dev *dev, void *buf,
		       uint64_t slba, uint32_t nlb,
		       const struct zns_io_opts *opts, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_read_opts");
	return prep_opts(q, dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer,
			 opts, cb, user);
}

ZNS_EXPORT
int zns_prep_write_opts(struct zns_queue *q, struct zns_dev *dev,
			const void *buf, uint64_t slba, uint32_t nlb,
			const struct zns_io_opts *opts, zns_cb cb, void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_write_opts");
	return prep_opts(q, dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer,
			 opts, cb, user);
}

ZNS_EXPORT
int zns_prep_append_opts(struct zns_queue *q, struct zns_dev *dev,
			 const void *buf, uint64_t zslba, uint32_t nlb,
			 const struct zns_io_opts *opts, zns_cb cb,
			 void *user)
{
	int rc;

	CHECK_HANDLES(q, dev, "zns_prep_append_opts");
	rc = zns_check_zslba(dev, zslba);
	if (rc)
		return rc;
	return prep_opts(q, dev, nvme_zns_cmd_append, buf, zslba, nlb,
			 dev->zasl, opts, cb, user);
}

ZNS_EXPORT
int zns_prep_write_zeroes(struct zns_queue *q, struct zns_dev *dev,
			  uint64_t slba, uint32_t nlb, zns_cb cb, void *user)
{
	struct nvme_uring_cmd *c;
	int rc;

	CHECK_HANDLES(q, dev, "zns_prep_write_zeroes");
	rc = zns_check_range(dev, slba, nlb);
	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, NULL, 0, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_write_zeroes(c, dev->nsid, slba, nlb);
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

ZNS_EXPORT
int zns_prep_flush(struct zns_queue *q, struct zns_dev *dev, zns_cb cb,
		   void *user)
{
	struct nvme_uring_cmd *c;
	int rc;

	CHECK_HANDLES(q, dev, "zns_prep_flush");
	c = zns_slot(q, dev, 0, NULL, 0, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_flush(c, dev->nsid);
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

ZNS_EXPORT
int zns_prep_mgmt_send(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zsa, unsigned int flags,
		       void *data, uint32_t len, zns_cb cb, void *user)
{
	struct nvme_uring_cmd *c;
	int rc;

	CHECK_HANDLES(q, dev, "zns_prep_mgmt_send");
	rc = zns_check_send(dev, slba, zsa, flags, data, len);
	if (unlikely(rc))
		return rc;
	c = zns_slot(q, dev, 0, data, len, cb, user, &rc);
	if (unlikely(!c))
		return rc;
	zns_enc_mgmt_send(c, dev->nsid, slba, (uint8_t)zsa,
			  flags & ZNS_SEND_SELECT_ALL, flags & ZNS_SEND_ZRWA,
			  data, len);
	if (unlikely(dev->holdable))
		zns_nopath_keep(q, c, dev);
	return 0;
}

/* Zone Management Receive; @held: the queue holds it, should it fail while
 * the controller resets or the path is gone (zns_prep_report_held()). */
static int prep_recv(struct zns_queue *q, struct zns_dev *dev, uint64_t slba,
		     unsigned int zra, unsigned int zrasf, int partial,
		     void *buf, uint32_t len, zns_cb cb, void *user, int held)
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
	if (held && q->mode == ZNS_MODE_URING && !dev->emu)
		((struct io_uring_sqe *)((char *)c - offsetof(struct io_uring_sqe, cmd)))
			->user_data |= ZNS_UD_HOLDABLE;
	if (unlikely(dev->holdable) || held)
		zns_nopath_keep(q, c, dev);
	return 0;
}

ZNS_EXPORT
int zns_prep_mgmt_recv(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zra, unsigned int zrasf,
		       int partial, void *buf, uint32_t len, zns_cb cb,
		       void *user)
{
	CHECK_HANDLES(q, dev, "zns_prep_mgmt_recv");
	return prep_recv(q, dev, slba, zra, zrasf, partial, buf, len, cb,
			 user, 0);
}

/* See queue-zoned.h. */
int zns_prep_report_held(struct zns_queue *q, struct zns_dev *dev,
			 uint64_t zslba, void *buf, uint32_t len, zns_cb cb,
			 void *user)
{
	return prep_recv(q, dev, zslba, 0, 0, 1, buf, len, cb, user, 1);
}

/* A slot for an admin command: under io_uring it needs the controller
 * device, which the kernel only accepts NVME_URING_CMD_ADMIN on. */
static struct nvme_uring_cmd *admin_slot(struct zns_queue *q,
					 const struct zns_dev *d,
					 const void *buf, zns_cb cb,
					 void *user, int *rc)
{
	if (!q || !d)
		*rc = zns_fail(-EINVAL, "admin prep: q or dev is NULL");
	else if (!buf)
		*rc = zns_fail(-EFAULT, "admin prep: the data buffer is NULL");
	else if (q->mode == ZNS_MODE_URING && d->ctrl_fd < 0 && !d->emu)
		*rc = d->ctrl_err ?
			zns_failf(-ENODEV, "asynchronous admin commands need the controller device (/dev/nvmeX) open read-write; zns_dev_open could not open it: %s", strerror(d->ctrl_err)) :
			zns_fail(-ENODEV, "asynchronous admin commands need the controller device (/dev/nvmeX) open read-write; none was found for this namespace");
	else
		return zns_slot(q, d, 1, NULL, 0, cb, user, rc);
	return NULL;
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

/* ------------------------------------------------------------- submit -- */

ZNS_EXPORT
int zns_submit(struct zns_queue *q)
{
	int rc;

	if (unlikely(!q))
		return zns_fail(-EINVAL, "zns_submit: q is NULL");
	rc = zns_queue_owned(q);
	if (unlikely(rc))
		return rc;
	if (likely(q->mode == ZNS_MODE_URING)) {
		if (unlikely(q->pend_head != q->pend_tail))
			zns_sync_run(q);	/* emulated devices */
		return io_uring_submit(&q->ring);
	}
	if (q->mode == ZNS_MODE_NULL)
		return (int)(q->pend_tail - q->pend_head);
	return zns_sync_run(q);
}

/* --------------------------------------------------------------- reap -- */

/* Deliver what an earlier pass copied off the CQ ring. The batch lives in
 * the queue, so a callback that reaps or waits continues it where the outer
 * pass stands: each completion is delivered once, none waits behind a
 * callback for a CQE that is already gone. */
static unsigned int deliver_batch(struct zns_queue *q)
{
	unsigned int n = 0;

	q->in_cb++;
	while (q->batch_head != q->batch_tail) {
		const struct zns_cq_done *e = &q->batch[q->batch_head++];

		zns_complete(q, e->idx, e->res, e->result);
		n++;
	}
	q->in_cb--;
	return n;
}

/* A command that came back with -EFAULT: send it again, as it is, up to
 * ZNS_EFAULT_TRIES times (1), or let the -EFAULT through (0). A passthrough
 * command fails with -EFAULT only before it is sent: mapping its data (or
 * its vector, or a registered buffer's index) failed. Linux (6.1 and 6.12
 * alike) fails commands so when an io-wq worker issues them (after
 * -EAGAIN: no tag free, or the queue frozen by a controller reset) and
 * that worker takes itself for a 32-bit task: it cuts the data's address
 * to 32 bits. The
 * command's SQE is still its own (zns_sqe_take()), so it is queued again
 * unchanged. A buffer that really cannot be mapped fails every time, and
 * its -EFAULT reaches the callback after the last try. */
static int efault_again(struct zns_queue *q, uint32_t idx)
{
	uint16_t *t = &q->refault[idx];

	if (*t >= ZNS_EFAULT_TRIES || !io_uring_sq_space_left(&q->ring)) {
		if (*t) {
			*t = 0;
			q->nr_refault--;
		}
		return 0;
	}
	if ((*t)++ == 0)
		q->nr_refault++;
	zns_sqe_take(q, idx);
	return 1;
}

/* A command sent again after -EFAULT completed otherwise. */
static void refault_done(struct zns_queue *q, uint32_t idx)
{
	if (q->refault[idx]) {
		q->refault[idx] = 0;
		q->nr_refault--;
	}
}

/* Take every CQE that is there, in batches: copy a batch, advance the head
 * past it, then run its callbacks. */
static unsigned int drain_cq(struct zns_queue *q)
{
	unsigned int total = deliver_batch(q), seen, n, head, again = 0;
	struct io_uring_cqe *cqe;

	do {
		seen = 0;
		n = 0;
		io_uring_for_each_cqe(&q->ring, head, cqe) {
			uint64_t ud = cqe->user_data;
			int res = cqe->res;

			if (seen == ZNS_CQ_BATCH)
				break;
			seen++;
			if (unlikely((ud & ~ZNS_UD_HOLDABLE) >= q->depth))
				continue;	/* not ours (liburing timeout) */
			if (unlikely(res == -EFAULT) &&
			    efault_again(q, (uint32_t)ud)) {
				again++;
				continue;
			}
			if (unlikely(q->nr_refault))
				refault_done(q, (uint32_t)ud);
			/* a multipath head without a live path answers
			 * -EINVAL: hold the command, or say -ENOLINK; a
			 * read a breaking path failed is held too */
			if (unlikely((res < 0 || (res & 0x700) == 0x300) &&
				     (ud & ZNS_UD_HOLDABLE)) &&
			    zns_nopath_hold(q, (uint32_t)ud, q->shadow_dev ?
					    q->shadow_dev[(uint32_t)ud] : NULL, NULL, &res))
				continue;
			q->batch[n].idx = (uint32_t)ud;
			q->batch[n].res = res;
			/* CQE32: the 64-bit command result follows */
			q->batch[n].result = cqe->big_cqe[0];
			n++;
		}
		io_uring_cq_advance(&q->ring, seen);
		if (unlikely(again)) {
			io_uring_submit(&q->ring);
			again = 0;
		}
		q->batch_head = 0;
		q->batch_tail = n;
		total += deliver_batch(q);
	} while (seen == ZNS_CQ_BATCH);
	return total;
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

/* Nothing to wait for: at most one kernel entry, to submit and, when
 * nothing was found, to collect deferred completions. */
/* Completions of emulated devices' commands on an io_uring queue: they
 * take the fallback's path (queue-sync.c). */
static inline unsigned int held_complete(struct zns_queue *q, int wait)
{
	if (likely(!zns_backend_held(q)))
		return 0;
	return zns_sync_complete(q, wait ? -1 : 0);
}

/* Commands held for want of a path: send them again when it is back. */
static inline unsigned int parked_poll(struct zns_queue *q, int now)
{
	if (likely(!q->nr_parked))
		return 0;
	return zns_nopath_poll(q, now);
}

/* Only held commands in flight: nothing to wait for in the kernel; sleep a
 * step (within @timeout_us, when it is set) and look for a path. */
static unsigned int parked_wait(struct zns_queue *q, int64_t timeout_us)
{
	uint64_t step = ZNS_NOPATH_STEP_NS;
	struct timespec ts;

	if (timeout_us >= 0 && (uint64_t)timeout_us * 1000 < step)
		step = (uint64_t)timeout_us * 1000;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)step;
	nanosleep(&ts, NULL);
	return zns_nopath_poll(q, 1);
}

static int uring_poll(struct zns_queue *q)
{
	unsigned int got = drain_cq(q) + held_complete(q, 0) + parked_poll(q, 0);
	int events = !got && zns_inflight(q) > zns_backend_held(q) &&
		     kernel_has_events(q);
	int rc;

	if (io_uring_sq_ready(&q->ring) || events) {
		rc = submit_get_events(q, events);
		if (rc < 0 && rc != -EAGAIN && rc != -EINTR && rc != -EBUSY)
			return got ? (int)got : rc;
		got += drain_cq(q);
	}
	return (int)got;
}

/* A wait that polls: until @want have completed, nothing is in flight, or
 * @spin ns (or *@timeout_us, when it is set and shorter) are over; the time
 * spent comes off *@timeout_us. Returns the completions. */
static __attribute__((noinline)) unsigned int
uring_spin(struct zns_queue *q, unsigned int want, uint64_t spin, int64_t *timeout_us)
{
	uint64_t start = zns_now_ns(), t = start;
	unsigned int got = 0;

	if (*timeout_us >= 0 && (uint64_t)*timeout_us * 1000u < spin)
		spin = (uint64_t)*timeout_us * 1000u;
	do {
		int rc = uring_poll(q);

		if (rc < 0)
			break;	/* the wait after it says what is wrong */
		got += (unsigned int)rc;
		if (got >= want || !zns_inflight(q))
			break;
		t = zns_now_ns();
	} while (t - start < spin);
	if (*timeout_us >= 0) {
		int64_t used = (int64_t)((t - start) / 1000u);

		*timeout_us = used < *timeout_us ? *timeout_us - used : 0;
	}
	return got;
}

static __attribute__((noinline)) int uring_reap(struct zns_queue *q, unsigned int min,
		      int64_t timeout_us)
{
	unsigned int got;
	int rc;

	if (!min)
		return uring_poll(q);
	got = drain_cq(q) + held_complete(q, 0) + parked_poll(q, 0);
	if (q->spin_ns && got < min && zns_inflight(q) && !q->nr_parked)
		got += uring_spin(q, min - got, q->spin_ns, &timeout_us);
	/* IOPOLL: the kernel polls the device's queue until enough have
	 * completed and keeps no timeout (a wait for a stuck command would
	 * spin until the driver's own timeout); a wait with one looks once
	 * per kernel entry and keeps the time here */
	if (unlikely(q->setup_flags & IORING_SETUP_IOPOLL) && timeout_us >= 0 &&
	    got < min && zns_inflight(q) && !q->nr_parked) {
		got += uring_spin(q, min - got, UINT64_MAX, &timeout_us);
		if (got >= min || !zns_inflight(q) || timeout_us == 0)
			return (int)got;
	}
	/* Waiting: submit in the same kernel entry that waits. Commands the
	 * callbacks prepare go out with the next call. */
	while (got < min && zns_inflight(q)) {
		unsigned int held = zns_backend_held(q);

		if (unlikely(q->nr_parked) && q->nr_parked + held >= zns_inflight(q)) {
			/* only commands held for a path (and emulated
			 * ones): wait in steps, not in the kernel */
			io_uring_submit(&q->ring);
			got += held_complete(q, 0) + parked_wait(q, timeout_us);
			got += drain_cq(q);
			if (timeout_us >= 0)
				break;
			continue;
		}
		if (held && held == zns_inflight(q)) {
			/* only emulated commands: nothing to wait for in
			 * the kernel */
			io_uring_submit(&q->ring);
			got += zns_sync_complete(q, timeout_us);
			if (timeout_us >= 0)
				break;
			continue;
		}
		/* with emulated or parked commands too, wait in short steps */
		rc = uring_wait(q, min - got, held ? 1000 : q->nr_parked ?
				(int64_t)(ZNS_NOPATH_STEP_NS / 1000) : timeout_us);
		if (rc < 0 && rc != -ETIME && rc != -EINTR)
			return got ? (int)got : rc;
		got += drain_cq(q) + held_complete(q, 0) + parked_poll(q, 0);
		if ((held || q->nr_parked) && rc == -ETIME && timeout_us < 0)
			continue;
		if (rc < 0 || timeout_us >= 0)
			break;
	}
	return (int)got;
}

/* What a reap does first on a queue that is not yet bound, belongs to
 * another thread, or has an eventfd to clear. */
static int reap_prologue(struct zns_queue *q)
{
	int rc = zns_queue_owned(q);

	if (unlikely(rc))
		return rc;
	if (q->efd >= 0) {
		uint64_t v;

		if (read(q->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return zns_fail(-errno, "zns_reap: reading the queue's eventfd failed");
	}
	return 0;
}

ZNS_EXPORT
int zns_reap(struct zns_queue *q, unsigned int min, int64_t timeout_us)
{
	int rc;

	if (unlikely(!q))
		return zns_fail(-EINVAL, "zns_reap: q is NULL");
	/* one compare for the common case: this thread's queue, no eventfd */
	if (unlikely(q->reap_owner != zns_self())) {
		rc = reap_prologue(q);
		if (rc)
			return rc;
	}
	if (likely(q->mode == ZNS_MODE_URING))
		return uring_reap(q, min, timeout_us);
	if (q->mode == ZNS_MODE_NULL)
		return (int)zns_null_complete(q);
	return (int)zns_sync_complete(q, min > 0 ? timeout_us : 0);
}

/* ------------------------------------------------------ wait and exit -- */

ZNS_EXPORT
void zns_sync_cb(void *user, int status, uint64_t result)
{
	(void)result;
	*(int *)user = status;
}

ZNS_EXPORT
int zns_queue_wait(struct zns_queue *q, volatile int *status)
{
	if (!q || !status)
		return zns_fail(-EINVAL, "zns_queue_wait: q or status is NULL");
	while (*status == ZNS_PENDING) {
		int rc;

		if (!zns_inflight(q))
			return zns_fail(-EINVAL, "zns_queue_wait: the status is pending but nothing is in flight: prepare the command with this status first");
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
	if (q->in_cb)
		return zns_fail(-EDEADLK, "zns_queue_exit: called from a callback of this queue; free the queue after zns_reap() returns");
	if (zns_inflight(q) && q->owner && q->owner != zns_self())
		return zns_fail(-EEXIST, "zns_queue_exit: commands are in flight and this queue belongs to another thread: exit it on that thread");
	/* commands held for a path are not sent: they complete now */
	zns_nopath_give_up(q);
	while (zns_inflight(q)) {
		rc = zns_reap(q, 1, -1);
		if (rc < 0) {
			first = first ? first : rc;
			if (rc != -EINTR && rc != -EAGAIN)
				break;
		}
	}
	zns_queue_free(q);
	return first;
}
