/* SPDX-License-Identifier: MIT */
/*
 * libzns: asynchronous NVMe Zoned Namespace commands over io_uring.
 * Umbrella header; see libzns(7).
 */
#ifndef LIBZNS_H
#define LIBZNS_H

#include <libzns/spec.h>
#include <libzns/status.h>
#include <libzns/device.h>
#include <libzns/sync.h>
#include <libzns/queue.h>
#include <libzns/emu.h>
#include <libzns/zoned.h>
#include <libzns/nvme.h>

#endif /* LIBZNS_H */
