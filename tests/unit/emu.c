// SPDX-License-Identifier: MIT
/*
 * Unit suite "emu": the in-process ZNS device through the public API only,
 * on the host: its geometry checks, identify data, the zone state machine
 * with every status the ZNS command set names (each with DNR), open and
 * active accounting, reports with every filter and buffer size, descriptor
 * extensions, the changed-zone log, every fault kind, persistence in a
 * backing file across close, power loss and kill -9, and queues in each
 * mode.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <libzns.h>

#define ZS	4096ull		/* zone size, LBAs */
#define ZC	4000ull		/* zone capacity */

static uint8_t buf[64 << 10] __attribute__((aligned(4096)));
static uint8_t rbuf[64 << 10] __attribute__((aligned(4096)));
static struct zns_dev *dev;
static char tmpdir[64];

static struct zns_emu_opts base_opts(void)
{
	struct zns_emu_opts o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.lba_size = 4096;
	o.nr_zones = 8;
	o.zone_size = ZS;
	o.zone_cap = ZC;
	o.max_open = 3;
	o.max_active = 4;
	o.mdts = 128 << 10;
	o.zasl = 64 << 10;
	o.zdes = 64;
	return o;
}

static void open_with(struct zns_emu_opts o)
{
	int rc = zns_dev_open_emu(&o, &dev);

	ck_assert_msg(rc == 0, "open: %s (%s)", zns_status_str(rc), zns_last_error());
}

static void setup(void)
{
	open_with(base_opts());
}

static void teardown(void)
{
	zns_dev_close(dev);
	dev = NULL;
}

static struct zns_zone zone(unsigned int i)
{
	struct zns_zone z;
	unsigned int nr = 1;

	ck_assert_int_eq(zns_report_zones(dev, i * ZS, 0, &z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 1);
	return z;
}

static uint64_t zs(unsigned int i)
{
	return i * ZS;
}

static void fill(uint64_t seed, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 131 + i * 7);
}

/* ------------------------------------------------------------ geometry -- */

START_TEST(test_bad_geometry)
{
	struct zns_emu_opts o;
	struct zns_dev *d = NULL;

#define BAD(stmt, word) do {						\
	o = base_opts();						\
	stmt;								\
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), -EINVAL);		\
	ck_assert_ptr_null(d);						\
	ck_assert_msg(strstr(zns_last_error(), word) != NULL,		\
		      "%s: %s", word, zns_last_error());		\
} while (0)
	BAD(o.zone_cap = 0; o.zone_size = 0, "zone_size");
	BAD(o.zone_cap = ZS + 1, "zone_cap");
	BAD(o.lba_size = 1000, "lba_size");
	BAD(o.nr_zones = 0, "nr_zones");
	BAD(o.max_open = 5, "max_open");
	BAD(o.zone_size = 1ull << 62; o.zone_cap = 0, "overflows");
	BAD(o.mdts = 5000, "mdts");
	BAD(o.zasl = 256 << 10, "zasl");
	BAD(o.zdes = 65, "zdes");
	BAD(o.numzrwa = 2; o.zrwas = 16; o.zrwafg = 5, "zrwa");
	BAD(o.size = 8, "size");
	ck_assert_int_eq(zns_dev_open_emu(NULL, &d), -EINVAL);
	o = base_opts();
	ck_assert_int_eq(zns_dev_open_emu(&o, NULL), -EINVAL);
	/* a zone size that is not a power of two, capacity below it */
	o = base_opts();
	o.zone_size = 3000;
	o.zone_cap = 2999;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	ck_assert_uint_eq(zns_dev_get_info(d)->zone_size, 3000);
	ck_assert_int_eq(zns_write(d, buf, 2999, 1), 0x41bc);	/* not at wp */
	ck_assert_int_eq(zns_write_zeroes(d, 0, 2998), 0);
	ck_assert_int_eq(zns_write(d, buf, 2998, 2), 0x41b8);	/* past zcap */
	ck_assert_int_eq(zns_write(d, buf, 2998, 1), 0);
	ck_assert_int_eq(zns_write(d, buf, 2999, 1), 0x41b9);	/* full */
	ck_assert_int_eq(zns_write(d, buf, 3000, 1), 0);	/* zone 1 */
	zns_dev_close(d);
}
END_TEST

START_TEST(test_identify)
{
	const struct zns_dev_info *in = zns_dev_get_info(dev);
	static struct nvme_zns_id_ns id;
	static struct nvme_zns_id_ctrl ic;

	ck_assert_uint_eq(in->lba_size, 4096);
	ck_assert_uint_eq(in->nr_zones, 8);
	ck_assert_uint_eq(in->zone_size, ZS);
	ck_assert_uint_eq(in->zone_cap, ZC);
	ck_assert_uint_eq(in->max_open, 3);
	ck_assert_uint_eq(in->max_active, 4);
	ck_assert_uint_eq(in->mdts, 128 << 10);
	ck_assert_uint_eq(in->zasl, 64 << 10);
	ck_assert_uint_eq(in->zdes, 64);
	ck_assert_int_eq(zns_identify_ns(dev, &id), 0);
	ck_assert_uint_eq(zns_le32(id.mor), 2);			/* 0's based */
	ck_assert_uint_eq(zns_le32(id.mar), 3);
	ck_assert_uint_eq(zns_le64(id.lbafe[0].zsze), ZS);
	ck_assert_uint_eq(id.lbafe[0].zdes, 1);
	ck_assert_int_eq(zns_identify_ctrl(dev, &ic), 0);
	ck_assert_uint_eq(ic.zasl, 4);				/* 4 KiB << 4 */
}
END_TEST

/* ------------------------------------------------------- state machine -- */

