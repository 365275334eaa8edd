/* SPDX-License-Identifier: MIT */
/*
 * libzns internals shared by every layer: the device handle, the export
 * marker, and the per-thread error detail.
 *
 * Layer: the bottom. Depends on the public headers and the kernel's uapi
 * only. Everything in lib/ includes it (through cmd.h where commands are
 * encoded).
 */
#ifndef LIBZNS_PRIVATE_H
#define LIBZNS_PRIVATE_H

#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
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

struct zns_emu;

struct zns_dev {
	struct zns_emu *emu;	/* an emulated device (emu.c), or NULL */
	int fd;			/* namespace generic char device */
	int ctrl_fd;		/* controller char device, or -1 */
	uint32_t nsid;
	uint32_t lba_shift;
	uint64_t nr_lbas;
	uint64_t zone_size;	/* LBAs */
	uint64_t zone_mask;	/* zone_size - 1 when a power of two, else 0 */
	uint32_t max_xfer;	/* bytes */
	uint32_t zasl;		/* bytes */
	uint8_t holdable;	/* commands may be held while no path is
				 * live: a multipath head, or emulated */
	uint8_t md;		/* the LBA format carries metadata: the
				 * calls without options refuse (cmd.h) */
	int ctrl_err;		/* why ctrl_fd is -1: the errno of its
				 * open, or 0 (none found) */
	char subsys[32];	/* multipath: nvme-subsysX, else empty */
	struct zns_dev_info info;
};

/* A device from zns_dev_open_null(): no file and no emulator behind it. */
static inline int zns_dev_is_null(const struct zns_dev *d)
{
	return d->fd < 0 && !d->emu;
}

/*
 * The rule the last failed call on this thread broke, for zns_last_error().
 * Set only on error paths, never cleared by a call that succeeds. The
 * initial-exec model keeps the access a single fs-relative load.
 */
#define ZNS_TLS __thread __attribute__((tls_model("initial-exec")))
extern ZNS_TLS const char *zns_why;

/* Fail with @rc and remember @why (a static sentence naming the rule). */
static inline int zns_fail(int rc, const char *why)
{
	zns_why = why;
	return rc;
}

/* As zns_fail(), with a sentence formatted into a per-thread buffer (for
 * messages that name a path or a value). */
__attribute__((format(printf, 2, 3)))
int zns_failf(int rc, const char *fmt, ...);

/* CLOCK_MONOTONIC, ns. */
static inline uint64_t zns_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Admin commands for a device: the controller device when open, else the
 * namespace device. */
static inline int zns_admin_fd(const struct zns_dev *d)
{
	return d->ctrl_fd >= 0 ? d->ctrl_fd : d->fd;
}

/* Is there a live path to the namespace (device.c)? 1 yes, 0 no (@why
 * says why), -ENODEV when the namespace was removed (the open device is
 * dead), other -errno when it cannot be told; *@loss_ms: how long the kernel
 * keeps trying (ctrl_loss_tmo; 0 unknown, UINT32_MAX forever). */
int zns_dev_path(const struct zns_dev *d, char *why, size_t len,
		 uint32_t *loss_ms);

/* How a transport runs a command (zns_ioctl_exec(), zns_emu_exec()): an IO
 * command whose addr/data_len name one buffer, an admin command, or an IO
 * command whose addr is an array of data_len struct iovec. */
enum { ZNS_EXEC_IO = 0, ZNS_EXEC_ADMIN = 1, ZNS_EXEC_IOVEC = 2 };

/* Upper bound on the elements of one vectored command (the kernel's
 * UIO_MAXIOV). */
#define ZNS_MAX_IOV	1024

#endif /* LIBZNS_PRIVATE_H */
