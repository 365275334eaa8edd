/* SPDX-License-Identifier: MIT */
/*
 * libzns zone layer: the write path a storage engine needs on top of the
 * queues. It keeps a table of the device's zones, writes to each zone in
 * order (one command in flight per zone, the writes waiting merged into
 * the next, zones in parallel, the callbacks of one zone in order), splits
 * appends of any length at the zone append limit, hands out open/active
 * tokens so the device never answers Too Many Open or Too Many Active
 * because of it, and after a write or append whose outcome is unknown (a
 * cancelled command, a path error, Zone Invalid Write) asks the device
 * where the write pointer is and tells the caller whether (and, for
 * appends, where) it landed, before anything else goes to the zone: one
 * fault costs at most what was in flight.
 *
 * Nothing below this layer depends on it. The table may be shared by
 * threads, each with its own queue. Zones nobody owns are guarded by one
 * lock per table; a zone zns_zoned_alloc() handed to a queue is that
 * queue's thread's alone, and its writes, appends and completions take no
 * lock (see zns_zoned_alloc()).
 *
 * In it: ordered writes, appends, tokens, fencing and resynchronisation
 * of writes and appends (judged by the write pointer and the data, what
 * did not land sent again), reset and finish, mount-time rebuild, merging
 * the writes waiting on a zone into one command, handing out Empty zones
 * with their tokens (waiting for one, or finishing the cheapest zone) to
 * the queue that owns them, several writes in flight within a zone's ZRWA.
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

/* zns_zoned_opts.flags */
#define ZNS_ZONED_NO_MERGE	(1u << 0) /* one command per write */
#define ZNS_ZONED_ZRWA		(1u << 1) /* open zones with a ZRWA */

/**
 * struct zns_zoned_opts - options of zns_zoned_open()
 * @size: sizeof(struct zns_zoned_opts)
 * @max_requests: writes, append fragments and zone actions waiting or in
 *                flight at once over the whole table (0: 4096)
 * @max_active: active zones the layer lets the caller use (0: the
 *              device's limit, or no limit when it has none)
 * @flags: ZNS_ZONED_NO_MERGE: send each write as its own command instead
 *         of merging the writes waiting on a zone; ZNS_ZONED_ZRWA: where
 *         the device has a Zone Random Write Area it can flush, open an
 *         Empty zone with one at its first write, so that several writes
 *         to the zone go out at once (see zns_zoned_write())
 * @rsvd: reserved, zero
 */
struct zns_zoned_opts {
	size_t size;
	uint32_t max_requests;
	uint32_t max_active;
	uint32_t flags;
	uint32_t rsvd[5];
};

/**
 * struct zns_zoned_zone - what the layer knows of one zone
 * @zslba: zone start LBA
 * @zcap: zone capacity, logical blocks
 * @wp: where the layer writes next (the cursor), LBA
 * @acked: end of what is known written, LBA: what completed successfully,
 *          or what a report found landed after a write of unknown outcome
 * @device_wp: the write pointer the device last reported, LBA
 * @queued: logical blocks accepted but not yet completed
 * @state: the device's zone state when last reported (enum nvme_zns_zs)
 * @active: the zone holds one of the layer's active tokens
 * @fenced: a write's outcome is being established; later writes wait
 * @retired: the zone went offline or read-only; nothing is written to it
 * @claimed: zns_zoned_alloc() handed the zone out (until it is reset, or
 *           released unwritten)
 * @zrwa: the zone is open with a ZRWA (ZNS_ZONED_ZRWA); @device_wp is
 *        then what is flushed
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
	uint8_t claimed;
	uint8_t zrwa;
	uint8_t rsvd[2];
};

/**
 * typedef zns_zoned_cb - completion of a zone-layer write or action
 * @user: the pointer given with the request
 * @status: 0 when the data is on the device (also when the command
 *          reported a failure but the write pointer is past it and its
 *          data reads back there, or a resend after the fault landed),
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
 * @rsvd: reserved, zero
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
 * pointer it reports. A zone found open with a ZRWA keeps it and is
 * written through it, with ZNS_ZONED_ZRWA or without; blocks written
 * into its ZRWA above the write pointer before the crash are written
 * over. A null device (zns_dev_open_null()) has no zones to report: each
 * starts Empty at its start, with the geometry's capacity, so that the
 * layer's own cost can be measured on a ZNS_QUEUE_NULL queue. With the
 * environment variable ZNS_ZONED_TRACE set when it is called, the table
 * writes each decision it takes on a fault path (a write or append piece in
 * doubt, what the report said, each piece found, written again or failed)
 * as one line on stderr, starting "libzns zoned: "; the common path is
 * untouched.
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
 * Any thread may call it. For a zone another thread owns (see
 * zns_zoned_alloc()), each field is current when read, but they are not
 * read at one instant.
 *
 * Return: 0, or -EINVAL for a bad index or NULL pointer.
 */