START_TEST(test_states_and_statuses)
{
	uint64_t lba = 0, res;

	/* implicit open by a write; not at the write pointer */
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 2), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_IMPL_OPEN);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 5, 1), 0x41bc);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 1, 1), 0x41bc);
	/* close, explicit open, finish, then full */
	ck_assert_int_eq(zns_close_zone(dev, zs(0)), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_int_eq(zns_open_zone(dev, zs(0)), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_EXPL_OPEN);
	ck_assert_int_eq(zns_finish_zone(dev, zs(0)), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(zone(0).wp, zs(0) + ZC);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 2, 1), 0x41b9);
	ck_assert_int_eq(zns_append(dev, buf, zs(0), 1, &lba), 0x41b9);
	/* transitions the spec forbids */
	ck_assert_int_eq(zns_close_zone(dev, zs(0)), 0x41bf);
	ck_assert_int_eq(zns_open_zone(dev, zs(0)), 0x41bf);
	ck_assert_int_eq(zns_close_zone(dev, zs(1)), 0x41bf);	/* empty */
	ck_assert_int_eq(zns_mgmt_send(dev, zs(1), NVME_ZNS_ZSA_OFFLINE, 0, NULL, 0, NULL), 0x41bf);
	ck_assert_int_eq(zns_reset_zone(dev, zs(0)), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_EMPTY);
	ck_assert_uint_eq(zone(0).wp, zs(0));
	/* appends land at the write pointer and say where */
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 3, &lba), 0);
	ck_assert_uint_eq(lba, zs(1));
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 1, &lba), 0);
	ck_assert_uint_eq(lba, zs(1) + 3);
	/* past the zone capacity: Zone Boundary Error, nothing written */
	ck_assert_int_eq(zns_write(dev, buf, zs(1) + 4, 1), 0);
	ck_assert_int_eq(zns_write_zeroes(dev, zs(1) + 5, (uint32_t)ZC - 6), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(1) + ZC - 1, 2), 0x41b8);
	ck_assert_int_eq(zns_write(dev, buf, zs(1) + ZC - 1, 1), 0);
	ck_assert_uint_eq(zone(1).state, NVME_ZNS_ZS_FULL);	/* at zcap */
	/* LBA Out of Range, Invalid Field: what reaches the device */
	ck_assert_int_eq(zns_mgmt_recv(dev, 8 * ZS, 0, 0, 0, rbuf, 4096), 0x4080);
	ck_assert_int_eq(zns_mgmt_send(dev, zs(2), NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, &res),
			 -EOPNOTSUPP);		/* refused before the device */
	/* every error has DNR */
	ck_assert(zns_status_dnr(zns_write(dev, buf, zs(2) + 1, 1)));
}
END_TEST

START_TEST(test_read)
{
	struct zns_emu_opts o = base_opts();
	struct zns_dev *d;
	unsigned int i;

	fill(1, 8192);
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 2), 0);
	memset(rbuf, 0xee, 16384);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0), 4), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 8192), 0);
	for (i = 8192; i < 16384; i++)		/* above the write pointer */
		ck_assert_uint_eq(rbuf[i], 0);
	/* across a zone boundary: refused unless the namespace allows it */
	ck_assert_int_eq(zns_read(dev, rbuf, zs(1) - 1, 2), 0x41b8);
	o.flags = ZNS_EMU_READ_ACROSS;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	ck_assert_int_eq(zns_read(d, rbuf, zs(1) - 1, 2), 0);
	zns_dev_close(d);
	/* zeroes read back as zeroes */
	ck_assert_int_eq(zns_write_zeroes(dev, zs(0) + 2, 3), 0);
	memset(rbuf, 0xee, 4096);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0) + 3, 1), 0);
	ck_assert_uint_eq(rbuf[100], 0);
}
END_TEST

/* ----------------------------------------------------- open / active -- */

START_TEST(test_limits)
{
	unsigned int i;

	/* max_open 3, max_active 4: a fourth implicit open closes the zone
	 * implicitly opened longest ago */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_write(dev, buf, zs(i), 1), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(3), 1), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_uint_eq(zone(3).state, NVME_ZNS_ZS_IMPL_OPEN);
	/* a fifth active zone: Too Many Active */
	ck_assert_int_eq(zns_write(dev, buf, zs(4), 1), 0x41bd);
	ck_assert_int_eq(zns_open_zone(dev, zs(4)), 0x41bd);
	/* explicitly open ones are never closed for room */
	ck_assert_int_eq(zns_reset_all_zones(dev), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(zns_open_zone(dev, zs(i)), 0);
	ck_assert_int_eq(zns_open_zone(dev, zs(3)), 0x41be);
	ck_assert_int_eq(zns_write(dev, buf, zs(3), 1), 0x41be);
	/* finishing one gives its resources back */
	ck_assert_int_eq(zns_finish_zone(dev, zs(0)), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(3), 1), 0);
	/* both limits reached at once: the open limit is named */
	ck_assert_int_eq(zns_open_zone(dev, zs(3)), 0);
	ck_assert_int_eq(zns_close_zone(dev, zs(1)), 0);
	ck_assert_int_eq(zns_open_zone(dev, zs(4)), 0);	/* 4 active, 3 open */
	ck_assert_int_eq(zns_open_zone(dev, zs(5)), 0x41be);
}
END_TEST

START_TEST(test_select_all)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_write(dev, buf, zs(i), 1), 0);
	ck_assert_int_eq(zns_close_all_zones(dev), 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(zone(i).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_int_eq(zns_open_all_zones(dev), 0x41be);	/* 4 closed, 3 open max */
	ck_assert_int_eq(zns_close_all_zones(dev), 0);
	ck_assert_int_eq(zns_finish_all_zones(dev), 0);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(zone(i).state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(zone(4).state, NVME_ZNS_ZS_EMPTY);	/* untouched */
	ck_assert_int_eq(zns_reset_all_zones(dev), 0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(zone(i).state, NVME_ZNS_ZS_EMPTY);
	/* offline with select-all takes only read-only zones */
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_OFFLINE, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_EMPTY);
}
END_TEST

/* ------------------------------------------------------------ reports -- */

START_TEST(test_reports)
{
	struct nvme_zone_report *r = (void *)rbuf;
	struct zns_zone z[8];
	unsigned int nr, f;
	/* states: 0 full, 1 closed, 2 explicit open, 3 implicit open */
	static const uint8_t want_count[8] = { 8, 4, 1, 1, 1, 1, 0, 0 };

	ck_assert_int_eq(zns_finish_zone(dev, zs(0)), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(1), 1), 0);
	ck_assert_int_eq(zns_close_zone(dev, zs(1)), 0);
	ck_assert_int_eq(zns_open_zone(dev, zs(2)), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(3), 2), 0);
	for (f = 0; f <= NVME_ZNS_ZRAS_REPORT_OFFLINE; f++) {
		ck_assert_int_eq(zns_mgmt_recv(dev, 0, 0, f, 0, rbuf, 4096), 0);
		ck_assert_msg(zns_le64(r->nr_zones) == want_count[f], "filter %u: %llu",
			      f, (unsigned long long)zns_le64(r->nr_zones));
	}
	/* partial: nr_zones counts what the buffer holds; without it, all */
	ck_assert_int_eq(zns_mgmt_recv(dev, 0, 0, 0, 1, rbuf, 64 + 2 * 64), 0);
	ck_assert_uint_eq(zns_le64(r->nr_zones), 2);
	ck_assert_int_eq(zns_mgmt_recv(dev, 0, 0, 0, 0, rbuf, 64 + 2 * 64), 0);
	ck_assert_uint_eq(zns_le64(r->nr_zones), 8);
	ck_assert_uint_eq(zns_le64(r->entries[1].zslba), zs(1));
	/* a header-only buffer, and one that is not a descriptor multiple */
	ck_assert_int_eq(zns_mgmt_recv(dev, zs(2), 0, 0, 0, rbuf, 64), 0);
	ck_assert_uint_eq(zns_le64(r->nr_zones), 6);
	ck_assert_int_eq(zns_mgmt_recv(dev, zs(2), 0, 0, 1, rbuf, 64 + 100), 0);
	ck_assert_uint_eq(zns_le64(r->nr_zones), 1);
	/* decoded */
	nr = 8;
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 8);
	ck_assert_uint_eq(z[0].wp, zs(0) + ZC);		/* full: zslba + zcap */
	ck_assert_uint_eq(z[3].wp, zs(3) + 2);
	ck_assert_uint_eq(z[3].zcap, ZC);
}
END_TEST

