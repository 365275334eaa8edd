// SPDX-License-Identifier: MIT
/*
 * zns-fault-itest: every command completes exactly once through a fault,
 * at the queue level (no zone layer), and the queue works afterwards.
 * tests/vm/guest-faults.sh starts it and makes the fault happen while it
 * runs: controller resets, a namespace disabled, a fabrics port gone, a
 * controller deleted.
 *
 *   ZNS_TEST_DEV=/dev/ngXnY [ZNS_FAULT_SECS=12] [ZNS_FAULT_NAME=...]
 *   [ZNS_FAULT_GONE=1 [ZNS_FAULT_REOPEN=1]] [ZNS_FAULT_NOPATH_FAIL=1]
 *   [ZNS_FAULT_HELD=1]
 *   zns-fault-itest
 *
 * One queue keeps 64 commands in flight over zones 0-5: writes at each of
 * zones 0-3's write pointer (one in flight per zone: a failed one resyncs
 * the zone from a report), appends into zones 4-5 (8 in flight each),
 * random reads for the rest. Each command has a serial number; its
 * callback counts it. At the end: every serial counted exactly once (none
 * lost, none twice), the statuses seen, no -EINVAL (a command sent while no
 * path is live is held, or -ENOLINK with ZNS_FAULT_NOPATH_FAIL); the queue
 * drains within 60 s and zns_queue_exit() returns. Unless the device is
 * gone (ZNS_FAULT_GONE), a read through the same queue then succeeds; with
 * ZNS_FAULT_REOPEN the namespace comes back as a new device of the same
 * controller, which is opened and read through the same queue. With
 * ZNS_FAULT_HELD (a path that comes back within ctrl_loss_tmo): no command
 * runs out of hold time (-ENOLINK), and the queue drains within 20 s.
 * DESTRUCTIVE: zones 0-5 are reset. Exits 0, 1 or 77.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libzns.h>

#define QD		64
#define WZONES		4
#define AZONES		2
#define APPEND_QD	8
#define MAX_CMDS	(16u << 20)

enum kind { K_READ, K_WRITE, K_APPEND, K_KINDS };

static struct zns_dev *dev;
static const struct zns_dev_info *info;
static uint8_t *count;		/* by serial: callbacks seen */
static uint8_t *kind_of;	/* by serial */
static uint8_t *zone_of;	/* by serial */
static uint32_t serials;	/* serials handed out */
static uint32_t watch = UINT32_MAX;	/* a serial whose status is kept */
static int watch_status;
static int failed;

/* statuses seen, by kind */
static struct { int status; unsigned long n[K_KINDS]; } seen[64];
static unsigned int nr_seen;

static struct {
	uint64_t wp;		/* next LBA to write */
	int busy;		/* a write in flight */
	int resync;		/* its write pointer is not known */
} wz[WZONES];
static struct {
	unsigned int inflight;
	uint64_t sent;		/* blocks sent since the reset */
	int reset;		/* wants a reset once idle */
} az[AZONES];

#define FAIL(...) do {						\
	fprintf(stderr, "FAIL: " __VA_ARGS__);			\
	fputc('\n', stderr);					\
	failed = 1;						\
} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void note_status(int status, enum kind k)
{
	unsigned int i;

	for (i = 0; i < nr_seen; i++)
		if (seen[i].status == status)
			break;
	if (i == nr_seen) {
		if (nr_seen == sizeof(seen) / sizeof(seen[0]))
			return;
		seen[nr_seen++].status = status;
	}
	seen[i].n[k]++;
}

static void done(void *user, int status, uint64_t result)
{
	uint32_t s = (uint32_t)(uintptr_t)user;
	unsigned int z = zone_of[s];

	(void)result;
	if (s == watch)
		watch_status = status;
	if (count[s] < 255)
		count[s]++;
	note_status(status, kind_of[s]);
	switch (kind_of[s]) {
	case K_WRITE:
		wz[z].busy = 0;
		if (status)
			wz[z].resync = 1;
		break;
	case K_APPEND:
		az[z - WZONES].inflight--;
		if (status)	/* Zone Is Full, or in doubt: start afresh */
			az[z - WZONES].reset = 1;
		break;
	default:
		break;
	}
}

