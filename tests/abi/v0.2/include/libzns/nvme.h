/* SPDX-License-Identifier: MIT */
/*
 * libzns: libnvme 1.x compatible ZNS calls, in their own library,
 * libzns-nvme (pkg-config libzns-nvme; link -lzns-nvme).
 *
 * Source-compatible with libnvme 1.3 and later 1.x: the same names,
 * argument structs (field order and args_size), constants and return
 * convention, so a program written for libnvme's ZNS calls builds against
 * libzns unchanged. Unlike the native zns_* API these calls take a file
 * descriptor (of /dev/ngXnY, /dev/nvmeXnY or, for admin commands,
 * /dev/nvmeX) and return libnvme's convention: 0 on success, the NVMe
 * status > 0, or -1 with errno set.
 *
 * Whose nvme_zns_* runs is decided by the headers, never by link order:
 * when <libnvme.h> is included before <libzns.h>, libnvme's declarations
 * stand and this header declares nothing libnvme has (link -lnvme for
 * them; libzns-nvme is then not needed). Without <libnvme.h>, these
 * declarations stand and libzns-nvme implements them. libzns.so itself
 * exports no nvme_* symbol, so linking libnvme and libzns together clashes
 * on nothing.
 */
#ifndef LIBZNS_NVME_H
#define LIBZNS_NVME_H

#include <stdbool.h>
#include <stdint.h>
#include <libzns/spec.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef _LIBNVME_IOCTL_H

/**
 * nvme_zns_get_log_changed_zones() - libzns's name of libnvme's
 * nvme_get_log_zns_changed_zones()
 * @fd: namespace or controller device
 * @nsid: namespace identifier
 * @rae: retain asynchronous event
 * @log: receives the log
 *
 * With <libnvme.h> included first this forwards to libnvme's call.
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
static inline int nvme_zns_get_log_changed_zones(int fd, __u32 nsid, bool rae,
						 struct nvme_zns_changed_zone_log *log)
{
	return nvme_get_log_zns_changed_zones(fd, nsid, rae, log);
}

#else /* !_LIBNVME_IOCTL_H: libzns-nvme's own declarations */

/* A timeout of 0 asks for the kernel's default. */
#define NVME_DEFAULT_IOCTL_TIMEOUT	0

/**
 * struct nvme_zns_mgmt_send_args - arguments of nvme_zns_mgmt_send()
 * @slba: start LBA of the zone
 * @result: if not NULL, receives CQE dword 0
 * @data: descriptor extension data (NVME_ZNS_ZSA_SET_DESC_EXT), else NULL
 * @args_size: sizeof(struct nvme_zns_mgmt_send_args)
 * @fd: namespace device
 * @timeout: milliseconds, 0 for the driver default
 * @nsid: namespace identifier
 * @zsa: the action
 * @data_len: bytes at @data
 * @select_all: apply to all zones
 * @zsaso: zone send action specific option (ZRWA allocation on open)
 */
struct nvme_zns_mgmt_send_args {
	__u64 slba;
	__u32 *result;
	void *data;
	int args_size;
	int fd;
	__u32 timeout;
	__u32 nsid;
	enum nvme_zns_send_action zsa;
	__u32 data_len;
	bool select_all;
	__u8 zsaso;
};

/**
 * struct nvme_zns_mgmt_recv_args - arguments of nvme_zns_mgmt_recv()
 * @slba: first LBA to report from
 * @result: if not NULL, receives CQE dword 0
 * @data: receives the report
 * @args_size: sizeof(struct nvme_zns_mgmt_recv_args)
 * @fd: namespace device
 * @timeout: milliseconds, 0 for the driver default
 * @nsid: namespace identifier
 * @zra: the receive action
 * @data_len: bytes at @data
 * @zrasf: report filter
 * @zras_feat: the partial report bit
 */
struct nvme_zns_mgmt_recv_args {
	__u64 slba;
	__u32 *result;
	void *data;
	int args_size;
	int fd;
	__u32 timeout;
	__u32 nsid;
	enum nvme_zns_recv_action zra;
	__u32 data_len;
	__u16 zrasf;
	bool zras_feat;
};

