/* SPDX-License-Identifier: MIT */
/*
 * What the integration suites share: the device under test, the table of
 * what each configuration answers, and small helpers. The suites see the
 * public API only (<libzns.h>), as a user's program does.
 */
#ifndef ZNS_ITEST_H
#define ZNS_ITEST_H

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzns.h>

struct expect {
	char kind;
	int zoned;
	uint32_t lba_size;
	uint64_t zone_size, zone_cap, nr_zones;
	uint32_t max_open, max_active, zdes, zasl, numzrwa, zrwas, zrwafg;
	int log_status;		/* changed zone log answer */
	int open_over_limit;	/* opening one zone past max open */
	int close_empty;	/* close on an empty zone */
	int write_off_wp;	/* write not at the write pointer */
	int past_cap;		/* write across the zone capacity */
	int append_full;	/* append to a full zone */
};

extern const char *dev_path;
extern const struct expect *ex;	/* NULL on real hardware */
extern int fallback_expected;
extern struct zns_dev *dev;
extern const struct zns_dev_info *info;

void *xalloc(size_t len);
void fill(void *buf, size_t len, uint64_t seed);
void setup(void);
void teardown(void);
uint64_t zslba(unsigned int zone);
struct zns_zone get_zone(unsigned int zone);

/* Each file adds its test case to the suite. */
void add_identify(Suite *s);
void add_admin(Suite *s);
void add_zones(Suite *s);
void add_io(Suite *s);
void add_async(Suite *s);
void add_negative(Suite *s);

#endif /* ZNS_ITEST_H */
