// SPDX-License-Identifier: MIT
/*
 * Unit suites, no device: the exact encoding of every command, report
 * parsing, identify decoding from captured data, status names, and the
 * queue's bookkeeping through its user-space (null) backend.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "zns-private.h"
#include "alloc-count.h"

static uint8_t buf[8192] __attribute__((aligned(4096)));

/* A device as zns_dev_open() would leave it, without a device. */
static struct zns_dev fake_dev(uint32_t shift, uint64_t zone_size,
			       uint64_t nr_lbas)
{
	struct zns_dev d;

	memset(&d, 0, sizeof(d));
	d.fd = -1;
	d.ctrl_fd = -1;
	d.nsid = 7;
	d.lba_shift = shift;
	d.nr_lbas = nr_lbas;
	d.zone_size = zone_size;
	d.zone_mask = (zone_size & (zone_size - 1)) ? 0 : zone_size - 1;
	d.max_xfer = 512 << 10;
	d.zasl = 128 << 10;
	d.info.zdes = 64;
	return d;
}

#define ASSERT_CMD(c, op, ns, a, len, d10, d11, d12, d13, d14, d15) do { \
	ck_assert_uint_eq((c).opcode, (op));				\
	ck_assert_uint_eq((c).flags, 0);				\
	ck_assert_uint_eq((c).nsid, (ns));				\
	ck_assert_uint_eq((c).cdw2, 0);					\
	ck_assert_uint_eq((c).cdw3, 0);					\
	ck_assert_uint_eq((c).metadata, 0);				\
	ck_assert_uint_eq((c).addr, (uintptr_t)(a));			\
	ck_assert_uint_eq((c).metadata_len, 0);				\
	ck_assert_uint_eq((c).data_len, (len));				\
	ck_assert_uint_eq((c).cdw10, (d10));				\
	ck_assert_uint_eq((c).cdw11, (d11));				\
	ck_assert_uint_eq((c).cdw12, (d12));				\
	ck_assert_uint_eq((c).cdw13, (d13));				\
	ck_assert_uint_eq((c).cdw14, (d14));				\
	ck_assert_uint_eq((c).cdw15, (d15));				\
	ck_assert_uint_eq((c).timeout_ms, 0);				\
} while (0)

/* Every field is written: start from garbage. */
static struct nvme_uring_cmd dirty(void)
{
	struct nvme_uring_cmd c;

	memset(&c, 0xa5, sizeof(c));
	return c;
}

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

/* ------------------------------------------------------------ reports --- */

static void put_desc(uint8_t *p, uint8_t zs, uint64_t zslba, uint64_t zcap,
		     uint64_t wp, uint8_t za)
{
	struct nvme_zns_desc *d = (struct nvme_zns_desc *)p;

	memset(d, 0, sizeof(*d));
	d->zt = NVME_ZONE_TYPE_SEQWRITE_REQ;
	d->zs = (uint8_t)(zs << 4);
	d->za = za;
	d->zslba = zns_cpu_to_le64(zslba);
	d->zcap = zns_cpu_to_le64(zcap);
	d->wp = zns_cpu_to_le64(wp);
}

