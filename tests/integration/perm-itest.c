// SPDX-License-Identifier: MIT
/*
 * zns-perm-itest: what an unprivileged user gets, call by call, against
 * what the kernel allows (tests/vm/guest-perm.sh runs it as nobody).
 *
 *   ZNS_TEST_DEV=/dev/ngXnY ZNS_PERM=closed|open zns-perm-itest
 *
 * closed: the namespace device is not writable by this user: zns_dev_open
 *         answers -EACCES, and its message says what to do.
 * open:   the namespace device is read-write for this user, the controller
 *         device is not. Before Linux 6.2 every passthrough command needs
 *         CAP_SYS_ADMIN: zns_dev_open answers -EACCES naming it. From 6.2 the
 *         kernel allows IO commands on a device opened for writing and the
 *         Identify commands that describe it: opening, identifying, reports,
 *         reads, writes, appends, zone actions and flushes work, synchronous
 *         and queued; Get Log Page answers -EACCES; queued admin commands
 *         answer -ENODEV, naming the controller device and why it is closed.
 *         DESTRUCTIVE: zone 0 is reset.
 * Prints one line per call: "ok: CALL: RESULT"; exits 0, 1, or 77 (root:
 * nothing to show).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include <libzns.h>

static int failed;

/* @call answered @rc; @want it, and (when not NULL) words in its message. */
static void expect(const char *call, int rc, int want, const char *words)
{
	const char *why = rc ? zns_last_error() : "";

	if (rc != want || (words && !strstr(why, words))) {
		fprintf(stderr, "FAIL: %s = %d (%s: %s), want %d%s%s\n", call, rc,
			zns_status_str(rc), why, want, words ? " saying " : "",
			words ? words : "");
		failed = 1;
		return;
	}
	printf("ok: %s: %s%s%s\n", call, rc ? zns_status_str(rc) : "works",
	       rc ? " -- " : "", why);
}

/* Linux 6.2 and later let users without CAP_SYS_ADMIN pass IO commands. */
static int fine_grained(void)
{
	struct utsname u;
	int maj = 0, min = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &maj, &min);
	return maj > 6 || (maj == 6 && min >= 2);
}

static void cb_status(void *user, int status, uint64_t result)
{
	(void)result;
	*(int *)user = status;
}

int main(void)
{
	const char *path = getenv("ZNS_TEST_DEV"), *mode = getenv("ZNS_PERM");
	struct zns_queue_opts qo;
	struct zns_dev *dev = NULL;
	struct zns_queue *q;
	static struct nvme_zns_id_ns idns;
	static struct nvme_zns_id_ctrl idctrl;
	static struct nvme_zns_changed_zone_log log;
	struct zns_zone z;
	unsigned int nr = 1;
	uint32_t nlb;
	uint64_t lba = 0;
	void *buf;
	int rc, st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!path || !mode) {
		fprintf(stderr, "usage: ZNS_TEST_DEV=/dev/ngXnY ZNS_PERM=closed|open zns-perm-itest\n");
		return 2;
	}
	if (geteuid() == 0) {
		printf("SKIP: zns-perm-itest runs as a user without privileges, not root\n");
		return 77;
	}
	rc = zns_dev_open(path, &dev);
	if (!strcmp(mode, "closed")) {
		expect("zns_dev_open (device not writable)", rc, -EACCES, "read-write access");
		return failed;
	}
	if (!fine_grained()) {
		expect("zns_dev_open (Linux before 6.2)", rc, -EACCES, "CAP_SYS_ADMIN");
		return failed;
	}
	expect("zns_dev_open", rc, 0, NULL);
	if (rc)
		return 1;
	nlb = 4096 / zns_dev_get_info(dev)->lba_size;
	if (posix_memalign(&buf, 4096, 4096))
		return 1;
	memset(buf, 0x5a, 4096);
	expect("zns_identify_ns", zns_identify_ns(dev, &idns), 0, NULL);
	expect("zns_identify_ctrl", zns_identify_ctrl(dev, &idctrl), 0, NULL);
	expect("zns_get_changed_zones (Get Log Page)",
	       zns_get_changed_zones(dev, 1, &log), -EACCES, "CAP_SYS_ADMIN");
	expect("zns_report_zones", zns_report_zones(dev, 0, 0, &z, &nr, NULL), 0, NULL);
	expect("zns_reset_zone", zns_reset_zone(dev, 0), 0, NULL);
	expect("zns_write", zns_write(dev, buf, 0, nlb), 0, NULL);
	expect("zns_append", zns_append(dev, buf, 0, nlb, &lba), 0, NULL);
	expect("zns_read", zns_read(dev, buf, lba, nlb), 0, NULL);
	expect("zns_flush", zns_flush(dev), 0, NULL);

	memset(&qo, 0, sizeof(qo));
	qo.size = sizeof(qo);
	qo.depth = 8;
	qo.sq_thread_cpu = -1;
	expect("zns_queue_init", zns_queue_init(&q, &qo), 0, NULL);
	printf("ok: the queue runs in mode %d (%s)\n", zns_queue_mode(q),
	       zns_queue_mode(q) == ZNS_MODE_URING ? "io_uring" : "fallback");
	st = ZNS_PENDING;
	rc = zns_prep_append(q, dev, buf, 0, nlb, cb_status, &st);
	expect("zns_prep_append + reap", rc ? rc : zns_queue_wait(q, &st), 0, NULL);
	st = ZNS_PENDING;
	rc = zns_prep_read(q, dev, buf, 0, nlb, cb_status, &st);
	expect("zns_prep_read + reap", rc ? rc : zns_queue_wait(q, &st), 0, NULL);
	st = ZNS_PENDING;
	rc = zns_prep_reset_zone(q, dev, 0, cb_status, &st);
	expect("zns_prep_reset_zone + reap", rc ? rc : zns_queue_wait(q, &st), 0, NULL);
	st = ZNS_PENDING;
	expect("zns_prep_identify_ctrl (queued admin)",
	       zns_prep_identify_ctrl(q, dev, &idctrl, cb_status, &st), -ENODEV,
	       "Permission denied");
	expect("zns_queue_exit", zns_queue_exit(q), 0, NULL);
	zns_dev_close(dev);
	free(buf);
	return failed;
}
