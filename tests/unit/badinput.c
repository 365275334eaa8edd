// SPDX-License-Identifier: MIT
/*
 * Unit suite "badinput": the bad-input table of libzns(7), row by row.
 * Each row calls one public function with one kind of bad input (or misuse)
 * and states the errno it must answer; every row is run, the rows that
 * libzns refuses itself must also have queued nothing, and the refusal
 * must leave a sentence in zns_last_error(). Run with --table, it prints
 * the rows as libzns(7) shows them; tests/check-badinput.sh fails when the
 * page's table and these rows differ. Devices: the null namespace (any
 * geometry, no device), the emulator, and paths that are not namespaces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libzns.h>

static struct zns_dev *nul;	/* 4 KiB blocks, 64 MiB zones, no metadata */
static struct zns_dev *nul_md;	/* the same with 8 bytes of metadata */
static struct zns_dev *emu;	/* the emulator, 4 zones */
static struct zns_queue *q;	/* depth 2, over the null device */
static char tmpdir[64];
static char buf[1 << 20] __attribute__((aligned(4096)));

/* A row that cannot run here (say why, count it apart). */
#define SKIP_ROW	1

static void nop(void *user, int status, uint64_t result)
{
	(void)user;
	(void)status;
	(void)result;
}

/* ------------------------------------------------------------- rows -- */

static int open_null_path(void)
{
	struct zns_dev *d;

	return zns_dev_open(NULL, &d);
}

static int open_null_devp(void)
{
	return zns_dev_open("/dev/null", NULL);
}

static int open_missing(void)
{
	struct zns_dev *d;

	return zns_dev_open("/nonexistent/ng0n1", &d);
}

static int open_regular(void)
{
	char p[128];
	struct zns_dev *d;
	int fd;

	snprintf(p, sizeof(p), "%s/file", tmpdir);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
	return zns_dev_open(p, &d);
}

static int open_directory(void)
{
	struct zns_dev *d;

	return zns_dev_open(tmpdir, &d);
}

static int open_not_nvme(void)
{
	struct zns_dev *d;

	return zns_dev_open("/dev/null", &d);
}

static int open_block(void)
{
	char p[128];
	struct zns_dev *d;

	/* a block device node (loop, major 7); made here, so root only */
	snprintf(p, sizeof(p), "%s/blk", tmpdir);
	if (access(p, F_OK) && mknod(p, S_IFBLK | 0600, makedev(7, 0)))
		return SKIP_ROW;	/* no privilege to make one: not run */
	return zns_dev_open(p, &d);
}

static int read_null_dev(void) { return zns_read(NULL, buf, 0, 1); }
static int read_null_buf(void) { return zns_read(nul, NULL, 0, 1); }
static int read_nlb0(void) { return zns_read(nul, buf, 0, 0); }
static int read_nlb_big(void) { return zns_read(nul, buf, 0, 65537); }
static int read_past_end(void)
{
	return zns_read(nul, buf, zns_dev_get_info(nul)->nr_lbas, 1);
}
static int read_too_long(void) { return zns_read(nul, buf, 0, 129); }
static int read_unaligned_buf(void) { return zns_read(emu, buf + 1, 0, 1); }
static int read_metadata_format(void) { return zns_read(nul_md, buf, 0, 1); }
static int append_not_zone_start(void) { return zns_append(nul, buf, 1, 1, NULL); }
static int append_too_long(void) { return zns_append(nul, buf, 0, 33, NULL); }
static int send_unknown_action(void) { return zns_mgmt_send(nul, 0, 0x9, 0, NULL, 0, NULL); }
static int send_not_zone_start(void)
{
	return zns_mgmt_send(nul, 3, NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL);
}
static int send_zrwa_without(void)
{
	return zns_mgmt_send(nul, 0, NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0, NULL);
}
static int recv_short(void) { return zns_mgmt_recv(nul, 0, 0, 0, 1, buf, 60); }
static int recv_too_long(void) { return zns_mgmt_recv(nul, 0, 0, 0, 1, buf, 1u << 20); }
static int report_null_nr(void) { return zns_report_zones(nul, 0, 0, NULL, NULL, NULL); }
static int opts_md_without(void)
{
	struct zns_io_opts o = { .size = sizeof(o), .md = buf, .md_len = 8 };

	return zns_read_opts(nul, buf, 0, 1, &o);
}
static int opts_small_size(void)
{
	struct zns_io_opts o = { .size = 8 };

	return zns_write_opts(nul, buf, 0, 1, &o);
}
static int writev_short(void)
{
	struct iovec v = { buf, 512 };

	return zns_writev(nul, &v, 1, 0, 1);
}
static int queue_init_null(void) { return zns_queue_init(NULL, NULL); }
static int prep_null_queue(void) { return zns_prep_read(NULL, nul, buf, 0, 1, nop, NULL); }
static int prep_full_queue(void)
{
	int rc;

	zns_prep_read(q, nul, buf, 0, 1, nop, NULL);
	zns_prep_read(q, nul, buf, 0, 1, nop, NULL);
	rc = zns_prep_read(q, nul, buf, 0, 1, nop, NULL);
	zns_reap(q, 2, -1);
	return rc;
}

