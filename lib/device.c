// SPDX-License-Identifier: MIT
/*
 * Opening a ZNS namespace: resolve the generic char device and its
 * controller, identify, and derive the geometry.
 */
#include "zns-private.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* The kernel's NVMe driver works in 4 KiB controller pages; MDTS and ZASL
 * are powers of two in units of CAP.MPSMIN, which the driver sets to it. */
#define ZNS_CTRL_PAGE	4096u

/* snprintf that reports truncation instead of warning about it. */
__attribute__((format(printf, 3, 4)))
static int pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

static int read_sysfs_u64(const char *path, uint64_t *v)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*v = strtoull(buf, NULL, 10);
	return 0;
}

/* /dev/nvmeXnY -> /dev/ngXnY; anything else is taken as given. */
static void ng_path(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	unsigned int a, b;
	char tail;

	base = base ? base + 1 : path;
	if (sscanf(base, "nvme%un%u%c", &a, &b, &tail) == 2)
		pathf(out, len, "/dev/ng%un%u", a, b);
	else
		pathf(out, len, "%s", path);
}

/*
 * Find the controller char device of a namespace generic device. Its sysfs
 * parent is the controller (nvmeX) or, with native multipath, the subsystem
 * (nvme-subsysX), whose first live controller then carries admin commands.
 */
