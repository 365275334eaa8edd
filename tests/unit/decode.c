// SPDX-License-Identifier: MIT
/*
 * Unit suite "decode": zone reports (built and captured from QEMU),
 * identify data captured from each QEMU configuration, the changed-zone log.
 */
#include "unit.h"

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
	/* MDTS and ZASL exponents past 32 bits (found by fuzzing: the shift
	 * was undefined) decode to the 2 GiB cap */
	blobs[0][77] = 255;
	blobs[3][0] = 40;
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.info.mdts, 1u << 31);
	ck_assert_uint_eq(d.info.zasl, 1u << 31);
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

/* Metadata and protection information, on configuration a's data with its
 * LBA format edited: metadata size (LBAF MS), extended LBAs (FLBAS bit
 * 4), DPS (type, place), and the guard format from the NVM set's own data
 * (ELBAF PIF). */
START_TEST(test_decode_metadata)
{
	static uint8_t blobs[4][4096], nvm[4096];
	struct zns_dev d;
	unsigned int f;

	load("id-ctrl-a.bin", blobs[0], 4096);
	load("id-ns-a.bin", blobs[1], 4096);
	load("zns-id-ns-a.bin", blobs[2], 4096);
	load("zns-id-ctrl-a.bin", blobs[3], 4096);
	f = blobs[1][26] & 0xf;			/* the format in use */
	ck_assert_uint_eq(blobs[1][128 + f * 4 + 2], 12);	/* 4 KiB */
	blobs[1][128 + f * 4] = 16;		/* MS = 16 */
	blobs[1][26] |= 0x10;			/* extended LBAs */
	blobs[1][29] = 0x1;			/* type 1, PI last */
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.md, 1);
	ck_assert_uint_eq(d.info.ms, 16);
	ck_assert_uint_eq(d.info.ext_lba, 1);
	ck_assert_uint_eq(d.info.pi_type, 1);
	ck_assert_uint_eq(d.info.pi_first, 0);
	ck_assert_uint_eq(d.info.pi_format, 0);
	ck_assert_uint_eq(d.info.pi_size, 8);
	/* the NVM set's data says 64-bit guard: 16 bytes */
	memset(nvm, 0, sizeof(nvm));
	nvm[12 + f * 4 + 1] = 0x01;		/* ELBAF[f] bits 8:7 = 2 */
	zns_decode_pif(&d, blobs[1], nvm);
	ck_assert_uint_eq(d.info.pi_format, 2);
	ck_assert_uint_eq(d.info.pi_size, 16);
	/* separate metadata, type 3 first, 8 bytes: a 64-bit guard does not
	 * fit, so no protection information is used */
	blobs[1][128 + f * 4] = 8;
	blobs[1][26] &= (uint8_t)~0x10;
	blobs[1][29] = 0x8 | 0x3;
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.info.ext_lba, 0);
	ck_assert_uint_eq(d.info.pi_type, 3);
	ck_assert_uint_eq(d.info.pi_first, 1);
	zns_decode_pif(&d, blobs[1], nvm);
	ck_assert_uint_eq(d.info.pi_type, 0);
	ck_assert_uint_eq(d.info.pi_size, 0);
	/* metadata too small for any protection information */
	blobs[1][128 + f * 4] = 4;
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.info.pi_type, 0);
	ck_assert_uint_eq(d.md, 1);
	/* no metadata: nothing of it */
	blobs[1][128 + f * 4] = 0;
	blobs[1][26] |= 0x10;
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(zns_decode_geometry(&d, blobs[0], blobs[1], blobs[2], blobs[3]), 0);
	ck_assert_uint_eq(d.md, 0);
	ck_assert_uint_eq(d.info.ext_lba, 0);
	ck_assert_uint_eq(d.info.pi_type, 0);
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


int main(void)
{
	Suite *s = suite_create("decode");
	TCase *t = tcase_create("decode");

	tcase_add_test(t, test_parse_report);
	tcase_add_test(t, test_parse_captured_report);
	tcase_add_loop_test(t, test_decode_captured_identify, 0,
			    sizeof(geo_cases) / sizeof(geo_cases[0]));
	tcase_add_test(t, test_decode_conventional);
	tcase_add_test(t, test_decode_metadata);
	tcase_add_test(t, test_changed_zone_log_decode);
	suite_add_tcase(s, t);
	return unit_run(s);
}
