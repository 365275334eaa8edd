// SPDX-License-Identifier: MIT
/*
 * Integration case "admin": the admin commands (ZNS identify namespace and
 * controller, the changed-zone log), native and libnvme-compatible.
 */
#include "itest.h"

START_TEST(test_identify_compat_equals_native)
{
	struct nvme_zns_id_ns *a = xalloc(4096), *b = xalloc(4096);
	struct nvme_zns_id_ctrl *c = xalloc(4096), *d = xalloc(4096);
	int fd = zns_dev_fd(dev);

	ck_assert_int_eq(zns_identify_ns(dev, a), 0);
	ck_assert_int_eq(nvme_zns_identify_ns(fd, info->nsid, b), 0);
	ck_assert_mem_eq(a, b, 4096);
	ck_assert_int_eq(zns_identify_ctrl(dev, c), 0);
	ck_assert_int_eq(nvme_zns_identify_ctrl(zns_dev_ctrl_fd(dev), d), 0);
	ck_assert_mem_eq(c, d, 4096);
	free(a); free(b); free(c); free(d);
}
END_TEST

START_TEST(test_changed_zone_log)
{
	struct nvme_zns_changed_zone_log *log = xalloc(4096), *log2 = xalloc(4096);
	int rc = zns_get_changed_zones(dev, 1, log);
	int rc2 = nvme_get_log_zns_changed_zones(zns_dev_ctrl_fd(dev),
						 info->nsid, true, log2);

	if (ex)
		ck_assert_msg(rc == ex->log_status, "log status %#x, want %#x",
			      rc, ex->log_status);
	ck_assert_int_eq(rc2, rc);
	ck_assert_int_eq(nvme_zns_get_log_changed_zones(zns_dev_ctrl_fd(dev),
			 info->nsid, true, log2), rc);
	if (rc == 0)
		ck_assert(zns_le16(log->nrzid) <= 511 ||
			  zns_le16(log->nrzid) == NVME_ZNS_CHANGED_ZONES_OVERFLOW);
	free(log);
	free(log2);
}
END_TEST

void add_admin(Suite *s)
{
	TCase *t = tcase_create("admin");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_identify_compat_equals_native);
	tcase_add_test(t, test_changed_zone_log);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
}