START_TEST(test_descriptor_extension)
{
	uint8_t ext[8 * 64];
	struct zns_zone z[8];
	unsigned int nr = 8;

	memset(buf, 'x', 64);
	ck_assert_int_eq(zns_mgmt_send(dev, zs(2), NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf, 64, NULL), 0);
	ck_assert_uint_eq(zone(2).state, NVME_ZNS_ZS_CLOSED);
	ck_assert(zone(2).attrs & NVME_ZNS_ZA_ZDEV);
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, z, &nr, ext), 0);
	ck_assert_uint_eq(ext[2 * 64 + 10], 'x');
	ck_assert_uint_eq(ext[1 * 64 + 10], 0);
	/* only on an empty zone */
	ck_assert_int_eq(zns_mgmt_send(dev, zs(2), NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf, 64, NULL), 0x41bf);
	/* it takes an active resource: three more, then Too Many Active */
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 1), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(1), 1), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(3), 1), 0);
	ck_assert_int_eq(zns_mgmt_send(dev, zs(4), NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf, 64, NULL), 0x41bd);
}
END_TEST

/* ZRWA: writes anywhere in the window, implicit flush past it, explicit
 * flush at the granularity, resources counted. */
START_TEST(test_zrwa)
{
	struct zns_emu_opts o = base_opts();
	struct zns_dev *d;
	uint64_t lba;

	teardown();
	o.numzrwa = 1;
	o.zrwas = 16;
	o.zrwafg = 4;
	open_with(o);
	d = dev;
	ck_assert_uint_eq(zns_dev_get_info(d)->numzrwa, 1);
	/* a flush on a zone without a ZRWA: Invalid Field */
	ck_assert_int_eq(zns_write(d, buf, zs(1), 1), 0);
	ck_assert_int_eq(zns_mgmt_send(d, zs(1), NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, NULL), 0x4002);
	ck_assert_int_eq(zns_mgmt_send(d, zs(0), NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0, NULL), 0);
	ck_assert(zone(0).attrs & NVME_ZNS_ZA_ZRWAV);
	/* one resource only */
	ck_assert_int_eq(zns_mgmt_send(d, zs(2), NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0, NULL), 0x41b7);
	/* out of order within the window: the write pointer stays */
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 8, 2), 0);
	ck_assert_int_eq(zns_write(d, buf, zs(0), 2), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0));
	/* appends are not for ZRWA zones */
	ck_assert_int_eq(zns_append(d, buf, zs(0), 1, &lba), 0x41b6);
	/* explicit flush: granularity multiples only, within the window */
	ck_assert_int_eq(zns_mgmt_send(d, zs(0) + 2, NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, NULL), 0x4002);
	ck_assert_int_eq(zns_mgmt_send(d, zs(0) + 40, NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, NULL), 0x41b8);
	ck_assert_int_eq(zns_mgmt_send(d, zs(0) + 3, NVME_ZNS_ZSA_ZRWA_FLUSH, 0, NULL, 0, NULL), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 4);
	/* below the write pointer, or past the window and its flush range */
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 3, 1), 0x41bc);
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 4 + 32, 1), 0x41bc);
	/* a write past the window flushes whole granules implicitly */
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 4 + 16, 1), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 8);
	/* finishing gives the resource back */
	ck_assert_int_eq(zns_finish_zone(d, zs(0)), 0);
	ck_assert_int_eq(zns_mgmt_send(d, zs(2), NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, NULL, 0, NULL), 0);
}
END_TEST

/* ------------------------------------------------------------- faults -- */

static struct zns_emu_fault fault(uint32_t kind, uint32_t op, int32_t status)
{
	struct zns_emu_fault f;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.kind = kind;
	f.opcode = op;
	f.status = status;
	f.nth = 1;
	f.zslba = ~0ull;
	return f;
}

START_TEST(test_fault_fail_and_ambiguous)
{
	struct zns_emu_fault f = fault(ZNS_EMU_FAIL, 0x01, 0x4006);
	uint64_t lba = 0;

	/* fails, takes no effect */
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 1), 0x4006);
	ck_assert_uint_eq(zone(0).wp, zs(0));
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 1), 0);	/* spent */
	/* the second matching one, on one zone only */
	f = fault(ZNS_EMU_FAIL, 0x7d, -EIO);
	f.nth = 2;
	f.zslba = zs(1);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_append(dev, buf, zs(2), 1, &lba), 0);	/* other zone */
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 1, &lba), 0);
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 1, &lba), -EIO);
	ck_assert_uint_eq(zone(1).wp, zs(1) + 1);
	/* ambiguous: the append lands, the completion says it failed */
	f = fault(ZNS_EMU_AMBIGUOUS, 0x7d, -EINTR);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	fill(9, 4096);
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 1, &lba), -EINTR);
	ck_assert_uint_eq(zone(1).wp, zs(1) + 2);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(1) + 1, 1), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 4096), 0);
	f = fault(ZNS_EMU_AMBIGUOUS, 0x01, 0x371);	/* a fabrics path error */
	f.count = 2;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 1, 1), 0x371);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 2, 1), 0x371);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 3, 1), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 4);
}
END_TEST

