// SPDX-License-Identifier: MIT
/*
 * Devices: open a ZNS namespace, identify it and keep its geometry; the
 * null device for measuring libzns's own cost.
 *
 * Layer: devices. Depends on sysfs.c (where the device is), decode.c (what
 * its identify data means), cmd.h and the transport (exec.h: the ioctls or
 * the emulator, to identify and to read the first zone). Nothing above it
 * is used here.
 */
#include "cmd.h"
#include "decode.h"
#include "exec.h"
#include "sysfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static int identify(const struct zns_dev *d, uint32_t nsid, uint8_t cns,
		    uint8_t csi, void *buf)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, nsid, cns, csi, buf);
	return zns_dev_exec(d, 1, &c, NULL);
}

static int read_geometry(struct zns_dev *d, const char *ng)
{
	uint8_t *buf;
	int rc;

	if (posix_memalign((void **)&buf, 4096, 4 * 4096))
		return -ENOMEM;
	rc = identify(d, 0, ZNS_CNS_ID_CTRL, NVME_CSI_NVM, buf);
	if (!rc)
		rc = identify(d, d->nsid, ZNS_CNS_ID_NS, NVME_CSI_NVM, buf + 4096);
	if (!rc) {
		/* another command set answers with an error status */
		rc = identify(d, d->nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS,
			      buf + 8192);
		if (rc > 0)
			rc = -EMEDIUMTYPE;
	}
	if (!rc)
		rc = identify(d, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS,
			      buf + 12288);
	if (!rc)
		rc = zns_decode_geometry(d, buf, buf + 4096, buf + 8192,
					 buf + 12288);
	/* The guard's size (16, 32 or 64 bits) is in the NVM set's own
	 * namespace data; a controller without it has 16-bit guards only. */
	if (!rc && d->info.pi_type &&
	    !identify(d, d->nsid, ZNS_CNS_CSI_ID_NS, NVME_CSI_NVM, buf))
		zns_decode_pif(d, buf + 4096, buf);
	if (!rc && ng)
		zns_apply_kernel_limits(d, ng);
	free(buf);
	return rc;
}

/* Zone capacity is per zone; the geometry reports the first one's. */
static int read_first_zone(struct zns_dev *d)
{
	struct zns_zone z;
	unsigned int nz = 1;
	int rc = zns_report_zones(d, 0, NVME_ZNS_ZRAS_REPORT_ALL, &z, &nz, NULL);

	if (!rc)
		d->info.zone_cap = nz ? z.zcap : d->zone_size;
	return rc;
}

ZNS_EXPORT
int zns_dev_open(const char *path, struct zns_dev **devp)
{
	char ng[PATH_MAX], ctrl[PATH_MAX];
	struct zns_dev *d;
	struct stat st;
	int rc;

	if (!devp)
		return zns_fail(-EINVAL, "zns_dev_open: devp is NULL");
	*devp = NULL;
	if (!path)
		return zns_fail(-EINVAL, "zns_dev_open: path is NULL");
	zns_ng_path(path, ng, sizeof(ng));
	if (stat(ng, &st) < 0)
		return zns_fail(-errno, "zns_dev_open: the path does not exist or cannot be looked up");
	if (!S_ISCHR(st.st_mode))
		return zns_fail(-ENOTTY, "zns_dev_open: not a character device: give /dev/ngXnY or /dev/nvmeXnY");

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctrl_fd = -1;
	d->fd = open(ng, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		rc = errno == EACCES || errno == EPERM ?
			zns_fail(-EACCES, "zns_dev_open: the namespace device cannot be opened read-write: give this user read-write access to it (a udev rule or group) or run as root; on Linux 6.2 and later IO commands then need no other privilege") :
			zns_fail(-errno, "zns_dev_open: the namespace device cannot be opened read-write");
		goto fail;
	}
	rc = ioctl(d->fd, NVME_IOCTL_ID);
	if (rc < 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) {
		/* a multipath head answers so while no path is live */
		rc = zns_fail(-ENOLINK, "zns_dev_open: the namespace has no live path (its controllers are reconnecting or resetting): retry when one is live");
		goto fail;
	}
	if (rc <= 0) {
		rc = zns_fail(-ENOTTY, "zns_dev_open: not an NVMe namespace (the NVME_IOCTL_ID ioctl failed)");
		goto fail;
	}
	d->nsid = (uint32_t)rc;

	zns_find_ctrl(ng, ctrl, sizeof(ctrl), d->subsys, sizeof(d->subsys));
	d->holdable = d->subsys[0] != 0;
	if (ctrl[0]) {
		d->ctrl_fd = open(ctrl, O_RDWR | O_CLOEXEC);
		d->ctrl_err = d->ctrl_fd < 0 ? errno : 0;
	}

	rc = read_geometry(d, ng);
	if (rc == -EMEDIUMTYPE)
		zns_fail(rc, "zns_dev_open: the namespace is not zoned (no ZNS command set data)");
	else if (rc == -EACCES)
		zns_fail(rc, "zns_dev_open: the kernel refused the Identify commands (EACCES): before Linux 6.2 every NVMe passthrough command needs CAP_SYS_ADMIN; run as root");
	if (rc)
		goto fail;

	zns_pathf(d->info.path, sizeof(d->info.path), "%s", ng);
	if (d->ctrl_fd >= 0)
		zns_pathf(d->info.ctrl_path, sizeof(d->info.ctrl_path), "%s",
			 ctrl);

	rc = read_first_zone(d);
	if (rc)
		goto fail;
	*devp = d;
	return 0;
fail:
	zns_dev_close(d);
	return rc;
}

