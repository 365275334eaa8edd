// SPDX-License-Identifier: MIT
/*
 * The NVMe passthrough ioctl transport: one command in, its status and
 * 64-bit result out. Layer: transport; see ioctl.h.
 */
#include "ioctl.h"

#include <stddef.h>
#include <sys/ioctl.h>

/* Kernels before 5.9 only have the ioctls with a 32-bit result. */
static int exec32(int fd, int admin, const struct nvme_uring_cmd *c,
		  uint64_t *result)
{
	struct nvme_passthru_cmd p;
	int rc;

	memcpy(&p, c, offsetof(struct nvme_passthru_cmd, timeout_ms));
	p.timeout_ms = c->timeout_ms;
	p.result = 0;
	rc = ioctl(fd, admin ? NVME_IOCTL_ADMIN_CMD : NVME_IOCTL_IO_CMD, &p);
	if (rc < 0)
		return -errno;
	if (result)
		*result = p.result;
	return rc;
}

int zns_ioctl_exec(int fd, int admin, const struct nvme_uring_cmd *c,
		   uint64_t *result)
{
	struct nvme_passthru_cmd64 p;
	int rc;

	memcpy(&p, c, sizeof(*c));
	p.result = 0;
	rc = ioctl(fd, admin ? NVME_IOCTL_ADMIN64_CMD : NVME_IOCTL_IO64_CMD, &p);
	if (rc < 0 && errno == ENOTTY)
		return exec32(fd, admin, c, result);
	if (rc < 0)
		return -errno;
	if (result)
		*result = p.result;
	return rc;
}