/* A late command: it reports its status at once, takes no effect until the
 * @after-th IO command after it, then lands with the data it carried when
 * sent (the buffer changed since); a write at its LBA that comes first
 * lands instead, and the late one is refused by the device. A power loss
 * or removal loses what is still to run. */
START_TEST(test_fault_late)
{
	struct zns_emu_fault f = fault(ZNS_EMU_LATE, 0x01, 0x371);
	uint64_t lba = 0;

	f.after = 2;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	fill(21, 4096);
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 1), 0x371);
	fill(22, 4096);
	ck_assert_uint_eq(zone(0).wp, zs(0));	/* the first IO after it */
	ck_assert_uint_eq(zone(0).wp, zs(0) + 1);	/* it ran before this */
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0), 1), 0);
	fill(21, 4096);
	ck_assert_int_eq(memcmp(rbuf, buf, 4096), 0);
	/* overtaken: the write sent after it lands, it does not */
	f = fault(ZNS_EMU_LATE, 0x7d, -EINTR);
	f.after = 1;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	f = fault(ZNS_EMU_LATE, 0x01, -EINTR);
	f.after = 3;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 2, &lba), -EINTR);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 1, 1), -EINTR); /* the append runs first */
	ck_assert_uint_eq(zone(1).wp, zs(1) + 2);
	fill(23, 4096);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 1, 1), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);	/* the late one refused */
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0) + 1, 1), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 4096), 0);
	/* lost with the power */
	f = fault(ZNS_EMU_LATE, 0x01, 0x371);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 2, 1), 0x371);
	ck_assert_int_eq(zns_emu_power_cycle(dev), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);
	/* a late fault needs a status */
	f = fault(ZNS_EMU_LATE, 0x01, 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), -EINVAL);
}
END_TEST

/* A hollow write or append: it reports its status, its zone's write
 * pointer moves past its blocks, which read as never written (zeros); a
 * write off the pointer is still refused; on a read, it fails as
 * ZNS_EMU_FAIL. From the environment too. */
START_TEST(test_fault_hollow)
{
	struct zns_emu_fault f = fault(ZNS_EMU_HOLLOW, 0x01, 0x280);
	struct zns_emu_opts o = base_opts();
	struct zns_dev *d;
	uint64_t lba = 0;
	size_t i;

	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	fill(31, 2 * 4096);
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 2), 0x280);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0), 2), 0);
	for (i = 0; i < 2 * 4096; i++)
		ck_assert_uint_eq(rbuf[i], 0);
	/* the checks of the command it stands for still apply */
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 3, 1), 0x41bc);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 2);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 2, 1), 0);	/* the fault was spent */
	f = fault(ZNS_EMU_HOLLOW, 0x7d, -EINTR);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 3, &lba), -EINTR);
	ck_assert_uint_eq(zone(1).wp, zs(1) + 3);
	ck_assert_int_eq(zns_append(dev, buf, zs(1), 1, &lba), 0);
	ck_assert_uint_eq(lba, zs(1) + 3);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(1), 3), 0);
	for (i = 0; i < 3 * 4096; i++)
		ck_assert_uint_eq(rbuf[i], 0);
	f = fault(ZNS_EMU_HOLLOW, 0x02, 0x281);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(1), 1), 0x281);
	f = fault(ZNS_EMU_HOLLOW, 0x01, 0);	/* it needs a status */
	ck_assert_int_eq(zns_emu_inject(dev, &f), -EINVAL);
	setenv("ZNS_EMU_FAULTS", "hollow:op=0x7d:status=-4", 1);
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	unsetenv("ZNS_EMU_FAULTS");
	ck_assert_int_eq(zns_append(d, buf, 0, 2, &lba), -EINTR);
	ck_assert_int_eq(zns_append(d, buf, 0, 1, &lba), 0);
	ck_assert_uint_eq(lba, 2);
	zns_dev_close(d);
}
END_TEST

/* An append that lands well and completes with an LBA in another zone;
 * other commands run as usual; from the environment too. */
START_TEST(test_fault_stray)
{
	struct zns_emu_fault f = fault(ZNS_EMU_STRAY, 0x7d, 0);
	struct zns_emu_opts o = base_opts();
	struct zns_dev *d;
	uint64_t lba = 0;

	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);	/* no status needed */
	fill(41, 4096);
	ck_assert_int_eq(zns_append(dev, buf, zs(2), 1, &lba), 0);
	ck_assert_uint_eq(lba, zs(3));	/* one zone on */
	ck_assert_uint_eq(zone(2).wp, zs(2) + 1);
	ck_assert_uint_eq(zone(3).wp, zs(3));
	ck_assert_int_eq(zns_read(dev, rbuf, zs(2), 1), 0);
	ck_assert_mem_eq(rbuf, buf, 4096);
	ck_assert_int_eq(zns_append(dev, buf, zs(2), 1, &lba), 0);	/* spent */
	ck_assert_uint_eq(lba, zs(2) + 1);
	f = fault(ZNS_EMU_STRAY, ZNS_EMU_ANY, 0);
	f.after = 2;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(2) + 2, 1), 0);	/* as usual */
	ck_assert_uint_eq(zone(2).wp, zs(2) + 3);
	setenv("ZNS_EMU_FAULTS", "stray:op=0x7d:after=2", 1);
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	unsetenv("ZNS_EMU_FAULTS");
	ck_assert_int_eq(zns_append(d, buf, 0, 1, &lba), 0);
	ck_assert_uint_eq(lba, 2 * ZS);
	zns_dev_close(d);
}
END_TEST

