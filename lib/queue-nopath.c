// SPDX-License-Identifier: MIT
/*
 * Commands held while their namespace has no live path.
 *
 * On a multipath namespace head (/dev/ngXnY of a fabrics or multi-port
 * subsystem), while every controller is connecting or resetting the kernel
 * answers each passthrough command at once with -EINVAL, without sending
 * it. The block layer would instead hold the IO until a path returns or the
 * controller's loss timeout (ctrl_loss_tmo) expires. A queue does the same:
 * a -EINVAL from such a device while the head has no path on a live
 * controller (sysfs: its multipath/ links and their controllers' states),
 * or within a few seconds of that, is "no path", not a bad argument; when
 * no path can come back (every controller deleted, or the namespace
 * removed from under the open device) it is -ENODEV at once. Otherwise the
 * command is held (its context stays taken, so it counts as in flight) and
 * sent again, unchanged, once a path is live; past the hold time it
 * completes with -ENOLINK. With
 * ZNS_QUEUE_NOPATH_FAIL it completes with -ENOLINK at once. Either way its
 * callback runs exactly once. A command the kernel refused was never sent,
 * so sending it again cannot run it twice. Reads and zone reports that fail
 * as a breaking path fails commands (-EINTR, -EFAULT, -EIO, path errors)
 * are held the same way, since running them again changes nothing; writes
 * and appends are not (they may have landed: the zone layer decides).
 *
 * Under io_uring the SQE is gone once submitted, so commands to such
 * devices keep a copy of theirs (zns_nopath_keep(), off the hot path's
 * common case: one flag test). The fallback holds its pending copy.
 * Emulated devices lose their path with ZNS_EMU_NO_PATH, which is how the
 * unit suites test this without a fabric.
 *
 * Layer: queues; see queue-internal.h.
 */
#include "queue-internal.h"

#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_HOLD_MS	60000u	/* when the device says no ctrl_loss_tmo */
/* A -EINVAL this soon after the device was seen without a path is taken
 * for no path, though sysfs shows one live again: the head starts to use a
 * path a moment after its controller is live. */
#define RECENT_NS	5000000000ull

void zns_nopath_keep(struct zns_queue *q, struct nvme_uring_cmd *c,
		     const struct zns_dev *dev)
{
	struct io_uring_sqe *sqe;
	uint32_t idx;

	if (q->mode != ZNS_MODE_URING || dev->emu) {
		/* the fallback holds its pending copy; a new command in
		 * this context was never held */
		if (q->held_due)
			q->held_due[((struct zns_pending *)((char *)c -
				offsetof(struct zns_pending, cmd)))->idx] = 0;
		return;
	}
	sqe = (struct io_uring_sqe *)((char *)c - offsetof(struct io_uring_sqe, cmd));
	idx = (uint32_t)sqe->user_data;
	if (q->held_due)
		q->held_due[idx] = 0;
	if (!q->shadow) {
		/* once per queue: two 64-byte slots per context (SQE128) */
		q->shadow = calloc((size_t)q->depth * 2, sizeof(*q->shadow));
		q->shadow_dev = calloc(q->depth, sizeof(*q->shadow_dev));
		if (!q->shadow || !q->shadow_dev) {
			free(q->shadow);
			free(q->shadow_dev);
			q->shadow = NULL;
			q->shadow_dev = NULL;
			return;	/* such a command fails with -ENOLINK */
		}
	}
	memcpy(&q->shadow[2 * idx], sqe, 2 * sizeof(*sqe));
	q->shadow_dev[idx] = dev;
}

/* The parked list and the fallback's copies, made on the first hold. */
static int hold_alloc(struct zns_queue *q, int backend)
{
	if (!q->parked)
		q->parked = calloc(q->depth, sizeof(*q->parked));
	if (!q->held_due)
		q->held_due = calloc(q->depth, sizeof(*q->held_due));
	if (backend && !q->held_pend)
		q->held_pend = calloc(q->depth, sizeof(*q->held_pend));
	return q->parked && q->held_due && (!backend || q->held_pend);
}

/* The last look at a device's paths, kept for 1 ms: an outage answers a
 * whole queue's commands at once. */
static int path_live(struct zns_queue *q, const struct zns_dev *dev,
		     char *why, size_t len, uint32_t *loss)
{
	uint64_t t = zns_now_ns();

	if (dev == q->np_dev && t < q->np_until && q->np_live != 1) {
		*loss = q->np_loss;
		snprintf(why, len, "%s", q->np_why);
		return q->np_live;
	}
	q->np_live = zns_dev_path(dev, q->np_why, sizeof(q->np_why), &q->np_loss);
	if (q->np_live == 0) {
		q->np_down_dev = dev;
		q->np_down_at = t;
	}
	q->np_dev = dev;
	q->np_until = t + 1000000;
	*loss = q->np_loss;
	snprintf(why, len, "%s", q->np_why);
	return q->np_live;
}