static char thread_why[256];	/* the other thread's zns_last_error() */

static void *other_thread(void *arg)
{
	*(int *)arg = zns_prep_read(q, nul, buf, 0, 1, nop, NULL);
	snprintf(thread_why, sizeof(thread_why), "%s", zns_last_error());
	return NULL;
}
static int prep_other_thread(void)
{
	pthread_t t;
	int rc = 0;

	zns_prep_read(q, nul, buf, 0, 1, nop, NULL);	/* binds q here */
	zns_reap(q, 1, -1);
	pthread_create(&t, NULL, other_thread, &rc);
	pthread_join(t, NULL);
	return rc;
}

static int exit_rc;
static void exit_in_cb(void *user, int status, uint64_t result)
{
	(void)status;
	(void)result;
	exit_rc = zns_queue_exit(user);
}
static int exit_from_callback(void)
{
	zns_prep_read(q, nul, buf, 0, 1, exit_in_cb, q);
	zns_reap(q, 1, -1);
	return exit_rc;
}
static int reap_null(void) { return zns_reap(NULL, 1, 0); }
static int prep_admin_null_dev(void)
{
	static struct nvme_zns_id_ctrl id;

	return zns_prep_identify_ctrl(q, NULL, &id, nop, NULL);
}
static int zoned_not_owner(void)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4, .sq_thread_cpu = -1 };
	struct zns_queue *a, *b;
	struct zns_zoned *zt;
	uint32_t zone = 0;
	int rc;

	if (zns_zoned_open(emu, NULL, &zt))
		return -EIO;
	zns_queue_init(&a, &qo);
	zns_queue_init(&b, &qo);
	rc = zns_zoned_alloc(zt, a, 0, 2, 0, &zone);
	if (!rc)
		rc = zns_zoned_write(zt, b, zone, buf, 1, NULL, NULL);
	zns_queue_exit(a);
	zns_queue_exit(b);
	zns_zoned_close(zt);
	return rc;
}

/* A zone with a ZRWA (an emulated device with ZRWAs, the layer with
 * ZNS_ZONED_ZRWA, one block written to zone 0): @append appends to it,
 * else writes one block more than its ZRWA holds. */
static int zoned_zrwa(int append)
{
	struct zns_emu_opts eo = { .size = sizeof(eo), .lba_size = 4096, .nr_zones = 4,
				   .zone_size = 1024, .numzrwa = 2, .zrwas = 16, .zrwafg = 4 };
	struct zns_zoned_opts zo = { .size = sizeof(zo), .flags = ZNS_ZONED_ZRWA };
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4, .sq_thread_cpu = -1 };
	static uint8_t big[17 * 4096] __attribute__((aligned(4096)));
	struct zns_zoned *zt = NULL;
	struct zns_queue *zq = NULL;
	struct zns_dev *d = NULL;
	int rc = zns_dev_open_emu(&eo, &d);

	if (!rc)
		rc = zns_zoned_open(d, &zo, &zt);
	if (!rc)
		rc = zns_queue_init(&zq, &qo);
	if (!rc)
		rc = zns_zoned_write(zt, zq, 0, big, 1, NULL, NULL);
	while (!rc && zns_queue_inflight(zq))
		rc = zns_reap(zq, 1, -1) < 0 ? -EIO : 0;
	if (!rc)
		rc = append ? zns_zoned_append(zt, zq, 0, big, 1, NULL, NULL) :
			      zns_zoned_write(zt, zq, 0, big, 17, NULL, NULL);
	if (zq)
		zns_queue_exit(zq);
	zns_zoned_close(zt);
	zns_dev_close(d);
	return rc;
}
static int zoned_zrwa_append(void) { return zoned_zrwa(1); }