START_TEST(test_fault_zone_states)
{
	struct zns_emu_fault f = fault(ZNS_EMU_OFFLINE, ZNS_EMU_ANY, 0);
	static struct nvme_zns_changed_zone_log log;

	ck_assert_int_eq(zns_write(dev, buf, zs(3), 1), 0);
	f.zslba = zs(3);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(3) + 1, 1), 0x41bb);
	ck_assert_uint_eq(zone(3).state, NVME_ZNS_ZS_OFFLINE);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(3), 1), 0x41bb);
	ck_assert_int_eq(zns_reset_zone(dev, zs(3)), 0x41bf);
	/* read only: reads work, writes do not, offline is allowed */
	f = fault(ZNS_EMU_READ_ONLY, 0x01, 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(5), 1), 0x41ba);
	ck_assert_uint_eq(zone(5).state, NVME_ZNS_ZS_READ_ONLY);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(5), 1), 0);
	ck_assert_int_eq(zns_finish_zone(dev, zs(5)), 0x41bf);
	/* the device says which zones it changed; reading it consumes it */
	ck_assert_int_eq(zns_get_changed_zones(dev, 0, &log), 0);
	ck_assert_uint_eq(zns_le16(log.nrzid), 2);
	ck_assert_uint_eq(zns_le64(log.zid[0]), zs(3));
	ck_assert_uint_eq(zns_le64(log.zid[1]), zs(5));
	ck_assert_int_eq(zns_get_changed_zones(dev, 0, &log), 0);
	ck_assert_uint_eq(zns_le16(log.nrzid), 0);
	ck_assert_int_eq(zns_mgmt_send(dev, 0, NVME_ZNS_ZSA_OFFLINE, ZNS_SEND_SELECT_ALL, NULL, 0, NULL), 0);
	ck_assert_uint_eq(zone(5).state, NVME_ZNS_ZS_OFFLINE);
}
END_TEST

START_TEST(test_fault_remove)
{
	struct zns_emu_fault f = fault(ZNS_EMU_REMOVE, ZNS_EMU_ANY, 0);
	struct zns_zone z;
	unsigned int nr = 1;

	f.nth = 2;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0), 1), 0);
	ck_assert_int_eq(zns_write(dev, buf, zs(0) + 1, 1), -ENODEV);
	ck_assert_int_eq(zns_read(dev, rbuf, zs(0), 1), -ENODEV);
	ck_assert_int_eq(zns_report_zones(dev, 0, 0, &z, &nr, NULL), -ENODEV);
	ck_assert_int_eq(zns_flush(dev), -ENODEV);
}
END_TEST

START_TEST(test_fault_api_errors)
{
	struct zns_emu_fault f = fault(ZNS_EMU_FAIL, 0x01, 0x4006);
	struct zns_dev_info in;
	struct zns_dev *nd;
	unsigned int i;

	ck_assert_int_eq(zns_emu_inject(NULL, &f), -EINVAL);
	ck_assert_int_eq(zns_emu_inject(dev, NULL), -EINVAL);
	memset(&in, 0, sizeof(in));
	in.lba_shift = 12;
	in.nr_lbas = 1 << 20;
	in.zone_size = 1 << 12;
	in.max_xfer = 1 << 17;
	ck_assert_int_eq(zns_dev_open_null(&in, &nd), 0);
	ck_assert_int_eq(zns_emu_inject(nd, &f), -EINVAL);
	ck_assert(strstr(zns_last_error(), "emulated") != NULL);
	ck_assert_int_eq(zns_emu_power_cycle(nd), -EINVAL);
	zns_dev_close(nd);
	f.kind = 99;
	ck_assert_int_eq(zns_emu_inject(dev, &f), -EINVAL);
	f = fault(ZNS_EMU_FAIL, 0x01, 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), -EINVAL);	/* no status */
	f = fault(ZNS_EMU_DELAY, 0x02, 0);
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	ck_assert_int_eq(zns_emu_inject(dev, &f), -ENOSPC);
}
END_TEST

START_TEST(test_fault_env)
{
	struct zns_emu_opts o = base_opts();
	struct zns_dev *d;
	uint64_t lba;

	setenv("ZNS_EMU_FAULTS", "ambiguous:op=0x7d:nth=2:status=-4,fail:op=1:status=0x4006", 1);
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	unsetenv("ZNS_EMU_FAULTS");
	ck_assert_int_eq(zns_append(d, buf, 0, 1, &lba), 0);
	ck_assert_int_eq(zns_append(d, buf, 0, 1, &lba), -EINTR);
	ck_assert_int_eq(zns_write(d, buf, 2, 1), 0x4006);
	ck_assert_int_eq(zns_write(d, buf, 2, 1), 0);
	zns_dev_close(d);
	setenv("ZNS_EMU_FAULTS", "explode:nth=1", 1);
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), -EINVAL);
	ck_assert(strstr(zns_last_error(), "ZNS_EMU_FAULTS") != NULL);
	unsetenv("ZNS_EMU_FAULTS");
}
END_TEST

/* ------------------------------------------------ persistence, power -- */

static void path_of(char *p, size_t n, const char *name)
{
	snprintf(p, n, "%s/%s", tmpdir, name);
}

START_TEST(test_file_persists)
{
	struct zns_emu_opts o = base_opts();
	char path[128];
	struct zns_dev *d;
	uint64_t lba;

	teardown();	/* this test opens its own */

	path_of(path, sizeof(path), "persist.img");
	o.path = path;
	/* not there, not asked to create: ENOENT, the path named */
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), -ENOENT);
	ck_assert(strstr(zns_last_error(), path) != NULL);
	o.flags = ZNS_EMU_CREATE;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	fill(3, 8192);
	ck_assert_int_eq(zns_write(d, buf, zs(2), 2), 0);
	ck_assert_int_eq(zns_append(d, buf, zs(4), 1, &lba), 0);
	ck_assert_int_eq(zns_finish_zone(d, zs(6)), 0);
	memset(buf + 8192, 'e', 64);
	ck_assert_int_eq(zns_mgmt_send(d, zs(7), NVME_ZNS_ZSA_SET_DESC_EXT, 0, buf + 8192, 64, NULL), 0);
	zns_dev_close(d);
	/* reopened: what completed is there, open zones came back closed */
	o.flags = 0;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	dev = d;
	ck_assert_uint_eq(zone(2).wp, zs(2) + 2);
	ck_assert_uint_eq(zone(2).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_uint_eq(zone(4).wp, zs(4) + 1);
	ck_assert_uint_eq(zone(6).state, NVME_ZNS_ZS_FULL);
	ck_assert_uint_eq(zone(7).state, NVME_ZNS_ZS_CLOSED);
	ck_assert(zone(7).attrs & NVME_ZNS_ZA_ZDEV);
	ck_assert_int_eq(zns_read(d, rbuf, zs(2), 2), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 8192), 0);
	/* a write goes on from there */
	ck_assert_int_eq(zns_write(d, buf, zs(2) + 2, 1), 0);
	zns_dev_close(d);
	dev = NULL;
	/* another geometry: refused, the file untouched */
	o.nr_zones = 9;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), -EMEDIUMTYPE);
	ck_assert(strstr(zns_last_error(), path) != NULL);
	/* a directory that does not exist */
	o = base_opts();
	o.path = "/nonexistent-dir/x.img";
	o.flags = ZNS_EMU_CREATE;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), -ENOENT);
	ck_assert(strstr(zns_last_error(), "/nonexistent-dir/x.img") != NULL);
	unlink(path);
}
END_TEST

