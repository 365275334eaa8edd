/* SPDX-License-Identifier: MIT */
/*
 * libzns spec types: NVMe Zoned Namespace Command Set structures and
 * constants, byte for byte as the specification lays them out.  Names follow
 * libnvme 1.x so that code written against libnvme's ZNS types compiles here.
 *
 * Multi-byte fields are little-endian on the wire; read them through
 * zns_le16(), zns_le32() and zns_le64() so big-endian hosts decode correctly.
 */
#ifndef LIBZNS_SPEC_H
#define LIBZNS_SPEC_H

#include <stdint.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- libzns's own names: opcodes and identifiers libnvme spells
 * otherwise (or not at all) ---- */

/* NVM command set IO opcodes libzns sends. */
#define ZNS_OP_FLUSH		0x00
#define ZNS_OP_WRITE		0x01
#define ZNS_OP_READ		0x02
#define ZNS_OP_WRITE_ZEROES	0x08
/* Admin opcodes libzns sends. */
#define ZNS_ADMIN_GET_LOG_PAGE	0x02
#define ZNS_ADMIN_IDENTIFY	0x06

/* Identify CNS values. */
#define ZNS_CNS_ID_NS		0x00	/* NVM identify namespace */
#define ZNS_CNS_ID_CTRL		0x01	/* identify controller */
#define ZNS_CNS_CSI_ID_NS	0x05	/* I/O command set specific namespace */
#define ZNS_CNS_CSI_ID_CTRL	0x06	/* I/O command set specific controller */

/* Zone state: the upper nibble of a descriptor's ZS byte. */
#define NVME_ZNS_ZS_SHIFT	4

/* nrzid of a Changed Zone List that overflowed (more than 511 zones). */
#define NVME_ZNS_CHANGED_ZONES_OVERFLOW	0xffff

/*
 * ---- The types and constants libnvme 1.x defines too ----
 *
 * Spelled as libnvme 1.3 spells them. When <libnvme.h> (or <nvme/types.h>)
 * was included first, libnvme's definitions are used and these are
 * skipped: the layouts are the spec's, byte for byte, in both (the asserts
 * at the end of this file check whichever definitions are in force).
 */
#ifndef _LIBNVME_TYPES_H

/* ZNS IO opcodes (libnvme: enumerators of enum nvme_io_opcode). */
enum nvme_zns_io_opcode {
	nvme_zns_cmd_mgmt_send	= 0x79,	/* Zone Management Send */
	nvme_zns_cmd_mgmt_recv	= 0x7a,	/* Zone Management Receive */
	nvme_zns_cmd_append	= 0x7d,	/* Zone Append */
};

/* Command set identifiers. */
#define NVME_CSI_NVM		0
#define NVME_CSI_ZNS		2

/* Log page identifier of the Changed Zone List. */
#define NVME_LOG_LID_ZNS_CHANGED_ZONES	0xbf

/* Zone identifiers in a Changed Zone List. */
#define NVME_ZNS_CHANGED_ZONES_MAX	511

/* Control bits of Read, Write and Zone Append (CDW12 bits 31:16, given
 * here shifted down by 16 as libnvme's `control` field takes them). */
enum nvme_io_control_flags {
	NVME_IO_DTYPE_STREAMS		= 1 << 4,
	NVME_IO_STC			= 1 << 8,
	NVME_IO_DEAC			= 1 << 9,
	NVME_IO_ZNS_APPEND_PIREMAP	= 1 << 9,
	NVME_IO_PRINFO_PRCHK_REF	= 1 << 10,
	NVME_IO_PRINFO_PRCHK_APP	= 1 << 11,
	NVME_IO_PRINFO_PRCHK_GUARD	= 1 << 12,
	NVME_IO_PRINFO_PRACT		= 1 << 13,
	NVME_IO_FUA			= 1 << 14,
	NVME_IO_LR			= 1 << 15,
};

