/* SPDX-License-Identifier: MIT */
/*
 * One command to a device, whatever carries it: the passthrough ioctl for
 * a kernel device, the in-process emulator for zns_dev_open_emu()'s.
 *
 * Layer: transport. Used by the synchronous API, device discovery and the
 * queues' synchronous fallback.
 */
#ifndef LIBZNS_EXEC_H
#define LIBZNS_EXEC_H

#include "emu.h"
#include "ioctl.h"

static inline int zns_dev_exec(const struct zns_dev *d, int admin,
			       const struct nvme_uring_cmd *c, uint64_t *result)
{
	if (unlikely(d->emu))
		return zns_emu_exec(d->emu, admin, c, result, NULL);
	return zns_ioctl_exec(admin ? zns_admin_fd(d) : d->fd, admin, c, result);
}

/* As zns_dev_exec(), for any of ZNS_EXEC_IO, _ADMIN or _IOVEC. */
static inline int zns_dev_exec_how(const struct zns_dev *d, int how,
				   const struct nvme_uring_cmd *c,
				   uint64_t *result)
{
	if (unlikely(d->emu))
		return zns_emu_exec(d->emu, how, c, result, NULL);
	return zns_ioctl_exec(how == ZNS_EXEC_ADMIN ? zns_admin_fd(d) : d->fd,
			      how, c, result);
}

#endif /* LIBZNS_EXEC_H */