ZNS_EXPORT
int zns_dev_open_null(const struct zns_dev_info *info, struct zns_dev **devp)
{
	struct zns_dev *d;

	if (!devp)
		return zns_fail(-EINVAL, "zns_dev_open_null: devp is NULL");
	*devp = NULL;
	if (!info)
		return zns_fail(-EINVAL, "zns_dev_open_null: info is NULL");
	if (info->lba_shift < 9 || info->lba_shift > 24)
		return zns_fail(-EINVAL, "zns_dev_open_null: lba_shift must be 9 to 24");
	if (!info->zone_size || info->zone_size > info->nr_lbas)
		return zns_fail(-EINVAL, "zns_dev_open_null: zone_size must be 1 to nr_lbas");
	if (!info->max_xfer)
		return zns_fail(-EINVAL, "zns_dev_open_null: max_xfer is 0");
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->info = *info;
	d->fd = -1;
	d->ctrl_fd = -1;
	d->nsid = info->nsid ? info->nsid : 1;
	d->lba_shift = info->lba_shift;
	d->nr_lbas = info->nr_lbas;
	d->zone_size = info->zone_size;
	d->zone_mask = (d->zone_size & (d->zone_size - 1)) ? 0 :
		       d->zone_size - 1;
	d->max_xfer = info->max_xfer;
	d->zasl = info->zasl && info->zasl <= info->max_xfer ? info->zasl :
							       info->max_xfer;
	d->info.lba_size = 1u << d->lba_shift;
	d->info.nr_zones = d->nr_lbas / d->zone_size;
	d->info.zasl = d->zasl;
	/* a null namespace may have any format: its metadata and protection
	 * information are what @info says */
	d->md = info->ms != 0;
	d->info.ext_lba = d->md && info->ext_lba;
	if (!d->info.pi_type || info->ms < 8)
		d->info.pi_type = d->info.pi_first = d->info.pi_format = 0;
	d->info.pi_size = d->info.pi_type ? (d->info.pi_format ? 16 : 8) : 0;
	*devp = d;
	return 0;
}

ZNS_EXPORT
int zns_dev_open_emu(const struct zns_emu_opts *opts, struct zns_dev **devp)
{
	struct zns_dev *d;
	int rc;

	if (!devp)
		return zns_fail(-EINVAL, "zns_dev_open_emu: devp is NULL");
	*devp = NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return zns_fail(-ENOMEM, "zns_dev_open_emu: out of memory");
	d->fd = -1;
	d->ctrl_fd = -1;
	rc = zns_emu_create(opts, &d->emu);
	if (rc) {
		free(d);
		return rc;
	}
	d->holdable = 1;	/* ZNS_EMU_NO_PATH takes its paths away */
	/* The same way in as for a device: identify, then the first zone. */
	d->nsid = opts->nsid ? opts->nsid : 1;
	rc = read_geometry(d, NULL);
	if (!rc)
		rc = read_first_zone(d);
	if (rc) {
		zns_dev_close(d);
		return zns_fail(rc < 0 ? rc : -EIO, "zns_dev_open_emu: the emulator's identify data did not decode");
	}
	zns_pathf(d->info.path, sizeof(d->info.path), "emu:%s",
		  opts->path ? opts->path : "memory");
	*devp = d;
	return 0;
}

ZNS_EXPORT
void zns_dev_close(struct zns_dev *dev)
{
	if (!dev)
		return;
	zns_emu_free(dev->emu);
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->ctrl_fd >= 0)
		close(dev->ctrl_fd);
	free(dev);
}

ZNS_EXPORT
const struct zns_dev_info *zns_dev_get_info(const struct zns_dev *dev)
{
	return dev ? &dev->info : NULL;
}

ZNS_EXPORT
int zns_dev_fd(const struct zns_dev *dev)
{
	return dev ? dev->fd : zns_fail(-EINVAL, "zns_dev_fd: dev is NULL");
}

ZNS_EXPORT
int zns_dev_ctrl_fd(const struct zns_dev *dev)
{
	return dev ? dev->ctrl_fd : zns_fail(-EINVAL, "zns_dev_ctrl_fd: dev is NULL");
}

/* Is there a live path to the namespace? 1 yes (also for a device that is
 * not behind a multipath head), 0 no (@why says each controller's state),
 * -errno when sysfs cannot tell. */
int zns_dev_path(const struct zns_dev *d, char *why, size_t len,
		 uint32_t *loss_ms)
{
	struct stat a, b;
	int live, h;

	*loss_ms = 0;
	if (d->emu) {
		if (len)
			snprintf(why, len, "the emulated device's path is down (ZNS_EMU_NO_PATH)");
		return zns_emu_path_live(d->emu);
	}
	if (!d->subsys[0])
		return zns_ctrl_live(d->info.ctrl_path, why, len);
	live = zns_path_state(d->subsys, why, len, loss_ms);
	if (!d->info.path[0])
		return live;
	/* the head's own paths, as the kernel judges them: a controller may
	 * be live while the namespace is not yet (or no longer) on it, and
	 * the head behind the open file may be gone (the namespace removed:
	 * it is no longer the one at its path) */
	h = zns_head_paths(d->info.path, why, len);
	if (h == -EOPNOTSUPP)
		return live;
	if (h == -ENODEV || (fstat(d->fd, &a) == 0 &&
			     (stat(d->info.path, &b) < 0 || a.st_rdev != b.st_rdev))) {
		if (len && h != -ENODEV)
			snprintf(why, len, "the namespace was removed (detached, or disabled on the target): the open device is dead; open the namespace again when it is back");
		return -ENODEV;
	}
	return h;
}