int zns_zoned_info(struct zns_zoned *zt, uint32_t zone,
		   struct zns_zoned_zone *info);

/**
 * struct zns_zoned_stats - what the zone layer did after faults
 * @size: sizeof(struct zns_zoned_stats), set by the caller (the struct can
 *        grow)
 * @doubtful: writes, append pieces, zone resets and finishes whose status
 *            left it unknown whether they landed or took effect (the
 *            statuses of zns_zoned_write())
 * @reports: one-zone reports the layer sent to find out
 * @landed: of the doubtful, those the write pointer and their data showed
 *          landed (a reset or finish: the zone's state showed it done):
 *          their callbacks said 0
 * @resent: writes and append pieces sent again: found not landed after a
 *          fault that may pass, or failed with one in a zone with a ZRWA
 *          (sent again to the same blocks)
 * @rsvd: reserved, zero
 *
 * Counts over the whole table since zns_zoned_open(). A write counts once
 * for each time it is in doubt or sent again; a merged command counts each
 * write it carries.
 */
struct zns_zoned_stats {
	size_t size;
	uint64_t doubtful;
	uint64_t reports;
	uint64_t landed;
	uint64_t resent;
	uint64_t rsvd[4];
};

/**
 * zns_zoned_get_stats() - what the zone layer did after faults
 * @zt: the table
 * @st: receives the counts; set @st->size to sizeof(*st) first
 *
 * What reached the caller is what its callbacks said; these counts say how
 * often the layer had to find out whether writes landed, and what it found,
 * for an engine's log, or a test that needs to know whether a fault reached
 * the layer at all. Any thread may call it.
 *
 * Return: 0, or -EINVAL (NULL @zt or @st, @st->size below
 * sizeof(struct zns_zoned_stats)).
 */
