// SPDX-License-Identifier: MIT
/*
 * zns-bench's planning: the device (or the null engine's made-up one), how
 * many zones each job keeps open, whether the plan fits the device, and
 * each job's zones, buffers and queue.
 */
#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libzns's in-process ZNS device, in memory, with the null geometry. */
static uint64_t zone_lbas(const struct opts *o)
{
	return o->zonesize ? o->zonesize >> NULL_LBA_SHIFT : NULL_ZONE_LBAS;
}

static int open_emu(const struct opts *o, struct zns_dev **dev)
{
	struct zns_emu_opts eo;
	uint64_t nz = NULL_NR_LBAS / zone_lbas(o);
	int rc;

	memset(&eo, 0, sizeof(eo));
	eo.size = sizeof(eo);
	eo.lba_size = 1u << NULL_LBA_SHIFT;
	eo.zone_size = zone_lbas(o);
	eo.nr_zones = (uint32_t)(nz > 65536 ? 65536 : nz);
	eo.max_open = eo.max_active = NULL_MAX_OPEN;
	eo.mdts = eo.zasl = NULL_MAX_XFER;
	if (o->zrwa) {	/* QEMU configuration c's: 64 KiB, 16 KiB granules */
		eo.numzrwa = 8;
		eo.zrwas = (64u << 10) >> NULL_LBA_SHIFT;
		eo.zrwafg = (16u << 10) >> NULL_LBA_SHIFT;
	}
	rc = zns_dev_open_emu(&eo, dev);
	if (rc) {
		fprintf(stderr, "zns-bench: emulated device: %s (%s)\n",
			zns_status_str(rc), zns_last_error());
		return 1;
	}
	return 0;
}

int bench_open_dev(const struct opts *o, struct zns_dev **dev)
{
	struct zns_dev_info fake;
	int rc;

	if (o->dev && o->engine == ENGINE_EMU) {
		fprintf(stderr, "zns-bench: --engine=emu is its own device: give no --dev\n");
		return 2;
	}
	if (o->dev) {
		rc = zns_dev_open(o->dev, dev);
		if (rc) {
			fprintf(stderr, "zns-bench: %s: %s\n", o->dev, zns_status_str(rc));
			return 1;
		}
		return 0;
	}
	if (o->engine == ENGINE_EMU)
		return open_emu(o, dev);
	if (o->engine != ENGINE_NULL) {
		fprintf(stderr, "zns-bench: give --dev=/dev/ngXnY (or --engine=null or emu); "
			"scripts/bench.sh boots an emulated ZNS SSD when you have none\n");
		return 2;
	}
	memset(&fake, 0, sizeof(fake));
	fake.lba_shift = NULL_LBA_SHIFT;
	fake.nr_lbas = NULL_NR_LBAS;
	fake.zone_size = zone_lbas(o);
	fake.zone_cap = fake.zone_size;
	fake.max_xfer = NULL_MAX_XFER;
	fake.zasl = NULL_MAX_XFER;
	fake.max_open = fake.max_active = NULL_MAX_OPEN;
	rc = zns_dev_open_null(&fake, dev);
	if (rc) {
		fprintf(stderr, "zns-bench: null device: %s\n", zns_last_error());
		return 1;
	}
	return 0;
}

/* Zones each job keeps open: write holds iodepth of them (QD1 per zone);
 * append and randrw default to the whole range, within what the device
 * allows. */
static uint32_t open_zones(struct opts *o, uint32_t dev_open)
{
	uint32_t nopen = 0;

	if (o->rw == RW_WRITE && o->raw) {
		nopen = o->iodepth;
		if (o->zones < o->iodepth)
			o->zones = o->iodepth;
	} else if (o->rw == RW_WRITE || o->rw == RW_APPEND || o->rw == RW_RANDRW) {
		nopen = o->max_open ? o->max_open : o->zones;
		if (!o->max_open && dev_open != ZNS_NO_LIMIT &&
		    nopen * o->numjobs > dev_open)
			nopen = dev_open / o->numjobs;
		if (nopen > o->zones)
			nopen = o->zones;
	}
	return nopen;
}

