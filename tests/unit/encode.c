// SPDX-License-Identifier: MIT
/*
 * Unit suite "encode": the exact encoding of every command, every CDW
 * against the spec, and the argument checks every path runs first.
 */
#include "unit.h"

START_TEST(test_enc_rw)
{
	struct nvme_uring_cmd c = dirty();

	zns_enc_rw(&c, ZNS_OP_READ, 1, buf, 8192, 0x123456789aull, 2, 0);
	ASSERT_CMD(c, 0x02, 1, buf, 8192, 0x3456789a, 0x12, 1, 0, 0, 0);
	c = dirty();
	zns_enc_rw(&c, ZNS_OP_WRITE, 3, buf, 4096, 0x4000, 1, 0x4000);
	ASSERT_CMD(c, 0x01, 3, buf, 4096, 0x4000, 0, 0x40000000, 0, 0, 0);
	c = dirty();
	zns_enc_rw(&c, nvme_zns_cmd_append, 2, buf, 65536 * 512, 1ull << 40, 65536, 0);
	ASSERT_CMD(c, 0x7d, 2, buf, 65536 * 512, 0, 0x100, 0xffff, 0, 0, 0);
}
END_TEST

START_TEST(test_enc_pi)
{
	struct nvme_uring_cmd c = dirty();

	/* 64-bit reference tag: bits 63:32 in CDW3, 31:0 in CDW14; the
	 * application tag in CDW15 15:0, its mask in 31:16 */
	zns_enc_rw(&c, ZNS_OP_WRITE, 1, buf, 4096, 0x4000, 1, 0);
	zns_enc_pi(&c, 0x0000123456789abcull, 0xbeef, 0xff00);
	ck_assert_uint_eq(c.cdw3, 0x1234);
	ck_assert_uint_eq(c.cdw14, 0x56789abc);
	ck_assert_uint_eq(c.cdw15, 0xff00beef);
	ck_assert_uint_eq(c.cdw2, 0);
	ck_assert_uint_eq(c.cdw12, 0);
}
END_TEST