START_TEST(test_power_loss)
{
	struct zns_emu_opts o = base_opts();
	struct zns_emu_fault f;
	char path[128];
	struct zns_dev *d;

	teardown();	/* this test opens its own */

	/* a volatile write cache: only what a Flush made durable survives */
	path_of(path, sizeof(path), "power.img");
	o.path = path;
	o.flags = ZNS_EMU_CREATE | ZNS_EMU_VWC;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	dev = d;
	fill(5, 16384);
	ck_assert_int_eq(zns_write(d, buf, zs(0), 4), 0);
	ck_assert_int_eq(zns_flush(d), 0);
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 4, 4), 0);
	ck_assert_int_eq(zns_write(d, buf, zs(1), 4), 0);
	ck_assert_int_eq(zns_emu_power_cycle(d), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 4);
	ck_assert_uint_eq(zone(0).state, NVME_ZNS_ZS_CLOSED);
	ck_assert_uint_eq(zone(1).wp, zs(1));
	ck_assert_uint_eq(zone(1).state, NVME_ZNS_ZS_EMPTY);
	ck_assert_int_eq(zns_read(d, rbuf, zs(0), 4), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 16384), 0);
	/* Force Unit Access: durable at completion, behind the cache too
	 * (with the zone's blocks before it); a plain write after it is not */
	ck_assert_int_eq(zns_write(d, buf, zs(1), 2), 0);
	ck_assert_int_eq(zns_write_opts(d, buf, zs(1) + 2, 1, &(struct zns_io_opts){
		.size = sizeof(struct zns_io_opts), .control = NVME_IO_FUA }), 0);
	ck_assert_int_eq(zns_write(d, buf, zs(1) + 3, 1), 0);
	ck_assert_int_eq(zns_emu_power_cycle(d), 0);
	ck_assert_uint_eq(zone(1).wp, zs(1) + 3);
	ck_assert_int_eq(zns_reset_zone(d, zs(1)), 0);
	/* the fault, mid-stream, keeping 2 blocks of what was in the cache */
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 4, 4), 0);
	f = fault(ZNS_EMU_POWER_LOSS, 0x01, -EIO);
	f.granularity = 2;
	ck_assert_int_eq(zns_emu_inject(d, &f), 0);
	ck_assert_int_eq(zns_write(d, buf, zs(0) + 8, 1), -EIO);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 6);
	zns_dev_close(d);
	/* the file agrees */
	o.flags = ZNS_EMU_VWC;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	dev = d;
	ck_assert_uint_eq(zone(0).wp, zs(0) + 6);
	zns_dev_close(d);
	/* without a cache, every completed write is durable */
	o.flags = ZNS_EMU_CREATE;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	dev = d;
	ck_assert_int_eq(zns_write(d, buf, zs(0), 3), 0);
	ck_assert_int_eq(zns_emu_power_cycle(d), 0);
	ck_assert_uint_eq(zone(0).wp, zs(0) + 3);
	zns_dev_close(d);
	dev = NULL;
	unlink(path);
}
END_TEST

/* kill -9 in the middle: a child writes, flushes some, and dies without
 * closing; what it had made durable is there. */
START_TEST(test_kill)
{
	struct zns_emu_opts o = base_opts();
	char path[128];
	struct zns_dev *d;
	pid_t pid;
	int st;

	teardown();	/* this test opens its own */

	path_of(path, sizeof(path), "kill.img");
	o.path = path;
	o.flags = ZNS_EMU_CREATE | ZNS_EMU_VWC;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	zns_dev_close(d);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		o.flags = ZNS_EMU_VWC;
		if (zns_dev_open_emu(&o, &d))
			_exit(2);
		fill(7, 8192);
		if (zns_write(d, buf, zs(3), 2) || zns_flush(d) ||
		    zns_write(d, buf, zs(3) + 2, 2))
			_exit(3);
		kill(getpid(), SIGKILL);
		_exit(4);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	o.flags = ZNS_EMU_VWC;
	ck_assert_int_eq(zns_dev_open_emu(&o, &d), 0);
	dev = d;
	ck_assert_uint_eq(zone(3).wp, zs(3) + 2);
	fill(7, 8192);
	ck_assert_int_eq(zns_read(d, rbuf, zs(3), 2), 0);
	ck_assert_int_eq(memcmp(rbuf, buf, 8192), 0);
	zns_dev_close(d);
	dev = NULL;
	unlink(path);
}
END_TEST

/* -------------------------------------------------------------- queues -- */

struct done {
	int status;
	uint64_t result;
	unsigned int order;
};
static unsigned int seq;

static void done_cb(void *user, int status, uint64_t result)
{
	struct done *d = user;

	d->status = status;
	d->result = result;
	d->order = ++seq;
}

static const unsigned int modes[] = { 0, ZNS_QUEUE_SYNC };

