// SPDX-License-Identifier: MIT
/*
 * The NVMe passthrough ioctl transport: one command in, its status and
 * 64-bit result out. Layer: transport; see ioctl.h.
 */
#include "ioctl.h"

#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

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

static int exec64(int fd, int how, const struct nvme_uring_cmd *c,
		  uint64_t *result)
{
	struct nvme_passthru_cmd64 p;
	unsigned long req = how == ZNS_EXEC_ADMIN ? NVME_IOCTL_ADMIN64_CMD :
			    how == ZNS_EXEC_IOVEC ? NVME_IOCTL_IO64_CMD_VEC :
			    NVME_IOCTL_IO64_CMD;
	int rc;

	memcpy(&p, c, sizeof(*c));
	p.result = 0;
	rc = ioctl(fd, req, &p);
	if (rc < 0 && errno == ENOTTY && how != ZNS_EXEC_IOVEC)
		return exec32(fd, how == ZNS_EXEC_ADMIN, c, result);
	if (rc < 0)
		return -errno;
	if (result)
		*result = p.result;
	return rc;
}

/* A vectored command on a kernel without the vectored ioctl (before 5.18):
 * gather into one buffer, run it plain, scatter what a read brought. */
static int exec_bounced(int fd, const struct nvme_uring_cmd *c,
			uint64_t *result)
{
	const struct iovec *iov = (const struct iovec *)(uintptr_t)c->addr;
	struct nvme_uring_cmd plain = *c;
	size_t total = 0, off = 0;
	unsigned int i;
	void *b;
	int rc;

	for (i = 0; i < c->data_len; i++)
		total += iov[i].iov_len;
	if (posix_memalign(&b, 4096, total ? total : 1))
		return -ENOMEM;
	for (i = 0; i < c->data_len; off += iov[i++].iov_len)
		memcpy((char *)b + off, iov[i].iov_base, iov[i].iov_len);
	plain.addr = (uintptr_t)b;
	plain.data_len = (uint32_t)total;
	rc = exec64(fd, ZNS_EXEC_IO, &plain, result);
	if (c->opcode & 2)	/* data from the device: a read */
		for (i = 0, off = 0; i < c->data_len; off += iov[i++].iov_len)
			memcpy(iov[i].iov_base, (char *)b + off, iov[i].iov_len);
	free(b);
	return rc;
}

int zns_ioctl_exec(int fd, int how, const struct nvme_uring_cmd *c,
		   uint64_t *result)
{
	int rc = exec64(fd, how, c, result);

	if (rc == -ENOTTY && how == ZNS_EXEC_IOVEC)
		return exec_bounced(fd, c, result);
	return rc;
}
