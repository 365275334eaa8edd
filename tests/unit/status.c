// SPDX-License-Identifier: MIT
/*
 * Unit suite "status": the name of every NVMe status and what libzns's
 * own errors tell the caller to do.
 */
#include "unit.h"

#include <limits.h>

START_TEST(test_status)
{
	ck_assert_str_eq(zns_status_str(0), "Success");
	ck_assert_str_eq(zns_status_str(0x1b9), "Zone Is Full");
	ck_assert_str_eq(zns_status_str(0x41bc), "Zone Invalid Write");
	ck_assert_str_eq(zns_status_str(0x1be), "Too Many Open Zones");
	ck_assert_str_eq(zns_status_str(0x1bd), "Too Many Active Zones");
	ck_assert_str_eq(zns_status_str(0x1b8), "Zone Boundary Error");
	ck_assert_str_eq(zns_status_str(0x1ba), "Zone Is Read Only");
	ck_assert_str_eq(zns_status_str(0x1bb), "Zone Is Offline");
	ck_assert_str_eq(zns_status_str(0x1b6), "Invalid Zone Operation Request");
	ck_assert_str_eq(zns_status_str(0x1b7), "ZRWA Resources Unavailable");
	ck_assert_str_eq(zns_status_str(0x1bf), "Invalid Zone State Transition");
	ck_assert_str_eq(zns_status_str(0x6002), "Invalid Field in Command");
	ck_assert_str_eq(zns_status_str(0x80), "LBA Out of Range");
	ck_assert_str_eq(zns_status_str(0x281), "Unrecovered Read Error");
	ck_assert_str_eq(zns_status_str(0x371), "Command Aborted By Host");
	ck_assert_str_eq(zns_status_str(0x7ff), "Unknown NVMe status");
	ck_assert(strstr(zns_status_str(-EMEDIUMTYPE), "zoned") != NULL);
	ck_assert(strstr(zns_status_str(-EACCES), "root") != NULL);
	ck_assert(strstr(zns_status_str(-ENOENT), "path") != NULL);
	ck_assert(strstr(zns_status_str(-EBUSY), "zns_reap") != NULL);
	ck_assert_str_eq(zns_status_str(-EIO), strerror(EIO));
	/* the split */
	ck_assert_int_eq(zns_status_sct(0x41bc), 1);
	ck_assert_int_eq(zns_status_sc(0x41bc), 0xbc);
	ck_assert_int_eq(zns_status_dnr(0x41bc), 1);
	ck_assert_int_eq(zns_status_more(0x41bc), 0);
	ck_assert_int_eq(zns_status_more(0x6002), 1);
	ck_assert_int_eq(zns_status_code(0x6002), 0x002);
	ck_assert_int_eq(zns_status_dnr(-EIO), 0);
	ck_assert_int_eq(zns_status_sc(-EIO), 0);
}
END_TEST

START_TEST(test_status_table_sorted)
{
	int code, prev_named = -1;

	/* every code 0..0x7ff either names itself or is unknown; the binary
	 * search must find each entry, so walk them all */
	for (code = 0; code < 0x800; code++) {
		const char *s = zns_status_str(code | 0x4000);

		if (code && strcmp(s, "Unknown NVMe status") != 0)
			prev_named = code;
	}
	ck_assert_int_eq(prev_named, 0x371);
}
END_TEST


START_TEST(test_last_error)
{
	struct zns_dev d = fake_dev(12, 16384, 16 * 16384);

	/* each refusal names its rule, for this thread */
	ck_assert_int_eq(zns_append(&d, buf, 1, 1, NULL), -EINVAL);
	ck_assert(strstr(zns_last_error(), "zone") != NULL);
	ck_assert_int_eq(zns_read(&d, buf, 0, 0), -EINVAL);
	ck_assert(strstr(zns_last_error(), "nlb") != NULL);
	ck_assert_int_eq(zns_read(NULL, buf, 0, 1), -EINVAL);
	ck_assert(strstr(zns_last_error(), "NULL") != NULL);
	ck_assert_int_eq(zns_mgmt_send(&d, 0, 0x6, 0, NULL, 0, NULL), -EINVAL);
	ck_assert(strstr(zns_last_error(), "action") != NULL);
	ck_assert(strstr(zns_status_str(-EEXIST), "thread") != NULL);
	ck_assert(strstr(zns_status_str(-EDEADLK), "callback") != NULL);
	ck_assert(strstr(zns_status_str(-ENOLINK), "No live path") != NULL);
	/* found by fuzzing: -INT_MIN does not exist */
	ck_assert_str_eq(zns_status_str(INT_MIN), "Unknown status");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("status");
	TCase *t = tcase_create("status");

	tcase_add_test(t, test_status);
	tcase_add_test(t, test_status_table_sorted);
	tcase_add_test(t, test_last_error);
	suite_add_tcase(s, t);
	return unit_run(s);
}
