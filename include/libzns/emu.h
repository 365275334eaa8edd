/* SPDX-License-Identifier: MIT */
/*
 * libzns emulated devices: a ZNS namespace inside the process, in memory or
 * backed by a file, that answers every command the way the NVMe Zoned
 * Namespace Command Set 1.1 says a device answers, status for status, and
 * that can be told to fail the way real devices and transports fail.
 *
 * The handle it gives is an ordinary struct zns_dev: the synchronous calls,
 * queues in every mode and zns_dev_get_info() all work on it, and commands
 * reach it encoded exactly as they would reach the kernel. Nothing here
 * needs root, a kernel module or a VM.
 */
#ifndef LIBZNS_EMU_H
#define LIBZNS_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <libzns/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of struct zns_emu_opts. */
#define ZNS_EMU_VWC		(1u << 0) /* a volatile write cache: data is
					   * durable only after a Flush */
#define ZNS_EMU_READ_ACROSS	(1u << 1) /* reads may cross zone boundaries
					   * (ZOC bit RAZB) */
#define ZNS_EMU_CREATE		(1u << 2) /* create or overwrite the backing
					   * file (else it must exist and
					   * match the geometry) */

/**
 * struct zns_emu_opts - geometry and behaviour of an emulated namespace
 * @size: sizeof(struct zns_emu_opts), so the struct can grow
 * @path: backing file, or NULL for memory only
 * @flags: ZNS_EMU_* flags
 * @lba_size: logical block size, bytes: 512 or 4096
 * @nr_zones: number of zones (at least 1)
 * @rsvd0: reserved, zero
 * @zone_size: zone size, logical blocks (any value, power of two or not)
 * @zone_cap: zone capacity, logical blocks (0: @zone_size)
 * @max_open: maximum open zones (0: no limit)
 * @max_active: maximum active zones (0: no limit)
 * @mdts: maximum data transfer size, bytes (0: 512 KiB); a power of two
 *        multiple of 4 KiB
 * @zasl: zone append size limit, bytes (0: @mdts); a power of two
 *        multiple of 4 KiB, at most @mdts
 * @zdes: zone descriptor extension size, bytes (0 or a multiple of 64, at
 *        most 16320)
 * @numzrwa: ZRWA resources (0: no ZRWA)
 * @zrwas: ZRWA size, logical blocks
 * @zrwafg: ZRWA flush granularity, logical blocks (divides @zrwas)
 * @nsid: namespace identifier reported (0: 1)
 * @rsvd: reserved, zero
 */
struct zns_emu_opts {
	size_t size;
	const char *path;
	uint32_t flags;
	uint32_t lba_size;
	uint32_t nr_zones;
	uint32_t rsvd0;
	uint64_t zone_size;
	uint64_t zone_cap;
	uint32_t max_open;
	uint32_t max_active;
	uint32_t mdts;
	uint32_t zasl;
	uint32_t zdes;
	uint32_t numzrwa;
	uint32_t zrwas;
	uint32_t zrwafg;
	uint32_t nsid;
	uint32_t rsvd[7];
};

/**
 * zns_dev_open_emu() - open an emulated ZNS namespace
 * @opts: the geometry; @opts->size must be set
 * @devp: on success, the new device handle (close it with zns_dev_close())
 *
 * Makes a namespace of @opts->nr_zones zones, all Empty, in memory; or,
 * with @opts->path, backed by that file: data and zone states that are
 * durable are written there, so a test may close the handle (or be killed),
 * reopen the same path and see what persisted. Without ZNS_EMU_CREATE the
 * file must exist and hold a namespace of the same geometry; with it, the
 * file is created (or overwritten) empty. The ZNS_EMU_FAULTS environment
 * variable, when set, injects faults at open (see zns_emu_inject()).
 *
 * Return: 0; -EINVAL for an impossible geometry (zns_last_error() names the
 * field); -ENOENT, -EACCES or another -errno for the file (the message
 * names the path); -EMEDIUMTYPE when the file holds another geometry or no
 * namespace at all; -ENOMEM.
 */
int zns_dev_open_emu(const struct zns_emu_opts *opts, struct zns_dev **devp);

/* Kinds of struct zns_emu_fault. */
#define ZNS_EMU_FAIL		1 /* the command fails with @status; it
				   * takes no effect */
#define ZNS_EMU_AMBIGUOUS	2 /* the command takes effect (a write or
				   * append lands), its completion still
				   * reports @status */
#define ZNS_EMU_OFFLINE		3 /* the command's zone goes Offline first */
#define ZNS_EMU_READ_ONLY	4 /* the command's zone goes Read Only first */
#define ZNS_EMU_DELAY		5 /* the command completes @delay_us later,
				   * so completions arrive out of order */
#define ZNS_EMU_POWER_LOSS	6 /* power fails before the command runs: what
				   * was not durable is lost; the command
				   * fails with @status */