/* ---- Zone Management Send actions (CDW13 bits 7:0) ---- */
enum nvme_zns_send_action {
	NVME_ZNS_ZSA_CLOSE		= 0x1,
	NVME_ZNS_ZSA_FINISH		= 0x2,
	NVME_ZNS_ZSA_OPEN		= 0x3,
	NVME_ZNS_ZSA_RESET		= 0x4,
	NVME_ZNS_ZSA_OFFLINE		= 0x5,
	NVME_ZNS_ZSA_SET_DESC_EXT	= 0x10,
	NVME_ZNS_ZSA_ZRWA_FLUSH		= 0x11,
};

/* ---- Zone Management Receive actions (CDW13 bits 7:0) ---- */
enum nvme_zns_recv_action {
	NVME_ZNS_ZRA_REPORT_ZONES		= 0x0,
	NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES	= 0x1,
};

/* ---- Report filters: Zone Receive Action Specific Field (CDW13 15:8) ---- */
enum nvme_zns_report_options {
	NVME_ZNS_ZRAS_REPORT_ALL		= 0x0,
	NVME_ZNS_ZRAS_REPORT_EMPTY		= 0x1,
	NVME_ZNS_ZRAS_REPORT_IMPL_OPENED	= 0x2,
	NVME_ZNS_ZRAS_REPORT_EXPL_OPENED	= 0x3,
	NVME_ZNS_ZRAS_REPORT_CLOSED		= 0x4,
	NVME_ZNS_ZRAS_REPORT_FULL		= 0x5,
	NVME_ZNS_ZRAS_REPORT_READ_ONLY		= 0x6,
	NVME_ZNS_ZRAS_REPORT_OFFLINE		= 0x7,
};

/* ---- Zone states: upper nibble of the descriptor's ZS byte ---- */
enum nvme_zns_zs {
	NVME_ZNS_ZS_EMPTY	= 0x1,
	NVME_ZNS_ZS_IMPL_OPEN	= 0x2,
	NVME_ZNS_ZS_EXPL_OPEN	= 0x3,
	NVME_ZNS_ZS_CLOSED	= 0x4,
	NVME_ZNS_ZS_READ_ONLY	= 0xd,
	NVME_ZNS_ZS_FULL	= 0xe,
	NVME_ZNS_ZS_OFFLINE	= 0xf,
};

/* ---- Zone type (ZT bits 3:0) ---- */
enum nvme_zns_zt {
	NVME_ZONE_TYPE_SEQWRITE_REQ	= 0x2,
};

/* ---- Zone attributes (ZA byte) ---- */
enum nvme_zns_za {
	NVME_ZNS_ZA_ZFC		= 1 << 0,	/* Zone Finished by Controller */
	NVME_ZNS_ZA_FZR		= 1 << 1,	/* Finish Zone Recommended */
	NVME_ZNS_ZA_RZR		= 1 << 2,	/* Reset Zone Recommended */
	NVME_ZNS_ZA_ZRWAV	= 1 << 3,	/* Zone Random Write Area Valid */
	NVME_ZNS_ZA_ZDEV	= 1 << 7,	/* Zone Descriptor Extension Valid */
};

/* ---- ZNS command specific status codes (SCT 1) ---- */
enum nvme_zns_status {
	NVME_SC_ZNS_INVALID_OP_REQUEST		= 0xb6,
	NVME_SC_ZNS_ZRWA_RESOURCES_UNAVAILABLE	= 0xb7,
	NVME_SC_ZNS_BOUNDARY_ERROR		= 0xb8,
	NVME_SC_ZNS_FULL			= 0xb9,
	NVME_SC_ZNS_READ_ONLY			= 0xba,
	NVME_SC_ZNS_OFFLINE			= 0xbb,
	NVME_SC_ZNS_INVALID_WRITE		= 0xbc,
	NVME_SC_ZNS_TOO_MANY_ACTIVE		= 0xbd,
	NVME_SC_ZNS_TOO_MANY_OPENS		= 0xbe,
	NVME_SC_ZNS_INVAL_TRANSITION		= 0xbf,
};