/* The command's opcode: from the fallback's copy or the SQE's. */
static uint8_t held_opcode(const struct zns_queue *q, uint32_t idx,
			   const struct zns_pending *p)
{
	if (p)
		return p->cmd.opcode;
	return ((const struct nvme_uring_cmd *)q->shadow[2 * idx].cmd)->opcode;
}

/* A read or a zone report that failed the way commands fail while a path
 * breaks (cancelled, a path error, a transfer the kernel could not set
 * up): sending it again cannot change anything it did, so it is held as a
 * command without a path is, and sent again once a path is live. */
static int transient_read(const struct zns_queue *q, uint32_t idx,
			  const struct zns_pending *p, int res)
{
	int code = res > 0 ? res & 0x7ff : 0;
	uint8_t op;

	if (res != -EINTR && res != -EFAULT && res != -EIO &&
	    res != -ECANCELED && res != -ETIMEDOUT && code != 0x370 &&
	    code != 0x371)
		return 0;
	if (!p && !q->shadow)
		return 0;
	op = held_opcode(q, idx, p);
	return op == 0x02 || op == 0x7a;	/* Read, Zone Mgmt Receive */
}

int zns_nopath_hold(struct zns_queue *q, uint32_t idx,
		    const struct zns_dev *dev, const struct zns_pending *p,
		    int *res)
{
	char why[192];
	uint32_t loss = 0, hold;
	uint64_t again = q->held_due ? q->held_due[idx] : 0;
	int live;

	if (!p && (!q->shadow || q->shadow_dev[idx] != dev))
		return 0;	/* no copy to send again */
	if (*res != -EINVAL) {
		if (!transient_read(q, idx, p, *res) || (q->flags & ZNS_QUEUE_NOPATH_FAIL))
			return 0;
		if (!again && !hold_alloc(q, p != NULL))
			return 0;
		if (!again) {	/* its time counts from the first failure:
				 * with a live path, a second; without, as a
				 * command without a path */
			live = path_live(q, dev, why, sizeof(why), &loss);
			if (live == -ENODEV) {
				*res = zns_failf(-ENODEV, "%s", why);
				return 0;
			}
			hold = live == 1 ? 1000 : q->hold_ms ? q->hold_ms :
			       loss ? loss : DEFAULT_HOLD_MS;
			again = hold == UINT32_MAX ? UINT64_MAX :
				zns_now_ns() + (uint64_t)hold * 1000000ull;
			q->held_due[idx] = again;
		}
		if (zns_now_ns() >= again)
			return 0;	/* the status stands */
		if (p)
			q->held_pend[idx] = *p;
		q->parked[q->nr_parked].idx = idx;
		q->parked[q->nr_parked++].due = again;
		return 1;
	}

	/* a command held before and sent again when a path looked live:
	 * refused again, it still has no path (the head may not use the new
	 * controller yet); hold it on until its time is up */
	if (again && zns_now_ns() < again && (p || (q->shadow && q->shadow_dev[idx] == dev))) {
		*res = -ENOLINK;
		if (p)
			q->held_pend[idx] = *p;
		q->parked[q->nr_parked].idx = idx;
		q->parked[q->nr_parked++].due = again;
		return 1;
	}
	live = dev ? path_live(q, dev, why, sizeof(why), &loss) : 1;
	if (live == -ENODEV) {
		*res = zns_failf(-ENODEV, "%s: the command was not sent", why);
		return 0;
	}
	if (live == 1 && dev == q->np_down_dev &&
	    zns_now_ns() - q->np_down_at < RECENT_NS) {
		/* a path just came back, and the head does not use it yet */
		live = 0;
		snprintf(why, sizeof(why), "a controller is live again, but the namespace head does not use it yet");
	}
	if (live != 0) {
		/* sysfs shows a live path. A real invalid argument, or a path
		 * the head no longer (or not yet) uses: held and sent again
		 * for a second before the -EINVAL stands; at once with
		 * ZNS_QUEUE_NOPATH_FAIL, or when that second is over */
		if (again || (q->flags & ZNS_QUEUE_NOPATH_FAIL) || !hold_alloc(q, p != NULL))
			return 0;
		if (p)
			q->held_pend[idx] = *p;
		q->parked[q->nr_parked].idx = idx;
		q->parked[q->nr_parked].due = zns_now_ns() + 1000000000ull;
		q->held_due[idx] = q->parked[q->nr_parked++].due;
		return 1;
	}
	*res = -ENOLINK;
	zns_failf(-ENOLINK, "no live path to the namespace (%s): the command was not sent", why);
	if (q->flags & ZNS_QUEUE_NOPATH_FAIL)
		return 0;
	if (!hold_alloc(q, p != NULL))
		return 0;
	if (p)
		q->held_pend[idx] = *p;
	hold = q->hold_ms ? q->hold_ms : loss ? loss : DEFAULT_HOLD_MS;
	q->parked[q->nr_parked].idx = idx;
	q->parked[q->nr_parked].due = hold == UINT32_MAX ? UINT64_MAX :
		zns_now_ns() + (uint64_t)hold * 1000000ull;
	q->held_due[idx] = q->parked[q->nr_parked++].due;
	return 1;
}

