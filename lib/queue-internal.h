/* SPDX-License-Identifier: MIT */
/*
 * The queue's insides, shared by its files: queue-setup.c (creating,
 * registering, binding, freeing), queue.c (the per-command path: prepare,
 * submit, reap), queue-sync.c (the synchronous fallback's pending and
 * completed commands) and queue-null.h (the null backend).
 *
 * Layer: queues. Depends on cmd.h, the ioctl transport (the fallback) and
 * liburing; nothing below it knows queues exist.
 */
#ifndef LIBZNS_QUEUE_INTERNAL_H
#define LIBZNS_QUEUE_INTERNAL_H

#include "cmd.h"

#include <liburing.h>
#include <time.h>

/* io_uring flags newer than the oldest liburing libzns builds with (2.2);
 * a kernel without them refuses them at setup, and libzns falls back. */
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
#define ZNS_CQ_BATCH		32	/* CQEs taken per CQ head update */
#define ZNS_EFAULT_TRIES	16	/* sends again after -EFAULT (queue.c) */

struct zns_ctx {
	zns_cb cb;
	void *user;
	int status;		/* fallback backend */
	uint32_t timeout_ms;	/* the command's own timeout, or 0 */
	uint64_t result;
};

/* A completion copied off the CQ ring, not yet delivered. */
struct zns_cq_done {
	uint32_t idx;
	int res;
	uint64_t result;
};

/* A command prepared for the fallback or null backend; 128 bytes, so the
 * ring is indexed by a shift. */
struct zns_pending {
	struct nvme_uring_cmd cmd;
	const struct zns_dev *dev;
	uint64_t null_res;	/* the null backend's result: an append's LBA */
	uint32_t idx;
	uint8_t how;		/* ZNS_EXEC_IO, _ADMIN or _IOVEC */
	uint8_t plain;		/* cmd holds zero in every field a read,
				 * write or append leaves zero (queue.c) */
	uint8_t pad[128 - sizeof(struct nvme_uring_cmd) - 22];
};

/* A completion an emulated device holds back until @due (CLOCK_MONOTONIC
 * ns). */
struct zns_delayed {
	uint32_t idx;
	uint64_t due;
};
ZNS_STATIC_ASSERT(sizeof(struct zns_pending) == 128, "pending slot size");

/* Buffers a queue allocates itself (zns_queue_alloc_buffer()) at once. */
#define ZNS_BUF_OWN		64
/* Each is registered as entries of at most 256 KiB, which take slots of
 * the kernel's table after the caller's buffers: on Linux 6.1 a command in a
 * registered buffer fails with -EINVAL when more pages follow its start in
 * that buffer than the device takes segments (127 on NVMe PCIe: the kernel
 * counts the buffer's pages to its end as the command's). */
#define ZNS_BUF_CHUNK_SHIFT	18
#define ZNS_BUF_OWN_SLOTS	4096u
/* The kernel's limit on a buffer table, and on one registered buffer. */
#define ZNS_BUF_TABLE_MAX	16384u
#define ZNS_BUF_LEN_MAX		(1ull << 30)

/* A buffer the caller registered (zns_queue_register_buffers()): its memory,
 * and its first entry in the kernel's table; it takes consecutive entries
 * of 1 << zns_queue.buf_shift bytes each, for the same reason. */
struct zns_buf {
	uintptr_t base;
	size_t len;
	uint32_t first;
};

/* A buffer of the queue's own: its memory, and its entries in the table. */
struct zns_own_buf {
	uint8_t *base;
	size_t len;
	uint32_t slot;			/* first own slot */
	uint32_t nchunks;		/* entries */
	int registered;
};

