/* SPDX-License-Identifier: MIT */
/*
 * libzns synchronous API: ZNS commands over the NVMe passthrough ioctls.
 *
 * These calls block until the device answers. They return 0, a negated
 * errno, or the NVMe status > 0 (see <libzns/status.h>). LBA arguments and
 * counts are in logical blocks of the namespace; buffer lengths are bytes.
 * A NULL device handle gets -EINVAL, a NULL data buffer -EFAULT;
 * zns_last_error() names the rule a refused call broke.
 */
#ifndef LIBZNS_SYNC_H
#define LIBZNS_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <libzns/spec.h>
#include <libzns/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of zns_mgmt_send(). */
#define ZNS_SEND_SELECT_ALL	(1u << 0)	/* apply to all zones (CDW13.SEL) */
#define ZNS_SEND_ZRWA		(1u << 1)	/* ZSASO: open with a ZRWA */

/**
 * struct zns_zone - one zone, decoded into host byte order
 * @zslba: zone start LBA
 * @zcap: zone capacity, logical blocks
 * @wp: write pointer, LBA
 * @type: zone type (NVME_ZONE_TYPE_SEQWRITE_REQ)
 * @state: zone state (enum nvme_zns_zs, already shifted down)
 * @attrs: zone attributes (enum nvme_zns_za)
 * @attr_info: zone attributes information
 * @rsvd: reserved
 */
struct zns_zone {
	uint64_t zslba;
	uint64_t zcap;
	uint64_t wp;
	uint8_t type;
	uint8_t state;
	uint8_t attrs;
	uint8_t attr_info;
	uint8_t rsvd[4];
};

/**
 * zns_identify_ns() - ZNS Identify Namespace (CNS 0x05, CSI 2)
 * @dev: the device
 * @id: receives the 4096-byte data structure
 *
 * Return: 0, -errno, or NVMe status.
 */
int zns_identify_ns(struct zns_dev *dev, struct nvme_zns_id_ns *id);

/**
 * zns_identify_ctrl() - ZNS Identify Controller (CNS 0x06, CSI 2)
 * @dev: the device
 * @id: receives the 4096-byte data structure
 *
 * Return: 0, -errno, or NVMe status.
 */
int zns_identify_ctrl(struct zns_dev *dev, struct nvme_zns_id_ctrl *id);

/**
 * zns_get_changed_zones() - read the Changed Zone List log page (LID 0xBF)
 * @dev: the device
 * @rae: retain asynchronous event (non-zero: do not clear the event)
 * @log: receives the 4096-byte log
 *
 * Return: 0, -errno, or NVMe status (devices that do not report zone
 * changes answer Invalid Field in Command, 0x4002).
 */
int zns_get_changed_zones(struct zns_dev *dev, int rae,
			  struct nvme_zns_changed_zone_log *log);

/**
 * zns_mgmt_send() - Zone Management Send
 * @dev: the device
 * @slba: start LBA of the zone (ignored with ZNS_SEND_SELECT_ALL); for
 *        NVME_ZNS_ZSA_ZRWA_FLUSH, the last LBA to flush
 * @zsa: the action, enum nvme_zns_send_action
 * @flags: ZNS_SEND_SELECT_ALL, ZNS_SEND_ZRWA
 * @data: descriptor extension data for NVME_ZNS_ZSA_SET_DESC_EXT, else NULL
 * @len: bytes at @data (the descriptor extension size), else 0
 * @result: if not NULL, receives the command result (bit 0 of a reset: Zone
 *          Capacity Changed)
 *
 * Return: 0, -EINVAL for an unknown action or @slba that is not a zone
 * start, -errno, or NVMe status (e.g. 0x1bf Invalid Zone State Transition).
 */
int zns_mgmt_send(struct zns_dev *dev, uint64_t slba, unsigned int zsa,
		  unsigned int flags, void *data, uint32_t len,
		  uint64_t *result);

