/* SPDX-License-Identifier: MIT */
/*
 * The emulator's options for a device's geometry: the shadow of a real
 * namespace (zns-diff, zns-soak-itest).
 */
#ifndef ZNS_TEST_EMU_LIKE_H
#define ZNS_TEST_EMU_LIKE_H

#include <string.h>
#include <time.h>
#include <libzns.h>

static inline void emu_like(const struct zns_dev_info *in, struct zns_emu_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->lba_size = in->lba_size;
	o->nr_zones = (uint32_t)in->nr_zones;
	o->zone_size = in->zone_size;
	o->zone_cap = in->zone_cap;
	o->max_open = in->max_open == ZNS_NO_LIMIT ? 0 : in->max_open;
	o->max_active = in->max_active == ZNS_NO_LIMIT ? 0 : in->max_active;
	o->mdts = in->mdts ? in->mdts : 1u << 20;
	/* the kernel may bound ZASL to a size that is no power of two; the
	 * operations stay far below it */
	for (o->zasl = 4096; o->zasl * 2 <= in->zasl && o->zasl * 2 <= o->mdts; o->zasl *= 2)
		;
	o->zdes = in->zdes;
	o->nsid = in->nsid;
}

/*
 * append-plug (the kernel's NVMe target over a zoned block device, Linux
 * 6.12): a write at its zone's write pointer, sent right after appends to
 * the zone, can fail with Internal Error without landing. A native zone
 * append marks the zone's write plug dead; while the request of the write
 * before it has not yet dropped its reference (its completion already
 * reached the host; the guest CPU that runs the rest of it is stalled),
 * the dead plug stays hashed with its old write pointer, and the block
 * layer fails the next write (block/blk-zoned.c,
 * blk_zone_wplug_handle_write()). Once that reference is gone the same
 * write succeeds. The harnesses send it again after each of these waits
 * in turn: nvmet_plug_wait(i) sleeps the i-th and returns 0, or returns
 * -1 when there is none left. Under CI's load, one write zeroes right
 * after an append (Linux 6.12.118) still failed after the first five
 * waits (626 ms in all), so two longer ones follow: 7.6 s in all, spent
 * only while a write the emulator takes keeps failing.
 */
static inline int nvmet_plug_wait(unsigned int i)
{
	static const long wait_ms[] = { 1, 5, 20, 100, 500, 2000, 5000 };
	struct timespec ts = { 0, 0 };

	if (i >= sizeof(wait_ms) / sizeof(wait_ms[0]))
		return -1;
	ts.tv_sec = wait_ms[i] / 1000;
	ts.tv_nsec = (wait_ms[i] % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	return 0;
}

#endif