static uint32_t next_serial(enum kind k, unsigned int zone)
{
	uint32_t s = serials++;

	kind_of[s] = (uint8_t)k;
	zone_of[s] = (uint8_t)zone;
	return s;
}

static uint64_t zslba(unsigned int z)
{
	return (uint64_t)z * info->zone_size;
}

/* The zone's write pointer from a report; a Full zone is reset. */
static int resync(unsigned int z)
{
	struct zns_zone zz;
	unsigned int nr = 1;
	int rc = zns_report_zones(dev, zslba(z), 0, &zz, &nr, NULL);

	if (rc || nr != 1)
		return rc ? rc : -EIO;
	if (zz.state == NVME_ZNS_ZS_FULL || zz.wp >= zz.zslba + zz.zcap - 64) {
		rc = zns_reset_zone(dev, zslba(z));
		if (rc)
			return rc;
		zz.wp = zslba(z);
	}
	wz[z].wp = zz.wp;
	wz[z].resync = 0;
	return 0;
}

int main(void)
{
	const char *path = getenv("ZNS_TEST_DEV"), *name = getenv("ZNS_FAULT_NAME");
	double secs = getenv("ZNS_FAULT_SECS") ? atof(getenv("ZNS_FAULT_SECS")) : 12;
	int gone = getenv("ZNS_FAULT_GONE") != NULL;
	int reopen = getenv("ZNS_FAULT_REOPEN") != NULL;
	struct zns_queue_opts qo;
	struct zns_queue *q;
	uint32_t nlb, s, lost = 0, twice = 0;
	unsigned int i, z, inflight_max = 0;
	double t0, end, t_drain, t_exit;
	char *buf;
	int rc, st = ZNS_PENDING;
	unsigned int reap_err = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* a broken NVMe/TCP connection raises SIGPIPE in the submitting
	 * thread: callers ignore it, as libzns(7) says */
	signal(SIGPIPE, SIG_IGN);
	if (!path) {
		fprintf(stderr, "usage: ZNS_TEST_DEV=/dev/ngXnY zns-fault-itest\n");
		return 2;
	}
	name = name ? name : "fault";
	rc = zns_dev_open(path, &dev);
	if (rc) {
		fprintf(stderr, "zns-fault-itest: %s: %s (%s)\n", path, zns_status_str(rc),
			zns_last_error());
		return rc == -EMEDIUMTYPE ? 77 : 1;
	}
	info = zns_dev_get_info(dev);
	if (info->nr_zones < WZONES + AZONES || info->ms) {
		printf("SKIP: zns-fault-itest needs %d zones and no metadata\n", WZONES + AZONES);
		return 77;
	}
	nlb = 4096 / info->lba_size ? 4096 / info->lba_size : 1;
	count = calloc(MAX_CMDS, 1);
	kind_of = calloc(MAX_CMDS, 1);
	zone_of = calloc(MAX_CMDS, 1);
	if (!count || !kind_of || !zone_of || posix_memalign((void **)&buf, 4096, (size_t)QD * 4096))
		return 1;
	memset(buf, 0xa5, (size_t)QD * 4096);
	for (z = 0; z < WZONES + AZONES; z++)
		if ((rc = zns_reset_zone(dev, zslba(z))) != 0) {
			FAIL("reset of zone %u: %s", z, zns_status_str(rc));
			return 1;
		}
	for (z = 0; z < WZONES; z++)
		wz[z].wp = zslba(z);

	memset(&qo, 0, sizeof(qo));
	qo.size = sizeof(qo);
	qo.depth = QD;
	qo.sq_thread_cpu = -1;
	if (getenv("ZNS_FAULT_NOPATH_FAIL"))
		qo.flags |= ZNS_QUEUE_NOPATH_FAIL;
	rc = zns_queue_init(&q, &qo);
	if (rc) {
		FAIL("zns_queue_init: %s", zns_status_str(rc));
		return 1;
	}
	srandom(1);
	t0 = now_s();
	end = t0 + secs;
	while (now_s() < end && serials < MAX_CMDS - QD) {
		unsigned int k = 0;

		/* writes: one per zone, at its write pointer */
		for (z = 0; z < WZONES; z++) {
			if (wz[z].busy || zns_queue_inflight(q) >= QD)
				continue;
			if (wz[z].resync || wz[z].wp + nlb > zslba(z) + info->zone_cap - 64)
				if (resync(z))
					continue;	/* the device is not answering: later */
			s = next_serial(K_WRITE, z);
			rc = zns_prep_write(q, dev, buf, wz[z].wp, nlb, done, (void *)(uintptr_t)s);
			if (rc) {
				count[s] = 1;	/* refused: no callback will come */
				note_status(rc, K_WRITE);
				continue;
			}
			wz[z].busy = 1;
			wz[z].wp += nlb;
		}
		/* appends: a few in flight per zone, reset when full */
		for (z = 0; z < AZONES; z++) {
			if (az[z].reset || az[z].sent + (APPEND_QD + 1) * nlb > info->zone_cap) {
				if (az[z].inflight)
					continue;
				if (zns_reset_zone(dev, zslba(WZONES + z)))
					continue;
				az[z].reset = 0;
				az[z].sent = 0;
			}
			while (az[z].inflight < APPEND_QD && zns_queue_inflight(q) < QD) {
				s = next_serial(K_APPEND, WZONES + z);
				rc = zns_prep_append(q, dev, buf, zslba(WZONES + z), nlb, done,
						     (void *)(uintptr_t)s);
				if (rc) {
					count[s] = 1;
					note_status(rc, K_APPEND);
					break;
				}
				az[z].inflight++;
				az[z].sent += nlb;
			}
		}
		/* reads: the rest */
		while (zns_queue_inflight(q) < QD) {
			uint64_t lba = zslba(random() % (WZONES + AZONES)) +
				       (uint64_t)(random() % (info->zone_cap / nlb)) * nlb;

			s = next_serial(K_READ, 0);
			rc = zns_prep_read(q, dev, buf + (size_t)(k++ % QD) * 4096, lba, nlb, done,
					   (void *)(uintptr_t)s);
			if (rc) {
				count[s] = 1;
				note_status(rc, K_READ);
				break;
			}
		}
		if (zns_queue_inflight(q) > inflight_max)
			inflight_max = zns_queue_inflight(q);
		zns_submit(q);
		rc = zns_reap(q, 1, 100 * 1000);
		if (rc < 0)
			reap_err++;
	}
	/* drain: everything in flight completes, within a bound */
	t_drain = now_s();
	while (zns_queue_inflight(q) && now_s() - t_drain < 60)
		zns_reap(q, 1, 1000 * 1000);
	t_drain = now_s() - t_drain;
	if (zns_queue_inflight(q))
		FAIL("%s: %u commands still in flight 60 s after the run", name,
		     zns_queue_inflight(q));

	/* the namespace back as a new device (ZNS_FAULT_REOPEN): found by its
	 * controller, opened, and served by the same queue */
	if (reopen) {
		char ctrl[64], old[64], p[64];
		double t = now_s();
		struct zns_dev *nd = NULL;

		snprintf(ctrl, sizeof(ctrl), "%s", info->ctrl_path);
		snprintf(old, sizeof(old), "%s", info->path);
		while (!nd && now_s() - t < 30) {
			unsigned int a, b;

			for (a = 0; a < 32 && !nd; a++)
				for (b = 1; b < 8 && !nd; b++) {
					snprintf(p, sizeof(p), "/dev/ng%un%u", a, b);
					if (!strcmp(p, old) || access(p, F_OK) || zns_dev_open(p, &nd))
						continue;
					if (strcmp(zns_dev_get_info(nd)->ctrl_path, ctrl)) {
						zns_dev_close(nd);
						nd = NULL;
					}
				}
			if (!nd)
				usleep(100 * 1000);
		}
		if (!nd) {
			FAIL("%s: the namespace did not come back on %s within 30 s", name, ctrl);
		} else {
			zns_dev_close(dev);
			dev = nd;
			info = zns_dev_get_info(dev);
			gone = 0;
			printf("ok: %s: the namespace is back as %s; the same queue serves it\n",
			       name, info->path);
		}
	}

	/* the same queue, afterwards (a controller may take a while to be
	 * live again) */
	if (!gone) {
		double t = now_s();

		do {
			s = next_serial(K_READ, 0);
			watch = s;
			watch_status = ZNS_PENDING;
			rc = zns_prep_read(q, dev, buf, 0, nlb, done, (void *)(uintptr_t)s);
			if (rc) {
				count[s] = 1;
				st = rc;
			} else {
				zns_submit(q);
				while (!count[s] && now_s() - t < 60)
					zns_reap(q, 1, 1000 * 1000);
				st = watch_status;
			}
			if (!st)
				break;
			usleep(200 * 1000);
		} while (now_s() - t < 60);
		if (st)
			FAIL("%s: the queue after the fault: a read gives %s", name, zns_status_str(st));
	}
	t_exit = now_s();
	rc = zns_queue_exit(q);
	t_exit = now_s() - t_exit;
	if (rc)
		FAIL("%s: zns_queue_exit: %s", name, zns_status_str(rc));

	for (s = 0; s < serials; s++) {
		if (count[s] == 0)
			lost++;
		else if (count[s] > 1)
			twice++;
	}
	if (lost || twice)
		FAIL("%s: %u commands lost, %u completed more than once (of %u)", name, lost,
		     twice, serials);
	printf("ok: %s: %u commands, each completed exactly once (0 lost, 0 twice), %u in flight at most, %u reaps failed; drained in %.2f s, zns_queue_exit in %.3f s%s\n",
	       name, serials, inflight_max, reap_err, t_drain, t_exit,
	       gone ? "" : "; the same queue reads afterwards");
	printf("ok: %s: statuses (read/write/append):", name);
	for (i = 0; i < nr_seen; i++)
		printf(" %d %lu/%lu/%lu;", seen[i].status,
		       seen[i].n[K_READ], seen[i].n[K_WRITE], seen[i].n[K_APPEND]);
	printf("\n");
	for (i = 0; i < nr_seen; i++)
		if (seen[i].status)
			printf("ok: %s: status %d is %s\n", name, seen[i].status,
			       zns_status_str(seen[i].status));
	/* held (ZNS_FAULT_HELD): once the path is back, what was held goes
	 * out and completes; none runs out of time */
	for (i = 0; getenv("ZNS_FAULT_HELD") && i < nr_seen; i++)
		if (seen[i].status == -ENOLINK)
			FAIL("%s: %lu commands held for a path completed -ENOLINK, though the path came back",
			     name, seen[i].n[K_READ] + seen[i].n[K_WRITE] + seen[i].n[K_APPEND]);
	if (getenv("ZNS_FAULT_HELD") && t_drain > 20)
		FAIL("%s: the queue took %.1f s to drain after the path came back", name, t_drain);
	for (i = 0; i < nr_seen; i++)
		if (seen[i].status == -EINVAL)
			FAIL("%s: %lu commands completed with -EINVAL (no path is not an invalid argument)",
			     name, seen[i].n[K_READ] + seen[i].n[K_WRITE] + seen[i].n[K_APPEND]);
	zns_dev_close(dev);
	return failed;
}