/**
 * struct nvme_zns_lbafe - LBA Format Extension Data Structure (16 bytes)
 * @zsze: zone size in logical blocks
 * @zdes: zone descriptor extension size, in units of 64 bytes
 * @rsvd9: reserved
 */
struct nvme_zns_lbafe {
	__le64	zsze;
	__u8	zdes;
	__u8	rsvd9[7];
};

/**
 * struct nvme_zns_id_ns - Zoned Namespace Command Set Identify Namespace
 * data structure (CNS 0x05, CSI 0x02), 4096 bytes
 * @zoc: zone operation characteristics
 * @ozcs: optional zoned command support
 * @mar: maximum active resources, 0's based (0xffffffff: no limit)
 * @mor: maximum open resources, 0's based (0xffffffff: no limit)
 * @rrl: reset recommended limit, seconds
 * @frl: finish recommended limit, seconds
 * @rrl1: reset recommended limit 1
 * @rrl2: reset recommended limit 2
 * @rrl3: reset recommended limit 3
 * @frl1: finish recommended limit 1
 * @frl2: finish recommended limit 2
 * @frl3: finish recommended limit 3
 * @numzrwa: number of ZRWA resources, 0's based
 * @zrwafg: ZRWA flush granularity, logical blocks
 * @zrwasz: ZRWA size, logical blocks
 * @zrwacap: ZRWA capability (bit 0: explicit ZRWA flush supported)
 * @rsvd53: reserved
 * @lbafe: LBA format extensions, one per LBA format
 * @vs: vendor specific
 */
struct nvme_zns_id_ns {
	__le16			zoc;
	__le16			ozcs;
	__le32			mar;
	__le32			mor;
	__le32			rrl;
	__le32			frl;
	__le32			rrl1;
	__le32			rrl2;
	__le32			rrl3;
	__le32			frl1;
	__le32			frl2;
	__le32			frl3;
	__le32			numzrwa;
	__le16			zrwafg;
	__le16			zrwasz;
	__u8			zrwacap;
	__u8			rsvd53[2763];
	struct nvme_zns_lbafe	lbafe[64];
	__u8			vs[256];
};

/**
 * struct nvme_zns_id_ctrl - Zoned Namespace Command Set Identify Controller
 * data structure (CNS 0x06, CSI 0x02), 4096 bytes
 * @zasl: zone append size limit, a power of two in units of the minimum
 *        memory page size; 0 means the MDTS limit applies
 * @rsvd1: reserved
 */
struct nvme_zns_id_ctrl {
	__u8	zasl;
	__u8	rsvd1[4095];
};

/**
 * struct nvme_zns_changed_zone_log - Changed Zone List log page (LID 0xBF),
 * 4096 bytes
 * @nrzid: number of zone identifiers; 0xffff means more than 511 zones
 *         changed and the list is not valid
 * @rsvd2: reserved
 * @zid: zone identifiers (the ZSLBA of each changed zone)
 */
struct nvme_zns_changed_zone_log {
	__le16	nrzid;
	__u8	rsvd2[6];
	__le64	zid[NVME_ZNS_CHANGED_ZONES_MAX];
};

/**
 * struct nvme_zns_desc - Zone Descriptor data structure, 64 bytes
 * @zt: zone type (bits 3:0)
 * @zs: zone state (bits 7:4)
 * @za: zone attributes (enum nvme_zns_za)
 * @zai: zone attributes information (bits 1:0 RZR/FZR time limit index)
 * @rsvd4: reserved
 * @zcap: zone capacity, logical blocks
 * @zslba: zone start LBA
 * @wp: write pointer, LBA
 * @rsvd32: reserved
 */
struct nvme_zns_desc {
	__u8	zt;
	__u8	zs;
	__u8	za;
	__u8	zai;
	__u8	rsvd4[4];
	__le64	zcap;
	__le64	zslba;
	__le64	wp;
	__u8	rsvd32[32];
};

