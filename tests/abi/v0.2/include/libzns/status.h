/* SPDX-License-Identifier: MIT */
/*
 * libzns status values.
 *
 * Every native libzns call returns an int that is one of:
 *   0        success;
 *   < 0      a negated errno from the host, the kernel or io_uring;
 *   > 0      the NVMe completion status as the Linux driver reports it:
 *            bits 7:0 SC, 10:8 SCT, 12:11 CRD, 13 MORE, 14 DNR.
 * The 64-bit command result (the LBA a zone append was written at, the
 * ZCAPC bit of a reset) travels separately and never mixes with the status.
 */
#ifndef LIBZNS_STATUS_H
#define LIBZNS_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#define ZNS_STATUS_SC_MASK	0xff
#define ZNS_STATUS_SCT_SHIFT	8
#define ZNS_STATUS_SCT_MASK	0x7
#define ZNS_STATUS_CRD_SHIFT	11
#define ZNS_STATUS_CRD_MASK	0x3
#define ZNS_STATUS_MORE		0x2000
#define ZNS_STATUS_DNR		0x4000

/* Status code types. */
#define ZNS_SCT_GENERIC		0x0
#define ZNS_SCT_CMD_SPECIFIC	0x1
#define ZNS_SCT_MEDIA		0x2
#define ZNS_SCT_PATH		0x3
#define ZNS_SCT_VENDOR		0x7

/**
 * zns_status_sc() - status code of an NVMe status
 * @status: a value returned by libzns, > 0
 *
 * Return: bits 7:0 of @status (0 when @status <= 0).
 */
static inline int zns_status_sc(int status)
{
	return status > 0 ? (status & ZNS_STATUS_SC_MASK) : 0;
}

/**
 * zns_status_sct() - status code type of an NVMe status
 * @status: a value returned by libzns, > 0
 *
 * Return: bits 10:8 of @status (0 when @status <= 0).
 */
static inline int zns_status_sct(int status)
{
	return status > 0 ?
		((status >> ZNS_STATUS_SCT_SHIFT) & ZNS_STATUS_SCT_MASK) : 0;
}

/**
 * zns_status_dnr() - Do Not Retry bit of an NVMe status
 * @status: a value returned by libzns
 *
 * Return: 1 when @status is an NVMe status with DNR set, else 0.
 */
static inline int zns_status_dnr(int status)
{
	return status > 0 && (status & ZNS_STATUS_DNR) != 0;
}

/**
 * zns_status_more() - More bit of an NVMe status
 * @status: a value returned by libzns
 *
 * Return: 1 when @status is an NVMe status with MORE set, else 0.
 */
static inline int zns_status_more(int status)
{
	return status > 0 && (status & ZNS_STATUS_MORE) != 0;
}

/**
 * zns_status_code() - SCT and SC of an NVMe status, without DNR/MORE/CRD
 * @status: a value returned by libzns
 *
 * Compare the result with values such as 0x1bc (SCT 1, Zone Invalid Write).
 *
 * Return: (SCT << 8) | SC, or 0 when @status <= 0.
 */
static inline int zns_status_code(int status)
{
	return status > 0 ? (status & 0x7ff) : 0;
}

/**
 * zns_status_str() - describe a libzns return value
 * @status: 0, a negated errno, or an NVMe status
 *
 * Return: a static string: "Success", the errno text for @status < 0, or the
 * NVMe status name ("Zone Is Full", "Zone Invalid Write", ...), or
 * "Unknown NVMe status" for codes the library does not name. Never NULL.
 */
const char *zns_status_str(int status);

/**
 * zns_last_error() - the rule the last refused libzns call broke
 *
 * When a libzns call refuses its arguments or its caller (a NULL handle, an
 * LBA that is not a zone start, a full queue, a queue used from another
 * thread, ...), it records a sentence naming the rule, for this thread.
 * Errors the kernel or the device return are not recorded here: pass them
 * to zns_status_str(). A call that succeeds leaves the sentence in place,
 * so read it right after the failing call.
 *
 * Return: a static string, never NULL.
 */
const char *zns_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_STATUS_H */