int zns_zoned_get_stats(const struct zns_zoned *zt, struct zns_zoned_stats *st);

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
 * The layer writes at the zone's cursor: the write goes out when the
 * command before it on the zone has completed (on the caller's next
 * zns_reap()), merged with the writes waiting behind it into one command
 * up to max_xfer (a vector, zns_prep_writev(), when their buffers are
 * apart; ZNS_ZONED_NO_MERGE turns this off). In a zone with a ZRWA
 * (ZNS_ZONED_ZRWA) several commands go out at once while they fit in the
 * window above what the device has flushed; the layer flushes what
 * completed, and finishes the zone when its capacity has completed; a
 * write there carries at most zrwas blocks. Each write keeps its own
 * callback. @buf stays the caller's until the callback (the layer may send
 * it again after a fault, and reads back what landed to compare). An Empty
 * zone first takes an active token.
 *
 * Return: 0 (queued); -EINVAL (bad index, @nlb 0 or above max_xfer or,
 * in a zone with a ZRWA, above zrwas, NULL pointers); -ENOSPC (past the zone's capacity); -EBUSY (no active token
 * free, no request slot, a full queue for a zone with nothing in flight, or
 * a reset or finish of the zone in flight: reap, finish or reset a zone,
 * retry); -EROFS (a
 * retired zone); -EPERM (zns_zoned_alloc() gave the zone to another
 * queue); zns_last_error() says which. Nothing is sent on failure.
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
 * callback lists where each went. A piece of unknown outcome (also one
 * acknowledged at an LBA outside its zone, taken as -EIO) fences the
 * zone (new appends: -EBUSY) until a report and the data say where it
 * landed; one found nowhere after a fault that may pass is written at the
 * write pointer (a plain write, up to three times) and listed where that
 * landed, else it fails. @buf stays the caller's until the callback.
 * Pieces the queue has no room for are not sent: the callback carries
 * -EBUSY and lists them at LBA ~0 (none sent: the call returns -EBUSY).
 *
 * Return: as zns_zoned_write(); -EINVAL also for a zone with a ZRWA;
 * -EOPNOTSUPP on a null device (zns_dev_open_null()), which answers every
 * append with its zone's start.
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
 * Through another queue than the one zns_zoned_alloc() handed the zone
 * to, it takes the idle zone from its owner (a collector's reset); the
 * ownership ends when the reset completes. Until @cb has run, writes and
 * appends to the zone answer -EBUSY. After a status of doubt (see
 * zns_zoned_write()) the layer reports the zone through @q first: Empty
 * (Full, for a finish) means it took effect, and @cb gets 0; otherwise
 * the report's state and write pointer become the layer's view and @cb
 * gets the status. Any other failure, or a failed report, leaves the
 * layer's view as it was. A reset can act in part (a cancelled QEMU reset
 * zeroes blocks below a write pointer that stays): after a failure, call
 * it again (resetting an Empty zone succeeds) before writing the zone.
 *
 * Return: 0; -EBUSY while requests of the zone are waiting or in flight
 * (the owner's too); -EINVAL, -EROFS as zns_zoned_write().
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

/* zns_zoned_alloc() flags */
#define ZNS_ZONED_WAIT		(1u << 0) /* wait for a token, reaping @q */
#define ZNS_ZONED_FINISH	(1u << 1) /* finish the cheapest zone for one */

/**
 * zns_zoned_alloc() - hand out an Empty zone, with its active token
 * @zt: the table
 * @q: the caller's queue (needed with flags; may be NULL without)
 * @first: first zone index of the caller's set
 * @count: zones in the set (0: to the last zone)
 * @flags: 0, ZNS_ZONED_WAIT, ZNS_ZONED_FINISH, or both
 * @zone: receives the zone index
 *
 * Picks the lowest Empty zone of the set that nobody was handed, is not
 * retired and has no requests, and takes its active token now, so writes
 * to it are never refused for want of one. The zone stays the caller's
 * until zns_zoned_reset() of it completes (then it may be handed out
 * again) or zns_zoned_release() gives it back unwritten. With @q, the zone
 * belongs to @q for that long: writes and appends to it through any other
 * queue fail with -EPERM and send nothing, so nothing interleaves with the
 * owner's stream. A reset or finish of the zone while nothing is waiting
 * or in flight may come from any queue (a garbage collector's, say); a
 * reset ends the ownership. Without @q any queue may write.
 *
 * Threads: a zone handed to @q is @q's thread's alone. Its writes, appends,
 * completions and callbacks take no lock; while commands of it are in
 * flight nothing on that path is atomic beyond plain loads and stores, and
 * a call that finds the zone idle marks it busy with one compare-and-swap
 * on the zone's own word. Requests come from the zone's own cache,
 * refilled from the table in batches. Another queue's reset or finish takes
 * the idle zone from its owner with the same swap (-EBUSY while the owner
 * has requests of it); zns_zoned_info() reads it from any thread.
 *
 * When no token is free: without flags, -EBUSY. ZNS_ZONED_FINISH finishes
 * the active zone of the set with the least space left that nothing is
 * writing to and no other queue owns (as btrfs and ZenFS do), which frees
 * its token when the finish completes. ZNS_ZONED_WAIT waits for a token: it reaps @q (callbacks run)
 * and lets other threads' completions free one; it gives up with -EBUSY
 * when nothing in the table is in flight.
 *
 * Return: 0; -EINVAL (NULL @zt or @zone, @first out of range, unknown
 * @flags, flags without @q); -ENOSPC (no Empty zone in the set); -EBUSY
 * (no token); an error of zns_reap() while waiting. zns_last_error() says
 * which.
 */
int zns_zoned_alloc(struct zns_zoned *zt, struct zns_queue *q, uint32_t first,
		    uint32_t count, unsigned int flags, uint32_t *zone);

/**
 * zns_zoned_release() - give back a zone zns_zoned_alloc() handed out,
 * unwritten
 * @zt: the table
 * @zone: zone index
 *
 * Its token is free again. A zone that was written is given back by
 * zns_zoned_reset(). May be called from any thread once nothing of the
 * zone is waiting or in flight.
 *
 * Return: 0; -EINVAL (NULL @zt, bad index, a zone not handed out, written,
 * or with requests).
 */
int zns_zoned_release(struct zns_zoned *zt, uint32_t zone);

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_ZONED_H */