int bench_plan(struct opts *o, const struct zns_dev_info *in, uint32_t *nopen)
{
	uint32_t dev_open = in->max_open < in->max_active ? in->max_open :
							    in->max_active;

	if (o->bs % in->lba_size || o->bs > in->max_xfer ||
	    (o->rw == RW_APPEND && o->bs > in->zasl)) {
		fprintf(stderr, "zns-bench: bs %u must be a multiple of the LBA size %u and "
			"at most %u bytes (zone append: %u)\n", o->bs, in->lba_size,
			in->max_xfer, in->zasl);
		return 2;
	}
	if (o->rw == RW_WRITE && o->raw && o->max_open && o->iodepth > o->max_open) {
		fprintf(stderr, "zns-bench: rw=write keeps one write in flight per open zone: "
			"iodepth (%u) must not exceed max_open_zones (%u)\n",
			o->iodepth, o->max_open);
		return 2;
	}
	*nopen = open_zones(o, dev_open);
	if ((uint64_t)o->zone_start + (uint64_t)o->zones * o->numjobs > in->nr_zones) {
		fprintf(stderr, "zns-bench: %u jobs x %u zones from zone %u do not fit in %" PRIu64 " zones\n",
			o->numjobs, o->zones, o->zone_start, in->nr_zones);
		return 2;
	}
	if (rw_writes(o->rw) &&
	    (!*nopen || (dev_open != ZNS_NO_LIMIT && *nopen * o->numjobs > dev_open))) {
		fprintf(stderr, "zns-bench: %u jobs x %u open zones; the device allows %u open "
			"(for rw=write --raw, one per unit of iodepth)\n", o->numjobs, *nopen, dev_open);
		return 2;
	}
	if (o->verify && (o->rw == RW_RANDRW || o->rw == RW_RESET ||
			  o->engine == ENGINE_NULL)) {
		fprintf(stderr, "zns-bench: --verify checks write, append, read and randread "
			"on a device (engine uring or ioctl)\n");
		return 2;
	}
	return 0;
}

/* Where each append of the job's zones landed, for --verify. */
static int alloc_seq_lba(struct job *j)
{
	uint32_t z;

	j->seq_lba = calloc(j->nzones, sizeof(*j->seq_lba));
	for (z = 0; j->seq_lba && z < j->nzones; z++)
		if (!(j->seq_lba[z] = malloc(j->zcap / j->nlb * sizeof(uint64_t))))
			break;
	return j->seq_lba && z == j->nzones ? 0 : -ENOMEM;
}

static int setup_queue(struct job *j, const struct opts *o)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = o->iodepth,
				     .sq_thread_cpu = -1 };
	int rc;

	if (o->engine == ENGINE_NULL)
		qo.flags |= ZNS_QUEUE_NULL;
	else if (o->engine == ENGINE_IOCTL)
		qo.flags |= ZNS_QUEUE_SYNC;
	if (o->sqpoll)
		qo.flags |= ZNS_QUEUE_SQPOLL;
	if (o->hipri)
		qo.flags |= ZNS_QUEUE_IOPOLL;
	qo.spin_us = o->spin_us;
	if (o->no_defer)
		qo.flags |= ZNS_QUEUE_NO_DEFER;
	rc = zns_queue_init(&j->q, &qo);
	if (rc) {
		fprintf(stderr, "zns-bench: queue: %s (%s)\n", zns_status_str(rc),
			zns_last_error());
		return rc;
	}
	/* the slots' buffers: by default the queue's own, which it registers
	 * (zns_queue_alloc_buffer(3)); --plainbufs: plain memory; --fixedbufs:
	 * plain memory the caller registers (zns_queue_register_buffers(3)) */
	if (!o->plainbufs && !o->fixedbufs) {
		j->arena = zns_queue_alloc_buffer(j->q, (size_t)o->iodepth * o->bs);
		if (!j->arena) {
			fprintf(stderr, "zns-bench: buffers: %s\n", zns_last_error());
			return -ENOMEM;
		}
		return 0;
	}
	if (posix_memalign((void **)&j->arena, 4096, (size_t)o->iodepth * o->bs)) {
		fprintf(stderr, "zns-bench: out of memory\n");
		return -ENOMEM;
	}
	if (o->fixedbufs) {
		struct iovec iov = { j->arena, (size_t)o->iodepth * o->bs };

		rc = zns_queue_register_buffers(j->q, &iov, 1);
		if (rc)
			fprintf(stderr, "zns-bench: fixedbufs: %s\n", zns_status_str(rc));
	}
	return rc;
}

