// SPDX-License-Identifier: MIT
/*
 * Integration case "io": appends read back where the device said, and the
 * exact status of every write the device refuses.
 */
#include "itest.h"

START_TEST(test_append_read_back)
{
	uint32_t nlb = 4, i;
	size_t len = (size_t)nlb * info->lba_size;
	uint8_t *w = xalloc(len), *r = xalloc(len);
	uint64_t lba, prev = 0;
	__u64 lba64 = 0;

	for (i = 0; i < 4; i++) {
		fill(w, len, i);
		ck_assert_int_eq(zns_append(dev, w, zslba(1), nlb, &lba), 0);
		if (i)
			ck_assert_uint_eq(lba, prev + nlb);
		else
			ck_assert_uint_eq(lba, zslba(1));
		prev = lba;
		ck_assert_int_eq(zns_read(dev, r, lba, nlb), 0);
		ck_assert_mem_eq(r, w, len);
	}
	/* the libnvme call, NLB 0's based, result is the LBA */
	{
		struct nvme_zns_append_args a = {
			.zslba = zslba(1), .result = &lba64, .data = w,
			.args_size = sizeof(a), .fd = zns_dev_fd(dev),
			.nsid = info->nsid, .data_len = (uint32_t)len,
			.nlb = (uint16_t)(nlb - 1),
		};
		ck_assert_int_eq(nvme_zns_append(&a), 0);
		ck_assert_uint_eq(lba64, prev + nlb);
		a.args_size = 8;
		errno = 0;
		ck_assert_int_eq(nvme_zns_append(&a), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* bad input never reaches the device */
	ck_assert_int_eq(zns_append(dev, w, zslba(1) + 1, 1, NULL), -EINVAL);
	ck_assert_int_eq(zns_append(dev, w, zslba(1), 0, NULL), -EINVAL);
	ck_assert_int_eq(zns_append(dev, w, zslba(1),
			 info->zasl / info->lba_size + 1, NULL), -E2BIG);
	ck_assert_int_eq(zns_read(dev, r, info->nr_lbas - 1, 2), -ERANGE);
	ck_assert_int_eq(zns_read(dev, r, 0, info->max_xfer / info->lba_size + 1), -E2BIG);
	free(w);
	free(r);
}
END_TEST

START_TEST(test_write_errors)
{
	uint8_t *buf = xalloc(info->lba_size * 8);
	int rc;

	ck_assert_int_eq(zns_write(dev, buf, zslba(1), 2), 0);
	/* write zeroes and flush */
	ck_assert_int_eq(zns_write_zeroes(dev, zslba(1) + 2, 2), 0);
	ck_assert_uint_eq(get_zone(1).wp, zslba(1) + 4);
	ck_assert_int_eq(zns_flush(dev), 0);
	/* not at the write pointer */
	rc = zns_write(dev, buf, zslba(1) + 6, 1);
	ck_assert(zns_status_dnr(rc));
	if (ex) {
		ck_assert_msg(rc == ex->write_off_wp, "write off wp: %#x", rc);
	} else {
		ck_assert_int_eq(zns_status_sct(rc), 1);
		ck_assert_int_eq(zns_status_sc(rc), NVME_SC_ZNS_INVALID_WRITE);
	}
	ck_assert_str_eq(zns_status_str(0x41bc), "Zone Invalid Write");
	/* past the zone's capacity */
	ck_assert_int_eq(zns_open_zone(dev, zslba(2)), 0);
	rc = zns_write(dev, buf, zslba(2) + get_zone(2).zcap - 2, 1);
	ck_assert_int_eq(rc, ex ? ex->write_off_wp : 0x41bc);	/* not at the wp */
	/* fill zone 3 to one block short of its capacity, then write two */
	{
		uint64_t cap = get_zone(3).zcap, done = 0;

		while (done < cap - 1) {
			uint32_t n = cap - 1 - done > 65536 ? 65536 : (uint32_t)(cap - 1 - done);

			ck_assert_int_eq(zns_write_zeroes(dev, zslba(3) + done, n), 0);
			done += n;
		}
		rc = zns_write(dev, buf, zslba(3) + cap - 1, 2);
		if (ex)
			ck_assert_msg(rc == ex->past_cap, "write past capacity: %#x", rc);
		if (rc == 0)	/* it went through: into the next zone */
			ck_assert_uint_eq(get_zone(4).wp, zslba(4) + 1);
		else
			ck_assert_msg(zns_status_code(rc) == 0x1b8 || zns_status_code(rc) == 0x1b9,
				      "write past capacity: %#x", rc);
	}
	ck_assert_int_eq(zns_finish_zone(dev, zslba(3)), 0);
	rc = zns_append(dev, buf, zslba(3), 1, NULL);
	ck_assert_msg(rc == (ex ? ex->append_full : 0x41b9), "append to full zone: %#x", rc);
	ck_assert_str_eq(zns_status_str(0x41b9), "Zone Is Full");
	free(buf);
}
END_TEST

void add_io(Suite *s)
{
	TCase *t = tcase_create("io");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_append_read_back);
	tcase_add_test(t, test_write_errors);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
}
