/* SPDX-License-Identifier: MIT */
/*
 * The NVMe passthrough ioctl transport.
 *
 * Layer: transport. Used by the synchronous API, device discovery, the
 * queues' synchronous fallback and the libnvme-compatible calls. Depends on
 * private.h only.
 */
#ifndef LIBZNS_IOCTL_H
#define LIBZNS_IOCTL_H

#include "private.h"

/* Run one command through the NVMe passthrough ioctl (64-bit result,
 * falling back to the 32-bit ioctl on kernels that lack it). @how is
 * ZNS_EXEC_IO, ZNS_EXEC_ADMIN or ZNS_EXEC_IOVEC (kernels without the
 * vectored ioctl get the data through one bounce buffer). Returns 0,
 * -errno or the NVMe status; *result gets the command result when not
 * NULL. */
int zns_ioctl_exec(int fd, int how, const struct nvme_uring_cmd *c,
		   uint64_t *result);

#endif /* LIBZNS_IOCTL_H */