/* Send a held command again: 0, or -EBUSY when there is no SQE now. */
static int resend(struct zns_queue *q, uint32_t idx)
{
	if (q->held_pend && q->held_pend[idx].dev) {
		q->pend[q->pend_tail++ & q->ring_mask] = q->held_pend[idx];
		q->held_pend[idx].dev = NULL;
		return 0;
	}
	{
		struct io_uring_sqe *sqe;

		if (!io_uring_sq_space_left(&q->ring)) {
			io_uring_submit(&q->ring);
			if (!io_uring_sq_space_left(&q->ring))
				return -EBUSY;
		}
		sqe = zns_sqe_take(q, idx);
		/* the copy stays: refused again (a path that looked live
		 * was not one yet), the command is held again from it */
		memcpy(sqe, &q->shadow[2 * idx], 2 * sizeof(*sqe));
		*zns_sqe_plain(q, sqe) = 0;
	}
	return 0;
}

static const struct zns_dev *held_dev(const struct zns_queue *q, uint32_t idx)
{
	if (q->held_pend && q->held_pend[idx].dev)
		return q->held_pend[idx].dev;
	return q->shadow_dev ? q->shadow_dev[idx] : NULL;
}

static void give_up(struct zns_queue *q, uint32_t idx, int status)
{
	q->held_due[idx] = 0;
	if (q->held_pend)
		q->held_pend[idx].dev = NULL;
	if (q->shadow_dev)
		q->shadow_dev[idx] = NULL;
	q->in_cb++;
	zns_complete(q, idx, status, 0);
	q->in_cb--;
}

unsigned int zns_nopath_poll(struct zns_queue *q, int now)
{
	const struct zns_dev *last = NULL;
	uint64_t t = zns_now_ns();
	unsigned int i = 0, n = 0;
	int live = 0;

	if (!q->nr_parked || (!now && t < q->next_path_check))
		return 0;
	q->next_path_check = t + ZNS_NOPATH_STEP_NS;
	while (i < q->nr_parked) {
		struct zns_delayed d = q->parked[i];
		const struct zns_dev *dev = held_dev(q, d.idx);
		char why[8];
		uint32_t loss;

		if (dev != last) {	/* one sysfs look per device a pass */
			q->np_dev = NULL;	/* a fresh look */
			live = dev ? path_live(q, dev, why, sizeof(why), &loss) : 0;
			last = dev;
		}
		if (live == -ENODEV) {	/* the namespace is gone for good */
			q->parked[i] = q->parked[--q->nr_parked];
			zns_fail(-ENODEV, "the namespace was removed (detached, or disabled on the target) while the command was held: it was not sent; open the namespace again when it is back");
			give_up(q, d.idx, -ENODEV);
			n++;
			continue;
		}
		if (live == 1 && resend(q, d.idx) == 0) {
			q->parked[i] = q->parked[--q->nr_parked];
			continue;
		}
		if (t >= d.due) {
			q->parked[i] = q->parked[--q->nr_parked];
			zns_failf(-ENOLINK, "no live path to the namespace for the whole hold time: the command was not sent");
			give_up(q, d.idx, -ENOLINK);
			n++;
			continue;
		}
		i++;
	}
	return n;
}

void zns_nopath_give_up(struct zns_queue *q)
{
	while (q->nr_parked) {
		uint32_t idx = q->parked[--q->nr_parked].idx;

		zns_fail(-ENOLINK, "zns_queue_exit: the command was held for want of a path, and the queue is freed: it was not sent");
		give_up(q, idx, -ENOLINK);
	}
}
