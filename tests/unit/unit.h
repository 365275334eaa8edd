/* SPDX-License-Identifier: MIT */
/*
 * What the unit suites share: a device handle made without a device, the
 * exact-command assertion, captured test data, and a main() per suite.
 * The unit suites may see lib/'s private headers; nothing else in tests/
 * does.
 */
#ifndef ZNS_UNIT_H
#define ZNS_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "decode.h"
#include "alloc-count.h"

static uint8_t buf[8192] __attribute__((unused)) __attribute__((aligned(4096)));

/* A device as zns_dev_open() would leave it, without a device. */
static inline struct zns_dev fake_dev(uint32_t shift, uint64_t zone_size,
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
static inline struct nvme_uring_cmd dirty(void)
{
	struct nvme_uring_cmd c;

	memset(&c, 0xa5, sizeof(c));
	return c;
}

static inline size_t load(const char *name, void *dst, size_t cap)
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


/* Run one suite; exit 0 when every test passed. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

#endif /* ZNS_UNIT_H */
