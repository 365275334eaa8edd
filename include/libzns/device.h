/* SPDX-License-Identifier: MIT */
/*
 * libzns devices: open a ZNS namespace and read its geometry.
 */
#ifndef LIBZNS_DEVICE_H
#define LIBZNS_DEVICE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Value of max_open / max_active when the namespace sets no limit. */
#define ZNS_NO_LIMIT	UINT32_MAX

/** struct zns_dev - an open ZNS namespace (opaque) */
struct zns_dev;

/**
 * struct zns_dev_info - geometry of an open ZNS namespace
 * @nsid: namespace identifier
 * @lba_size: logical block size, bytes
 * @lba_shift: log2 of @lba_size
 * @ms: metadata size per logical block, bytes
 * @nr_lbas: namespace size (NSZE), logical blocks
 * @nr_zones: number of zones
 * @zone_size: zone size, logical blocks
 * @zone_cap: capacity of the first zone, logical blocks (per-zone
 *            capacities are in each zone descriptor)
 * @max_open: maximum open zones, a count (ZNS_NO_LIMIT: none)
 * @max_active: maximum active zones, a count (ZNS_NO_LIMIT: none)
 * @mdts: maximum data transfer size, bytes (0: the controller sets none)
 * @zasl: largest zone append libzns sends, bytes (ZASL, or MDTS when ZASL
 *        is 0, bounded by @max_xfer)
 * @max_xfer: largest data transfer libzns sends for one command, bytes:
 *            MDTS bounded by the kernel's limit for the device
 * @zdes: zone descriptor extension size, bytes (0: none)
 * @numzrwa: number of ZRWA resources, a count (0: no ZRWA)
 * @zrwas: ZRWA size, logical blocks
 * @zrwafg: ZRWA flush granularity, logical blocks
 * @zrwacap: ZRWA capability bits (bit 0: explicit ZRWA flush)
 * @zoc: zone operation characteristics
 * @ozcs: optional zoned command support
 * @ext_lba: 1 when the metadata is interleaved with the data (an extended
 *           LBA format, FLBAS bit 4): each block is @lba_size + @ms bytes
 *           in the data buffer; 0 when it travels in a separate buffer
 * @pi_type: protection information type, 0 (none) to 3 (DPS bits 2:0)
 * @pi_first: 1 when the protection information is the first bytes of the
 *            metadata, 0 when it is the last (DPS bit 3)
 * @pi_format: protection information format (PIF): 0 16-bit guard,
 *             1 32-bit guard, 2 64-bit guard
 * @pi_size: bytes of protection information per block (8 or 16; 0 without)
 * @rsvd: reserved
 * @path: the namespace generic char device (/dev/ngXnY)
 * @ctrl_path: the controller char device (/dev/nvmeX)
 */
struct zns_dev_info {
	uint32_t nsid;
	uint32_t lba_size;
	uint32_t lba_shift;
	uint32_t ms;
	uint64_t nr_lbas;
	uint64_t nr_zones;
	uint64_t zone_size;
	uint64_t zone_cap;
	uint32_t max_open;
	uint32_t max_active;
	uint32_t mdts;
	uint32_t zasl;
	uint32_t max_xfer;
	uint32_t zdes;
	uint32_t numzrwa;
	uint32_t zrwas;
	uint32_t zrwafg;
	uint32_t zrwacap;
	uint16_t zoc;
	uint16_t ozcs;
	uint8_t ext_lba;
	uint8_t pi_type;
	uint8_t pi_first;
	uint8_t pi_format;
	uint32_t pi_size;
	uint32_t rsvd[5];
	char path[64];
	char ctrl_path[64];
};

/**
 * zns_dev_open() - open a ZNS namespace and read its geometry
 * @path: /dev/ngXnY, or the block device /dev/nvmeXnY (libzns then uses the
 *        matching generic char device)
 * @devp: on success, the new device handle
 *
 * Opens the namespace char device read-write, finds its nsid and its
 * controller char device /dev/nvmeX, and identifies controller and namespace
 * (NVM and ZNS command sets). The controller device carries admin commands;
 * if it cannot be opened, admin commands go through the namespace device
 * with the synchronous ioctl, and asynchronous admin commands answer
 * -ENODEV.
 *
 * Return: 0; -ENOENT when @path does not exist; -EACCES when the caller may
 * not open it read-write (run as root, or grant access to the device);
 * -ENOTTY when @path is not an NVMe namespace; -EMEDIUMTYPE when the
 * namespace is not a zoned (ZNS) namespace; -ENOMEM; another -errno, or an
 * NVMe status > 0 from an identify command. Pass the value to
 * zns_status_str() for a message that says what to do.
 */
int zns_dev_open(const char *path, struct zns_dev **devp);

/**
 * zns_dev_open_null() - a device handle with a given geometry and no device
 * @info: the geometry (lba_shift, nr_lbas, zone_size, max_xfer and zasl are
 *        used; the rest is copied)
 * @devp: on success, the new device handle
 *
 * For measuring libzns's own cost per command: only a ZNS_QUEUE_NULL queue
 * can run commands on it; every other call answers -EBADF.
 *
 * Return: 0, -EINVAL for an impossible geometry, or -ENOMEM.
 */
int zns_dev_open_null(const struct zns_dev_info *info, struct zns_dev **devp);

/**
 * zns_dev_close() - close a device handle
 * @dev: the device, or NULL
 *
 * The caller must have reaped every command it queued on @dev.
 */
void zns_dev_close(struct zns_dev *dev);

/**
 * zns_dev_get_info() - geometry of an open namespace
 * @dev: the device
 *
 * Return: a pointer valid until zns_dev_close(@dev).
 */
const struct zns_dev_info *zns_dev_get_info(const struct zns_dev *dev);

/**
 * zns_dev_fd() - file descriptor of the namespace char device
 * @dev: the device
 *
 * Return: the descriptor libzns sends IO commands to.
 */
int zns_dev_fd(const struct zns_dev *dev);

/**
 * zns_dev_ctrl_fd() - file descriptor of the controller char device
 * @dev: the device
 *
 * Return: the descriptor libzns sends admin commands to, or -1 when the
 * controller device could not be opened.
 */
int zns_dev_ctrl_fd(const struct zns_dev *dev);

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_DEVICE_H */
