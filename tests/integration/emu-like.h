/* SPDX-License-Identifier: MIT */
/*
 * The emulator's options for a device's geometry: the shadow of a real
 * namespace (zns-diff, zns-soak-itest).
 */
#ifndef ZNS_TEST_EMU_LIKE_H
#define ZNS_TEST_EMU_LIKE_H

#include <string.h>
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

#endif
