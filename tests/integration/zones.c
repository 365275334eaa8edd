// SPDX-License-Identifier: MIT
/*
 * Integration case "zones": zone state transitions, select-all and report
 * filters, partial reports, descriptor extensions, open limits, ZRWA,
 * offline, and the libnvme-compatible zone management send.
 */
#include "itest.h"

START_TEST(test_zone_state_transitions)
{
	void *buf = xalloc(info->lba_size);
	uint64_t res = 0;
	int rc;

	ck_assert_uint_eq(get_zone(0).state, NVME_ZNS_ZS_EMPTY);
	/* a write opens implicitly */
	ck_assert_int_eq(zns_write(dev, buf, zslba(0), 1), 0);
	ck_assert_uint_eq(get_zone(0).state, NVME_ZNS_ZS_IMPL_OPEN);
	ck_assert_uint_eq(get_zone(0).wp, zslba(0) + 1);
	/* explicit open, close, finish, reset */
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(1), NVME_ZNS_ZSA_OPEN, 0, NULL, 0, NULL), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_EXPL_OPEN);
	/* a zone closed with nothing written may go back to empty (Linux's
	 * zoned model); with data it is closed everywhere */
	ck_assert_int_eq(zns_write(dev, buf, zslba(1), 1), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(1), NVME_ZNS_ZSA_CLOSE, 0, NULL, 0, NULL), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(0), NVME_ZNS_ZSA_FINISH, 0, NULL, 0, NULL), 0);
	/* the write pointer of a full zone is not valid; not checked */
	ck_assert_uint_eq(get_zone(0).state, NVME_ZNS_ZS_FULL);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(0), NVME_ZNS_ZSA_RESET, 0, NULL, 0, &res), 0);
	ck_assert_uint_eq(get_zone(0).state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(get_zone(0).wp, zslba(0));
	/* closing an empty zone is not a valid transition */
	rc = zns_mgmt_send(dev, zslba(2), NVME_ZNS_ZSA_CLOSE, 0, NULL, 0, NULL);
	if (ex)
		ck_assert_msg(rc == ex->close_empty, "close empty: %#x", rc);
	else
		ck_assert_int_eq(zns_status_code(rc), 0x1bf);
	ck_assert_str_eq(zns_status_str(0x41bf), "Invalid Zone State Transition");
	free(buf);
}
END_TEST

START_TEST(test_select_all_and_filters)
{
	struct zns_zone z[64];
	unsigned int nr, i;
	void *buf = xalloc(info->lba_size);

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(zns_open_zone(dev, zslba(i)), 0);
		ck_assert_int_eq(zns_write(dev, buf, zslba(i), 1), 0);
	}
	free(buf);
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_EXPL_OPENED, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_CLOSE, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_CLOSED, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(z[2].zslba, zslba(2));
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_EXPL_OPENED, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 0);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_FINISH, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_FULL, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 3);
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_EMPTY, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, info->nr_zones - 3 < 64 ? info->nr_zones - 3 : 64);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
	nr = 64;
	ck_assert_int_eq(zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_FULL, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 0);
}
END_TEST

