/* SPDX-License-Identifier: MIT */
/*
 * libzns internals: the device handle and the one encoder per command that
 * the synchronous, asynchronous and libnvme-compatible paths all share.
 */
#ifndef LIBZNS_PRIVATE_H
#define LIBZNS_PRIVATE_H

#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/nvme_ioctl.h>

#include "libzns.h"

#define ZNS_EXPORT __attribute__((visibility("default")))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#ifndef NVME_URING_CMD_IO
#define NVME_URING_CMD_IO	_IOWR('N', 0x80, struct nvme_uring_cmd)
#define NVME_URING_CMD_ADMIN	_IOWR('N', 0x82, struct nvme_uring_cmd)
#endif
#ifndef HAVE_STRUCT_NVME_URING_CMD
/* Kernel headers older than 5.19 lack it; the layout is fixed uapi. */
struct nvme_uring_cmd {
	__u8	opcode;
	__u8	flags;
	__u16	rsvd1;
	__u32	nsid;
	__u32	cdw2;
	__u32	cdw3;
	__u64	metadata;
	__u64	addr;
	__u32	metadata_len;
	__u32	data_len;
	__u32	cdw10;
	__u32	cdw11;
	__u32	cdw12;
	__u32	cdw13;
	__u32	cdw14;
	__u32	cdw15;
	__u32	timeout_ms;
	__u32	rsvd2;
};
#endif

ZNS_STATIC_ASSERT(sizeof(struct nvme_uring_cmd) == 72, "nvme_uring_cmd");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_passthru_cmd64, result) == 72,
		  "passthru64 = uring_cmd + result");

struct zns_dev {
	int fd;			/* namespace generic char device */
	int ctrl_fd;		/* controller char device, or -1 */
	uint32_t nsid;
	uint32_t lba_shift;
	uint64_t nr_lbas;
	uint64_t zone_size;	/* LBAs */
	uint64_t zone_mask;	/* zone_size - 1 when a power of two, else 0 */
	uint32_t max_xfer;	/* bytes */
	uint32_t zasl;		/* bytes */
	struct zns_dev_info info;
};

/* ---- encoders: one per command; every field of the command written ---- */

static inline void zns_enc(struct nvme_uring_cmd *c, uint8_t opcode,
			   uint32_t nsid, const void *buf, uint32_t len,
			   uint32_t cdw10, uint32_t cdw11, uint32_t cdw12,
			   uint32_t cdw13, uint32_t cdw14, uint32_t cdw15)
{
	c->opcode = opcode;
	c->flags = 0;
	c->rsvd1 = 0;
	c->nsid = nsid;
	c->cdw2 = 0;
	c->cdw3 = 0;
	c->metadata = 0;
	c->addr = (uintptr_t)buf;
	c->metadata_len = 0;
	c->data_len = len;
	c->cdw10 = cdw10;
	c->cdw11 = cdw11;
	c->cdw12 = cdw12;
	c->cdw13 = cdw13;
	c->cdw14 = cdw14;
	c->cdw15 = cdw15;
	c->timeout_ms = 0;
	c->rsvd2 = 0;
}

/* Read (0x02), Write (0x01), Zone Append (0x7d): SLBA in CDW10-11, NLB 0's
 * based in CDW12 15:0, control bits (FUA, LR, ...) in CDW12 31:16. */
static inline void zns_enc_rw(struct nvme_uring_cmd *c, uint8_t opcode,
			      uint32_t nsid, const void *buf, uint32_t len,
			      uint64_t slba, uint32_t nlb, uint16_t control)
{
	zns_enc(c, opcode, nsid, buf, len, (uint32_t)slba,
		(uint32_t)(slba >> 32),
		((uint32_t)(nlb - 1) & 0xffff) | ((uint32_t)control << 16),
		0, 0, 0);
}

/* Write Zeroes (0x08): as a write without data. */
static inline void zns_enc_write_zeroes(struct nvme_uring_cmd *c,
					uint32_t nsid, uint64_t slba,
					uint32_t nlb)
{
	zns_enc_rw(c, ZNS_OP_WRITE_ZEROES, nsid, NULL, 0, slba, nlb, 0);
}

/* Flush (0x00). */
static inline void zns_enc_flush(struct nvme_uring_cmd *c, uint32_t nsid)
{
	zns_enc(c, ZNS_OP_FLUSH, nsid, NULL, 0, 0, 0, 0, 0, 0, 0);
}

/* Zone Management Send (0x79): SLBA in CDW10-11; CDW13: ZSA 7:0, Select All
 * bit 8, ZSASO bit 9. */