/**
 * struct nvme_zone_report - Report Zones data structure header, 64 bytes,
 * followed by zone descriptors; with the extended report each descriptor
 * is followed by its zone descriptor extension (zdes * 64 bytes)
 * @nr_zones: number of zones matching the filter (with the partial bit:
 *            number of descriptors in this report)
 * @rsvd8: reserved
 * @entries: zone descriptors (normal report stride only)
 */
struct nvme_zone_report {
	__le64			nr_zones;
	__u8			rsvd8[56];
	struct nvme_zns_desc	entries[];
};

#endif /* !_LIBNVME_TYPES_H */

/* ---- endian helpers ---- */

/**
 * zns_le16() - read a little-endian 16-bit field
 * @v: the field as stored
 *
 * Return: the value in host byte order.
 */
static inline uint16_t zns_le16(__le16 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap16((uint16_t)v);
#else
	return (uint16_t)v;
#endif
}

/**
 * zns_le32() - read a little-endian 32-bit field
 * @v: the field as stored
 *
 * Return: the value in host byte order.
 */
static inline uint32_t zns_le32(__le32 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32((uint32_t)v);
#else
	return (uint32_t)v;
#endif
}

/**
 * zns_le64() - read a little-endian 64-bit field
 * @v: the field as stored
 *
 * Return: the value in host byte order.
 */
static inline uint64_t zns_le64(__le64 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64((uint64_t)v);
#else
	return (uint64_t)v;
#endif
}

/**
 * zns_cpu_to_le64() - store a 64-bit value as a little-endian field
 * @v: the value in host byte order
 *
 * Return: the field as it must be stored.
 */
static inline __le64 zns_cpu_to_le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (__le64)__builtin_bswap64(v);
#else
	return (__le64)v;
#endif
}

/* ---- layout checks ---- */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define ZNS_STATIC_ASSERT(c, m) static_assert(c, m)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define ZNS_STATIC_ASSERT(c, m) _Static_assert(c, m)
#else
#define ZNS_CAT_(a, b) a##b
#define ZNS_CAT(a, b) ZNS_CAT_(a, b)
#define ZNS_STATIC_ASSERT(c, m) \
	typedef char ZNS_CAT(zns_static_assert_, __LINE__)[(c) ? 1 : -1] \
		__attribute__((unused))
#endif
#define ZNS_OFFSETOF(t, f) __builtin_offsetof(t, f)

ZNS_STATIC_ASSERT(sizeof(struct nvme_zns_lbafe) == 16, "lbafe size");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_lbafe, zdes) == 8, "lbafe.zdes");
ZNS_STATIC_ASSERT(sizeof(struct nvme_zns_id_ns) == 4096, "id_ns size");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, mar) == 4, "id_ns.mar");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, mor) == 8, "id_ns.mor");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, numzrwa) == 44, "id_ns.numzrwa");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, zrwafg) == 48, "id_ns.zrwafg");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, zrwasz) == 50, "id_ns.zrwasz");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, zrwacap) == 52, "id_ns.zrwacap");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, lbafe) == 2816, "id_ns.lbafe");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_id_ns, vs) == 3840, "id_ns.vs");
ZNS_STATIC_ASSERT(sizeof(struct nvme_zns_id_ctrl) == 4096, "id_ctrl size");
ZNS_STATIC_ASSERT(sizeof(struct nvme_zns_changed_zone_log) == 4096, "log size");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_changed_zone_log, zid) == 8, "log.zid");
ZNS_STATIC_ASSERT(sizeof(struct nvme_zns_desc) == 64, "desc size");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_desc, zcap) == 8, "desc.zcap");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_desc, zslba) == 16, "desc.zslba");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zns_desc, wp) == 24, "desc.wp");
ZNS_STATIC_ASSERT(sizeof(struct nvme_zone_report) == 64, "report header size");
ZNS_STATIC_ASSERT(ZNS_OFFSETOF(struct nvme_zone_report, entries) == 64, "report.entries");

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_SPEC_H */