START_TEST(test_queue_modes)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 16,
				     .flags = modes[_i], .sq_thread_cpu = -1 };
	struct zns_emu_fault f = fault(ZNS_EMU_DELAY, 0x7d, 0);
	struct zns_queue *q;
	struct done d[16];
	static struct nvme_zns_id_ns id;
	unsigned int i;

	memset(d, 0, sizeof(d));
	seq = 0;
	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	ck_assert_int_eq(zns_queue_mode(q), _i ? ZNS_MODE_SYNC : ZNS_MODE_URING);
	/* appends at depth: each lands once, at a distinct LBA */
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zs(i % 3), 1, done_cb, &d[i]), 0);
	ck_assert_int_eq(zns_prep_identify_ns(q, dev, &id, done_cb, &d[12]), 0);
	while (zns_queue_inflight(q))
		ck_assert_int_ge(zns_reap(q, 1, -1), 0);
	for (i = 0; i < 13; i++)
		ck_assert_int_eq(d[i].status, 0);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(zone(i).wp, zs(i) + 4);
	ck_assert_uint_eq(zns_le32(id.mor), 2);
	/* a delayed completion arrives after the ones behind it */
	f.delay_us = 20000;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	memset(d, 0, sizeof(d));
	seq = 0;
	ck_assert_int_eq(zns_prep_append(q, dev, buf, zs(4), 1, done_cb, &d[0]), 0);
	ck_assert_int_eq(zns_prep_append(q, dev, buf, zs(5), 1, done_cb, &d[1]), 0);
	ck_assert_int_eq(zns_prep_write(q, dev, buf, zs(6), 1, done_cb, &d[2]), 0);
	while (zns_queue_inflight(q))
		ck_assert_int_ge(zns_reap(q, 1, -1), 0);
	ck_assert_uint_eq(d[0].order, 3);
	ck_assert_uint_eq(d[0].result, zs(4));
	ck_assert_uint_eq(d[1].order, 1);
	/* device errors come back through the callback */
	ck_assert_int_eq(zns_prep_write(q, dev, buf, zs(6) + 5, 1, done_cb, &d[3]), 0);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	ck_assert_int_eq(d[3].status, 0x41bc);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* spin_us on an io_uring queue (_i 1; _i 0: none): a read the device
 * holds back 300 ms. A wait with a 20 ms timeout ends at it, the read
 * still in flight; a wait without one ends when the read completes, long
 * before the 2 s spin is over, and the callback runs once. The spinning
 * queue polls (its thread is on the CPU for much of the wait); the other
 * sleeps. */
START_TEST(test_queue_spin)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4,
				     .sq_thread_cpu = -1, .spin_us = _i ? 2000000 : 0 };
	struct zns_emu_fault f = fault(ZNS_EMU_DELAY, 0x02, 0);
	struct zns_queue *q;
	struct done d;
	uint64_t t0, t1, c0, cpu;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	if (zns_queue_mode(q) != ZNS_MODE_URING) {
		printf("emu: no io_uring on this kernel; spin_us not checked\n");
		zns_queue_exit(q);
		return;
	}
	f.delay_us = 300000;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	memset(&d, 0, sizeof(d));
	seq = 0;
	ck_assert_int_eq(zns_prep_read(q, dev, rbuf, 0, 1, done_cb, &d), 0);
	t0 = mono_ns();
	c0 = thread_cpu_ns();
	ck_assert_int_eq(zns_reap(q, 1, 20000), 0);
	t1 = mono_ns() - t0;
	ck_assert_msg(t1 >= 19000000 && t1 < 250000000, "a 20 ms wait took %llu ns",
		      (unsigned long long)t1);
	ck_assert_uint_eq(zns_queue_inflight(q), 1);
	ck_assert_uint_eq(seq, 0);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	t1 = mono_ns() - t0;
	cpu = thread_cpu_ns() - c0;
	ck_assert_uint_eq(seq, 1);
	ck_assert_int_eq(d.status, 0);
	ck_assert_msg(t1 >= 290000000 && t1 < 1500000000, "the wait took %llu ns",
		      (unsigned long long)t1);
	/* spinning, on the CPU for a twentieth of it at least, even on a
	 * machine busy with guests; sleeping, a thousandth or so */
	if (_i)
		ck_assert_msg(cpu > t1 / 20, "spinning, the thread used %llu of %llu ns",
			      (unsigned long long)cpu, (unsigned long long)t1);
	else
		ck_assert_msg(cpu < t1 / 20, "sleeping, the thread used %llu of %llu ns",
			      (unsigned long long)cpu, (unsigned long long)t1);
	/* nothing in flight: no spin */
	t0 = mono_ns();
	ck_assert_int_eq(zns_reap(q, 1, -1), 0);
	ck_assert_uint_lt(mono_ns() - t0, 100000000);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* Vectored writes and reads through a queue, in both modes: the pieces
 * land in order as one command (one write pointer step), and read back
 * into other pieces. */
