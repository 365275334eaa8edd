// SPDX-License-Identifier: MIT
/*
 * The synchronous fallback behind a queue: each prepared command runs
 * through the ioctl transport when it is submitted (or reaped), and its
 * completion is delivered when it is reaped. The null backend, which only
 * completes, is in queue-null.h.
 *
 * Prepared and completed commands sit in rings indexed by free-running
 * counters; every entry is taken off its ring before its callback runs, so
 * callbacks may prepare, submit, reap and wait on the same queue.
 *
 * Layer: queues; see queue-internal.h. Depends on the ioctl transport.
 */
#include "queue-internal.h"
#include "ioctl.h"

#include <unistd.h>

static int signal_eventfd(struct zns_queue *q)
{
	uint64_t one = 1;

	if (write(q->efd, &one, sizeof(one)) < 0)
		return zns_fail(-errno, "writing the queue's eventfd failed");
	return 0;
}

/* Submit: the fallback runs what is pending and queues its completions;
 * the null backend leaves its commands pending until they are reaped. */
int zns_sync_run(struct zns_queue *q)
{
	unsigned int n = q->pend_tail - q->pend_head;

	if (q->mode == ZNS_MODE_SYNC) {
		while (q->pend_head != q->pend_tail) {
			struct zns_pending *p =
				&q->pend[q->pend_head++ & q->ring_mask];
			struct zns_ctx *x = &q->ctx[p->idx];

			x->result = 0;
			x->status = zns_ioctl_exec(p->fd, p->admin, &p->cmd,
						   &x->result);
			q->done[q->done_tail++ & q->ring_mask] = p->idx;
		}
	}
	if (n && q->efd >= 0) {
		int rc = signal_eventfd(q);

		if (rc)
			return rc;
	}
	return (int)n;
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

/* Reap: run what is pending, then deliver. */
unsigned int zns_sync_complete(struct zns_queue *q)
{
	unsigned int n;

	zns_sync_run(q);
	q->in_cb++;
	n = complete_done(q);
	q->in_cb--;
	return n;
}