START_TEST(test_parse_report)
{
	uint8_t r[64 + 3 * 128];
	struct zns_zone z[4];
	unsigned int nr = 99, i;
	struct nvme_zone_report *h = (struct nvme_zone_report *)r;

	memset(r, 0, sizeof(r));
	h->nr_zones = zns_cpu_to_le64(3);
	for (i = 0; i < 3; i++)
		put_desc(r + 64 + i * 64, NVME_ZNS_ZS_EMPTY + i, i * 100, 90, i * 100 + i, 0);
	ck_assert_int_eq(zns_parse_report(r, 64 + 3 * 64, 0, z, 4, &nr), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(z[2].zslba, 200);
	ck_assert_uint_eq(z[2].wp, 202);
	ck_assert_uint_eq(z[2].zcap, 90);
	ck_assert_uint_eq(z[2].state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_uint_eq(z[2].type, NVME_ZONE_TYPE_SEQWRITE_REQ);
	/* truncated buffer: only what fits */
	ck_assert_int_eq(zns_parse_report(r, 64 + 2 * 64 + 10, 0, z, 4, &nr), 0);
	ck_assert_uint_eq(nr, 2);
	/* nr_zones larger than the buffer holds (a non-partial report) */
	h->nr_zones = zns_cpu_to_le64(40000);
	ck_assert_int_eq(zns_parse_report(r, 64 + 3 * 64, 0, z, 4, &nr), 0);
	ck_assert_uint_eq(nr, 3);
	/* room in the caller's array bounds it too */
	ck_assert_int_eq(zns_parse_report(r, 64 + 3 * 64, 0, z, 1, &nr), 0);
	ck_assert_uint_eq(nr, 1);
	/* shorter than the header */
	ck_assert_int_eq(zns_parse_report(r, 63, 0, z, 4, &nr), -EINVAL);
	ck_assert_uint_eq(nr, 0);
	/* extended: 64 bytes of extension after each descriptor */
	memset(r, 0, sizeof(r));
	h->nr_zones = zns_cpu_to_le64(3);
	for (i = 0; i < 3; i++) {
		put_desc(r + 64 + i * 128, NVME_ZNS_ZS_CLOSED, i * 100, 90, i * 100 + 5,
			 NVME_ZNS_ZA_ZDEV);
		memset(r + 64 + i * 128 + 64, 'x', 64);
	}
	ck_assert_int_eq(zns_parse_report(r, sizeof(r), 64, z, 4, &nr), 0);
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(z[1].zslba, 100);
	ck_assert_uint_eq(z[2].wp, 205);
	ck_assert_uint_eq(z[2].attrs, NVME_ZNS_ZA_ZDEV);
	ck_assert_uint_eq(z[2].state, NVME_ZNS_ZS_CLOSED);
	/* the same buffer read with the normal stride is a different thing */
	ck_assert_int_eq(zns_parse_report(r, sizeof(r), 0, z, 4, &nr), 0);
	ck_assert_uint_ne(z[1].zslba, 100);
}
END_TEST

static size_t load(const char *name, void *dst, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", ZNS_TEST_DATA, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "missing test data %s", path);
	n = fread(dst, 1, cap, f);
	fclose(f);
	return n;
}

START_TEST(test_parse_captured_report)
{
	uint8_t r[320];
	struct zns_zone z[4];
	unsigned int nr;

	ck_assert_uint_eq(load("report-a.bin", r, sizeof(r)), 320);
	ck_assert_int_eq(zns_parse_report(r, sizeof(r), 0, z, 4, &nr), 0);
	ck_assert_uint_eq(nr, 4);
	ck_assert_uint_eq(z[0].state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(z[1].zslba, 0x4000);
	ck_assert_uint_eq(z[1].state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_uint_eq(z[1].zcap, 0x3e00);
	ck_assert_uint_eq(z[3].wp, 0xc000);
}
END_TEST

struct geo_case {
	char kind;
	uint32_t lba_size;
	uint64_t zone_size, nr_zones, zone_cap_unused;
	uint32_t max_open, max_active, zdes, zasl, mdts, numzrwa, zrwas, zrwafg;
};

static const struct geo_case geo_cases[] = {
	{ 'a', 4096, 16384, 16, 0, 14, 14, 64, 128 << 10, 512 << 10, 0, 0, 0 },
	{ 'b', 512, 32768, 32, 0, ZNS_NO_LIMIT, ZNS_NO_LIMIT, 0, 512 << 10,
	  512 << 10, 0, 0, 0 },
	/* QEMU 7.2 fills the 0's based NUMZRWA with the count (8): 9 */
	{ 'c', 4096, 8192, 16, 0, 16, 16, 0, 512 << 10, 512 << 10, 9, 16, 4 },
};

START_TEST(test_decode_captured_identify)
{
	const struct geo_case *g = &geo_cases[_i];
	static uint8_t blobs[4][4096];
	char name[64];
	struct zns_dev d;

	memset(&d, 0, sizeof(d));
	d.nsid = 1;
	snprintf(name, sizeof(name), "id-ctrl-%c.bin", g->kind);
	ck_assert_uint_eq(load(name, blobs[0], 4096), 4096);
	snprintf(name, sizeof(name), "id-ns-%c.bin", g->kind);
	ck_assert_uint_eq(load(name, blobs[1], 4096), 4096);
	snprintf(name, sizeof(name), "zns-id-ns-%c.bin", g->kind);
	ck_assert_uint_eq(load(name, blobs[2], 4096), 4096);
	snprintf(name, sizeof(name), "zns-id-ctrl-%c.bin", g->kind);
	ck_assert_uint_eq(load(name, blobs[3], 4096), 4096);
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.info.lba_size, g->lba_size);
	ck_assert_uint_eq(d.info.zone_size, g->zone_size);
	ck_assert_uint_eq(d.info.nr_zones, g->nr_zones);
	ck_assert_uint_eq(d.info.max_open, g->max_open);
	ck_assert_uint_eq(d.info.max_active, g->max_active);
	ck_assert_uint_eq(d.info.zdes, g->zdes);
	ck_assert_uint_eq(d.info.mdts, g->mdts);
	ck_assert_uint_eq(d.info.zasl, g->zasl);
	ck_assert_uint_eq(d.info.numzrwa, g->numzrwa);
	ck_assert_uint_eq(d.info.zrwas, g->zrwas);
	ck_assert_uint_eq(d.info.zrwafg, g->zrwafg);
	ck_assert_uint_eq(d.info.nr_lbas, g->zone_size * g->nr_zones);
	/* the raw spec fields, through the struct */
	{
		const struct nvme_zns_id_ns *id = (const void *)blobs[2];

		if (g->max_open != ZNS_NO_LIMIT)
			ck_assert_uint_eq(zns_le32(id->mor), g->max_open - 1);
		else
			ck_assert_uint_eq(zns_le32(id->mor), 0xffffffffu);
		ck_assert_uint_eq(zns_le64(id->lbafe[0].zsze), g->zone_size);
		ck_assert_uint_eq(id->lbafe[0].zdes * 64u, g->zdes);
	}
}
END_TEST

START_TEST(test_decode_conventional)
{
	static uint8_t blobs[4][4096];
	struct zns_dev d;

	memset(&d, 0, sizeof(d));
	load("id-ctrl-d.bin", blobs[0], 4096);
	load("id-ns-d.bin", blobs[1], 4096);
	/* no ZNS data: an empty zone size */
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]),
			 -EMEDIUMTYPE);
}
END_TEST

