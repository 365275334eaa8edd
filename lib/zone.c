// SPDX-License-Identifier: MIT
/*
 * Synchronous ZNS commands over the NVMe passthrough ioctls.
 */
#include "zns-private.h"

#include <stdlib.h>
#include <sys/ioctl.h>

int zns_ioctl_exec(int fd, int admin, const struct nvme_uring_cmd *c,
		   uint64_t *result)
{
	struct nvme_passthru_cmd64 p;
	int rc;

	memcpy(&p, c, sizeof(*c));
	p.result = 0;
	rc = ioctl(fd, admin ? NVME_IOCTL_ADMIN64_CMD : NVME_IOCTL_IO64_CMD, &p);
	if (rc < 0 && errno == ENOTTY) {
		/* Kernels before 5.9 only have the 32-bit result ioctls. */
		struct nvme_passthru_cmd p32;

		memcpy(&p32, c, offsetof(struct nvme_passthru_cmd, timeout_ms));
		p32.timeout_ms = c->timeout_ms;
		p32.result = 0;
		rc = ioctl(fd, admin ? NVME_IOCTL_ADMIN_CMD : NVME_IOCTL_IO_CMD,
			   &p32);
		p.result = p32.result;
	}
	if (rc < 0)
		return -errno;
	if (result)
		*result = p.result;
	return rc;
}

int zns_check_send(const struct zns_dev *d, uint64_t slba, unsigned int zsa,
		   unsigned int flags, const void *data, uint32_t len)
{
	if (flags & ~(ZNS_SEND_SELECT_ALL | ZNS_SEND_ZRWA))
		return -EINVAL;
	switch (zsa) {
	case NVME_ZNS_ZSA_CLOSE:
	case NVME_ZNS_ZSA_FINISH:
	case NVME_ZNS_ZSA_OPEN:
	case NVME_ZNS_ZSA_RESET:
	case NVME_ZNS_ZSA_OFFLINE:
		if (data || len)
			return -EINVAL;
		break;
	case NVME_ZNS_ZSA_SET_DESC_EXT:
		if (!d->info.zdes || len != d->info.zdes)
			return -EINVAL;
		if (!data)
			return -EFAULT;
		break;
	case NVME_ZNS_ZSA_ZRWA_FLUSH:
		/* SLBA names the last LBA to flush, not a zone start. */
		if (data || len || (flags & ZNS_SEND_SELECT_ALL))
			return -EINVAL;
		if (!d->info.numzrwa)
			return -EOPNOTSUPP;
		return slba < d->nr_lbas ? 0 : -ERANGE;
	default:
		return -EINVAL;
	}
	if ((flags & ZNS_SEND_ZRWA) && zsa != NVME_ZNS_ZSA_OPEN)
		return -EINVAL;
	if ((flags & ZNS_SEND_ZRWA) && !d->info.numzrwa)
		return -EOPNOTSUPP;
	if (flags & ZNS_SEND_SELECT_ALL)
		return 0;
	if (slba >= d->nr_lbas)
		return -ERANGE;
	return zns_is_zone_start(d, slba) ? 0 : -EINVAL;
}

int zns_check_recv(const struct zns_dev *d, unsigned int zra,
		   unsigned int zrasf, const void *buf, uint32_t len)
{
	if (zra > NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES ||
	    zrasf > NVME_ZNS_ZRAS_REPORT_OFFLINE)
		return -EINVAL;
	if (zra == NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES && !d->info.zdes)
		return -EINVAL;
	if (len < 64 || len % 4)
		return -EINVAL;
	if (len > d->max_xfer)
		return -E2BIG;
	return buf ? 0 : -EFAULT;
}

ZNS_EXPORT
int zns_identify_ns(struct zns_dev *dev, struct nvme_zns_id_ns *id)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, dev->nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS, id);
	return zns_ioctl_exec(zns_admin_fd(dev), 1, &c, NULL);
}

ZNS_EXPORT
int zns_identify_ctrl(struct zns_dev *dev, struct nvme_zns_id_ctrl *id)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS, id);
	return zns_ioctl_exec(zns_admin_fd(dev), 1, &c, NULL);
}

ZNS_EXPORT
int zns_get_changed_zones(struct zns_dev *dev, int rae,
			  struct nvme_zns_changed_zone_log *log)
{
	struct nvme_uring_cmd c;

	zns_enc_get_log(&c, dev->nsid, NVME_LOG_LID_ZNS_CHANGED_ZONES,
			NVME_CSI_ZNS, rae, 0, log, sizeof(*log));
	return zns_ioctl_exec(zns_admin_fd(dev), 1, &c, NULL);
}

ZNS_EXPORT
int zns_mgmt_send(struct zns_dev *dev, uint64_t slba, unsigned int zsa,
		  unsigned int flags, void *data, uint32_t len,
		  uint64_t *result)
{
	struct nvme_uring_cmd c;
	int rc = zns_check_send(dev, slba, zsa, flags, data, len);

	if (rc)
		return rc;
	zns_enc_mgmt_send(&c, dev->nsid, slba, zsa, flags & ZNS_SEND_SELECT_ALL,
			  flags & ZNS_SEND_ZRWA, data, len);
	return zns_ioctl_exec(dev->fd, 0, &c, result);
}

ZNS_EXPORT
int zns_mgmt_recv(struct zns_dev *dev, uint64_t slba, unsigned int zra,
		  unsigned int zrasf, int partial, void *buf, uint32_t len)
{
	struct nvme_uring_cmd c;
	int rc = zns_check_recv(dev, zra, zrasf, buf, len);

	if (rc)
		return rc;
	zns_enc_mgmt_recv(&c, dev->nsid, slba, zra, zrasf, partial, buf, len);
	return zns_ioctl_exec(dev->fd, 0, &c, NULL);
}

