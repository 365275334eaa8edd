// SPDX-License-Identifier: MIT
/*
 * The synchronous API: each call checks its arguments, encodes its command
 * and runs it through the ioctl transport, blocking until the device
 * answers.
 *
 * Layer: synchronous API. Depends on cmd.h (checks and encoders), exec.h
 * (the transport: ioctl or emulator) and decode.c (report parsing); never
 * on the queues.
 */
#include "cmd.h"
#include "exec.h"

#include <stdlib.h>
#include <sys/ioctl.h>

ZNS_EXPORT
int zns_identify_ns(struct zns_dev *dev, struct nvme_zns_id_ns *id)
{
	struct nvme_uring_cmd c;

	if (!dev)
		return zns_fail(-EINVAL, "zns_identify_ns: dev is NULL");
	if (!id)
		return zns_fail(-EFAULT, "zns_identify_ns: id is NULL");
	zns_enc_identify(&c, dev->nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS, id);
	return zns_dev_exec(dev, 1, &c, NULL);
}

ZNS_EXPORT
int zns_identify_ctrl(struct zns_dev *dev, struct nvme_zns_id_ctrl *id)
{
	struct nvme_uring_cmd c;

	if (!dev)
		return zns_fail(-EINVAL, "zns_identify_ctrl: dev is NULL");
	if (!id)
		return zns_fail(-EFAULT, "zns_identify_ctrl: id is NULL");
	zns_enc_identify(&c, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS, id);
	return zns_dev_exec(dev, 1, &c, NULL);
}

ZNS_EXPORT
int zns_get_changed_zones(struct zns_dev *dev, int rae,
			  struct nvme_zns_changed_zone_log *log)
{
	struct nvme_uring_cmd c;

	if (!dev)
		return zns_fail(-EINVAL, "zns_get_changed_zones: dev is NULL");
	if (!log)
		return zns_fail(-EFAULT, "zns_get_changed_zones: log is NULL");
	zns_enc_get_log(&c, dev->nsid, NVME_LOG_LID_ZNS_CHANGED_ZONES,
			NVME_CSI_ZNS, rae, 0, log, sizeof(*log));
	return zns_dev_exec(dev, 1, &c, NULL);
}

ZNS_EXPORT
int zns_mgmt_send(struct zns_dev *dev, uint64_t slba, unsigned int zsa,
		  unsigned int flags, void *data, uint32_t len,
		  uint64_t *result)
{
	struct nvme_uring_cmd c;
	int rc;

	if (!dev)
		return zns_fail(-EINVAL, "zns_mgmt_send: dev is NULL");
	rc = zns_check_send(dev, slba, zsa, flags, data, len);
	if (rc)
		return rc;
	zns_enc_mgmt_send(&c, dev->nsid, slba, zsa, flags & ZNS_SEND_SELECT_ALL,
			  flags & ZNS_SEND_ZRWA, data, len);
	return zns_dev_exec(dev, 0, &c, result);
}

ZNS_EXPORT
int zns_mgmt_recv(struct zns_dev *dev, uint64_t slba, unsigned int zra,
		  unsigned int zrasf, int partial, void *buf, uint32_t len)
{
	struct nvme_uring_cmd c;
	int rc;

	if (!dev)
		return zns_fail(-EINVAL, "zns_mgmt_recv: dev is NULL");
	rc = zns_check_recv(dev, zra, zrasf, buf, len);
	if (rc)
		return rc;
	zns_enc_mgmt_recv(&c, dev->nsid, slba, zra, zrasf, partial, buf, len);
	return zns_dev_exec(dev, 0, &c, NULL);
}

ZNS_EXPORT
int zns_report_zones(struct zns_dev *dev, uint64_t slba, unsigned int zrasf,
		     struct zns_zone *zones, unsigned int *nr_zones, void *ext)
{
	unsigned int zra = ext ? NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES :
				 NVME_ZNS_ZRA_REPORT_ZONES;
	unsigned int want, done = 0;
	uint32_t zdes, len;
	size_t stride;
	uint8_t *buf;
	int rc = 0;

	if (!dev || !nr_zones)
		return zns_fail(-EINVAL, "zns_report_zones: dev or nr_zones is NULL");
	want = *nr_zones;
	*nr_zones = 0;
	if (!zones && want)
		return zns_fail(-EINVAL, "zns_report_zones: zones is NULL");
	if (ext && !dev->info.zdes)
		return zns_fail(-EINVAL, "zns_report_zones: ext given, but the namespace has no descriptor extension");
	if (zrasf > NVME_ZNS_ZRAS_REPORT_OFFLINE)
		return zns_fail(-EINVAL, "zns_report_zones: unknown zone report filter");
	zdes = ext ? dev->info.zdes : 0;
	stride = sizeof(struct nvme_zns_desc) + zdes;
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
		rc = zns_dev_exec(dev, 0, &c, NULL);
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
	return zns_dev_exec(dev, 0, &c, result);
}

ZNS_EXPORT
int zns_append(struct zns_dev *dev, const void *buf, uint64_t zslba,
	       uint32_t nlb, uint64_t *lba)
{
	int rc;

	if (!dev)
		return zns_fail(-EINVAL, "zns_append: dev is NULL");
	rc = zns_check_zslba(dev, zslba);
	if (rc)
		return rc;
	return sync_io(dev, nvme_zns_cmd_append, buf, zslba, nlb, dev->zasl,
		       lba);
}