START_TEST(test_changed_zone_log_decode)
{
	struct nvme_zns_changed_zone_log log;
	uint8_t *p = (uint8_t *)&log;

	memset(&log, 0, sizeof(log));
	/* two zones changed, little-endian on the wire */
	p[0] = 2;
	p[8] = 0x00; p[9] = 0x40;			/* zid[0] = 0x4000 */
	p[16] = 0x00; p[17] = 0x80; p[20] = 0x01;	/* zid[1] = 0x100008000 */
	ck_assert_uint_eq(zns_le16(log.nrzid), 2);
	ck_assert_uint_eq(zns_le64(log.zid[0]), 0x4000);
	ck_assert_uint_eq(zns_le64(log.zid[1]), 0x100008000ull);
	p[0] = 0xff; p[1] = 0xff;
	ck_assert_uint_eq(zns_le16(log.nrzid), NVME_ZNS_CHANGED_ZONES_OVERFLOW);
	ck_assert_uint_eq(sizeof(log.zid) / sizeof(log.zid[0]), 511);
}
END_TEST

/* ------------------------------------------------------------ status --- */

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

/* -------------------------------------------------- queue (null mode) --- */

struct tally {
	unsigned int calls;
	int status;
	uint64_t result;
};

static void tally_cb(void *user, int status, uint64_t result)
{
	struct tally *t = user;

	t->calls++;
	t->status = status;
	t->result = result;
}


