// SPDX-License-Identifier: MIT
/*
 * append-writer: append N blocks to a zone asynchronously and print the LBA
 * each append landed at, from the completion callback.
 *
 *   append-writer /dev/ng0n1 [zone-index] [count]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libzns.h>

struct ctx {
	unsigned int seq;
	int failed;
};

static void on_append(void *user, int status, uint64_t lba)
{
	struct ctx *c = user;

	if (status) {
		fprintf(stderr, "append %u: %s\n", c->seq, zns_status_str(status));
		c->failed = 1;
		return;
	}
	printf("append %u written at LBA %llu\n", c->seq,
	       (unsigned long long)lba);
}

int main(int argc, char **argv)
{
	struct zns_queue_opts opts = { .size = sizeof(opts), .depth = 16,
				       .sq_thread_cpu = -1 };
	const struct zns_dev_info *info;
	struct zns_queue *q;
	struct zns_dev *dev;
	struct ctx *ctx;
	unsigned int i, n;
	uint64_t zslba;
	void *buf;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: %s /dev/ngXnY [zone-index] [count]\n", argv[0]);
		return 2;
	}
	rc = zns_dev_open(argv[1], &dev);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], zns_status_str(rc));
		return 1;
	}
	info = zns_dev_get_info(dev);
	zslba = (argc > 2 ? strtoull(argv[2], NULL, 0) : 0) * info->zone_size;
	n = argc > 3 ? (unsigned int)atoi(argv[3]) : 8;
	if (n > opts.depth)
		n = opts.depth;

	rc = zns_queue_init(&q, &opts);
	if (rc) {
		fprintf(stderr, "queue: %s\n", zns_status_str(rc));
		zns_dev_close(dev);
		return 1;
	}
	ctx = calloc(n, sizeof(*ctx));
	if (!ctx || posix_memalign(&buf, 4096, info->lba_size)) {
		fprintf(stderr, "out of memory\n");
		free(ctx);
		zns_queue_exit(q);
		zns_dev_close(dev);
		return 1;
	}
	memset(buf, 'A', info->lba_size);

	/* Start from an empty zone, then queue all appends at once. */
	rc = zns_reset_zone(dev, zslba);
	for (i = 0; !rc && i < n; i++) {
		ctx[i].seq = i;
		rc = zns_prep_append(q, dev, buf, zslba, 1, on_append, &ctx[i]);
	}
	if (rc)
		fprintf(stderr, "prepare: %s\n", zns_status_str(rc));
	while (zns_queue_inflight(q) && zns_reap(q, 1, -1) >= 0)
		;
	zns_queue_exit(q);
	for (i = 0; i < n; i++)
		rc |= ctx[i].failed;
	free(ctx);
	free(buf);
	zns_dev_close(dev);
	return rc ? 1 : 0;
}