ZNS_EXPORT
int zns_read(struct zns_dev *dev, void *buf, uint64_t slba, uint32_t nlb)
{
	if (!dev)
		return zns_fail(-EINVAL, "zns_read: dev is NULL");
	return sync_io(dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer, NULL);
}

ZNS_EXPORT
int zns_write(struct zns_dev *dev, const void *buf, uint64_t slba,
	      uint32_t nlb)
{
	if (!dev)
		return zns_fail(-EINVAL, "zns_write: dev is NULL");
	return sync_io(dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer, NULL);
}

/* Read, write and append with options. A command with a timeout is timed,
 * so that a cancellation after it can be told a timeout. */
static int sync_io_opts(struct zns_dev *dev, uint8_t opcode, const void *buf,
			uint64_t slba, uint32_t nlb, uint32_t limit,
			const struct zns_io_opts *opts, uint64_t *result)
{
	struct nvme_uring_cmd c;
	struct zns_io_opts o;
	uint64_t t0;
	uint32_t len;
	int rc = zns_check_opts(dev, opcode, buf, slba, nlb, limit, opts, &o,
				&len);

	if (rc)
		return rc;
	zns_enc_rw_opts(&c, opcode, dev->nsid, buf, len, slba, nlb, &o);
	if (!o.timeout_ms)
		return zns_dev_exec(dev, 0, &c, result);
	t0 = zns_now_ns();
	rc = zns_dev_exec(dev, 0, &c, result);
	return zns_timed_status(rc, o.timeout_ms, zns_now_ns() - t0);
}

ZNS_EXPORT
int zns_read_opts(struct zns_dev *dev, void *buf, uint64_t slba,
		  uint32_t nlb, const struct zns_io_opts *opts)
{
	if (!dev)
		return zns_fail(-EINVAL, "zns_read_opts: dev is NULL");
	return sync_io_opts(dev, ZNS_OP_READ, buf, slba, nlb, dev->max_xfer,
			    opts, NULL);
}

ZNS_EXPORT
int zns_write_opts(struct zns_dev *dev, const void *buf, uint64_t slba,
		   uint32_t nlb, const struct zns_io_opts *opts)
{
	if (!dev)
		return zns_fail(-EINVAL, "zns_write_opts: dev is NULL");
	return sync_io_opts(dev, ZNS_OP_WRITE, buf, slba, nlb, dev->max_xfer,
			    opts, NULL);
}

ZNS_EXPORT
int zns_append_opts(struct zns_dev *dev, const void *buf, uint64_t zslba,
		    uint32_t nlb, const struct zns_io_opts *opts,
		    uint64_t *lba)
{
	int rc;

	if (!dev)
		return zns_fail(-EINVAL, "zns_append_opts: dev is NULL");
	rc = zns_check_zslba(dev, zslba);
	if (rc)
		return rc;
	return sync_io_opts(dev, nvme_zns_cmd_append, buf, zslba, nlb,
			    dev->zasl, opts, lba);
}

static int sync_vec(struct zns_dev *dev, uint8_t opcode,
		    const struct iovec *iov, unsigned int nr, uint64_t slba,
		    uint32_t nlb, const char *who)
{
	struct nvme_uring_cmd c;
	int rc;

	if (!dev)
		return zns_failf(-EINVAL, "%s: dev is NULL", who);
	rc = zns_check_vec(dev, iov, nr, slba, nlb, who);
	if (rc)
		return rc;
	zns_enc_rw(&c, opcode, dev->nsid, NULL, 0, slba, nlb, 0);
	c.addr = (uintptr_t)iov;
	c.data_len = nr;
	return zns_dev_exec_how(dev, ZNS_EXEC_IOVEC, &c, NULL);
}

ZNS_EXPORT
int zns_readv(struct zns_dev *dev, const struct iovec *iov,
	      unsigned int nr_iov, uint64_t slba, uint32_t nlb)
{
	return sync_vec(dev, ZNS_OP_READ, iov, nr_iov, slba, nlb, "zns_readv");
}

ZNS_EXPORT
int zns_writev(struct zns_dev *dev, const struct iovec *iov,
	       unsigned int nr_iov, uint64_t slba, uint32_t nlb)
{
	return sync_vec(dev, ZNS_OP_WRITE, iov, nr_iov, slba, nlb,
			"zns_writev");
}

ZNS_EXPORT
int zns_write_zeroes(struct zns_dev *dev, uint64_t slba, uint32_t nlb)
{
	struct nvme_uring_cmd c;
	int rc;

	if (!dev)
		return zns_fail(-EINVAL, "zns_write_zeroes: dev is NULL");
	rc = zns_check_range(dev, slba, nlb);
	if (rc)
		return rc;
	zns_enc_write_zeroes(&c, dev->nsid, slba, nlb);
	return zns_dev_exec(dev, 0, &c, NULL);
}

ZNS_EXPORT
int zns_flush(struct zns_dev *dev)
{
	struct nvme_uring_cmd c;

	if (!dev)
		return zns_fail(-EINVAL, "zns_flush: dev is NULL");
	zns_enc_flush(&c, dev->nsid);
	return zns_dev_exec(dev, 0, &c, NULL);
}
