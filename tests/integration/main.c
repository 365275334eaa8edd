// SPDX-License-Identifier: MIT
/*
 * zns-itest: integration suites against a real kernel and a ZNS namespace.
 *
 *   ZNS_TEST_DEV=/dev/ngXnY [ZNS_TEST_KIND=a|b|c|d|e|f|hw] zns-itest
 *
 * KIND names the device configuration of tests/vm/zns-vm (a-d QEMU, e nvmet
 * over loop, f nvmet over TCP); its geometry and the exact statuses that
 * implementation answers are in the table below. "hw" is real hardware: the
 * geometry is not checked, the rest is. DESTRUCTIVE: every zone is reset.
 * ZNS_TEST_DEV2 names a second ZNS namespace for the test that runs one
 * queue over two devices (its zones are reset too).
 * ZNS_TEST_FALLBACK=1 says io_uring is disabled in this kernel
 * (kernel.io_uring_disabled=2): queues must fall back to the ioctl path.
 *
 * The cases, one file each: identify (opening, geometry, nvme-cli), admin
 * (identify and log commands), zones, io, async; run one with
 * CK_RUN_CASE=zones (Check's own selector).
 */
#include "itest.h"
#include "alloc-count.h"

/*
 * What each implementation was configured with (tests/vm/zns-vm,
 * tests/vm/guest-nvmet.sh) and what it really answers. QEMU 7.2 answers with
 * the ZNS status codes; the kernel's NVMe target (nvmet over zoned null_blk)
 * reports most zone errors as Internal Error (0x6) with DNR, and accepts a
 * write that crosses into the next zone when both write pointers line up
 * (the block layer splits it at the zone boundary) where the spec asks for
 * Zone Boundary Error.
 */
#define QEMU_ERRS .log_status = 0x4002, .close_empty = 0x41bf, \
	.write_off_wp = 0x41bc, .append_full = 0x41b9
#define NVMET .zoned = 1, .lba_size = 4096, .zone_size = 16384, \
	.zone_cap = 16384, .nr_zones = 16, .max_open = 8, .max_active = 8, \
	.zasl = 64 << 10, .log_status = 0x6002, .open_over_limit = 0x6, \
	.close_empty = 0x41bf, .write_off_wp = 0x6006, .past_cap = 0, \
	.append_full = 0x6006
static const struct expect expects[] = {
	{ .kind = 'a', .zoned = 1, .lba_size = 4096, .zone_size = 16384,
	  .zone_cap = 15872, .nr_zones = 16, .max_open = 14, .max_active = 14,
	  .zdes = 64, .zasl = 128 << 10, .open_over_limit = 0x41bd,
	  .past_cap = 0x41b8, QEMU_ERRS },
	{ .kind = 'b', .zoned = 1, .lba_size = 512, .zone_size = 32768,
	  .zone_cap = 32768, .nr_zones = 32, .max_open = ZNS_NO_LIMIT,
	  .max_active = ZNS_NO_LIMIT, .past_cap = 0x41b8, QEMU_ERRS },
	/* QEMU 7.2 stores the ZRWA count itself in the 0's based NUMZRWA */
	{ .kind = 'c', .zoned = 1, .lba_size = 4096, .zone_size = 8192,
	  .zone_cap = 8192, .nr_zones = 16, .max_open = 16, .max_active = 16,
	  .numzrwa = 9, .zrwas = 16, .zrwafg = 4, .open_over_limit = 0x41bd,
	  .past_cap = 0x41b8, QEMU_ERRS },
	{ .kind = 'd' },
	{ NVMET, .kind = 'e' },
	{ NVMET, .kind = 'f' },
};


const char *dev_path;
const struct expect *ex;
int fallback_expected;
struct zns_dev *dev;
const struct zns_dev_info *info;

void *xalloc(size_t len)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 4096, len), 0);
	memset(p, 0, len);
	return p;
}

void fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t *p = buf;
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = seed * 0x9e3779b97f4a7c15ull + i;
}

void setup(void)
{
	int rc = zns_dev_open(dev_path, &dev);

	ck_assert_msg(rc == 0, "open %s: %s", dev_path, zns_status_str(rc));
	info = zns_dev_get_info(dev);
	rc = zns_reset_all_zones(dev);
	ck_assert_msg(rc == 0, "reset all: %s", zns_status_str(rc));
}

void teardown(void)
{
	zns_dev_close(dev);
	dev = NULL;
}

uint64_t zslba(unsigned int zone)
{
	return (uint64_t)zone * info->zone_size;
}

struct zns_zone get_zone(unsigned int zone)
{
	struct zns_zone z;
	unsigned int nr = 1;
	int rc = zns_report_zones(dev, zslba(zone), 0, &z, &nr, NULL);

	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(nr, 1);
	ck_assert_uint_eq(z.zslba, zslba(zone));
	return z;
}

int main(int argc, char **argv)
{
	const char *kind = getenv("ZNS_TEST_KIND");
	SRunner *sr;
	Suite *s;
	size_t i;
	int failed;

	dev_path = getenv("ZNS_TEST_DEV");
	if (!kind)
		kind = "hw";
	if (!dev_path) {
		fprintf(stderr, "usage: ZNS_TEST_DEV=/dev/ngXnY [ZNS_TEST_KIND=a..f|hw] %s\n"
			"DESTRUCTIVE: resets every zone of the namespace.\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
		if (expects[i].kind == kind[0] && kind[1] == 0)
			ex = &expects[i];
	if (!ex && strcmp(kind, "hw") != 0) {
		fprintf(stderr, "zns-itest: unknown ZNS_TEST_KIND %s\n", kind);
		return 2;
	}
	fallback_expected = getenv("ZNS_TEST_FALLBACK") != NULL;
	if (ex && !ex->zoned) {
		s = suite_create("conventional");
		add_negative(s);
	} else {
		s = suite_create("zns");
		add_identify(s);
		add_admin(s);
		add_zones(s);
		add_io(s);
		add_async(s);
	}
	sr = srunner_create(s);
	(void)argc;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
