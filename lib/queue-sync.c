// SPDX-License-Identifier: MIT
/*
 * The synchronous fallback behind a queue: each prepared command runs
 * through the ioctl transport when it is submitted (or reaped), and its
 * completion is delivered when it is reaped. Commands for an emulated
 * device take this path in every mode but the null one, through the
 * emulator instead of the ioctl; one the emulator holds back (a delay
 * fault) waits on the delayed list, so completions arrive out of order. The
 * null backend, which only completes, is in queue-null.h.
 *
 * Prepared and completed commands sit in rings indexed by free-running
 * counters; every entry is taken off its ring before its callback runs, so
 * callbacks may prepare, submit, reap and wait on the same queue.
 *
 * Layer: queues; see queue-internal.h. Depends on the ioctl transport.
 */
#include "queue-internal.h"
#include "emu.h"
#include "ioctl.h"

#include <time.h>
#include <unistd.h>

static int signal_eventfd(struct zns_queue *q)
{
	uint64_t one = 1;

	if (write(q->efd, &one, sizeof(one)) < 0)
		return zns_fail(-errno, "writing the queue's eventfd failed");
	return 0;
}


/* Run one pending command; an emulated device may hold its completion
 * back (ZNS_EMU_DELAY), which then waits on the delayed list. */
static void run_one(struct zns_queue *q, const struct zns_pending *p)
{
	struct zns_ctx *x = &q->ctx[p->idx];
	uint32_t delay = 0;

	x->result = 0;
	if (p->dev->emu)
		x->status = zns_emu_exec(p->dev->emu, p->how, &p->cmd,
					 &x->result, &delay);
	else
		x->status = zns_ioctl_exec(p->how == ZNS_EXEC_ADMIN ?
					   zns_admin_fd(p->dev) : p->dev->fd,
					   p->how, &p->cmd, &x->result);
	if (unlikely(x->status < 0 || (x->status & 0x700) == 0x300) &&
	    p->dev->holdable &&
	    p->how != ZNS_EXEC_ADMIN &&
	    zns_nopath_hold(q, p->idx, p->dev, p, &x->status))
		return;		/* held until a path is back */
	if (delay) {
		q->delayed[q->nr_delayed].idx = p->idx;
		q->delayed[q->nr_delayed++].due = zns_now_ns() + delay * 1000ull;
	} else {
		q->done[q->done_tail++ & q->ring_mask] = p->idx;
	}
}

/* Submit: run what is pending and queue its completions. */
int zns_sync_run(struct zns_queue *q)
{
	unsigned int n = q->pend_tail - q->pend_head;

	while (q->pend_head != q->pend_tail)
		run_one(q, &q->pend[q->pend_head++ & q->ring_mask]);
	if (n && q->efd >= 0) {
		int rc = signal_eventfd(q);

		if (rc)
			return rc;
	}
	return (int)n;
}

/* Delayed completions that are due join the completed ones; with @wait,
 * when none is due, sleep until the first one is. */
static void take_due(struct zns_queue *q, int wait, uint64_t deadline)
{
	uint64_t now = zns_now_ns(), first = UINT64_MAX;
	unsigned int i = 0;

	while (i < q->nr_delayed) {
		if (q->delayed[i].due <= now) {
			q->done[q->done_tail++ & q->ring_mask] = q->delayed[i].idx;
			q->delayed[i] = q->delayed[--q->nr_delayed];
			continue;
		}
		if (q->delayed[i].due < first)
			first = q->delayed[i].due;
		i++;
	}
	if (deadline && deadline < first)
		first = deadline;	/* the caller's timeout comes first */
	if (wait && q->done_head == q->done_tail && first != UINT64_MAX &&
	    first > now) {
		struct timespec ts = { (time_t)((first - now) / 1000000000ull),
				       (long)((first - now) % 1000000000ull) };

		nanosleep(&ts, NULL);
		take_due(q, 0, 0);
	}
}

/* The fallback: deliver what has run. */
static unsigned int complete_done(struct zns_queue *q)
{
	unsigned int n = 0;

	while (q->done_head != q->done_tail) {
		uint32_t idx = q->done[q->done_head++ & q->ring_mask];

		zns_complete(q, idx, q->ctx[idx].status, q->ctx[idx].result);
		n++;
	}
	return n;
}

/* Reap: run what is pending, then deliver; with @wait_us (< 0: no limit),
 * wait that long at most for a delayed completion when nothing else is
 * there (0: do not wait). */
unsigned int zns_sync_complete(struct zns_queue *q, int64_t wait_us)
{
	uint64_t deadline = wait_us > 0 ? zns_now_ns() + (uint64_t)wait_us * 1000u : 0;
	int wait = wait_us != 0;
	unsigned int n = 0;
	int now = 0;

	for (;;) {
		if (unlikely(q->nr_parked))
			n += zns_nopath_poll(q, now);
		zns_sync_run(q);
		if (q->nr_delayed)
			take_due(q, wait, deadline);
		q->in_cb++;
		n += complete_done(q);
		q->in_cb--;
		/* waiting, and only commands held for a path in flight:
		 * sleep a step and look again, rather than return empty */
		if (n || !wait || !q->nr_parked || q->nr_parked != zns_inflight(q) ||
		    (deadline && zns_now_ns() >= deadline))
			return n;
		{
			struct timespec ts = { 0, (long)ZNS_NOPATH_STEP_NS };

			nanosleep(&ts, NULL);
			now = 1;
		}
	}
}