START_TEST(test_report_partial_and_raw)
{
	uint8_t *buf = xalloc(4096);
	struct zns_zone z[8];
	unsigned int nr;
	struct nvme_zns_mgmt_recv_args a = {
		.slba = 0, .data = buf, .args_size = sizeof(a),
		.fd = zns_dev_fd(dev), .nsid = info->nsid,
		.zra = NVME_ZNS_ZRA_REPORT_ZONES, .data_len = 64 + 2 * 64,
		.zrasf = NVME_ZNS_ZRAS_REPORT_ALL, .zras_feat = false,
	};

	/* without partial, nr_zones counts every matching zone */
	ck_assert_int_eq(nvme_zns_mgmt_recv(&a), 0);
	ck_assert_uint_eq(zns_le64(((struct nvme_zone_report *)buf)->nr_zones),
			  info->nr_zones);
	ck_assert_int_eq(zns_parse_report(buf, a.data_len, 0, z, 8, &nr), 0);
	ck_assert_uint_eq(nr, 2);
	ck_assert_uint_eq(z[1].zslba, zslba(1));
	/* with partial, only what fits */
	ck_assert_int_eq(zns_mgmt_recv(dev, zslba(1), 0, 0, 1, buf, 64 + 2 * 64), 0);
	ck_assert_uint_eq(zns_le64(((struct nvme_zone_report *)buf)->nr_zones), 2);
	ck_assert_int_eq(zns_parse_report(buf, 192, 0, z, 8, &nr), 0);
	ck_assert_uint_eq(z[0].zslba, zslba(1));
	ck_assert_uint_eq(z[1].zslba, zslba(2));
	/* the libnvme helper */
	ck_assert_int_eq(nvme_zns_report_zones(zns_dev_fd(dev), info->nsid, zslba(3),
			 NVME_ZNS_ZRAS_REPORT_ALL, false, true, 128, buf, 0, NULL), 0);
	ck_assert_int_eq(zns_parse_report(buf, 128, 0, z, 8, &nr), 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_uint_eq(z[0].zslba, zslba(3));
	/* bad lengths are refused before the device sees them */
	ck_assert_int_eq(zns_mgmt_recv(dev, 0, 0, 0, 0, buf, 63), -EINVAL);
	ck_assert_int_eq(zns_mgmt_recv(dev, 0, 0, 0, 0, buf, info->max_xfer + 4096), -E2BIG);
	free(buf);
}
END_TEST

START_TEST(test_descriptor_extension)
{
	uint8_t *data, *ext;
	struct zns_zone z[4];
	unsigned int nr = 4;

	if (!info->zdes) {
		ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_SET_DESC_EXT, 0,
				 NULL, 0, NULL), -EINVAL);
		ck_assert_int_eq(zns_report_zones(dev, 0, 0, z, &nr, z), -EINVAL);
		return;
	}
	data = xalloc(info->zdes);
	ext = xalloc(4 * info->zdes);
	memset(data, 0x5a, info->zdes);
	memcpy(data, "libzns descriptor extension", 27);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(2), NVME_ZNS_ZSA_SET_DESC_EXT, 0,
			 data, info->zdes, NULL), 0);
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, z, &nr, ext), 0);
	ck_assert_uint_eq(nr, 4);
	ck_assert_uint_eq(z[2].state, NVME_ZNS_ZS_CLOSED);
	ck_assert(z[2].attrs & NVME_ZNS_ZA_ZDEV);
	ck_assert(!(z[1].attrs & NVME_ZNS_ZA_ZDEV));
	ck_assert_mem_eq(ext + 2 * info->zdes, data, info->zdes);
	/* a second time on a non-empty zone is an invalid transition */
	ck_assert_int_eq(zns_status_code(zns_mgmt_send(dev, zslba(2),
			 NVME_ZNS_ZSA_SET_DESC_EXT, 0, data, info->zdes, NULL)), 0x1bf);
	free(data);
	free(ext);
}
END_TEST

START_TEST(test_open_limit)
{
	unsigned int i;
	int rc;

	if (info->max_open == ZNS_NO_LIMIT || info->max_open >= info->nr_zones) {
		for (i = 0; i < info->nr_zones && i < 64; i++)
			ck_assert_int_eq(zns_open_zone(dev, zslba(i)), 0);
		return;
	}
	for (i = 0; i < info->max_open; i++)
		ck_assert_int_eq(zns_open_zone(dev, zslba(i)), 0);
	rc = zns_mgmt_send(dev, zslba(i), NVME_ZNS_ZSA_OPEN, 0, NULL, 0, NULL);
	if (ex)
		ck_assert_msg(rc == ex->open_over_limit, "open past limit: %#x", rc);
	else
		ck_assert(zns_status_code(rc) == 0x1be || zns_status_code(rc) == 0x1bd);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
}
END_TEST