/**
 * zns_mgmt_recv() - Zone Management Receive, raw
 * @dev: the device
 * @slba: first LBA to report from
 * @zra: NVME_ZNS_ZRA_REPORT_ZONES or NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES
 * @zrasf: report filter, enum nvme_zns_report_options
 * @partial: non-zero: nr_zones counts the descriptors returned, not all
 *           matching zones
 * @buf: receives the report
 * @len: bytes at @buf: a multiple of 4, at least 64, at most the device's
 *       max_xfer
 *
 * Return: 0, -EINVAL, -E2BIG (beyond max_xfer), -errno, or NVMe status.
 */
int zns_mgmt_recv(struct zns_dev *dev, uint64_t slba, unsigned int zra,
		  unsigned int zrasf, int partial, void *buf, uint32_t len);

/**
 * zns_parse_report() - decode a zone report buffer
 * @buf: a report as returned by Zone Management Receive
 * @len: bytes of @buf that the device filled
 * @zdes: descriptor extension size in bytes for an extended report, else 0
 * @zones: receives up to @max zones
 * @max: capacity of @zones
 * @nr: receives how many zones were decoded
 *
 * Decodes min(nr_zones in the header, descriptors that fit in @len, @max)
 * descriptors. With @zdes > 0 the stride is 64 + @zdes bytes.
 *
 * Return: 0, or -EINVAL when @len is shorter than the 64-byte header.
 */
int zns_parse_report(const void *buf, size_t len, uint32_t zdes,
		     struct zns_zone *zones, unsigned int max,
		     unsigned int *nr);

/**
 * zns_report_zones() - report zones, any number, in MDTS-sized chunks
 * @dev: the device
 * @slba: first LBA to report from
 * @zrasf: report filter, enum nvme_zns_report_options
 * @zones: receives the zones
 * @nr_zones: in: capacity of @zones; out: zones reported
 * @ext: if not NULL, an extended report is read and the descriptor extension
 *       of zone i is copied to @ext + i * zdes
 *
 * Issues as many Zone Management Receive commands as needed, each bounded by
 * the device's max_xfer, with the partial bit set.
 *
 * Return: 0, -EINVAL (@ext on a namespace without descriptor extensions),
 * -ENOMEM, -errno, or NVMe status.
 */
int zns_report_zones(struct zns_dev *dev, uint64_t slba, unsigned int zrasf,
		     struct zns_zone *zones, unsigned int *nr_zones,
		     void *ext);

/**
 * zns_append() - Zone Append
 * @dev: the device
 * @buf: data, @nlb logical blocks
 * @zslba: start LBA of the zone to append to
 * @nlb: number of logical blocks (1-based)
 * @lba: if not NULL, receives the LBA the data was written at
 *
 * Return: 0, -EINVAL (@zslba is not a zone start, @nlb is 0), -E2BIG (beyond
 * the zone append size limit), -ERANGE (beyond the namespace), -errno, or
 * NVMe status (0x1b9 Zone Is Full, 0x1b8 Zone Boundary Error, ...).
 */
int zns_append(struct zns_dev *dev, const void *buf, uint64_t zslba,
	       uint32_t nlb, uint64_t *lba);

/**
 * zns_read() - Read
 * @dev: the device
 * @buf: receives @nlb logical blocks
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 *
 * Return: 0, -EINVAL, -E2BIG (beyond max_xfer), -ERANGE, -errno, or NVMe
 * status.
 */
int zns_read(struct zns_dev *dev, void *buf, uint64_t slba, uint32_t nlb);

/**
 * zns_write() - Write
 * @dev: the device
 * @buf: @nlb logical blocks of data
 * @slba: first LBA (the write pointer of its zone)
 * @nlb: number of logical blocks (1-based)
 *
 * Return: 0, -EINVAL, -E2BIG, -ERANGE, -errno, or NVMe status (0x1bc Zone
 * Invalid Write when @slba is not the write pointer).
 */
int zns_write(struct zns_dev *dev, const void *buf, uint64_t slba,
	      uint32_t nlb);

/**
 * zns_write_zeroes() - Write Zeroes
 * @dev: the device
 * @slba: first LBA (the write pointer of its zone)
 * @nlb: number of logical blocks (1-based, at most 65536)
 *
 * Return: 0, -EINVAL, -ERANGE, -errno, or NVMe status.
 */
