/* SPDX-License-Identifier: MIT */
/*
 * The commands: one encoder per NVMe command, and the argument checks every
 * path runs before it encodes.
 *
 * Layer: commands. Shared by the synchronous API (sync.c), the queues
 * (queue.c), the libnvme-compatible calls (nvme-compat.c) and device
 * discovery (device.c). Depends on private.h only: no transport, no queue.
 * Every encoder writes every field of struct nvme_uring_cmd, so a command
 * may be encoded straight into an SQE or a reused slot.
 */
#ifndef LIBZNS_CMD_H
#define LIBZNS_CMD_H

#include "private.h"

/* ---- encoders ---- */

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
 * based in CDW12 15:0, control bits (FUA, LR, PRINFO) in CDW12 31:16. */
static inline void zns_enc_rw(struct nvme_uring_cmd *c, uint8_t opcode,
			      uint32_t nsid, const void *buf, uint32_t len,
			      uint64_t slba, uint32_t nlb, uint16_t control)
{
	zns_enc(c, opcode, nsid, buf, len, (uint32_t)slba,
		(uint32_t)(slba >> 32),
		((uint32_t)(nlb - 1) & 0xffff) | ((uint32_t)control << 16),
		0, 0, 0);
}

/* A read, write or append into a slot whose other fields are zero: one
 * just zeroed, or one whose last command was encoded here too (see "plain
 * slots" in queue.c). Writes exactly the fields that zns_enc_rw() with
 * control 0 may set to non-zero. */
static inline void zns_enc_rw_plain(struct nvme_uring_cmd *c, uint8_t opcode,
				    uint32_t nsid, const void *buf,
				    uint32_t len, uint64_t slba, uint32_t nlb)
{
	c->opcode = opcode;
	c->nsid = nsid;
	c->addr = (uintptr_t)buf;
	c->data_len = len;
	c->cdw10 = (uint32_t)slba;
	c->cdw11 = (uint32_t)(slba >> 32);
	c->cdw12 = (uint32_t)(nlb - 1) & 0xffff;
}

/* Protection information of a read, write or append: the 64-bit initial
 * reference tag in CDW3 (bits 63:32) and CDW14 (bits 31:0), the application
 * tag and mask in CDW15. */
static inline void zns_enc_pi(struct nvme_uring_cmd *c, uint64_t reftag,
			      uint16_t apptag, uint16_t appmask)
{
	c->cdw3 = (uint32_t)(reftag >> 32);
	c->cdw14 = (uint32_t)reftag;
	c->cdw15 = apptag | (uint32_t)appmask << 16;
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
		return zns_fail(-EINVAL, "nlb must be 1 to 65536 logical blocks");
	if (unlikely(slba >= d->nr_lbas || nlb > d->nr_lbas - slba))
		return zns_fail(-ERANGE, "slba + nlb lies past the end of the namespace");
	return 0;
}

static inline int zns_check_xfer(const struct zns_dev *d, const void *buf,
				 uint64_t slba, uint32_t nlb, uint32_t limit)
{
	int rc = zns_check_range(d, slba, nlb);

	if (unlikely(rc))
		return rc;
	if (unlikely(!buf))
		return zns_fail(-EFAULT, "the data buffer is NULL");
	if (unlikely(((uint64_t)nlb << d->lba_shift) > limit))
		return zns_fail(-E2BIG, "the transfer is larger than the device's max_xfer (zasl for zone append): split it");
	return 0;
}

static inline int zns_is_zone_start(const struct zns_dev *d, uint64_t lba)
{
	if (likely(d->zone_mask))
		return (lba & d->zone_mask) == 0;
	return d->zone_size && lba % d->zone_size == 0;
}

/* A zone append names its zone by the zone's first LBA. */
static inline int zns_check_zslba(const struct zns_dev *d, uint64_t zslba)
{
	if (unlikely(zslba >= d->nr_lbas))
		return zns_fail(-ERANGE, "zslba lies past the end of the namespace");
	if (unlikely(!zns_is_zone_start(d, zslba)))
		return zns_fail(-EINVAL, "zslba is not the first LBA of a zone");
	return 0;
}

static inline int zns_check_send(const struct zns_dev *d, uint64_t slba,
				 unsigned int zsa, unsigned int flags,
				 const void *data, uint32_t len)
{
	if (flags & ~(ZNS_SEND_SELECT_ALL | ZNS_SEND_ZRWA))
		return zns_fail(-EINVAL, "unknown zone management send flag");
	switch (zsa) {
	case NVME_ZNS_ZSA_CLOSE:
	case NVME_ZNS_ZSA_FINISH:
	case NVME_ZNS_ZSA_OPEN:
	case NVME_ZNS_ZSA_RESET:
	case NVME_ZNS_ZSA_OFFLINE:
		if (data || len)
			return zns_fail(-EINVAL, "this zone send action takes no data: pass NULL and 0");
		break;
	case NVME_ZNS_ZSA_SET_DESC_EXT:
		if (!d->info.zdes)
			return zns_fail(-EINVAL, "the namespace has no zone descriptor extension");
		if (len != d->info.zdes)
			return zns_fail(-EINVAL, "set descriptor extension needs exactly zdes bytes");
		if (!data)
			return zns_fail(-EFAULT, "the descriptor extension buffer is NULL");
		break;
	case NVME_ZNS_ZSA_ZRWA_FLUSH:
		/* SLBA names the last LBA to flush, not a zone start. */
		if (data || len || (flags & ZNS_SEND_SELECT_ALL))
			return zns_fail(-EINVAL, "ZRWA flush takes no data and no select-all");
		if (!d->info.numzrwa)
			return zns_fail(-EOPNOTSUPP, "the namespace has no zone random write area (ZRWA)");
		return slba < d->nr_lbas ? 0 :
			zns_fail(-ERANGE, "slba lies past the end of the namespace");
	default:
		return zns_fail(-EINVAL, "unknown zone send action (enum nvme_zns_send_action)");
	}
	if ((flags & ZNS_SEND_ZRWA) && zsa != NVME_ZNS_ZSA_OPEN)
		return zns_fail(-EINVAL, "ZNS_SEND_ZRWA goes with the open action only");
	if ((flags & ZNS_SEND_ZRWA) && !d->info.numzrwa)
		return zns_fail(-EOPNOTSUPP, "the namespace has no zone random write area (ZRWA)");
	if (flags & ZNS_SEND_SELECT_ALL)
		return 0;
	if (slba >= d->nr_lbas)
		return zns_fail(-ERANGE, "slba lies past the end of the namespace");
	return zns_is_zone_start(d, slba) ? 0 :
		zns_fail(-EINVAL, "slba is not the first LBA of a zone");
}

static inline int zns_check_recv(const struct zns_dev *d, unsigned int zra,
				 unsigned int zrasf, const void *buf,
				 uint32_t len)
{
	if (zra > NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES)
		return zns_fail(-EINVAL, "unknown zone receive action");
	if (zrasf > NVME_ZNS_ZRAS_REPORT_OFFLINE)
		return zns_fail(-EINVAL, "unknown zone report filter (enum nvme_zns_report_options)");
	if (zra == NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES && !d->info.zdes)
		return zns_fail(-EINVAL, "extended report on a namespace without descriptor extensions");
	if (len < 64 || len % 4)
		return zns_fail(-EINVAL, "a report buffer is a multiple of 4 bytes, at least 64");
	if (len > d->max_xfer)
		return zns_fail(-E2BIG, "the report buffer is larger than the device's max_xfer");
	return buf ? 0 : zns_fail(-EFAULT, "the report buffer is NULL");
}

#endif /* LIBZNS_CMD_H */
