/* SPDX-License-Identifier: MIT */
/*
 * libzns zone layer: the write path a storage engine needs on top of the
 * queues. It keeps a table of the device's zones, writes to each zone in
 * order (one write in flight per zone, any number waiting, zones in
 * parallel, the callbacks of one zone in order), splits appends of any
 * length at the zone append limit, hands out open/active tokens so the
 * device never answers Too Many Open or Too Many Active because of it, and
 * after a write whose outcome is unknown (a cancelled command, a path
 * error, Zone Invalid Write) asks the device where the write pointer is and
 * tells the caller whether that write landed, before any later write to the
 * zone goes out: one fault costs at most the write in flight.
 *
 * Nothing below this layer depends on it. The table may be shared by
 * threads, each with its own queue; it takes a lock per command (see
 * libzns(7) for what is still to come).
 *
 * This is the first part of the layer: ordered writes, appends, tokens,
 * fencing and resynchronisation, reset and finish, mount-time rebuild. Not
 * yet: merging queued writes into larger commands, ZRWA, the
 * finish-the-cheapest-zone policy, zns-bench through the layer.
 */
#ifndef LIBZNS_ZONED_H
#define LIBZNS_ZONED_H

#include <stddef.h>
#include <stdint.h>
#include <libzns/device.h>
#include <libzns/queue.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct zns_zoned - the zone table of one device (opaque) */
struct zns_zoned;

/**
 * struct zns_zoned_opts - options of zns_zoned_open()
 * @size: sizeof(struct zns_zoned_opts)
 * @max_requests: writes, append fragments and zone actions waiting or in
 *                flight at once over the whole table (0: 4096)
 * @max_active: active zones the layer lets the caller use (0: the
 *              device's limit, or no limit when it has none)
 * @rsvd: reserved, zero
 */
struct zns_zoned_opts {
	size_t size;
	uint32_t max_requests;
	uint32_t max_active;
	uint32_t rsvd[6];
};

/**
 * struct zns_zoned_zone - what the layer knows of one zone
 * @zslba: zone start LBA
 * @zcap: zone capacity, logical blocks
 * @wp: where the layer writes next (the cursor), LBA
 * @acked: end of what completed successfully, LBA
 * @device_wp: the write pointer the device last reported, LBA
 * @queued: logical blocks accepted but not yet completed
 * @state: the device's zone state when last reported (enum nvme_zns_zs)
 * @active: the zone holds one of the layer's active tokens
 * @fenced: a write's outcome is being established; later writes wait
 * @retired: the zone went offline or read-only; nothing is written to it
 * @rsvd: reserved
 */
struct zns_zoned_zone {
	uint64_t zslba;
	uint64_t zcap;
	uint64_t wp;
	uint64_t acked;
	uint64_t device_wp;
	uint64_t queued;
	uint8_t state;
	uint8_t active;
	uint8_t fenced;
	uint8_t retired;
	uint8_t rsvd[4];
};

/**
 * typedef zns_zoned_cb - completion of a zone-layer write or action
 * @user: the pointer given with the request
 * @status: 0 when the data is on the device (also when the command
 *          reported a failure but the write pointer proves it landed),
 *          else -errno or the NVMe status
 * @lba: where the data was written (writes), the zone start (actions)
 * @nlb: logical blocks written
 */
typedef void (*zns_zoned_cb)(void *user, int status, uint64_t lba,
			     uint32_t nlb);

/**
 * struct zns_zoned_frag - one piece of an append
 * @lba: where the piece landed
 * @nlb: its length, logical blocks
 */
struct zns_zoned_frag {
	uint64_t lba;
	uint32_t nlb;
	uint32_t rsvd;
};

/**
 * typedef zns_zoned_append_cb - completion of a zone-layer append
 * @user: the pointer given with the append
 * @status: 0 when every piece landed, else the first error
 * @frags: where each piece of the caller's buffer landed, in buffer order
 *         (valid during the callback only)
 * @nr: number of pieces
 */
typedef void (*zns_zoned_append_cb)(void *user, int status,
				    const struct zns_zoned_frag *frags,
				    unsigned int nr);