int zns_write_zeroes(struct zns_dev *dev, uint64_t slba, uint32_t nlb);

/**
 * zns_flush() - Flush the namespace's volatile write cache
 * @dev: the device
 *
 * Return: 0, -errno, or NVMe status.
 */
int zns_flush(struct zns_dev *dev);

/**
 * struct zns_io_opts - options of one Read, Write or Zone Append
 * @size: sizeof(struct zns_io_opts) as the caller was compiled with. Later
 *        releases add fields at the end only: a smaller @size (an older
 *        caller) leaves the new fields 0; a larger one is accepted when
 *        the bytes libzns does not know are 0
 * @control: CDW12 bits 31:16, enum nvme_io_control_flags: NVME_IO_FUA,
 *           NVME_IO_LR, the NVME_IO_PRINFO_* bits, a directive type in
 *           bits 7:4 (writes; NVME_IO_DTYPE_STREAMS is type 1) and
 *           NVME_IO_ZNS_APPEND_PIREMAP (appends)
 * @dspec: directive specific value, CDW13 bits 31:16 (writes with a
 *         directive type)
 * @apptag: logical block application tag (LBAT, CDW15 bits 15:0)
 * @appmask: logical block application tag mask (LBATM, CDW15 bits 31:16)
 * @timeout_ms: the kernel's timeout for this command, milliseconds (0: the
 *              driver's default). A command whose timeout fires completes
 *              with -ETIMEDOUT
 * @reftag: initial logical block reference tag (ILBRT/EILBRT): at most 32
 *          bits with 16-bit guards, 48 with 64-bit guards; CDW14 holds
 *          bits 31:0 and CDW3 the rest
 * @md: the separate metadata buffer: @md_len = nlb * ms bytes; NULL on a
 *      namespace without metadata, on an extended LBA format (the metadata
 *      is in the data buffer) and, with NVME_IO_PRINFO_PRACT, where the
 *      metadata is protection information only
 * @md_len: bytes at @md
 * @rsvd: reserved, 0
 */
struct zns_io_opts {
	uint32_t size;
	uint16_t control;
	uint16_t dspec;
	uint16_t apptag;
	uint16_t appmask;
	uint32_t timeout_ms;
	uint64_t reftag;
	void *md;
	uint32_t md_len;
	uint32_t rsvd;
};

/**
 * zns_read_opts() - Read with options (FUA, LR, protection information,
 *                   metadata, timeout)
 * @dev: the device
 * @buf: receives @nlb logical blocks: nlb * lba_size bytes, or
 *       nlb * (lba_size + ms) on an extended LBA format
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 * @opts: the options, or NULL for none (then as zns_read())
 *
 * Return: 0, -EINVAL (an option the command or the namespace's format does
 * not take), -EFAULT, -E2BIG, -ERANGE, -ETIMEDOUT (@opts->timeout_ms
 * fired), -errno, or NVMe status (e.g. 0x282 End-to-end Guard Check
 * Error).
 */
int zns_read_opts(struct zns_dev *dev, void *buf, uint64_t slba,
		  uint32_t nlb, const struct zns_io_opts *opts);

/**
 * zns_write_opts() - Write with options
 * @dev: the device
 * @buf: @nlb logical blocks of data (with their metadata on an extended
 *       LBA format)
 * @slba: first LBA (a zone's write pointer)
 * @nlb: number of logical blocks (1-based)
 * @opts: the options, or NULL for none (then as zns_write())
 *
 * Return: as zns_read_opts().
 */
int zns_write_opts(struct zns_dev *dev, const void *buf, uint64_t slba,
		   uint32_t nlb, const struct zns_io_opts *opts);

/**
 * zns_append_opts() - Zone Append with options
 * @dev: the device
 * @buf: @nlb logical blocks of data (with their metadata on an extended
 *       LBA format)
 * @zslba: the zone's first LBA
 * @nlb: number of logical blocks (1-based)
 * @opts: the options, or NULL for none (then as zns_append())
 * @lba: if not NULL, receives the LBA the data was written at
 *
 * Return: as zns_read_opts().
 */