/**
 * struct nvme_zns_append_args - arguments of nvme_zns_append()
 * @zslba: start LBA of the zone
 * @result: if not NULL, receives the LBA the data was written at
 * @data: the data
 * @metadata: separate metadata, or NULL
 * @args_size: sizeof(struct nvme_zns_append_args)
 * @fd: namespace device
 * @timeout: milliseconds, 0 for the driver default
 * @nsid: namespace identifier
 * @ilbrt: initial logical block reference tag
 * @data_len: bytes at @data
 * @metadata_len: bytes at @metadata
 * @nlb: number of logical blocks, 0's based (as in CDW12)
 * @control: CDW12 bits 31:16 (FUA, LR, PRINFO, ...)
 * @lbat: logical block application tag
 * @lbatm: logical block application tag mask
 * @rsvd1: reserved
 * @ilbrt_u64: 64-bit initial reference tag, for 48- and 64-bit guard
 *             formats: its high half goes in CDW3, its low half in CDW14
 *
 * As in libnvme, @args_size chooses the layout: 72 bytes (through @lbatm,
 * libnvme's first version) sends @ilbrt in CDW14 and 0 in CDW3;
 * sizeof(struct nvme_zns_append_args) sends @ilbrt_u64 and ignores @ilbrt.
 */
struct nvme_zns_append_args {
	__u64 zslba;
	__u64 *result;
	void *data;
	void *metadata;
	int args_size;
	int fd;
	__u32 timeout;
	__u32 nsid;
	__u32 ilbrt;
	__u32 data_len;
	__u32 metadata_len;
	__u16 nlb;
	__u16 control;
	__u16 lbat;
	__u16 lbatm;
	__u8  rsvd1[4];
	__u64 ilbrt_u64;
};

/**
 * nvme_zns_identify_ns() - ZNS Identify Namespace
 * @fd: namespace or controller device
 * @nsid: namespace identifier
 * @data: receives the data structure
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_zns_identify_ns(int fd, __u32 nsid, struct nvme_zns_id_ns *data);

/**
 * nvme_zns_identify_ctrl() - ZNS Identify Controller
 * @fd: namespace or controller device
 * @id: receives the data structure
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_zns_identify_ctrl(int fd, struct nvme_zns_id_ctrl *id);

/**
 * nvme_zns_get_log_changed_zones() - read the Changed Zone List log
 * @fd: namespace or controller device
 * @nsid: namespace identifier
 * @rae: retain asynchronous event
 * @log: receives the log
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_zns_get_log_changed_zones(int fd, __u32 nsid, bool rae,
				   struct nvme_zns_changed_zone_log *log);

/**
 * nvme_get_log_zns_changed_zones() - libnvme's name of
 * nvme_zns_get_log_changed_zones()
 * @fd: namespace or controller device
 * @nsid: namespace identifier
 * @rae: retain asynchronous event
 * @log: receives the log
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_get_log_zns_changed_zones(int fd, __u32 nsid, bool rae,
				   struct nvme_zns_changed_zone_log *log);

/**
 * nvme_zns_mgmt_send() - Zone Management Send
 * @args: the arguments; args_size must be at least the struct's size
 *
 * Return: 0, NVMe status > 0, or -1 with errno set (EINVAL for a bad
 * args_size).
 */
int nvme_zns_mgmt_send(struct nvme_zns_mgmt_send_args *args);

/**
 * nvme_zns_mgmt_recv() - Zone Management Receive
 * @args: the arguments; args_size must be at least the struct's size
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_zns_mgmt_recv(struct nvme_zns_mgmt_recv_args *args);

/**
 * nvme_zns_report_zones() - report zones into a buffer
 * @fd: namespace device
 * @nsid: namespace identifier
 * @slba: first LBA to report from
 * @opts: report filter
 * @extended: extended report (with descriptor extensions)
 * @partial: partial report bit
 * @data_len: bytes at @data
 * @data: receives the report
 * @timeout: milliseconds, 0 for the driver default
 * @result: if not NULL, receives CQE dword 0
 *
 * Return: 0, NVMe status > 0, or -1 with errno set.
 */
int nvme_zns_report_zones(int fd, __u32 nsid, __u64 slba,
			  enum nvme_zns_report_options opts, bool extended,
			  bool partial, __u32 data_len, void *data,
			  __u32 timeout, __u32 *result);

/**
 * nvme_zns_append() - Zone Append
 * @args: the arguments; args_size is 72 (no 64-bit reference tag) or
 *        sizeof(struct nvme_zns_append_args)
 *
 * Return: 0, NVMe status > 0, or -1 with errno set (EINVAL for another
 * args_size).
 */
int nvme_zns_append(struct nvme_zns_append_args *args);

#endif /* !_LIBNVME_IOCTL_H */

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_NVME_H */