START_TEST(test_vectors)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 8,
				     .flags = modes[_i], .sq_thread_cpu = -1 };
	struct zns_queue *q;
	struct iovec w[3] = { { buf + 8192, 4096 }, { buf, 8192 },
			      { buf + 12288, 4096 } };
	struct iovec r[2] = { { rbuf, 12288 }, { rbuf + 12288, 4096 } };
	struct iovec odd[2] = { { buf, 2048 }, { buf + 2048, 2048 } };
	int st = ZNS_PENDING;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	fill(9, 16384);
	ck_assert_int_eq(zns_prep_writev(q, dev, w, 3, zs(7), 4, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	ck_assert_uint_eq(zone(7).wp, zs(7) + 4);
	st = ZNS_PENDING;
	memset(rbuf, 0, 16384);
	ck_assert_int_eq(zns_prep_readv(q, dev, r, 2, zs(7), 4, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	ck_assert_mem_eq(rbuf, buf + 8192, 4096);
	ck_assert_mem_eq(rbuf + 4096, buf, 8192);
	ck_assert_mem_eq(rbuf + 12288, buf + 12288, 4096);
	/* the emulator's one difference from the kernel: whole blocks per
	 * element (Invalid Field in Command) */
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_writev(q, dev, odd, 2, zs(7) + 4, 1, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0x4002);
	ck_assert_uint_eq(zone(7).wp, zs(7) + 4);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* ------------------------------------------------------------ no path -- */

struct np {
	int status;
	uint64_t result;
	unsigned int calls;
};

static void np_cb(void *user, int status, uint64_t result)
{
	struct np *d = user;

	d->status = status;
	d->result = result;
	d->calls++;
}

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct zns_queue *np_queue(unsigned int flags, uint32_t hold_ms)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 16,
				     .flags = flags, .sq_thread_cpu = -1,
				     .nopath_hold_ms = hold_ms };
	struct zns_queue *q;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	return q;
}

/* Reap until nothing is in flight; returns how many reaps came back with
 * nothing (a caller spinning would see many). */
static unsigned int np_reap_all(struct zns_queue *q)
{
	unsigned int empty = 0;
	int rc;

	while (zns_queue_inflight(q)) {
		rc = zns_reap(q, 1, -1);
		ck_assert_int_ge(rc, 0);
		empty += rc == 0;
	}
	return empty;
}

/* Every path gone for 60 ms from the third command on (the device answers
 * -EINVAL without running anything, as a multipath head does): the queue
 * holds the commands and sends them again when the path is back; each
 * completes once, successfully, and the waiting caller does not spin. With
 * ZNS_QUEUE_NOPATH_FAIL each gets -ENOLINK at once; past nopath_hold_ms,
 * -ENOLINK; zns_queue_exit() completes held commands at once. */
START_TEST(test_no_path)
{
	struct zns_emu_fault f = fault(ZNS_EMU_NO_PATH, ZNS_EMU_ANY, 0);
	struct zns_queue *q = np_queue(modes[_i], 0);
	struct np d[8];
	uint64_t t0;
	unsigned int i, empty;

	memset(d, 0, sizeof(d));
	f.nth = 3;
	f.delay_us = 60000;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	t0 = ms_now();
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(zns_prep_append(q, dev, buf, zs(i % 2), 1, np_cb, &d[i]), 0);
	empty = np_reap_all(q);
	ck_assert_uint_ge(ms_now() - t0, 50);
	ck_assert_uint_le(empty, 2);
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(d[i].calls, 1);
		ck_assert_int_eq(d[i].status, 0);
	}
	ck_assert_uint_eq(zone(0).wp, zs(0) + 4);	/* each ran once */
	ck_assert_uint_eq(zone(1).wp, zs(1) + 4);
	ck_assert_int_eq(zns_queue_exit(q), 0);

	/* a read a breaking path failed (-EINTR) is sent again: it reads;
	 * a write that failed so is not (it may have landed) */
	q = np_queue(modes[_i], 0);
	memset(d, 0, sizeof(d));
	{
		struct zns_emu_fault r = fault(ZNS_EMU_FAIL, 0x02, -EINTR);
		struct zns_emu_fault w = fault(ZNS_EMU_FAIL, 0x01, -EINTR);

		ck_assert_int_eq(zns_emu_inject(dev, &r), 0);
		ck_assert_int_eq(zns_emu_inject(dev, &w), 0);
	}
	ck_assert_int_eq(zns_prep_read(q, dev, rbuf, zs(0), 1, np_cb, &d[0]), 0);
	ck_assert_int_eq(zns_prep_write(q, dev, buf, zs(3), 1, np_cb, &d[1]), 0);
	np_reap_all(q);
	ck_assert_uint_eq(d[0].calls, 1);
	ck_assert_int_eq(d[0].status, 0);
	ck_assert_uint_eq(d[1].calls, 1);
	ck_assert_int_eq(d[1].status, -EINTR);
	ck_assert_int_eq(zns_queue_exit(q), 0);

	/* fail at once */
	q = np_queue(modes[_i] | ZNS_QUEUE_NOPATH_FAIL, 0);
	memset(d, 0, sizeof(d));
	f.nth = 1;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(zns_prep_write(q, dev, buf, zs(2) + i, 1, np_cb, &d[i]), 0);
	np_reap_all(q);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(d[i].calls, 1);
		ck_assert_int_eq(d[i].status, -ENOLINK);
	}
	ck_assert_msg(strstr(zns_last_error(), "no live path") != NULL, "%s", zns_last_error());
	ck_assert_int_eq(zns_queue_exit(q), 0);
	while (ms_now() - t0 < 200)	/* let that window close */
		usleep(10000);
	ck_assert_uint_eq(zone(2).wp, zs(2));	/* none of them ran */

	/* held for at most 20 ms of a 300 ms outage */
	q = np_queue(modes[_i], 20);
	memset(d, 0, sizeof(d));
	f.delay_us = 300000;
	ck_assert_int_eq(zns_emu_inject(dev, &f), 0);
	t0 = ms_now();
	ck_assert_int_eq(zns_prep_read(q, dev, rbuf, zs(0), 1, np_cb, &d[0]), 0);
	np_reap_all(q);
	ck_assert_uint_lt(ms_now() - t0, 250);
	ck_assert_uint_eq(d[0].calls, 1);
	ck_assert_int_eq(d[0].status, -ENOLINK);
	/* exit with a command held: it completes now, not when the path is
	 * back */
	ck_assert_int_eq(zns_prep_read(q, dev, rbuf, zs(0), 1, np_cb, &d[1]), 0);
	ck_assert_int_ge(zns_reap(q, 0, 0), 0);
	ck_assert_uint_eq(zns_queue_inflight(q), 1);
	t0 = ms_now();
	ck_assert_int_eq(zns_queue_exit(q), 0);
	ck_assert_uint_lt(ms_now() - t0, 50);
	ck_assert_uint_eq(d[1].calls, 1);
	ck_assert_int_eq(d[1].status, -ENOLINK);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("emu");
	TCase *t = tcase_create("emu");
	SRunner *sr;
	int failed;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zns-emu-test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 99;
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_bad_geometry);
	tcase_add_test(t, test_identify);
	tcase_add_test(t, test_states_and_statuses);
	tcase_add_test(t, test_read);
	tcase_add_test(t, test_limits);
	tcase_add_test(t, test_select_all);
	tcase_add_test(t, test_reports);
	tcase_add_test(t, test_descriptor_extension);
	tcase_add_test(t, test_zrwa);
	tcase_add_test(t, test_fault_fail_and_ambiguous);
	tcase_add_test(t, test_fault_zone_states);
	tcase_add_test(t, test_fault_remove);
	tcase_add_test(t, test_fault_api_errors);
	tcase_add_test(t, test_fault_env);
	tcase_add_test(t, test_file_persists);
	tcase_add_test(t, test_fault_late);
	tcase_add_test(t, test_fault_hollow);
	tcase_add_test(t, test_fault_stray);
	tcase_add_test(t, test_power_loss);
	tcase_add_test(t, test_kill);
	tcase_add_loop_test(t, test_queue_modes, 0, 2);
	tcase_add_loop_test(t, test_queue_spin, 0, 2);
	tcase_add_loop_test(t, test_vectors, 0, 2);
	tcase_add_loop_test(t, test_no_path, 0, 2);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rmdir(tmpdir);
	return failed ? 1 : 0;
}