/**
 * zns_zoned_open() - build the zone table of a device
 * @dev: the device
 * @opts: options, or NULL for the defaults
 * @ztp: receives the table
 *
 * Reports every zone and rebuilds the layer's view from what the device
 * says: each zone's state and write pointer (an engine replays its log from
 * there), the active tokens in use. Call it at mount time, and after a
 * crash: every write the device acknowledged durable is below the write
 * pointer it reports.
 *
 * Return: 0; -EINVAL (NULL @dev or @ztp, bad @opts); -ENOMEM; -errno or an
 * NVMe status from the report.
 */
int zns_zoned_open(struct zns_dev *dev, const struct zns_zoned_opts *opts,
		   struct zns_zoned **ztp);

/**
 * zns_zoned_close() - free a zone table
 * @zt: the table, or NULL
 *
 * Nothing may be waiting or in flight (reap the queues first).
 *
 * Return: 0, or -EBUSY (nothing freed) while requests are outstanding.
 */
int zns_zoned_close(struct zns_zoned *zt);

/**
 * zns_zoned_info() - what the layer knows of a zone
 * @zt: the table
 * @zone: zone index
 * @info: receives it
 *
 * Return: 0, or -EINVAL for a bad index or NULL pointer.
 */
int zns_zoned_info(struct zns_zoned *zt, uint32_t zone,
		   struct zns_zoned_zone *info);

/**
 * zns_zoned_nr_zones() - zones in the table
 * @zt: the table
 *
 * Return: the count (0 for NULL).
 */
uint32_t zns_zoned_nr_zones(const struct zns_zoned *zt);

/**
 * zns_zoned_write() - write to a zone, in order
 * @zt: the table
 * @q: the queue the command goes through (the caller's, on its thread)
 * @zone: zone index
 * @buf: @nlb logical blocks
 * @nlb: length, 1 to max_xfer
 * @cb: called once, in order with the zone's other writes, with the LBA
 *      the data went to
 * @user: passed to @cb
 *
 * The layer writes at the zone's cursor: the write goes out when the one
 * before it on the zone has completed (on the caller's next zns_reap()).
 * An Empty zone first takes an active token.
 *
 * Return: 0 (queued); -EINVAL (bad index, @nlb 0 or above max_xfer, NULL
 * pointers); -ENOSPC (past the zone's capacity); -EBUSY (no active token
 * free, or no request slot: reap, finish or reset a zone, retry); -EROFS (a
 * retired zone); zns_last_error() says which. Nothing is sent on failure.
 */
int zns_zoned_write(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		    const void *buf, uint32_t nlb, zns_zoned_cb cb, void *user);

/**
 * zns_zoned_append() - append any length to a zone
 * @zt: the table
 * @q: the queue
 * @zone: zone index
 * @buf: @nlb logical blocks
 * @nlb: length, at least 1
 * @cb: called once, when every piece has completed
 * @user: passed to @cb
 *
 * Splits the buffer at the device's zone append limit and sends the pieces
 * at once; the device places them, so they may land in any order, and the
 * callback lists where each went.
 *
 * Return: as zns_zoned_write().
 */
int zns_zoned_append(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		     const void *buf, uint32_t nlb, zns_zoned_append_cb cb,
		     void *user);

/**
 * zns_zoned_reset() - reset a zone, giving its token back
 * @zt: the table
 * @q: the queue
 * @zone: zone index
 * @cb: completion (its @lba is the zone start)
 * @user: passed to @cb
 *
 * Return: 0; -EBUSY while writes to the zone are waiting or in flight;
 * -EINVAL, -EROFS as zns_zoned_write().
 */
int zns_zoned_reset(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		    zns_zoned_cb cb, void *user);

/**
 * zns_zoned_finish() - finish a zone, giving its token back
 * @zt: the table
 * @q: the queue
 * @zone: zone index
 * @cb: completion
 * @user: passed to @cb
 *
 * Return: as zns_zoned_reset().
 */
int zns_zoned_finish(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		     zns_zoned_cb cb, void *user);

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_ZONED_H */
