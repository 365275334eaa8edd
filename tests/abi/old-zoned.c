// SPDX-License-Identifier: MIT
/*
 * old-zoned: a program written against release 0.2's headers (the
 * LIBZNS_0.2 symbol node; tests/abi/v0.2/include), run against the library
 * of this tree. It uses the 0.2 structures whose reserved bytes later
 * releases took (struct zns_zoned_opts, struct zns_zoned_zone) and checks
 * that the library neither reads nor writes past their 0.2 sizes: each
 * sits in a larger buffer whose tail holds a pattern that must survive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libzns.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "old-zoned: FAIL line %d: ", __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, " (%s)\n", zns_last_error());		\
		exit(1);						\
	}								\
} while (0)

#define TAIL 64

/* 0.2's sizes, as its headers had them */
_Static_assert(sizeof(struct zns_zoned_zone) == 56, "0.2 zone info size");
_Static_assert(sizeof(struct zns_zoned_opts) == 40, "0.2 zoned opts size");

static int calls, last_status;
static uint64_t last_lba;

static void wrote(void *user, int status, uint64_t lba, uint32_t nlb)
{
	(void)user;
	(void)nlb;
	calls++;
	last_status = status;
	last_lba = lba;
}

static int tail_intact(const unsigned char *p)
{
	int i;

	for (i = 0; i < TAIL; i++)
		if (p[i] != 0xa5)
			return 0;
	return 1;
}

int main(void)
{
	struct zns_emu_opts eo;
	struct zns_queue_opts qo;
	struct zns_dev *dev;
	struct zns_queue *q;
	struct zns_zoned *zt;
	unsigned char ob[sizeof(struct zns_zoned_opts) + TAIL];
	unsigned char ib[sizeof(struct zns_zoned_zone) + TAIL];
	struct zns_zoned_opts *zo = (struct zns_zoned_opts *)ob;
	struct zns_zoned_zone *in = (struct zns_zoned_zone *)ib;
	static unsigned char buf[4 * 4096] __attribute__((aligned(4096)));
	int rc;

	memset(&eo, 0, sizeof(eo));
	eo.size = sizeof(eo);
	eo.lba_size = 4096;
	eo.nr_zones = 8;
	eo.zone_size = 256;
	eo.zone_cap = 256;
	eo.max_open = 4;
	eo.max_active = 4;
	rc = zns_dev_open_emu(&eo, &dev);
	CHECK(rc == 0, "zns_dev_open_emu: %d", rc);
	memset(&qo, 0, sizeof(qo));
	qo.size = sizeof(qo);
	qo.depth = 8;
	qo.sq_thread_cpu = -1;
	rc = zns_queue_init(&q, &qo);
	CHECK(rc == 0, "zns_queue_init: %d", rc);

	/* the 0.2 options: the bytes after them are not the library's */
	memset(ob, 0xa5, sizeof(ob));
	memset(zo, 0, sizeof(*zo));
	zo->size = sizeof(*zo);
	zo->max_active = 2;
	rc = zns_zoned_open(dev, zo, &zt);
	CHECK(rc == 0, "zns_zoned_open with 0.2's options: %d", rc);

	rc = zns_zoned_write(zt, q, 3, buf, 4, wrote, NULL);
	CHECK(rc == 0, "zns_zoned_write: %d", rc);
	while (zns_queue_inflight(q))
		CHECK(zns_reap(q, 1, -1) >= 0, "zns_reap");
	CHECK(calls == 1 && last_status == 0 && last_lba == 3 * 256,
	      "write: %d calls, status %d, lba %llu", calls, last_status,
	      (unsigned long long)last_lba);

	memset(ib, 0xa5, sizeof(ib));
	rc = zns_zoned_info(zt, 3, in);
	CHECK(rc == 0, "zns_zoned_info: %d", rc);
	CHECK(in->zslba == 3 * 256 && in->acked == 3 * 256 + 4 && in->active == 1,
	      "zone 3: zslba %llu acked %llu active %u",
	      (unsigned long long)in->zslba, (unsigned long long)in->acked, in->active);
	CHECK(tail_intact(ib + sizeof(*in)),
	      "zns_zoned_info wrote past 0.2's struct zns_zoned_zone");
	CHECK(tail_intact(ob + sizeof(*zo)), "the options' tail changed");

	CHECK(zns_zoned_close(zt) == 0, "zns_zoned_close");
	CHECK(zns_queue_exit(q) == 0, "zns_queue_exit");
	zns_dev_close(dev);
	printf("old-zoned: a 0.2 program's zone layer calls work against this library\n");
	return 0;
}
