// SPDX-License-Identifier: MIT
/*
 * libnvme 1.x compatible ZNS calls: the shared encoders and the ioctl
 * transport, with libnvme's return convention (0, NVMe status > 0, or -1
 * with errno).
 *
 * Layer: libnvme compatibility, built into its own library (libzns-nvme)
 * so that libzns.so exports no nvme_* name. Depends on cmd.h and the ioctl
 * transport only: no device handle, no queue.
 */
#include "cmd.h"
#include "ioctl.h"

#include <stddef.h>

/* Native result (0, -errno, status) to libnvme's convention. */
static int compat_ret(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static int compat_exec(int fd, int admin, struct nvme_uring_cmd *c,
		       __u32 timeout, __u32 *result32, __u64 *result64)
{
	uint64_t res = 0;
	int rc;

	c->timeout_ms = timeout;
	rc = zns_ioctl_exec(fd, admin, c, &res);
	if (result32)
		*result32 = (__u32)res;
	if (result64)
		*result64 = res;
	return compat_ret(rc);
}

ZNS_EXPORT
int nvme_zns_identify_ns(int fd, __u32 nsid, struct nvme_zns_id_ns *data)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS, data);
	return compat_exec(fd, 1, &c, 0, NULL, NULL);
}

ZNS_EXPORT
int nvme_zns_identify_ctrl(int fd, struct nvme_zns_id_ctrl *id)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS, id);
	return compat_exec(fd, 1, &c, 0, NULL, NULL);
}

ZNS_EXPORT
int nvme_zns_get_log_changed_zones(int fd, __u32 nsid, bool rae,
				   struct nvme_zns_changed_zone_log *log)
{
	struct nvme_uring_cmd c;

	zns_enc_get_log(&c, nsid, NVME_LOG_LID_ZNS_CHANGED_ZONES, NVME_CSI_ZNS,
			rae, 0, log, sizeof(*log));
	return compat_exec(fd, 1, &c, 0, NULL, NULL);
}

ZNS_EXPORT
int nvme_get_log_zns_changed_zones(int fd, __u32 nsid, bool rae,
				   struct nvme_zns_changed_zone_log *log)
{
	return nvme_zns_get_log_changed_zones(fd, nsid, rae, log);
}

ZNS_EXPORT
int nvme_zns_mgmt_send(struct nvme_zns_mgmt_send_args *args)
{
	struct nvme_uring_cmd c;

	if (!args || args->args_size < (int)sizeof(*args))
		return compat_ret(-EINVAL);
	zns_enc_mgmt_send(&c, args->nsid, args->slba, (uint8_t)args->zsa,
			  args->select_all, args->zsaso, args->data,
			  args->data_len);
	return compat_exec(args->fd, 0, &c, args->timeout, args->result, NULL);
}

ZNS_EXPORT
int nvme_zns_mgmt_recv(struct nvme_zns_mgmt_recv_args *args)
{
	struct nvme_uring_cmd c;

	if (!args || args->args_size < (int)sizeof(*args) ||
	    args->data_len < 4 || args->data_len % 4)
		return compat_ret(-EINVAL);
	zns_enc_mgmt_recv(&c, args->nsid, args->slba, (uint8_t)args->zra,
			  (uint8_t)args->zrasf, args->zras_feat, args->data,
			  args->data_len);
	return compat_exec(args->fd, 0, &c, args->timeout, args->result, NULL);
}

ZNS_EXPORT
int nvme_zns_report_zones(int fd, __u32 nsid, __u64 slba,
			  enum nvme_zns_report_options opts, bool extended,
			  bool partial, __u32 data_len, void *data,
			  __u32 timeout, __u32 *result)
{
	struct nvme_zns_mgmt_recv_args args = {
		.slba = slba,
		.result = result,
		.data = data,
		.args_size = sizeof(args),
		.fd = fd,
		.timeout = timeout,
		.nsid = nsid,
		.zra = extended ? NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES :
				  NVME_ZNS_ZRA_REPORT_ZONES,
		.data_len = data_len,
		.zrasf = (__u16)opts,
		.zras_feat = partial,
	};

	return nvme_zns_mgmt_recv(&args);
}

/* libnvme's first nvme_zns_append_args ended with lbatm, padded to 8. */
#define APPEND_ARGS_V1	((offsetof(struct nvme_zns_append_args, lbatm) + \
			  sizeof(__u16) + 7) & ~(size_t)7)

ZNS_EXPORT
int nvme_zns_append(struct nvme_zns_append_args *args)
{
	struct nvme_uring_cmd c;
	uint64_t reftag;

	if (!args || args->args_size < (int)APPEND_ARGS_V1 ||
	    args->args_size > (int)sizeof(*args))
		return compat_ret(-EINVAL);
	/* libnvme passes NLB 0's based, as it stands in CDW12. */
	zns_enc_rw(&c, nvme_zns_cmd_append, args->nsid, args->data,
		   args->data_len, args->zslba, (uint32_t)args->nlb + 1,
		   args->control);
	c.metadata = (uintptr_t)args->metadata;
	c.metadata_len = args->metadata_len;
	/* The v1 struct has only the 32-bit tag; the full one, the 64-bit. */
	reftag = args->args_size == (int)APPEND_ARGS_V1 ? args->ilbrt :
							    args->ilbrt_u64;
	zns_enc_pi(&c, reftag, args->lbat, args->lbatm);
	return compat_exec(args->fd, 0, &c, args->timeout, NULL, args->result);
}