START_TEST(test_queue_null)
{
	struct zns_dev d = fake_dev(12, 16384, 16 * 16384);
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 4,
				    .flags = ZNS_QUEUE_NULL, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	struct tally t[5];
	unsigned int i, round;
	unsigned long before = 0, after;
	int bad = 0;

	memset(t, 0, sizeof(t));
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_NULL);
	ck_assert_int_eq(zns_queue_fd(q), -EINVAL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_prep_append(q, &d, buf, 16384 * i, 1, tally_cb, &t[i]), 0);
	ck_assert_int_eq(zns_prep_append(q, &d, buf, 0, 1, tally_cb, &t[4]), -EBUSY);
	ck_assert_uint_eq(zns_queue_inflight(q), 4);
	ck_assert_int_eq(zns_reap(q, 0, 0), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(t[i].calls, 1);
		ck_assert_uint_eq(t[i].result, 16384 * i);
	}
	ck_assert_uint_eq(t[4].calls, 0);
	/* bad arguments take no slot */
	ck_assert_int_eq(zns_prep_append(q, &d, buf, 1, 1, tally_cb, &t[4]), -EINVAL);
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 200, tally_cb, &t[4]), -E2BIG);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	/* steady state allocates nothing */
	for (round = 0; round < 100; round++) {
		if (round == 10)
			before = zns_test_allocs;
		for (i = 0; i < 4; i++)
			bad |= zns_prep_read(q, &d, buf, i, 1, tally_cb, &t[i]);
		if (zns_reap(q, 4, -1) != 4)
			bad = 1;
	}
	after = zns_test_allocs;
	ck_assert_int_eq(bad, 0);
	ck_assert_uint_eq(after, before);
	/* exit delivers what is still queued, exactly once */
	for (i = 0; i < 4; i++)
		t[i].calls = 0;
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_prep_flush(q, &d, tally_cb, &t[i]), 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(t[i].calls, 1);
	ck_assert_uint_eq(t[3].calls, 0);
}
END_TEST

START_TEST(test_queue_opts)
{
	struct zns_queue_opts o = { .size = sizeof(o), .depth = 8, .sq_thread_cpu = -1 };
	struct zns_queue *q = (void *)1;

	o.size = 4;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	ck_assert_ptr_null(q);
	o.size = sizeof(o);
	o.depth = 0;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.depth = 5000;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.depth = 8;
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_NULL;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_SQPOLL;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	o.flags = 1u << 20;
	ck_assert_int_eq(zns_queue_init(&q, &o), -EINVAL);
	/* the sync fallback needs no kernel support to be created */
	o.flags = ZNS_QUEUE_SYNC | ZNS_QUEUE_EVENTFD;
	ck_assert_int_eq(zns_queue_init(&q, &o), 0);
	ck_assert_int_eq(zns_queue_mode(q), ZNS_MODE_SYNC);
	ck_assert_int_ge(zns_queue_fd(q), 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
	ck_assert_int_eq(zns_queue_exit(NULL), 0);
}
END_TEST

static Suite *unit_suite(void)
{
	Suite *s = suite_create("unit");
	TCase *t;

	t = tcase_create("encode");
	tcase_add_test(t, test_enc_rw);
	tcase_add_test(t, test_enc_write_zeroes_flush);
	tcase_add_test(t, test_enc_mgmt_send);
	tcase_add_test(t, test_enc_mgmt_recv);
	tcase_add_test(t, test_enc_admin);
	tcase_add_test(t, test_checks);
	suite_add_tcase(s, t);

	t = tcase_create("decode");
	tcase_add_test(t, test_parse_report);
	tcase_add_test(t, test_parse_captured_report);
	tcase_add_loop_test(t, test_decode_captured_identify, 0,
			    sizeof(geo_cases) / sizeof(geo_cases[0]));
	tcase_add_test(t, test_decode_conventional);
	tcase_add_test(t, test_changed_zone_log_decode);
	suite_add_tcase(s, t);

	t = tcase_create("status");
	tcase_add_test(t, test_status);
	tcase_add_test(t, test_status_table_sorted);
	suite_add_tcase(s, t);

	t = tcase_create("queue");
	tcase_add_test(t, test_queue_null);
	tcase_add_test(t, test_queue_opts);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(unit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
