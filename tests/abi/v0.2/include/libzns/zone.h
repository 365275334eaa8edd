/* SPDX-License-Identifier: MIT */
/*
 * Deprecated name of <libzns/sync.h>, kept for one release so programs
 * written against libzns 0.1 still build. Include <libzns.h> or
 * <libzns/sync.h> instead: the name "zone" belongs to the zone layer.
 */
#ifndef LIBZNS_ZONE_COMPAT_H
#define LIBZNS_ZONE_COMPAT_H

#include <libzns/sync.h>

#endif /* LIBZNS_ZONE_COMPAT_H */