int zns_append_opts(struct zns_dev *dev, const void *buf, uint64_t zslba,
		    uint32_t nlb, const struct zns_io_opts *opts,
		    uint64_t *lba);

/**
 * zns_readv() - Read into a vector of buffers
 * @dev: the device
 * @iov: the buffers, filled in order
 * @nr_iov: elements of @iov, 1 to 1024
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based); the buffers hold exactly as
 *       many bytes
 *
 * One command (NVME_IOCTL_IO64_CMD_VEC). On a kernel without the vectored
 * ioctl (before 5.18) the data passes through one bounce buffer.
 *
 * Return: as zns_read(); -EINVAL (NULL @iov, @nr_iov 0 or above 1024, the
 * lengths do not add up to @nlb blocks), -EFAULT (an element with a NULL
 * base or a length of 0).
 */
int zns_readv(struct zns_dev *dev, const struct iovec *iov,
	      unsigned int nr_iov, uint64_t slba, uint32_t nlb);

/**
 * zns_writev() - Write from a vector of buffers, as one command
 * @dev: the device
 * @iov: the buffers, written in order
 * @nr_iov: elements of @iov, 1 to 1024
 * @slba: first LBA (a zone's write pointer)
 * @nlb: number of logical blocks (1-based)
 *
 * Return: as zns_readv().
 */
int zns_writev(struct zns_dev *dev, const struct iovec *iov,
	       unsigned int nr_iov, uint64_t slba, uint32_t nlb);

/*
 * One-zone and all-zone helpers: zns_mgmt_send() with the action filled in.
 * Inline, so they add no symbol to the library.
 */

/**
 * zns_reset_zone() - reset one zone (Zone Management Send, Reset Zone)
 * @dev: the device
 * @zslba: start LBA of the zone
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_reset_zone(struct zns_dev *dev, uint64_t zslba)
{
	return zns_mgmt_send(dev, zslba, NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL);
}

/**
 * zns_open_zone() - explicitly open one zone
 * @dev: the device
 * @zslba: start LBA of the zone
 *
 * Return: as zns_mgmt_send() (0x1be Too Many Open Zones past the limit).
 */
static inline int zns_open_zone(struct zns_dev *dev, uint64_t zslba)
{
	return zns_mgmt_send(dev, zslba, NVME_ZNS_ZSA_OPEN, 0, NULL, 0, NULL);
}

/**
 * zns_close_zone() - close one open zone
 * @dev: the device
 * @zslba: start LBA of the zone
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_close_zone(struct zns_dev *dev, uint64_t zslba)
{
	return zns_mgmt_send(dev, zslba, NVME_ZNS_ZSA_CLOSE, 0, NULL, 0, NULL);
}

/**
 * zns_finish_zone() - finish one zone (move it to Full)
 * @dev: the device
 * @zslba: start LBA of the zone
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_finish_zone(struct zns_dev *dev, uint64_t zslba)
{
	return zns_mgmt_send(dev, zslba, NVME_ZNS_ZSA_FINISH, 0, NULL, 0, NULL);
}

/**
 * zns_reset_all_zones() - reset every zone (select-all)
 * @dev: the device
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_reset_all_zones(struct zns_dev *dev)
{
	return zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL,
			     NULL, 0, NULL);
}

/**
 * zns_open_all_zones() - open every closed zone (select-all)
 * @dev: the device
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_open_all_zones(struct zns_dev *dev)
{
	return zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_OPEN, ZNS_SEND_SELECT_ALL,
			     NULL, 0, NULL);
}

/**
 * zns_close_all_zones() - close every open zone (select-all)
 * @dev: the device
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_close_all_zones(struct zns_dev *dev)
{
	return zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_CLOSE, ZNS_SEND_SELECT_ALL,
			     NULL, 0, NULL);
}

/**
 * zns_finish_all_zones() - finish every open and closed zone (select-all)
 * @dev: the device
 *
 * Return: as zns_mgmt_send().
 */
static inline int zns_finish_all_zones(struct zns_dev *dev)
{
	return zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_FINISH, ZNS_SEND_SELECT_ALL,
			     NULL, 0, NULL);
}

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_SYNC_H */