/* A write to a zone whose reset is in flight (not reaped yet). */
static int zoned_while_reset(void)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4, .sq_thread_cpu = -1 };
	struct zns_zoned *zt = NULL;
	struct zns_queue *zq = NULL;
	int rc = zns_zoned_open(emu, NULL, &zt);

	if (!rc)
		rc = zns_queue_init(&zq, &qo);
	if (!rc)
		rc = zns_zoned_reset(zt, zq, 3, NULL, NULL);
	if (!rc)
		rc = zns_zoned_write(zt, zq, 3, buf, 1, NULL, NULL);
	while (zq && zns_queue_inflight(zq))
		if (zns_reap(zq, 1, -1) < 0)
			break;
	if (zq)
		zns_queue_exit(zq);
	zns_zoned_close(zt);
	return rc;
}
static int zoned_zrwa_too_long(void) { return zoned_zrwa(0); }

struct row {
	const char *call, *input;
	int (*run)(void);
	int want;		/* 0, -errno */
	int refused;		/* libzns refuses it itself: a sentence */
};

#define ROW(c, i, f, w) { c, i, f, w, (w) != 0 }
static const struct row rows[] = {
	ROW("zns_dev_open", "NULL path", open_null_path, -EINVAL),
	ROW("zns_dev_open", "NULL devp", open_null_devp, -EINVAL),
	ROW("zns_dev_open", "missing path", open_missing, -ENOENT),
	ROW("zns_dev_open", "regular file", open_regular, -ENOTTY),
	ROW("zns_dev_open", "directory", open_directory, -ENOTTY),
	ROW("zns_dev_open", "block device not NVMe", open_block, -ENOTTY),
	ROW("zns_dev_open", "char device not NVMe (/dev/null)", open_not_nvme, -ENOTTY),
	ROW("zns_read", "NULL dev", read_null_dev, -EINVAL),
	ROW("zns_read", "NULL buf", read_null_buf, -EFAULT),
	ROW("zns_read", "nlb 0", read_nlb0, -EINVAL),
	ROW("zns_read", "nlb above 65536", read_nlb_big, -EINVAL),
	ROW("zns_read", "slba past the end", read_past_end, -ERANGE),
	ROW("zns_read", "longer than max_xfer", read_too_long, -E2BIG),
	ROW("zns_read", "buffer not aligned", read_unaligned_buf, 0),
	ROW("zns_read", "format with metadata", read_metadata_format, -EINVAL),
	ROW("zns_append", "zslba not a zone start", append_not_zone_start, -EINVAL),
	ROW("zns_append", "longer than zasl", append_too_long, -E2BIG),
	ROW("zns_mgmt_send", "unknown action", send_unknown_action, -EINVAL),
	ROW("zns_mgmt_send", "slba not a zone start", send_not_zone_start, -EINVAL),
	ROW("zns_mgmt_send", "ZRWA without ZRWA support", send_zrwa_without, -EOPNOTSUPP),
	ROW("zns_mgmt_recv", "len below 64", recv_short, -EINVAL),
	ROW("zns_mgmt_recv", "len above max_xfer", recv_too_long, -E2BIG),
	ROW("zns_report_zones", "NULL nr_zones", report_null_nr, -EINVAL),
	ROW("zns_read_opts", "md on a format without metadata", opts_md_without, -EINVAL),
	ROW("zns_write_opts", "opts->size below 40", opts_small_size, -EINVAL),
	ROW("zns_writev", "vector shorter than nlb", writev_short, -EINVAL),
	ROW("zns_queue_init", "NULL qp", queue_init_null, -EINVAL),
	ROW("zns_prep_read", "NULL queue", prep_null_queue, -EINVAL),
	ROW("zns_prep_read", "full queue", prep_full_queue, -EBUSY),
	ROW("zns_prep_read", "queue of another thread", prep_other_thread, -EEXIST),
	ROW("zns_prep_identify_ctrl", "NULL dev", prep_admin_null_dev, -EINVAL),
	ROW("zns_reap", "NULL queue", reap_null, -EINVAL),
	ROW("zns_queue_exit", "from its own callback", exit_from_callback, -EDEADLK),
	ROW("zns_zoned_write", "zone another queue owns", zoned_not_owner, -EPERM),
	ROW("zns_zoned_write", "above zrwas in a zone with a ZRWA", zoned_zrwa_too_long, -EINVAL),
	ROW("zns_zoned_append", "zone with a ZRWA", zoned_zrwa_append, -EINVAL),
	ROW("zns_zoned_write", "zone whose reset is in flight", zoned_while_reset, -EBUSY),
};

