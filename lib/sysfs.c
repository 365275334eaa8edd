// SPDX-License-Identifier: MIT
/*
 * What sysfs and /dev say about a namespace: its generic char device, its
 * controller (also through a multipath subsystem), and the kernel's
 * transfer limits for it.
 *
 * Layer: device discovery, below device.c. Depends on private.h only; sends
 * no command.
 */
#include "sysfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* snprintf that reports truncation instead of warning about it. */

int zns_pathf(char *buf, size_t len, const char *fmt, ...)
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
void zns_ng_path(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	unsigned int a, b;
	char tail;

	base = base ? base + 1 : path;
	if (sscanf(base, "nvme%un%u%c", &a, &b, &tail) == 2)
		zns_pathf(out, len, "/dev/ng%un%u", a, b);
	else
		zns_pathf(out, len, "%s", path);
}

/*
 * Find the controller char device of a namespace generic device. Its sysfs
 * parent is the controller (nvmeX) or, with native multipath, the subsystem
 * (nvme-subsysX), whose first live controller then carries admin commands.
 */
/* Read a short sysfs attribute into @buf (newline dropped); 0 or -errno. */
static int read_attr(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

int zns_path_state(const char *subsys, char *why, size_t len,
		   uint32_t *loss_ms)
{
	char dir[PATH_MAX], at[PATH_MAX], state[32], tmo[32];
	size_t used = 0;
	int live = 0, seen = 0;
	struct dirent *e;
	DIR *d;

	*loss_ms = 0;
	why[0] = 0;
	if (zns_pathf(dir, sizeof(dir), "/sys/class/nvme-subsystem/%s", subsys))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		unsigned int x;
		char more;

		if (sscanf(e->d_name, "nvme%u%c", &x, &more) != 1)
			continue;	/* controllers only */
		seen++;
		zns_pathf(at, sizeof(at), "%s/%s/state", dir, e->d_name);
		read_attr(at, state, sizeof(state));
		live |= strcmp(state, "live") == 0;
		zns_pathf(at, sizeof(at), "%s/%s/ctrl_loss_tmo", dir, e->d_name);
		if (read_attr(at, tmo, sizeof(tmo)) == 0 && tmo[0]) {
			uint32_t ms = strcmp(tmo, "off") == 0 ? UINT32_MAX :
				      (uint32_t)strtoul(tmo, NULL, 10) * 1000u;

			if (ms > *loss_ms)
				*loss_ms = ms;
		}
		if (used < len) {
			int n = snprintf(why + used, len - used, "%s%s %s",
					 used ? ", " : "", e->d_name,
					 state[0] ? state : "gone");

			used += n > 0 ? (size_t)n : 0;
		}
	}
	closedir(d);
	if (!seen && len)
		snprintf(why, len, "no controller left");
	return live;
}

int zns_head_paths(const char *ng, char *why, size_t len)
{
	const char *base = strrchr(ng, '/');
	char dir[PATH_MAX], at[PATH_MAX], state[32];
	unsigned int s, n, ps, pc, pn;
	int live = 0, coming = 0;
	struct dirent *e;
	DIR *d;

	base = base ? base + 1 : ng;
	if (sscanf(base, "ng%un%u", &s, &n) != 2)
		return -EINVAL;
	zns_pathf(dir, sizeof(dir), "/sys/block/nvme%un%u/multipath", s, n);
	d = opendir(dir);
	if (!d) {
		zns_pathf(at, sizeof(at), "/sys/block/nvme%un%u", s, n);
		return access(at, F_OK) == 0 ? -EOPNOTSUPP : -ENODEV;
	}
	while ((e = readdir(d))) {
		if (sscanf(e->d_name, "nvme%uc%un%u", &ps, &pc, &pn) != 3)
			continue;
		zns_pathf(at, sizeof(at), "/sys/class/nvme/nvme%u/state", pc);
		read_attr(at, state, sizeof(state));
		live |= strcmp(state, "live") == 0;
		coming |= !strcmp(state, "resetting") || !strcmp(state, "connecting") ||
			  !strcmp(state, "new");
	}
	closedir(d);
	if (live)
		return 1;
	if (coming) {
		if (len)
			snprintf(why, len, "the namespace's controllers are resetting or reconnecting");
		return 0;
	}
	if (len)
		snprintf(why, len, "the namespace has no path left (no controller of it is live, resetting or reconnecting: deleted, or the namespace removed)");
	return -ENODEV;
}

int zns_ctrl_live(const char *ctrl, char *why, size_t len)
{
	const char *base = strrchr(ctrl, '/');
	char at[PATH_MAX], state[32];

	base = base ? base + 1 : ctrl;
	if (!*base || zns_pathf(at, sizeof(at), "/sys/class/nvme/%s/state", base) ||
	    read_attr(at, state, sizeof(state)) || !state[0])
		return 1;
	if (len)
		snprintf(why, len, "%s %s", base, state);
	return strcmp(state, "live") == 0;
}

void zns_find_ctrl(const char *ng, char *out, size_t len, char *subsys,
		   size_t slen)
{
	char link[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	const char *base = strrchr(ng, '/');
	ssize_t n;
	DIR *d;
	struct dirent *e;

	out[0] = 0;
	subsys[0] = 0;
	base = base ? base + 1 : ng;
	zns_pathf(link, sizeof(link), "/sys/class/nvme-generic/%s/device", base);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strncmp(base, "nvme-subsys", 11) != 0) {
		zns_pathf(out, len, "/dev/%s", base);
		return;
	}
	zns_pathf(subsys, slen, "%s", base);
	zns_pathf(dir, sizeof(dir), "/sys/class/nvme-subsystem/%s", base);
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
		zns_pathf(st, sizeof(st), "%s/%s/state", dir, e->d_name);
		fd = open(st, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t r = read(fd, state, sizeof(state) - 1);

			close(fd);
			state[r > 0 ? r : 0] = 0;
		}
		if (strncmp(state, "live", 4) == 0) {
			zns_pathf(out, len, "/dev/%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

/* The kernel's own transfer limits for the namespace's request queue. */
void zns_apply_kernel_limits(struct zns_dev *d, const char *ng)
{
	const char *base = strrchr(ng, '/');
	char sys[PATH_MAX];
	uint64_t v, limit = d->max_xfer;

	base = base ? base + 3 : ng + 2;	/* past "/ng" */
	if (zns_pathf(sys, sizeof(sys), "/sys/block/nvme%s/queue/max_hw_sectors_kb",
		  base) == 0 && read_sysfs_u64(sys, &v) == 0 && v && v * 1024 < limit)
		limit = v * 1024;
	/* page-aligned buffers: one segment per 4 KiB page */
	if (zns_pathf(sys, sizeof(sys), "/sys/block/nvme%s/queue/max_segments",
		  base) == 0 && read_sysfs_u64(sys, &v) == 0 && v && v * 4096 < limit)
		limit = v * 4096;
	d->max_xfer = (uint32_t)limit;
	d->info.max_xfer = d->max_xfer;
	if (d->zasl > d->max_xfer)
		d->zasl = d->info.zasl = d->max_xfer;
}

