// SPDX-License-Identifier: MIT
/*
 * Integration case "identify": opening a namespace, its geometry against
 * the configuration and against nvme-cli, and every way opening fails.
 */
#include <unistd.h>
#include <sys/wait.h>

#include "itest.h"

START_TEST(test_identify_geometry)
{
	struct nvme_zns_id_ns *id = xalloc(4096);
	struct nvme_zns_id_ctrl *ic = xalloc(4096);

	ck_assert_int_eq(zns_identify_ns(dev, id), 0);
	ck_assert_int_eq(zns_identify_ctrl(dev, ic), 0);
	ck_assert_uint_eq(info->nr_zones, info->nr_lbas / info->zone_size);
	ck_assert_uint_eq(info->lba_size, 1u << info->lba_shift);
	ck_assert_uint_eq(info->zone_size,
			  zns_le64(id->lbafe[0].zsze) ? zns_le64(id->lbafe[0].zsze) : info->zone_size);
	if (zns_le32(id->mor) != 0xffffffffu)
		ck_assert_uint_eq(info->max_open, zns_le32(id->mor) + 1);
	if (ex) {
		ck_assert_uint_eq(info->lba_size, ex->lba_size);
		ck_assert_uint_eq(info->zone_size, ex->zone_size);
		ck_assert_uint_eq(info->zone_cap, ex->zone_cap);
		ck_assert_uint_eq(info->nr_zones, ex->nr_zones);
		ck_assert_uint_eq(info->max_open, ex->max_open);
		ck_assert_uint_eq(info->max_active, ex->max_active);
		ck_assert_uint_eq(info->zdes, ex->zdes);
		ck_assert_uint_eq(info->numzrwa, ex->numzrwa);
		ck_assert_uint_eq(info->zrwas, ex->zrwas);
		ck_assert_uint_eq(info->zrwafg, ex->zrwafg);
		if (ex->zasl)
			ck_assert_uint_eq(info->zasl, ex->zasl);
		else
			ck_assert_uint_eq(info->zasl, info->max_xfer);
		ck_assert_uint_eq(ic->zasl ? 4096u << ic->zasl : 0,
				  ex->zasl);
	}
	ck_assert_str_eq(info->path, dev_path);
	ck_assert_int_ge(zns_dev_ctrl_fd(dev), 0);
	free(id);
	free(ic);
}
END_TEST

static int json_num(const char *s, const char *key, const char **pos,
		    unsigned long long *v)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(*pos, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	*v = strtoull(p, NULL, 0);
	*pos = p;
	(void)s;
	return 0;
}

static char *run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	size_t cap = 1 << 20, n;
	char *out = calloc(1, cap);

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	ck_assert_int_eq(pclose(f), 0);
	return out;
}

START_TEST(test_nvme_cli_cross_check)
{
	char cmd[256];
	struct zns_zone *zones = calloc(info->nr_zones, sizeof(*zones));
	unsigned int nr = (unsigned int)info->nr_zones, i;
	struct nvme_zns_id_ns *id = xalloc(4096);
	const char *pos;
	unsigned long long v;
	char *out;
	void *buf = xalloc(info->lba_size * 3);

	/* Leave some zones in distinct states first. */
	ck_assert_int_eq(zns_write(dev, buf, zslba(1), 3), 0);
	ck_assert_int_eq(zns_open_zone(dev, zslba(2)), 0);
	ck_assert_int_eq(zns_finish_zone(dev, zslba(3)), 0);

	snprintf(cmd, sizeof(cmd), "nvme zns id-ns %s -o json", dev_path);
	out = run(cmd);
	ck_assert_int_eq(zns_identify_ns(dev, id), 0);
	pos = out;
	/* nvme-cli prints 0xffffffff as -1 */
	ck_assert_int_eq(json_num(out, "mar", &pos, &v), 0);
	ck_assert_uint_eq((uint32_t)v, zns_le32(id->mar));
	ck_assert_int_eq(json_num(out, "mor", &pos, &v), 0);
	ck_assert_uint_eq((uint32_t)v, zns_le32(id->mor));
	ck_assert_int_eq(json_num(out, "zsze", &pos, &v), 0);
	ck_assert_uint_eq(v, zns_le64(id->lbafe[0].zsze));
	free(out);

	snprintf(cmd, sizeof(cmd), "nvme zns report-zones %s -o json", dev_path);
	out = run(cmd);
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, zones, &nr, NULL), 0);
	ck_assert_uint_eq(nr, info->nr_zones);
	pos = out;
	ck_assert_int_eq(json_num(out, "nr_zones", &pos, &v), 0);
	ck_assert_uint_eq(v, info->nr_zones);
	for (i = 0; i < nr; i++) {
		ck_assert_int_eq(json_num(out, "slba", &pos, &v), 0);
		ck_assert_uint_eq(v, zones[i].zslba);
		ck_assert_int_eq(json_num(out, "wp", &pos, &v), 0);
		ck_assert_uint_eq(v, zones[i].wp);
		ck_assert_int_eq(json_num(out, "cap", &pos, &v), 0);
		ck_assert_uint_eq(v, zones[i].zcap);
	}
	ck_assert_uint_eq(zones[1].wp, zslba(1) + 3);
	ck_assert_uint_eq(zones[1].state, NVME_ZNS_ZS_IMPL_OPEN);
	ck_assert_uint_eq(zones[2].state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_uint_eq(zones[3].state, NVME_ZNS_ZS_FULL);
	free(out);
	free(zones);
	free(id);
	free(buf);
}
END_TEST

START_TEST(test_open_errors)
{
	struct zns_dev *d = NULL;
	char path[64];

	ck_assert_int_eq(zns_dev_open("/dev/does-not-exist", &d), -ENOENT);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(zns_dev_open("/dev/null", &d), -ENOTTY);
	ck_assert_int_eq(zns_dev_open("/tmp", &d), -ENOTTY);
	/* the block device name resolves to the generic char device */
	snprintf(path, sizeof(path), "/dev/nvme%s", dev_path + strlen("/dev/ng"));
	ck_assert_int_eq(zns_dev_open(path, &d), 0);
	ck_assert_str_eq(zns_dev_get_info(d)->path, dev_path);
	zns_dev_close(d);
	if (geteuid() == 0) {
		/* without CAP_SYS_ADMIN-owned access: drop to nobody */
		pid_t pid = fork();

		if (pid == 0) {
			if (setuid(65534) != 0)
				_exit(3);
			_exit(zns_dev_open(dev_path, &d) == -EACCES ? 0 : 1);
		}
		ck_assert_int_gt(pid, 0);
		{
			int st;

			ck_assert_int_eq(waitpid(pid, &st, 0), pid);
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
				      "unprivileged open did not answer -EACCES");
		}
	}
}
END_TEST

void add_identify(Suite *s)
{
	TCase *t = tcase_create("identify");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_identify_geometry);
	tcase_add_test(t, test_nvme_cli_cross_check);
	tcase_add_test(t, test_open_errors);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
}

/* A conventional namespace: refused as not zoned. */
START_TEST(test_conventional_namespace)
{
	struct zns_dev *d = NULL;
	int rc = zns_dev_open(dev_path, &d);

	ck_assert_msg(rc == -EMEDIUMTYPE, "open conventional ns: %d", rc);
	ck_assert_ptr_null(d);
	ck_assert(strstr(zns_status_str(rc), "zoned") != NULL);
}
END_TEST

void add_negative(Suite *s)
{
	TCase *t = tcase_create("negative");

	tcase_add_test(t, test_conventional_namespace);
	suite_add_tcase(s, t);
}