#define ZNS_EMU_REMOVE		7 /* the namespace disappears: this command
				   * and every later one fail with -ENODEV */
#define ZNS_EMU_NO_PATH		8 /* every path goes away for @delay_us:
				   * IO commands meanwhile (this one too)
				   * fail with -EINVAL and are never run, as
				   * the kernel answers on a multipath head
				   * with no live path */
#define ZNS_EMU_LATE		9 /* the command completes at once with
				   * @status and runs later, just before
				   * the @after-th IO command the device
				   * receives next (0: the next), with the
				   * data it carried when sent: a command
				   * the host gave up on that the device
				   * still ran, as after a controller
				   * reset or a broken fabrics connection */
#define ZNS_EMU_HOLLOW		10 /* a write or append fails with @status,
				   * yet the write pointer moves past the
				   * blocks it would have written, which
				   * read as never written: as QEMU does
				   * with one whose transfer it cancelled
				   * (Delete I/O SQ in a controller reset);
				   * other commands: as ZNS_EMU_FAIL */
#define ZNS_EMU_STRAY		11 /* a zone append lands where the device
				   * puts it, but its completion says 0
				   * with an LBA @after zones further on
				   * (0: one), as a completion carrying
				   * another command's result would; other
				   * commands run as usual */

/* @opcode of struct zns_emu_fault: any command. */
#define ZNS_EMU_ANY		0xffff

/**
 * struct zns_emu_fault - one fault to inject into an emulated device
 * @size: sizeof(struct zns_emu_fault)
 * @kind: ZNS_EMU_FAIL ... ZNS_EMU_STRAY
 * @opcode: the IO opcode it applies to (0x01 write, 0x02 read, 0x7d zone
 *          append, 0x79 zone management send, ...), or ZNS_EMU_ANY
 * @nth: the fault fires on the @nth matching command from now (1: the next)
 * @count: how many matching commands in a row it fires on (0: 1)
 * @status: the completion status: an NVMe status > 0 (e.g. 0x371, a
 *          fabrics path error) or a negated errno (e.g. -EINTR, as a
 *          cancelled passthrough command reports)
 * @delay_us: ZNS_EMU_DELAY, ZNS_EMU_NO_PATH: microseconds
 * @zslba: only commands on the zone that starts here (~0: any zone)
 * @granularity: ZNS_EMU_POWER_LOSS: what survives of writes not yet
 *               durable, in logical blocks from the durable write pointer
 *               (0: nothing); ZNS_EMU_AMBIGUOUS on a write: only its first
 *               @granularity blocks land, when fewer than it carries
 *               (0: all of it)
 * @after: ZNS_EMU_LATE: the command runs just before the @after-th IO
 *         command the device receives after it (0 and 1: the next);
 *         ZNS_EMU_STRAY: how many zones past its own the LBA is (0: 1)
 * @rsvd: reserved, zero
 */
struct zns_emu_fault {
	size_t size;
	uint32_t kind;
	uint32_t opcode;
	uint32_t nth;
	uint32_t count;
	int32_t status;
	uint32_t delay_us;
	uint64_t zslba;
	uint64_t granularity;
	uint32_t after;
	uint32_t rsvd[3];
};

/**
 * zns_emu_inject() - arm a fault on an emulated device
 * @dev: a device from zns_dev_open_emu()
 * @fault: the fault; copied
 *
 * Up to 32 faults may be armed at once; each fires on the command it
 * matches and is then spent. The same faults can be armed from outside a
 * program by the ZNS_EMU_FAULTS environment variable, read by
 * zns_dev_open_emu(): a comma-separated list of KIND:KEY=VALUE:... with
 * KIND fail, ambiguous, offline, read-only, delay, power-loss, remove,
 * no-path or late and keys op, nth, count, status, delay, zslba,
 * granularity, after (numbers in C notation), e.g.
 * "ambiguous:op=0x7d:nth=5:status=-4,remove:nth=100" or
 * "late:op=0x1:nth=40:status=0x371:after=2".
 *
 * Return: 0; -EINVAL for a bad fault or a device that is not emulated;
 * -ENOSPC with 32 faults armed.
 */
int zns_emu_inject(struct zns_dev *dev, const struct zns_emu_fault *fault);

/**
 * zns_emu_power_cycle() - lose power and come back
 * @dev: a device from zns_dev_open_emu()
 *
 * What a power failure leaves: with a volatile write cache, only what a
 * Flush made durable; without one, every write that completed. Open zones
 * come back Closed (Empty when nothing durable was written); a backing
 * file is rewritten to match. Commands in flight on queues complete
 * before the power goes.
 *
 * Return: 0, or -EINVAL for a device that is not emulated.
 */
int zns_emu_power_cycle(struct zns_dev *dev);

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_EMU_H */