static const char *errname(int rc)
{
	switch (-rc) {
	case 0: return "0 (works)";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case ENOTTY: return "ENOTTY";
	case ERANGE: return "ERANGE";
	case E2BIG: return "E2BIG";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EDEADLK: return "EDEADLK";
	case EPERM: return "EPERM";
	case ENODEV: return "ENODEV";
	default: return "?";
	}
}

static void setup(void)
{
	struct zns_dev_info in;
	struct zns_emu_opts eo;
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 2, .sq_thread_cpu = -1,
				     .flags = ZNS_QUEUE_NULL };

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zns-badinput-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(1);
	}
	memset(&in, 0, sizeof(in));
	in.lba_shift = 12;
	in.nr_lbas = 1ull << 20;
	in.zone_size = 16384;
	in.max_xfer = 512 << 10;
	in.zasl = 128 << 10;
	in.max_open = in.max_active = ZNS_NO_LIMIT;
	if (zns_dev_open_null(&in, &nul))
		exit(1);
	in.ms = 8;
	if (zns_dev_open_null(&in, &nul_md))
		exit(1);
	eo = (struct zns_emu_opts){ .size = sizeof(eo), .lba_size = 4096, .nr_zones = 4,
				    .zone_size = 4096, .mdts = 512 << 10, .zasl = 128 << 10 };
	if (zns_dev_open_emu(&eo, &emu))
		exit(1);
	if (zns_queue_init(&q, &qo))
		exit(1);
}

int main(int argc, char **argv)
{
	unsigned int i, bad = 0, skipped = 0;

	if (argc > 1 && !strcmp(argv[1], "--table")) {
		for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			printf("%s|%s|%s\n", rows[i].call, rows[i].input, errname(rows[i].want));
		return 0;
	}
	setup();
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const char *why;
		int rc;

		if (r->run == exit_from_callback || r->run == prep_other_thread ||
		    r->run == prep_full_queue) {
			/* a fresh queue each: these leave it bound or full */
			struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 2,
						     .sq_thread_cpu = -1, .flags = ZNS_QUEUE_NULL };

			zns_queue_exit(q);
			q = NULL;
			if (zns_queue_init(&q, &qo))
				exit(1);
		}
		rc = r->run();
		why = r->run == prep_other_thread ? thread_why : zns_last_error();
		if (rc == SKIP_ROW) {
			printf("skip: %s, %s: not run (making a block device node needs root)\n",
			       r->call, r->input);
			skipped++;
		} else if (rc != r->want) {
			printf("FAIL: %s, %s: %d (%s), want %s\n", r->call, r->input, rc,
			       zns_status_str(rc), errname(r->want));
			bad++;
		} else if (r->refused && (!why || !*why)) {
			printf("FAIL: %s, %s: no sentence in zns_last_error()\n", r->call, r->input);
			bad++;
		} else {
			printf("ok: %s, %s: %s%s%s\n", r->call, r->input, errname(rc),
			       r->refused ? " -- " : "", r->refused ? why : "");
		}
	}
	zns_queue_exit(q);
	zns_dev_close(nul);
	zns_dev_close(nul_md);
	zns_dev_close(emu);
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/file", tmpdir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/blk", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
	printf("%u passed, %u failed, %u not run: the bad-input table of libzns(7)\n",
	       (unsigned int)(sizeof(rows) / sizeof(rows[0])) - bad - skipped, bad, skipped);
	return bad ? 1 : 0;
}
