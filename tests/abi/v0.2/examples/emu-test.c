// SPDX-License-Identifier: MIT
/*
 * emu-test: how to test a storage engine's zone logic against libzns's
 * in-process ZNS device, without a device, root or a VM. Copy it and make
 * it test your own code.
 *
 *   cc emu-test.c $(pkg-config --cflags --libs libzns) -o emu-test
 *   ./emu-test
 *   ZNS_EMU_FAULTS='fail:op=0x7d:nth=3:status=0x4006' ./emu-test   # from outside
 *
 * It plays a tiny log: records appended to a zone through a queue, one
 * append that lands but reports a path error (the engine must find out
 * from the write pointer whether it landed), a power loss with a volatile
 * write cache (only what a Flush made durable survives), and a reopen of
 * the backing file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libzns.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "emu-test: FAIL line %d: ", __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		exit(1);						\
	}								\
} while (0)

struct rec {
	int status;
	uint64_t lba;
};

static void on_append(void *user, int status, uint64_t lba)
{
	struct rec *r = user;

	r->status = status;
	r->lba = lba;
}

static uint64_t wp_of(struct zns_dev *dev, uint64_t zslba)
{
	struct zns_zone z;
	unsigned int nr = 1;
	int rc = zns_report_zones(dev, zslba, 0, &z, &nr, NULL);

	CHECK(rc == 0 && nr == 1, "report: %s", zns_status_str(rc));
	return z.wp;
}

int main(void)
{
	char path[] = "/tmp/emu-test.XXXXXX";
	struct zns_emu_opts o = {
		.size = sizeof(o), .lba_size = 4096, .nr_zones = 8,
		.zone_size = 1024, .zone_cap = 1000,
		.max_open = 4, .max_active = 4, .flags = ZNS_EMU_CREATE | ZNS_EMU_VWC,
	};
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 8,
				     .sq_thread_cpu = -1 };
	struct zns_emu_fault f = {
		.size = sizeof(f), .kind = ZNS_EMU_AMBIGUOUS, .opcode = 0x7d,
		.nth = 3, .status = 0x371, .zslba = ~0ull,
	};
	struct zns_dev *dev;
	struct zns_queue *q;
	struct rec r[6];
	uint64_t wp;
	void *buf;
	int fd, i, rc;

	fd = mkstemp(path);
	CHECK(fd >= 0, "mkstemp");
	close(fd);
	o.path = path;
	rc = zns_dev_open_emu(&o, &dev);
	CHECK(rc == 0, "open: %s (%s)", zns_status_str(rc), zns_last_error());
	CHECK(posix_memalign(&buf, 4096, 4096) == 0, "memory");
	memset(buf, 'r', 4096);

	/* six appends through a queue; the third lands but reports 0x371 */
	CHECK(zns_emu_inject(dev, &f) == 0, "inject: %s", zns_last_error());
	CHECK(zns_queue_init(&q, &qo) == 0, "queue");
	for (i = 0; i < 6; i++)
		CHECK(zns_prep_append(q, dev, buf, 0, 1, on_append, &r[i]) == 0,
		      "prep: %s", zns_last_error());
	while (zns_queue_inflight(q))
		CHECK(zns_reap(q, 1, -1) >= 0, "reap");
	CHECK(r[2].status == 0x371, "append 3 reported %#x", r[2].status);
	/* the engine's rule: after an ambiguous failure, the write pointer
	 * says what landed; here all six did */
	wp = wp_of(dev, 0);
	CHECK(wp == 6, "write pointer %llu, not 6", (unsigned long long)wp);

	/* a flush, two more, then the power goes: the two are lost */
	CHECK(zns_flush(dev) == 0, "flush");
	CHECK(zns_append(dev, buf, 0, 1, NULL) == 0 &&
	      zns_append(dev, buf, 0, 1, NULL) == 0, "append");
	CHECK(zns_emu_power_cycle(dev) == 0, "power cycle");
	CHECK(wp_of(dev, 0) == 6, "after power loss: %llu", (unsigned long long)wp_of(dev, 0));
	CHECK(zns_queue_exit(q) == 0, "queue exit");
	zns_dev_close(dev);

	/* the file holds the same */
	o.flags = ZNS_EMU_VWC;
	CHECK(zns_dev_open_emu(&o, &dev) == 0, "reopen: %s", zns_last_error());
	CHECK(wp_of(dev, 0) == 6, "after reopen");
	zns_dev_close(dev);
	unlink(path);
	free(buf);
	printf("emu-test: ok\n");
	return 0;
}