static void find_ctrl(const char *ng, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	const char *base = strrchr(ng, '/');
	ssize_t n;
	DIR *d;
	struct dirent *e;

	out[0] = 0;
	base = base ? base + 1 : ng;
	pathf(link, sizeof(link), "/sys/class/nvme-generic/%s/device", base);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strncmp(base, "nvme-subsys", 11) != 0) {
		pathf(out, len, "/dev/%s", base);
		return;
	}
	pathf(dir, sizeof(dir), "/sys/class/nvme-subsystem/%s", base);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		unsigned int x;
		char st[PATH_MAX], state[16] = "", more;
		int fd;

		/* controllers only: nvmeX, not the nsheads ngXnY/nvmeXnY */
		if (sscanf(e->d_name, "nvme%u%c", &x, &more) != 1)
			continue;
		pathf(st, sizeof(st), "%s/%s/state", dir, e->d_name);
		fd = open(st, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t r = read(fd, state, sizeof(state) - 1);

			close(fd);
			state[r > 0 ? r : 0] = 0;
		}
		if (strncmp(state, "live", 4) == 0) {
			pathf(out, len, "/dev/%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

static int identify(const struct zns_dev *d, uint32_t nsid, uint8_t cns,
		    uint8_t csi, void *buf)
{
	struct nvme_uring_cmd c;

	zns_enc_identify(&c, nsid, cns, csi, buf);
	return zns_ioctl_exec(zns_admin_fd(d), 1, &c, NULL);
}

int zns_decode_geometry(struct zns_dev *d, const void *id_ctrl,
			const void *id_ns, const void *zns_id_ns,
			const void *zns_id_ctrl)
{
	const uint8_t *ic = id_ctrl, *ns = id_ns, *zc = zns_id_ctrl;
	const struct nvme_zns_id_ns *zid = zns_id_ns;
	struct zns_dev_info *in = &d->info;
	uint8_t flbas, lbads, nlbaf, fmt;
	uint64_t v;

	/* Identify Controller: MDTS at byte 77. */
	in->mdts = ic[77] ? ZNS_CTRL_PAGE << ic[77] : 0;

	/* NVM Identify Namespace: NSZE at 0, NLBAF 25, FLBAS 26, LBAF[] 128. */
	memcpy(&v, ns, 8);
	d->nr_lbas = zns_le64((__le64)v);
	nlbaf = ns[25];
	flbas = ns[26];
	fmt = (flbas & 0xf) | (nlbaf > 16 ? ((flbas >> 5) & 0x3) << 4 : 0);
	lbads = ns[128 + fmt * 4 + 2];
	in->ms = ns[128 + fmt * 4] | ns[128 + fmt * 4 + 1] << 8;
	if (lbads < 9 || lbads > 24)
		return -EIO;
	d->lba_shift = lbads;

	/* ZNS Identify Namespace: zone size of the LBA format in use. */
	d->zone_size = zns_le64(zid->lbafe[fmt].zsze);
	if (!d->zone_size || d->zone_size > d->nr_lbas)
		return -EMEDIUMTYPE;
	in->zdes = zid->lbafe[fmt].zdes * 64u;
	v = zns_le32(zid->mor);
	in->max_open = v == 0xffffffffu ? ZNS_NO_LIMIT : (uint32_t)v + 1;
	v = zns_le32(zid->mar);
	in->max_active = v == 0xffffffffu ? ZNS_NO_LIMIT : (uint32_t)v + 1;
	in->zoc = zns_le16(zid->zoc);
	in->ozcs = zns_le16(zid->ozcs);
	if (in->ozcs & 0x2) {	/* ZRWASUP */
		in->numzrwa = zns_le32(zid->numzrwa) + 1;
		in->zrwas = zns_le16(zid->zrwas);
		in->zrwafg = zns_le16(zid->zrwafg);
		in->zrwacap = zid->zrwacap;
	}

	/* ZNS Identify Controller: ZASL (0: MDTS applies). */
	in->zasl = zc[0] ? ZNS_CTRL_PAGE << zc[0] : in->mdts;

	d->max_xfer = in->mdts ? in->mdts : (1u << 31);
	if (!in->zasl || in->zasl > d->max_xfer)
		in->zasl = d->max_xfer;
	d->zasl = in->zasl;
	in->nsid = d->nsid;
	in->lba_shift = d->lba_shift;
	in->lba_size = 1u << d->lba_shift;
	in->nr_lbas = d->nr_lbas;
	in->zone_size = d->zone_size;
	in->nr_zones = d->nr_lbas / d->zone_size;
	in->max_xfer = d->max_xfer;
	d->zone_mask = (d->zone_size & (d->zone_size - 1)) ? 0 :
		       d->zone_size - 1;
	return 0;
}

/* The kernel's own transfer limits for the namespace's request queue. */
static void apply_kernel_limits(struct zns_dev *d, const char *ng)
{
	const char *base = strrchr(ng, '/');
	char sys[PATH_MAX];
	uint64_t v, limit = d->max_xfer;

	base = base ? base + 3 : ng + 2;	/* past "/ng" */
	if (pathf(sys, sizeof(sys), "/sys/block/nvme%s/queue/max_hw_sectors_kb",
		  base) == 0 && read_sysfs_u64(sys, &v) == 0 && v && v * 1024 < limit)
		limit = v * 1024;
	/* page-aligned buffers: one segment per 4 KiB page */
	if (pathf(sys, sizeof(sys), "/sys/block/nvme%s/queue/max_segments",
		  base) == 0 && read_sysfs_u64(sys, &v) == 0 && v && v * 4096 < limit)
		limit = v * 4096;
	d->max_xfer = (uint32_t)limit;
	d->info.max_xfer = d->max_xfer;
	if (d->zasl > d->max_xfer)
		d->zasl = d->info.zasl = d->max_xfer;
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
	if (!rc)
		apply_kernel_limits(d, ng);
	free(buf);
	return rc;
}

ZNS_EXPORT
int zns_dev_open(const char *path, struct zns_dev **devp)
{
	char ng[PATH_MAX], ctrl[PATH_MAX];
	struct zns_dev *d;
	struct stat st;
	struct zns_zone z;
	unsigned int nz = 1;
	int rc;

	*devp = NULL;
	if (!path)
		return -EINVAL;
	ng_path(path, ng, sizeof(ng));
	if (stat(ng, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ctrl_fd = -1;
	d->fd = open(ng, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		rc = errno == EPERM ? -EACCES : -errno;
		goto fail;
	}
	rc = ioctl(d->fd, NVME_IOCTL_ID);
	if (rc <= 0) {
		rc = -ENOTTY;
		goto fail;
	}
	d->nsid = (uint32_t)rc;

	find_ctrl(ng, ctrl, sizeof(ctrl));
	if (ctrl[0])
		d->ctrl_fd = open(ctrl, O_RDWR | O_CLOEXEC);

	rc = read_geometry(d, ng);
	if (rc)
		goto fail;

	pathf(d->info.path, sizeof(d->info.path), "%s", ng);
	if (d->ctrl_fd >= 0)
		pathf(d->info.ctrl_path, sizeof(d->info.ctrl_path), "%s",
			 ctrl);

	/* Zone capacity is per zone; report the first one's. */
	rc = zns_report_zones(d, 0, NVME_ZNS_ZRAS_REPORT_ALL, &z, &nz, NULL);
	if (rc)
		goto fail;
	d->info.zone_cap = nz ? z.zcap : d->zone_size;

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

	*devp = NULL;
	if (!info || info->lba_shift < 9 || info->lba_shift > 24 ||
	    !info->zone_size || info->zone_size > info->nr_lbas ||
	    !info->max_xfer)
		return -EINVAL;
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
	*devp = d;
	return 0;
}

ZNS_EXPORT
void zns_dev_close(struct zns_dev *dev)
{
	if (!dev)
		return;
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->ctrl_fd >= 0)
		close(dev->ctrl_fd);
	free(dev);
}

ZNS_EXPORT
const struct zns_dev_info *zns_dev_get_info(const struct zns_dev *dev)
{
	return &dev->info;
}

ZNS_EXPORT
int zns_dev_fd(const struct zns_dev *dev)
{
	return dev->fd;
}

ZNS_EXPORT
int zns_dev_ctrl_fd(const struct zns_dev *dev)
{
	return dev->ctrl_fd;
}