static inline void zns_enc_mgmt_send(struct nvme_uring_cmd *c, uint32_t nsid,
				     uint64_t slba, uint8_t zsa,
				     int select_all, int zsaso,
				     const void *data, uint32_t len)
{
	zns_enc(c, nvme_zns_cmd_mgmt_send, nsid, data, len, (uint32_t)slba,
		(uint32_t)(slba >> 32), 0,
		zsa | (uint32_t)(!!select_all) << 8 | (uint32_t)(!!zsaso) << 9,
		0, 0);
}

/* Zone Management Receive (0x7a): SLBA in CDW10-11; CDW12 NUMD 0's based
 * dwords; CDW13: ZRA 7:0, ZRASF 15:8, Partial bit 16. */
static inline void zns_enc_mgmt_recv(struct nvme_uring_cmd *c, uint32_t nsid,
				     uint64_t slba, uint8_t zra, uint8_t zrasf,
				     int partial, void *buf, uint32_t len)
{
	zns_enc(c, nvme_zns_cmd_mgmt_recv, nsid, buf, len, (uint32_t)slba,
		(uint32_t)(slba >> 32), len / 4 - 1,
		zra | (uint32_t)zrasf << 8 | (uint32_t)(!!partial) << 16, 0, 0);
}

/* Identify (admin 0x06): CDW10 CNS 7:0, CNTID 31:16; CDW11 CSI 31:24. */
static inline void zns_enc_identify(struct nvme_uring_cmd *c, uint32_t nsid,
				    uint8_t cns, uint8_t csi, void *buf)
{
	zns_enc(c, ZNS_ADMIN_IDENTIFY, nsid, buf, 4096, cns,
		(uint32_t)csi << 24, 0, 0, 0, 0);
}

/* Get Log Page (admin 0x02): CDW10 LID 7:0, LSP 14:8, RAE bit 15, NUMDL
 * 31:16; CDW11 NUMDU 15:0; CDW12-13 LPO; CDW14 CSI 31:24. */
static inline void zns_enc_get_log(struct nvme_uring_cmd *c, uint32_t nsid,
				   uint8_t lid, uint8_t csi, int rae,
				   uint64_t lpo, void *buf, uint32_t len)
{
	uint32_t numd = len / 4 - 1;

	zns_enc(c, ZNS_ADMIN_GET_LOG_PAGE, nsid, buf, len,
		lid | (uint32_t)(!!rae) << 15 | (numd & 0xffff) << 16,
		numd >> 16, (uint32_t)lpo, (uint32_t)(lpo >> 32),
		(uint32_t)csi << 24, 0);
}

/* ---- argument checks shared by every path ---- */

static inline int zns_check_range(const struct zns_dev *d, uint64_t slba,
				  uint32_t nlb)
{
	if (unlikely(nlb == 0 || nlb > 65536))
		return -EINVAL;
	if (unlikely(slba >= d->nr_lbas || nlb > d->nr_lbas - slba))
		return -ERANGE;
	return 0;
}

static inline int zns_check_xfer(const struct zns_dev *d, const void *buf,
				 uint64_t slba, uint32_t nlb, uint32_t limit)
{
	int rc = zns_check_range(d, slba, nlb);

	if (unlikely(rc))
		return rc;
	if (unlikely(!buf))
		return -EFAULT;
	if (unlikely(((uint64_t)nlb << d->lba_shift) > limit))
		return -E2BIG;
	return 0;
}

static inline int zns_is_zone_start(const struct zns_dev *d, uint64_t lba)
{
	if (likely(d->zone_mask))
		return (lba & d->zone_mask) == 0;
	return d->zone_size && lba % d->zone_size == 0;
}

int zns_check_send(const struct zns_dev *d, uint64_t slba, unsigned int zsa,
		   unsigned int flags, const void *data, uint32_t len);
int zns_check_recv(const struct zns_dev *d, unsigned int zra,
		   unsigned int zrasf, const void *buf, uint32_t len);

/* Run one command through the NVMe passthrough ioctl (64-bit, falling back
 * to the 32-bit ioctl on kernels that lack it). Returns 0, -errno or the
 * NVMe status; *result gets the command result when not NULL. */
int zns_ioctl_exec(int fd, int admin, const struct nvme_uring_cmd *c,
		   uint64_t *result);

/* Derive the geometry from the four identify structures (4096 bytes each:
 * controller, NVM namespace, ZNS namespace, ZNS controller). Returns 0,
 * -EIO for an LBA format libzns cannot use, -EMEDIUMTYPE when the ZNS data
 * holds no zone size. */
int zns_decode_geometry(struct zns_dev *d, const void *id_ctrl,
			const void *id_ns, const void *zns_id_ns,
			const void *zns_id_ctrl);

/* Admin commands for a device: the controller device when open, else the
 * namespace device. */
static inline int zns_admin_fd(const struct zns_dev *d)
{
	return d->ctrl_fd >= 0 ? d->ctrl_fd : d->fd;
}

#endif /* LIBZNS_PRIVATE_H */
