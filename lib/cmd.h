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

/* A read, write or append without options on a format with metadata: the
 * device would move metadata the caller never gave (and a kernel without
 * the check would let it land at address 0). */
static inline int zns_refuse_md(void)
{
	return zns_fail(-EINVAL, "the namespace's LBA format carries metadata (zns_dev_info.ms): use zns_read_opts(), zns_write_opts(), zns_append_opts() or their zns_prep_*_opts() twins, with opts->md or an extended-LBA buffer");
}

static inline int zns_check_xfer(const struct zns_dev *d, const void *buf,
				 uint64_t slba, uint32_t nlb, uint32_t limit)
{
	int rc = zns_check_range(d, slba, nlb);

	if (unlikely(rc))
		return rc;
	if (unlikely(d->md))
		return zns_refuse_md();
	if (unlikely(!buf))
		return zns_fail(-EFAULT, "the data buffer is NULL");
	if (unlikely(((uint64_t)nlb << d->lba_shift) > limit))
		return zns_fail(-E2BIG, "the transfer is larger than the device's max_xfer (zasl for zone append): split it");
	return 0;
}

/* Check a vector of @nr elements for @nlb blocks and add up its bytes;
 * @who names the call in the message. */
static inline int zns_check_vec(const struct zns_dev *d,
				const struct iovec *iov, unsigned int nr,
				uint64_t slba, uint32_t nlb, const char *who)
{
	uint64_t total = 0;
	unsigned int i;
	int rc = zns_check_range(d, slba, nlb);

	if (unlikely(rc))
		return rc;
	if (d->md)
		return zns_refuse_md();
	if (!iov || !nr || nr > ZNS_MAX_IOV)
		return zns_failf(-EINVAL, "%s: iov is NULL, or nr_iov is 0 or above %d", who, ZNS_MAX_IOV);
	for (i = 0; i < nr; i++) {
		if (!iov[i].iov_base || !iov[i].iov_len)
			return zns_failf(-EFAULT, "%s: iov[%u] has a NULL base or a length of 0", who, i);
		total += iov[i].iov_len;
	}
	if (total != (uint64_t)nlb << d->lba_shift)
		return zns_failf(-EINVAL, "%s: the vector holds %llu bytes, nlb logical blocks are %llu", who,
				 (unsigned long long)total,
				 (unsigned long long)nlb << d->lba_shift);
	if (total > d->max_xfer)
		return zns_failf(-E2BIG, "%s: the transfer is larger than the device's max_xfer: split it", who);
	return 0;
}

/* ---- options of reads, writes and appends (struct zns_io_opts) ---- */

/* sizeof(struct zns_io_opts) in the release that introduced it; a caller's
 * opts->size is at least this. */
#define ZNS_IO_OPTS_SIZE0	40
ZNS_STATIC_ASSERT(sizeof(struct zns_io_opts) == ZNS_IO_OPTS_SIZE0,
		  "grow struct zns_io_opts at its end, and keep SIZE0");

#define ZNS_IO_PRINFO	(NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_GUARD | \
			 NVME_IO_PRINFO_PRCHK_APP | NVME_IO_PRINFO_PRCHK_REF)
#define ZNS_IO_DTYPE	0x00f0u

/* Control bits each command takes. */
static inline uint16_t zns_opts_control_ok(uint8_t opcode)
{
	uint16_t ok = ZNS_IO_PRINFO | NVME_IO_FUA | NVME_IO_LR;

	if (opcode == ZNS_OP_WRITE)
		ok |= ZNS_IO_DTYPE;
	if (opcode == nvme_zns_cmd_append)
		ok |= NVME_IO_ZNS_APPEND_PIREMAP;
	return ok;
}

/* Protection information: only on a format that has it, with a reference
 * tag that fits the format. */
static inline int zns_check_pi(const struct zns_dev *d,
			       const struct zns_io_opts *o)
{
	uint64_t max = d->info.pi_format == 0 ? 0xffffffffull :
		       d->info.pi_format == 2 ? (1ull << 48) - 1 : UINT64_MAX;

	if (!(o->control & (ZNS_IO_PRINFO | NVME_IO_ZNS_APPEND_PIREMAP)) &&
	    !o->apptag && !o->appmask && !o->reftag)
		return 0;
	if (!d->info.pi_type)
		return zns_fail(-EINVAL, "opts: PRINFO, PIREMAP and the tags need a namespace formatted with protection information (zns_dev_info.pi_type is 0)");
	if (o->reftag > max)
		return zns_fail(-ERANGE, "opts->reftag is wider than the format's reference tag (32 bits with a 16-bit guard, 48 with a 64-bit guard)");
	return 0;
}

