/* SPDX-License-Identifier: MIT */
/*
 * libzns's stand-in for <libnvme.h>, for building a program written to
 * libnvme 1.x's ZNS calls unchanged against libzns-nvme:
 *
 *   cc prog.c $(pkg-config --cflags --libs libzns-nvme)
 *
 * It offers the ZNS part of libnvme only (the types, constants and calls
 * of <libzns/spec.h> and <libzns/nvme.h>); a program that uses the rest of
 * libnvme builds against libnvme itself, and may include <libzns.h> after
 * <libnvme.h> for libzns's native calls.
 */
#ifndef LIBZNS_COMPAT_LIBNVME_H
#define LIBZNS_COMPAT_LIBNVME_H

#include <libzns.h>

#endif /* LIBZNS_COMPAT_LIBNVME_H */