ZNS_EXPORT
int zns_parse_report(const void *buf, size_t len, uint32_t zdes,
		     struct zns_zone *zones, unsigned int max, unsigned int *nr)
{
	const struct nvme_zone_report *r = buf;
	const uint8_t *p = buf;
	size_t stride = sizeof(struct nvme_zns_desc) + zdes;
	uint64_t n, fit;
	unsigned int i;

	*nr = 0;
	if (!buf || len < sizeof(*r))
		return -EINVAL;
	n = zns_le64(r->nr_zones);
	fit = (len - sizeof(*r)) / stride;
	if (n > fit)
		n = fit;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		const struct nvme_zns_desc *d = (const void *)
			(p + sizeof(*r) + i * stride);

		zones[i].zslba = zns_le64(d->zslba);
		zones[i].zcap = zns_le64(d->zcap);
		zones[i].wp = zns_le64(d->wp);
		zones[i].type = d->zt & 0xf;
		zones[i].state = d->zs >> NVME_ZNS_ZS_SHIFT;
		zones[i].attrs = d->za;
		zones[i].attr_info = d->zai;
		memset(zones[i].rsvd, 0, sizeof(zones[i].rsvd));
	}
	*nr = (unsigned int)n;
	return 0;
}

ZNS_EXPORT
int zns_report_zones(struct zns_dev *dev, uint64_t slba, unsigned int zrasf,
		     struct zns_zone *zones, unsigned int *nr_zones, void *ext)
{
	uint32_t zdes = ext ? dev->info.zdes : 0;
	unsigned int zra = ext ? NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES :
				 NVME_ZNS_ZRA_REPORT_ZONES;
	size_t stride = sizeof(struct nvme_zns_desc) + zdes;
	unsigned int want = *nr_zones, done = 0;
	uint32_t len;
	uint8_t *buf;
	int rc = 0;

	*nr_zones = 0;
	if (ext && !dev->info.zdes)
		return -EINVAL;
	if (zrasf > NVME_ZNS_ZRAS_REPORT_OFFLINE)
		return -EINVAL;
	/* As many descriptors as one command may carry, no more than asked. */
	len = dev->max_xfer & ~4095u;
	if ((uint64_t)want * stride + 64 < len)
		len = (uint32_t)(((uint64_t)want * stride + 64 + 4095) & ~4095ull);
	if (len < 4096)
		len = 4096;
	buf = aligned_alloc(4096, len);
	if (!buf)
		return -ENOMEM;

	while (done < want && slba < dev->nr_lbas) {
		struct nvme_uring_cmd c;
		unsigned int got, i;

		zns_enc_mgmt_recv(&c, dev->nsid, slba, zra, zrasf, 1, buf, len);
		rc = zns_ioctl_exec(dev->fd, 0, &c, NULL);
		if (rc)
			break;
		zns_parse_report(buf, len, zdes, zones + done, want - done, &got);
		if (!got)
			break;
		if (ext)
			for (i = 0; i < got; i++)
				memcpy((uint8_t *)ext + (size_t)(done + i) * zdes,
				       buf + 64 + i * stride + 64, zdes);
		done += got;
		/* Continue after the last zone reported. */
		slba = zones[done - 1].zslba + dev->zone_size;
	}
	free(buf);
	*nr_zones = done;
	return rc;
}

/* Read, write and zone append share everything but opcode and limit, as
 * their asynchronous twins do (prep_io() in queue.c). */
static int sync_io(struct zns_dev *dev, uint8_t opcode, const void *buf,
		   uint64_t slba, uint32_t nlb, uint32_t limit, uint64_t *result)
{
	struct nvme_uring_cmd c;
	int rc = zns_check_xfer(dev, buf, slba, nlb, limit);

	if (rc)
		return rc;
	zns_enc_rw(&c, opcode, dev->nsid, buf, nlb << dev->lba_shift, slba,
		   nlb, 0);
	return zns_ioctl_exec(dev->fd, 0, &c, result);
}

ZNS_EXPORT
int zns_append(struct zns_dev *dev, const void *buf, uint64_t zslba,
	       uint32_t nlb, uint64_t *lba)
{
	if (!zns_is_zone_start(dev, zslba))
		return zslba < dev->nr_lbas ? -EINVAL : -ERANGE;
	return sync_io(dev, nvme_zns_cmd_append, buf, zslba, nlb, dev->zasl,
		       lba);
}

ZNS_EXPORT
int zns_read(struct zns_dev *dev, void *buf, uint64_t slba, uint32_t nlb)
{
	return sync_io(dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer, NULL);
}

ZNS_EXPORT
int zns_write(struct zns_dev *dev, const void *buf, uint64_t slba,
	      uint32_t nlb)
{
	return sync_io(dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer, NULL);
}

ZNS_EXPORT
int zns_write_zeroes(struct zns_dev *dev, uint64_t slba, uint32_t nlb)
{
	struct nvme_uring_cmd c;
	int rc = zns_check_range(dev, slba, nlb);

	if (rc)
		return rc;
	zns_enc_write_zeroes(&c, dev->nsid, slba, nlb);
	return zns_ioctl_exec(dev->fd, 0, &c, NULL);
}

ZNS_EXPORT
int zns_flush(struct zns_dev *dev)
{
	struct nvme_uring_cmd c;

	zns_enc_flush(&c, dev->nsid);
	return zns_ioctl_exec(dev->fd, 0, &c, NULL);
}