/* Metadata: where the format puts it, and as much as nlb blocks have. */
static inline int zns_check_md(const struct zns_dev *d,
			       const struct zns_io_opts *o, uint32_t nlb)
{
	const struct zns_dev_info *in = &d->info;
	int pract_only = (o->control & NVME_IO_PRINFO_PRACT) &&
			 in->pi_size == in->ms;

	if (!in->ms || in->ext_lba || pract_only) {
		if (!o->md && !o->md_len)
			return 0;
		return zns_fail(-EINVAL, !in->ms ?
			"opts->md: the namespace's LBA format has no metadata" :
			in->ext_lba ?
			"opts->md: the format interleaves the metadata with the data (extended LBAs): it goes in buf, lba_size + ms bytes per block" :
			"opts->md: with PRACT on a format whose metadata is only protection information, no metadata is transferred: pass NULL");
	}
	if (!o->md && !o->md_len)
		return zns_fail(-EINVAL, "opts->md: the namespace's format keeps metadata in a separate buffer: pass nlb * ms bytes (or PRACT, where the metadata is only protection information)");
	if (!o->md)
		return zns_fail(-EFAULT, "opts->md is NULL, opts->md_len is not 0");
	if ((uint64_t)o->md_len != (uint64_t)nlb * in->ms)
		return zns_fail(-EINVAL, "opts->md_len must be nlb * ms bytes");
	return 0;
}

/* Check a read, write or append with options and copy the options into
 * @o (fields the caller's release lacks are 0); *@len gets the data bytes.
 * @limit: max_xfer, or zasl for an append. */
static inline int zns_check_opts(const struct zns_dev *d, uint8_t opcode,
				 const void *buf, uint64_t slba, uint32_t nlb,
				 uint32_t limit, const struct zns_io_opts *opts,
				 struct zns_io_opts *o, uint32_t *len)
{
	uint64_t bytes = (uint64_t)nlb << d->lba_shift;
	int rc = zns_check_range(d, slba, nlb);

	if (rc)
		return rc;
	if (!buf)
		return zns_fail(-EFAULT, "the data buffer is NULL");
	memset(o, 0, sizeof(*o));
	if (opts) {
		size_t n = opts->size;

		if (n < ZNS_IO_OPTS_SIZE0)
			return zns_fail(-EINVAL, "opts->size is smaller than struct zns_io_opts ever was: set it to sizeof(struct zns_io_opts)");
		for (; n > sizeof(*o); n--)
			if (((const uint8_t *)opts)[n - 1])
				return zns_fail(-E2BIG, "opts sets fields this libzns does not know (opts->size is larger than its struct zns_io_opts): use a newer libzns");
		memcpy(o, opts, n);
	}
	if (o->control & ~zns_opts_control_ok(opcode))
		return zns_fail(-EINVAL, (o->control & ZNS_IO_DTYPE) && opcode != ZNS_OP_WRITE ?
			"opts->control: a directive type goes with writes only" :
			(o->control & NVME_IO_ZNS_APPEND_PIREMAP) && opcode != nvme_zns_cmd_append ?
			"opts->control: PIREMAP (bit 9) goes with zone appends only" :
			"opts->control: a bit that is neither FUA, LR, PRINFO nor (writes) a directive type; storage tags (STC) are not supported");
	if (o->dspec && !(o->control & ZNS_IO_DTYPE))
		return zns_fail(-EINVAL, "opts->dspec without a directive type in opts->control bits 7:4");
	if (o->rsvd)
		return zns_fail(-EINVAL, "opts->rsvd must be 0");
	rc = zns_check_pi(d, o);
	if (!rc)
		rc = zns_check_md(d, o, nlb);
	if (rc)
		return rc;
	/* An extended LBA format moves each block's metadata after its data,
	 * unless PRACT makes the controller insert and strip it all (the
	 * metadata is protection information only). */
	if (d->info.ext_lba && !((o->control & NVME_IO_PRINFO_PRACT) &&
				 d->info.pi_size == d->info.ms))
		bytes = (uint64_t)nlb * ((1ull << d->lba_shift) + d->info.ms);
	if (bytes > limit)
		return zns_fail(-E2BIG, "the transfer is larger than the device's max_xfer (zasl for zone append; with an extended LBA format the metadata counts): split it");
	*len = (uint32_t)bytes;
	return 0;
}

/* Encode a read, write or append with checked options: zns_enc_rw() and
 * the fields the options own. */
static inline void zns_enc_rw_opts(struct nvme_uring_cmd *c, uint8_t opcode,
				   uint32_t nsid, const void *buf, uint32_t len,
				   uint64_t slba, uint32_t nlb,
				   const struct zns_io_opts *o)
{
	zns_enc_rw(c, opcode, nsid, buf, len, slba, nlb, o->control);
	c->cdw13 = (uint32_t)o->dspec << 16;
	zns_enc_pi(c, o->reftag, o->apptag, o->appmask);
	c->metadata = (uintptr_t)o->md;
	c->metadata_len = o->md_len;
	c->timeout_ms = o->timeout_ms;
}

/* A command that had a timeout and came back cancelled (-EINTR: the
 * kernel cancels a command whose timer fired, then resets the controller)
 * after at least that long: its timeout fired. @elapsed_ns since it was
 * sent. */
static inline int zns_timed_status(int status, uint32_t timeout_ms,
				   uint64_t elapsed_ns)
{
	if (status == -EINTR && elapsed_ns >= (uint64_t)timeout_ms * 1000000u)
		return zns_fail(-ETIMEDOUT, "the command's timeout (opts->timeout_ms) fired: the kernel cancelled it and resets the controller");
	return status;
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
