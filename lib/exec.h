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

/* What a refusal by the kernel means: its permission check (EACCES), or,
 * from a multipath head, no live path (EINVAL: the command was not sent),
 * or a namespace removed from under the open device. */
static inline int zns_refused_why(const struct zns_dev *d, int rc)
{
	char why[192];
	uint32_t loss;
	int live;

	if (rc == -EACCES)
		return zns_fail(rc, "the kernel refused this passthrough command (EACCES): without CAP_SYS_ADMIN, Linux 6.2 and later allow IO commands on a device open for writing and the Identify commands that describe it; other admin commands (Get Log Page), and every command before 6.2, need CAP_SYS_ADMIN");
	live = zns_dev_path(d, why, sizeof(why), &loss);
	if (live == 0)
		return zns_failf(-ENOLINK, "no live path to the namespace (%s): the command was not sent", why);
	if (live == -ENODEV)
		return zns_failf(-ENODEV, "%s: the command was not sent", why);
	return rc;
}

static inline int zns_refused(const struct zns_dev *d, int rc)
{
	if (likely(rc != -EACCES && (rc != -EINVAL || !d->holdable)))
		return rc;
	return zns_refused_why(d, rc);
}

static inline int zns_dev_exec(const struct zns_dev *d, int admin,
			       const struct nvme_uring_cmd *c, uint64_t *result)
{
	if (unlikely(d->emu))
		return zns_emu_exec(d->emu, admin, c, result, NULL);
	return zns_refused(d, zns_ioctl_exec(admin ? zns_admin_fd(d) : d->fd,
					     admin, c, result));
}

/* As zns_dev_exec(), for any of ZNS_EXEC_IO, _ADMIN or _IOVEC. */
static inline int zns_dev_exec_how(const struct zns_dev *d, int how,
				   const struct nvme_uring_cmd *c,
				   uint64_t *result)
{
	if (unlikely(d->emu))
		return zns_emu_exec(d->emu, how, c, result, NULL);
	return zns_refused(d, zns_ioctl_exec(how == ZNS_EXEC_ADMIN ?
					     zns_admin_fd(d) : d->fd, how, c,
					     result));
}

#endif /* LIBZNS_EXEC_H */