START_TEST(test_zrwa)
{
	uint8_t *buf;

	if (!info->numzrwa) {
		/* open with a ZRWA where there is none: refused up front */
		ck_assert_int_eq(zns_mgmt_send(dev, zslba(0), NVME_ZNS_ZSA_OPEN,
				 ZNS_SEND_ZRWA, NULL, 0, NULL), -EOPNOTSUPP);
		ck_assert_int_eq(zns_mgmt_send(dev, zslba(0) + 1, NVME_ZNS_ZSA_ZRWA_FLUSH,
				 0, NULL, 0, NULL), -EOPNOTSUPP);
		return;
	}
	buf = xalloc(info->lba_size * info->zrwafg);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(0), NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA,
			 NULL, 0, NULL), 0);
	ck_assert(get_zone(0).attrs & NVME_ZNS_ZA_ZRWAV);
	/* inside the ZRWA, writes may land anywhere: write the second
	 * granule, then the first */
	ck_assert_int_eq(zns_write(dev, buf, zslba(0) + info->zrwafg, info->zrwafg), 0);
	ck_assert_int_eq(zns_write(dev, buf, zslba(0), info->zrwafg), 0);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(0) + info->zrwafg - 1,
			 NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, NULL), 0);
	ck_assert_uint_eq(get_zone(0).wp, zslba(0) + info->zrwafg);
	/* the flush LBA is not a zone start, and must be inside the namespace */
	ck_assert_int_eq(zns_mgmt_send(dev, info->nr_lbas, NVME_ZNS_ZSA_ZRWA_FLUSH,
			 0, NULL, 0, NULL), -ERANGE);
	free(buf);
}
END_TEST

START_TEST(test_offline_needs_read_only)
{
	/* Offline is valid only from read-only; an empty zone refuses */
	int rc = zns_mgmt_send(dev, zslba(0), NVME_ZNS_ZSA_OFFLINE, 0, NULL, 0, NULL);

	ck_assert_msg(zns_status_code(rc) == 0x1bf, "offline empty: %#x", rc);
	ck_assert_int_eq(zns_mgmt_send(dev, zslba(0) + 1, NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL), -EINVAL);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, 0x42, 0, NULL, 0, NULL), -EINVAL);
}
END_TEST

START_TEST(test_compat_mgmt_send)
{
	__u32 result = 7;
	struct nvme_zns_mgmt_send_args a = {
		.slba = zslba(1), .result = &result, .args_size = sizeof(a),
		.fd = zns_dev_fd(dev), .nsid = info->nsid,
		.zsa = NVME_ZNS_ZSA_OPEN,
	};
	void *buf = xalloc(info->lba_size);

	ck_assert_int_eq(nvme_zns_mgmt_send(&a), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_int_eq(zns_write(dev, buf, zslba(1), 1), 0);
	free(buf);
	a.zsa = NVME_ZNS_ZSA_CLOSE;
	ck_assert_int_eq(nvme_zns_mgmt_send(&a), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_CLOSED);
	a.slba = zslba(2);
	ck_assert_int_eq(nvme_zns_mgmt_send(&a), ex ? ex->close_empty : 0x41bf);
	a.zsa = NVME_ZNS_ZSA_RESET;
	a.select_all = true;
	ck_assert_int_eq(nvme_zns_mgmt_send(&a), 0);
	ck_assert_uint_eq(get_zone(1).state, NVME_ZNS_ZS_EMPTY);
	a.args_size = 4;
	errno = 0;
	ck_assert_int_eq(nvme_zns_mgmt_send(&a), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

void add_zones(Suite *s)
{
	TCase *t = tcase_create("zones");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_zone_state_transitions);
	tcase_add_test(t, test_select_all_and_filters);
	tcase_add_test(t, test_report_partial_and_raw);
	tcase_add_test(t, test_descriptor_extension);
	tcase_add_test(t, test_open_limit);
	tcase_add_test(t, test_zrwa);
	tcase_add_test(t, test_offline_needs_read_only);
	tcase_add_test(t, test_compat_mgmt_send);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
}
