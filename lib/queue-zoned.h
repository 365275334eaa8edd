/* SPDX-License-Identifier: MIT */
/*
 * What the queues offer the zone layer beyond the public API (queue.c).
 *
 * Layer: queues, for the zone layer above them; nothing below includes it.
 */
#ifndef LIBZNS_QUEUE_ZONED_H
#define LIBZNS_QUEUE_ZONED_H

#include "private.h"

/* A one-zone report (@len bytes at @buf) that the queue holds, should it
 * fail while the controller resets or the path is gone, and sends again
 * when the controller is live: the zone layer's question after a fault
 * waits for the answer, not just for the fault to pass. */
int zns_prep_report_held(struct zns_queue *q, struct zns_dev *dev,
			 uint64_t zslba, void *buf, uint32_t len, zns_cb cb,
			 void *user);

/* zns_prep_write() for a write whose handles, buffer and length (at most
 * max_xfer) the zone layer checked already: the range and the format
 * (no metadata) are checked here, the rest is not checked again. Every
 * single-buffer write of the layer goes through it. */
int zns_prep_write_zoned(struct zns_queue *q, struct zns_dev *dev,
			 const void *buf, uint64_t slba, uint32_t nlb,
			 zns_cb cb, void *user);

#endif /* LIBZNS_QUEUE_ZONED_H */