struct zns_queue {
	struct io_uring ring;
	int mode;
	int disabled;			/* ring created disabled, not yet bound */
	int reg_ring;			/* entered by a registered index */
	uintptr_t owner;		/* zns_self() of the bound thread, or 0 */
	uintptr_t reap_owner;		/* owner, when reaping has nothing else
					 * to do first (no eventfd), else 0 */
	unsigned int in_cb;		/* callbacks running: nesting depth */
	unsigned int flags;
	unsigned int setup_flags;	/* io_uring setup flags in use */
	unsigned int depth;
	unsigned int nr_free;
	unsigned int batch_head, batch_tail;
	struct zns_cq_done batch[ZNS_CQ_BATCH];
	uint32_t *free;			/* stack of free context indices */
	struct zns_ctx *ctx;
	uint64_t *sent_ns;		/* by context: when a command with a
					 * timeout was prepared */
	uint8_t *sqe_plain;		/* io_uring: per SQE of the ring, as
					 * zns_pending.plain (queue.c) */
	uint16_t *refault;		/* io_uring, by context: times the
					 * command was sent again after
					 * -EFAULT (queue.c) */
	unsigned int nr_refault;	/* contexts with refault set */
	/* fallback and null backends: rings indexed by free-running
	 * counters, each a power of two of at least depth entries */
	struct zns_pending *pend;	/* prepared, not yet run */
	unsigned int pend_head, pend_tail;
	uint32_t *done;			/* completed context indices */
	unsigned int done_head, done_tail;
	struct zns_delayed *delayed;	/* held back by an emulated device */
	unsigned int nr_delayed;
	unsigned int ring_mask;
	int efd;
	/* registered buffers and files. The kernel's buffer table holds the
	 * caller's buffers (bufs, nr_bufs) in buf_ents entries, then
	 * ZNS_BUF_OWN_SLOTS entries for the queue's own (queue-setup.c). */
	struct zns_buf *bufs;
	unsigned int nr_bufs;
	unsigned int buf_ents;
	unsigned int buf_shift;		/* log2 of a caller's entry */
	unsigned int buf_table;		/* entries the kernel holds, or 0 */
	int cmd_fixed;			/* the kernel takes registered buffers
					 * for passthrough (Linux 6.0) */
	struct zns_own_buf *own;	/* zns_queue_alloc_buffer() */
	unsigned int own_hi;		/* one past the last own[] in use */
	uint8_t *own_slot_used;		/* by own slot */
	const struct zns_dev *files[ZNS_MAX_FILES];
	unsigned int nr_files;
	/* commands held while their device has no live path (queue-nopath.c):
	 * context and the time to give up */
	struct zns_delayed *parked;
	unsigned int nr_parked;
	uint32_t hold_ms;		/* opts->nopath_hold_ms */
	uint64_t spin_ns;		/* opts->spin_us, in ns */
	uint64_t next_path_check;	/* CLOCK_MONOTONIC ns */
	struct io_uring_sqe *shadow;	/* io_uring: a copy of the SQE (two
					 * slots, SQE128) of each command to
					 * a holdable device, by context */
	const struct zns_dev **shadow_dev;
	struct zns_pending *held_pend;	/* fallback: held commands, by context */
	uint64_t *held_due;		/* by context: a held command's give-up
					 * time while it is sent again, or 0 */
	const struct zns_dev *np_down_dev;	/* the last device seen without
						 * a path, and when (ns) */
	uint64_t np_down_at;
	const struct zns_dev *np_dev;	/* the last look at a device's paths */
	uint64_t np_until;
	uint32_t np_loss;
	int np_live;
	char np_why[160];
};

/* The SQE of context @idx, put at the SQ ring's tail (the caller has made
 * sure the ring has space). Each context has its own SQE, and the SQ array
 * names it, so a command's SQE is not written again until the command has
 * completed and its context is taken anew. The kernel may read it after
 * the submit returned: Linux 6.12 sends a passthrough command that met
 * -EAGAIN (no tag free, or a queue frozen by a controller reset) again
 * from a worker, and reads its fields from the SQE it was submitted in.
 * An SQE handed out in ring order would by then hold a later command, and
 * the device would run that one under this command's completion. */
static inline struct io_uring_sqe *zns_sqe_take(struct zns_queue *q,
						uint32_t idx)
{
	struct io_uring_sq *sq = &q->ring.sq;
	unsigned int tail = sq->sqe_tail;

	sq->array[tail & sq->ring_mask] = idx;
	sq->sqe_tail = tail + 1;
	/* SQE128: each entry is two struct io_uring_sqe */
	return &sq->sqes[(size_t)idx << 1];
}

