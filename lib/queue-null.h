/* SPDX-License-Identifier: MIT */
/*
 * The null backend behind a queue: every prepared command completes in user
 * space, successfully, when the queue is reaped; an append "lands" at its
 * zone start. For measuring libzns's own cost per command, so it is inline
 * in the per-command path (queue.c) rather than a call away.
 *
 * Layer: queues; see queue-internal.h.
 */
#ifndef LIBZNS_QUEUE_NULL_H
#define LIBZNS_QUEUE_NULL_H

#include "queue-internal.h"

/* Complete every command pending when the reap began. The head is stored
 * before each callback and read again after it, so a callback that reaps
 * continues from where this loop stands. */
static inline unsigned int zns_null_complete(struct zns_queue *q)
{
	const struct zns_pending *const pend = q->pend;
	const unsigned int mask = q->ring_mask, end = q->pend_tail;
	const unsigned int first = q->pend_head, depth = q->in_cb;
	unsigned int head = first;

	if (unlikely(head == end))
		return 0;
	q->in_cb = depth + 1;
	do {
		const struct zns_pending *p = &pend[head & mask];

		q->pend_head = head + 1;
		zns_complete(q, p->idx, 0, p->null_res);
		head = q->pend_head;
	} while ((int)(end - head) > 0);
	q->in_cb = depth;
	/* the callbacks run, counting those a nested reap ran */
	return head - first;
}

#endif /* LIBZNS_QUEUE_NULL_H */