/* Writes, appends and randrw's writes go through the zone layer unless
 * --raw (set for appends on the null engine). */
int bench_open_layer(const struct opts *o, struct zns_dev *dev,
		     struct zns_zoned **zt)
{
	int rc;

	*zt = NULL;
	if (o->raw ||
	    (o->rw != RW_WRITE && o->rw != RW_APPEND && o->rw != RW_RANDRW))
		return 0;
	{
		struct zns_zoned_opts zo;

		memset(&zo, 0, sizeof(zo));
		zo.size = sizeof(zo);
		zo.flags = (o->no_merge ? ZNS_ZONED_NO_MERGE : 0) |
			   (o->zrwa ? ZNS_ZONED_ZRWA : 0);
		rc = zns_zoned_open(dev, &zo, zt);
	}
	if (rc)
		fprintf(stderr, "zns-bench: zone layer: %s (%s)\n", zns_status_str(rc),
			zns_last_error());
	return rc ? 1 : 0;
}

int bench_setup_job(struct job *j, unsigned int i, const struct opts *o,
		    struct zns_dev *dev, uint32_t nopen)
{
	const struct zns_dev_info *in = zns_dev_get_info(dev);

	j->o = o;
	j->dev = dev;
	j->in = in;
	j->nlb = o->bs / in->lba_size;
	j->rnd = 0x9e3779b97f4a7c15ull * (i + 1);
	j->zfirst = o->zone_start + i * o->zones;
	j->nzones = o->zones;
	j->nblocks = (uint64_t)o->zones * in->zone_size / j->nlb;
	j->base = (uint64_t)j->zfirst * in->zone_size;
	j->zcap = in->zone_cap ? in->zone_cap : in->zone_size;
	j->nopen = nopen;
	j->nlanes = (o->rw == RW_WRITE || o->rw == RW_RANDRW) && o->raw ? nopen : 0;
	j->limit = o->size / o->bs;
	j->zone_issued = calloc(o->zones, sizeof(uint64_t));
	j->zone_failed = calloc(o->zones, sizeof(uint64_t));
	j->zone_full = calloc(o->zones, 1);
	j->held = calloc(o->zones, 1);
	j->dirty = calloc(o->zones, 1);
	j->lanes = calloc(j->nlanes + 1, sizeof(*j->lanes));
	j->ios = calloc(o->iodepth, sizeof(*j->ios));
	j->parked = calloc(o->iodepth, sizeof(*j->parked));
	if (!j->zone_issued || !j->zone_failed || !j->zone_full || !j->held || !j->dirty || !j->lanes || !j->ios ||
	    !j->parked ||
	    (o->verify && (o->rw == RW_APPEND || (o->rw == RW_WRITE && !o->raw)) &&
	     (alloc_seq_lba(j) || posix_memalign((void **)&j->vbuf, 4096, o->bs)))) {
		fprintf(stderr, "zns-bench: out of memory\n");
		return -ENOMEM;
	}
	return setup_queue(j, o);
}