START_TEST(test_enc_write_zeroes_flush)
{
	struct nvme_uring_cmd c = dirty();

	zns_enc_write_zeroes(&c, 1, 0x10000, 16);
	ASSERT_CMD(c, 0x08, 1, 0, 0, 0x10000, 0, 15, 0, 0, 0);
	c = dirty();
	zns_enc_flush(&c, 9);
	ASSERT_CMD(c, 0x00, 9, 0, 0, 0, 0, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_enc_mgmt_send)
{
	struct nvme_uring_cmd c = dirty();

	/* CDW13 = zsa | select_all << 8 | zsaso << 9 */
	zns_enc_mgmt_send(&c, 1, 0x8000, NVME_ZNS_ZSA_RESET, 0, 0, NULL, 0);
	ASSERT_CMD(c, 0x79, 1, 0, 0, 0x8000, 0, 0, 0x4, 0, 0);
	zns_enc_mgmt_send(&c, 1, 0, NVME_ZNS_ZSA_CLOSE, 1, 0, NULL, 0);
	ASSERT_CMD(c, 0x79, 1, 0, 0, 0, 0, 0, 0x101, 0, 0);
	zns_enc_mgmt_send(&c, 1, 0x1ull << 33, NVME_ZNS_ZSA_OPEN, 0, 1, NULL, 0);
	ASSERT_CMD(c, 0x79, 1, 0, 0, 0, 2, 0, 0x203, 0, 0);
	zns_enc_mgmt_send(&c, 1, 0x4000, NVME_ZNS_ZSA_FINISH, 0, 0, NULL, 0);
	ck_assert_uint_eq(c.cdw13, 0x2);
	zns_enc_mgmt_send(&c, 1, 0x4000, NVME_ZNS_ZSA_OFFLINE, 0, 0, NULL, 0);
	ck_assert_uint_eq(c.cdw13, 0x5);
	zns_enc_mgmt_send(&c, 1, 0x4000, NVME_ZNS_ZSA_SET_DESC_EXT, 0, 0, buf, 64);
	ASSERT_CMD(c, 0x79, 1, buf, 64, 0x4000, 0, 0, 0x10, 0, 0);
	zns_enc_mgmt_send(&c, 1, 0x4007, NVME_ZNS_ZSA_ZRWA_FLUSH, 0, 0, NULL, 0);
	ASSERT_CMD(c, 0x79, 1, 0, 0, 0x4007, 0, 0, 0x11, 0, 0);
}
END_TEST

START_TEST(test_enc_mgmt_recv)
{
	struct nvme_uring_cmd c = dirty();

	/* NUMD = bytes / 4 - 1; CDW13 = zra | zrasf << 8 | partial << 16 */
	zns_enc_mgmt_recv(&c, 1, 0x4000, 0, 0, 0, buf, 4096);
	ASSERT_CMD(c, 0x7a, 1, buf, 4096, 0x4000, 0, 1023, 0, 0, 0);
	zns_enc_mgmt_recv(&c, 1, 0, NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES,
			  NVME_ZNS_ZRAS_REPORT_CLOSED, 1, buf, 64);
	ASSERT_CMD(c, 0x7a, 1, buf, 64, 0, 0, 15, 0x10401, 0, 0);
	zns_enc_mgmt_recv(&c, 1, 0, 0, NVME_ZNS_ZRAS_REPORT_OFFLINE, 0, buf, 8192);
	ck_assert_uint_eq(c.cdw13, 0x700);
	ck_assert_uint_eq(c.cdw12, 2047);
}
END_TEST

START_TEST(test_enc_admin)
{
	struct nvme_uring_cmd c = dirty();

	zns_enc_identify(&c, 1, ZNS_CNS_CSI_ID_NS, NVME_CSI_ZNS, buf);
	ASSERT_CMD(c, 0x06, 1, buf, 4096, 0x05, 0x02000000, 0, 0, 0, 0);
	zns_enc_identify(&c, 0, ZNS_CNS_CSI_ID_CTRL, NVME_CSI_ZNS, buf);
	ASSERT_CMD(c, 0x06, 0, buf, 4096, 0x06, 0x02000000, 0, 0, 0, 0);
	zns_enc_identify(&c, 0, ZNS_CNS_ID_CTRL, NVME_CSI_NVM, buf);
	ASSERT_CMD(c, 0x06, 0, buf, 4096, 0x01, 0, 0, 0, 0, 0);
	/* LID 0xbf, RAE bit 15, NUMDL = 1023, CSI 2 in CDW14 31:24 */
	zns_enc_get_log(&c, 1, NVME_LOG_LID_ZNS_CHANGED_ZONES, NVME_CSI_ZNS, 1, 0,
			buf, 4096);
	ASSERT_CMD(c, 0x02, 1, buf, 4096, 0x03ff80bf, 0, 0, 0, 0x02000000, 0);
	zns_enc_get_log(&c, 1, NVME_LOG_LID_ZNS_CHANGED_ZONES, NVME_CSI_ZNS, 0,
			0x100000000ull | 8, buf, 1u << 20);
	/* NUMD = 262143: NUMDL 0xffff, NUMDU 3; LPO split over CDW12-13 */
	ASSERT_CMD(c, 0x02, 1, buf, 1u << 20, 0xffff00bf, 3, 8, 1, 0x02000000, 0);
}
END_TEST

START_TEST(test_checks)
{
	struct zns_dev d = fake_dev(12, 16384, 16 * 16384);

	ck_assert_int_eq(zns_check_xfer(&d, buf, 0, 1, d.max_xfer), 0);
	ck_assert_int_eq(zns_check_xfer(&d, buf, 0, 0, d.max_xfer), -EINVAL);
	ck_assert_int_eq(zns_check_xfer(&d, NULL, 0, 1, d.max_xfer), -EFAULT);
	ck_assert_int_eq(zns_check_xfer(&d, buf, 0, 129, d.max_xfer), -E2BIG);
	ck_assert_int_eq(zns_check_xfer(&d, buf, 0, 33, d.zasl), -E2BIG);
	ck_assert_int_eq(zns_check_xfer(&d, buf, d.nr_lbas - 1, 2, d.max_xfer), -ERANGE);
	ck_assert_int_eq(zns_check_xfer(&d, buf, d.nr_lbas, 1, d.max_xfer), -ERANGE);
	ck_assert(zns_is_zone_start(&d, 16384));
	ck_assert(!zns_is_zone_start(&d, 16385));
	d = fake_dev(9, 15000, 10 * 15000);	/* not a power of two */
	ck_assert(zns_is_zone_start(&d, 30000));
	ck_assert(!zns_is_zone_start(&d, 30001));

	d = fake_dev(12, 16384, 16 * 16384);
	ck_assert_int_eq(zns_check_send(&d, 16384, NVME_ZNS_ZSA_RESET, 0, NULL, 0), 0);
	ck_assert_int_eq(zns_check_send(&d, 3, NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL, NULL, 0), 0);
	ck_assert_int_eq(zns_check_send(&d, 3, NVME_ZNS_ZSA_RESET, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(zns_check_send(&d, 0, 0x6, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_CLOSE, 1u << 7, NULL, 0), -EINVAL);
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf, 64), 0);
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf, 32), -EINVAL);
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0), -EOPNOTSUPP);
	d.info.numzrwa = 2;
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0), 0);
	ck_assert_int_eq(zns_check_send(&d, 0, NVME_ZNS_ZSA_CLOSE, ZNS_SEND_ZRWA, NULL, 0), -EINVAL);
	ck_assert_int_eq(zns_check_send(&d, 7, NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0), 0);
	ck_assert_int_eq(zns_check_send(&d, d.nr_lbas, NVME_ZNS_ZSA_RESET, 0, NULL, 0), -ERANGE);

	ck_assert_int_eq(zns_check_recv(&d, 0, 0, buf, 64), 0);
	ck_assert_int_eq(zns_check_recv(&d, 0, 0, buf, 60), -EINVAL);
	ck_assert_int_eq(zns_check_recv(&d, 0, 0, buf, 66), -EINVAL);
	ck_assert_int_eq(zns_check_recv(&d, 0, 8, buf, 64), -EINVAL);
	ck_assert_int_eq(zns_check_recv(&d, 2, 0, buf, 64), -EINVAL);
	ck_assert_int_eq(zns_check_recv(&d, 0, 0, buf, d.max_xfer + 4), -E2BIG);
	d.info.zdes = 0;
	ck_assert_int_eq(zns_check_recv(&d, 1, 0, buf, 64), -EINVAL);
}
END_TEST


int main(void)
{
	Suite *s = suite_create("encode");
	TCase *t = tcase_create("encode");

	tcase_add_test(t, test_enc_rw);
	tcase_add_test(t, test_enc_pi);
	tcase_add_test(t, test_enc_write_zeroes_flush);
	tcase_add_test(t, test_enc_mgmt_send);
	tcase_add_test(t, test_enc_mgmt_recv);
	tcase_add_test(t, test_enc_admin);
	tcase_add_test(t, test_checks);
	suite_add_tcase(s, t);
	return unit_run(s);
}
