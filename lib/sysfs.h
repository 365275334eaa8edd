/* SPDX-License-Identifier: MIT */
/*
 * Device discovery through sysfs and /dev; see sysfs.c. Layer: device
 * discovery, below device.c.
 */
#ifndef LIBZNS_SYSFS_H
#define LIBZNS_SYSFS_H

#include <stddef.h>
#include "private.h"

/* snprintf that reports truncation (-ENAMETOOLONG, empty @buf) instead of
 * warning about it. */
__attribute__((format(printf, 3, 4)))
int zns_pathf(char *buf, size_t len, const char *fmt, ...);

/* /dev/nvmeXnY -> /dev/ngXnY; anything else is taken as given. */
void zns_ng_path(const char *path, char *out, size_t len);

/* The controller char device of a namespace generic device (its sysfs
 * parent, or with native multipath the subsystem's first live controller);
 * empty when none is found. With native multipath, @subsys gets the
 * subsystem's name (nvme-subsysX), else it is emptied. */
void zns_find_ctrl(const char *ng, char *out, size_t len, char *subsys,
		   size_t slen);

/* Has the multipath subsystem @subsys a live controller (a path)? 1 yes, 0
 * no (@why names each controller's state), -errno when it cannot be read.
 * *@loss_ms gets the longest ctrl_loss_tmo of its controllers (0 when
 * none says; UINT32_MAX for "off"). */
int zns_path_state(const char *subsys, char *why, size_t len,
		   uint32_t *loss_ms);

/* Is the controller /dev/nvmeX (@ctrl) live? 1 yes (also when it cannot be
 * told), 0 while it resets or reconnects (@why says its state). */
int zns_ctrl_live(const char *ctrl, char *why, size_t len);

/* The paths of the multipath namespace head behind @ng (/dev/ngXnY), as
 * the kernel judges them for block IO: 1 when one is on a live controller;
 * 0 when none is but one is on a controller resetting or reconnecting (a
 * path may come back); -ENODEV when none can (no path, or only deleted
 * controllers), or the head is gone; -EOPNOTSUPP when sysfs lists no paths
 * for it. @why says why when not 1. */
int zns_head_paths(const char *ng, char *why, size_t len);

/* Bound max_xfer and zasl by the kernel's limits for the namespace's
 * request queue (max_hw_sectors_kb, max_segments). */
void zns_apply_kernel_limits(struct zns_dev *d, const char *ng);

#endif /* LIBZNS_SYSFS_H */