/* Whether an SQE of the ring is plain (see "plain slots" in queue.c). */
static inline uint8_t *zns_sqe_plain(struct zns_queue *q,
				     const struct io_uring_sqe *sqe)
{
	/* SQE128: each entry is two struct io_uring_sqe */
	return &q->sqe_plain[(size_t)(sqe - q->ring.sq.sqes) >> 1];
}

/* Bit 32 of an SQE's user_data: the command's device may lose its paths
 * (a multipath head), so a -EINVAL may mean "no path" (queue-nopath.c). */
#define ZNS_UD_HOLDABLE		(1ull << 32)

/* queue-nopath.c. Keep a copy of an io_uring command to a holdable device
 * (called after it is encoded), so it can be sent again. */
void zns_nopath_keep(struct zns_queue *q, struct nvme_uring_cmd *c,
		     const struct zns_dev *dev);

/* A command to a holdable device failed with -EINVAL: if its device has
 * no live path, *@res becomes -ENOLINK and, unless the queue fails such
 * commands at once, the command is held (returns 1: do not deliver it).
 * @p: the fallback's pending copy, or NULL under io_uring. */
int zns_nopath_hold(struct zns_queue *q, uint32_t idx,
		    const struct zns_dev *dev, const struct zns_pending *p,
		    int *res);

/* Send the held commands again once a path is back; deliver -ENOLINK for
 * those past their time. At most every 10 ms unless @now. Returns the
 * completions delivered. */
unsigned int zns_nopath_poll(struct zns_queue *q, int now);

/* Deliver -ENOLINK for every held command (zns_queue_exit()). */
void zns_nopath_give_up(struct zns_queue *q);

/* How long a reap that waits should sleep before polling again, ns. */
#define ZNS_NOPATH_STEP_NS	10000000ull

/* The calling thread, as a number no other live thread shares: the address
 * of a thread-local byte (one fs-relative lea, no call). */
extern ZNS_TLS char zns_thread_tag;
static inline uintptr_t zns_self(void)
{
	return (uintptr_t)&zns_thread_tag;
}

/* Release everything a queue holds: queue-setup.c. */
void zns_queue_free(struct zns_queue *q);

/* Bind @q to the calling thread, or refuse: queue-setup.c. */
int zns_queue_bind(struct zns_queue *q);

/* Every call that touches the rings runs on the queue's thread: the first
 * one binds it (and enables a single-issuer ring), later ones from another
 * thread get -EEXIST before anything is queued. */
static inline int zns_queue_owned(struct zns_queue *q)
{
	if (likely(q->owner == zns_self()))
		return 0;
	return zns_queue_bind(q);
}

/* Commands prepared or in flight (zns_queue_inflight() without the PLT). */
static inline unsigned int zns_inflight(const struct zns_queue *q)
{
	return q->depth - q->nr_free;
}

/* Hand a context back and run its callback. The context is free before the
 * callback runs, so the callback may prepare again at full depth. */
static inline void zns_complete(struct zns_queue *q, uint32_t idx, int status,
				uint64_t result)
{
	struct zns_ctx *x = &q->ctx[idx];
	zns_cb cb = x->cb;
	void *user = x->user;

	if (unlikely(x->timeout_ms)) {
		status = zns_timed_status(status, x->timeout_ms,
					  zns_now_ns() - q->sent_ns[idx]);
		x->timeout_ms = 0;
	}
	q->free[q->nr_free++] = idx;
	if (cb)
		cb(user, status, result);
}

/* queue-sync.c: the synchronous fallback (and emulated devices). */
int zns_sync_run(struct zns_queue *q);
unsigned int zns_sync_complete(struct zns_queue *q, int64_t wait_us);

/* Commands of this queue that the fallback path holds (emulated devices
 * under io_uring): prepared, completed or delayed, not yet delivered. */
static inline unsigned int zns_backend_held(const struct zns_queue *q)
{
	return (q->pend_tail - q->pend_head) + (q->done_tail - q->done_head) +
	       q->nr_delayed;
}

#endif /* LIBZNS_QUEUE_INTERNAL_H */
