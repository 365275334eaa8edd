// SPDX-License-Identifier: MIT
/*
 * zns-bench: a fio-style ZNS benchmark on libzns's public async API.
 *
 *   zns-bench --dev=/dev/ng0n1 --rw=randread --bs=4k --iodepth=32 --runtime=10
 *   zns-bench --engine=null --iodepth=1 --runtime=5     (no device: library cost)
 *
 * Workloads: read, randread (over the chosen zones), write (sequential in each
 * zone, QD1 per zone, iodepth zones open at once; a full zone is left for the
 * next zone of the range no writer holds, reset first when written before),
 * append (iodepth appends over --max_open_zones zones at a time; a range that
 * is full is drained and reset), randrw (random reads, --rwmixread percent,
 * and writes as in write, at most one in flight per open zone), reset (zone
 * reset churn). Each job is a thread with its own queue.
 *
 * This file is the run: the per-IO path, each job's loop, the read-back
 * check, and main(). Options, planning and output are beside it (bench.h).
 */
#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t xrand(struct job *j)
{
	j->rnd ^= j->rnd << 13;
	j->rnd ^= j->rnd >> 7;
	j->rnd ^= j->rnd << 17;
	return j->rnd;
}

/* Stop issuing: the main loop drains and ends. */
static void job_stop(struct job *j)
{
	j->stop = 1;
	j->go = 0;
}

static void record_err(struct stats *s, int status)
{
	s->errors++;
	bench_add_err(s, status, 1);
}

static void stamp(struct io *io, uint64_t lba)
{
	uint64_t *p = (uint64_t *)io->buf;

	p[0] = lba;
	p[1] = WRITE_TAG ^ lba;
}

/* An append's stamp: its zone and its number there, as the read-back expects. */
static void stamp_append(struct io *io, uint64_t zone, uint32_t seq)
{
	uint64_t *p = (uint64_t *)io->buf;

	p[0] = APPEND_TAG ^ zone;
	p[1] = seq;
	p[2] = ~APPEND_TAG ^ zone ^ ((uint64_t)seq << 24);
}

static int issue(struct job *j, struct io *io);

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static void record_lat(struct job *j, struct io *io)
{
	struct stats *s = &j->st;
	uint64_t d;

	if (!j->measuring)
		return;
	d = now_ns() - io->t0;
	if (d < s->lat_min)
		s->lat_min = d;
	if (d > s->lat_max)
		s->lat_max = d;
	s->lat_sum += d;
	s->lat_n++;
	s->hist[hidx(d)]++;
}

/* Everything but a plain read's completion: lanes, resets, verify, errors. */
static void done_slow(struct job *j, struct io *io, int status, uint64_t result)
{
	struct stats *s = &j->st;

	if (io->lane) {
		io->lane->busy = 0;
		io->lane = NULL;
	}
	if (j->seq_lba && io->dir && !io->reset && !status) {
		/* append verify: it must have landed inside its zone */
		uint64_t zs = (uint64_t)(j->zfirst + io->zone) * j->in->zone_size;

		if (result < zs || result + j->nlb > zs + j->zcap) {
			if (s->verify_bad++ < 4)
				fprintf(stderr, "zns-bench: verify: an IO to zone %" PRIu64
					" acknowledged at LBA %#" PRIx64 ", outside it\n",
					(uint64_t)(j->zfirst + io->zone), result);
		} else
			j->seq_lba[io->zone][io->seq] = result;
	}
	if (!status && !io->reset) {
		s->ios[io->dir]++;	/* ramp-up IOs are subtracted at the end */
		if (j->verify && io->dir == 0) {
			uint64_t *p = (uint64_t *)io->buf;

			s->verified++;
			if (p[0] != io->lba || p[1] != (WRITE_TAG ^ io->lba))
				s->verify_bad++;
		}
	} else {
		int was_reset = io->reset;

		if (io->reset) {
			j->inflight_resets--;
			io->reset = 0;
		}
		if (status)
			record_err(s, status);
		/* a verified append or layer write that did not land (a
		 * failed zone reset is not one) */
		if (status && j->seq_lba && io->dir && !was_reset)
			j->zone_failed[io->zone] += j->nlb;
	}
}

/* A uniform random block of the job's zones: multiply-shift, no division. */
static inline uint64_t rand_lba(struct job *j)
{
	return j->base +
	       (uint64_t)(((unsigned __int128)xrand(j) * j->nblocks) >> 64) * j->nlb;
}

static void on_done(void *user, int status, uint64_t result)
{
	struct io *io = user;
	struct job *j = io->j;

	/* the path the null engine times: one test, as xnvmeperf's
	 * callback, then the next read */
	if (likely(j->go && !(status | io->dir))) {
		int rc;

		j->st.ios[0]++;
		io->lba = rand_lba(j);
		rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb,
				   on_done, io);
		if (unlikely(rc)) {
			j->rc = rc;
			job_stop(j);
		}
		return;
	}
	if (j->lat)
		record_lat(j, io);
	/* a read that succeeded, with nothing to check: count it */
	if (likely(!(status | io->dir | j->verify)))
		j->st.ios[0]++;	/* ramp-up IOs are subtracted at the end */
	else
		done_slow(j, io, status, result);
	if (likely(!j->stop))
		issue(j, io);
}

/* Ticks of any job that completed IOs since its last tick: a job refused
 * everything waits while another one gets on (its zones fill and give
 * their active tokens back). */
static uint64_t bench_progress;

/* The layer refuses every IO of the job for now and none is in flight: a
 * fault, a zone being fenced or a full queue all have a command in flight
 * whose completion changes that, and another job that completes IOs may
 * give an active token back. When neither happens for a second, the job
 * stops and says why (zones outside its range holding the device's active
 * resources, say). Returns 1 when the job stops. */
static int stuck(struct job *j)
{
	uint64_t t, e = __atomic_load_n(&bench_progress, __ATOMIC_RELAXED);

	if (!j->nparked || zns_queue_inflight(j->q)) {
		j->stuck_since = 0;
		return 0;
	}
	t = now_ns();
	if (!j->stuck_since || e != j->stuck_epoch) {
		j->stuck_since = t;
		j->stuck_epoch = e;
		return 0;
	}
	if (t - j->stuck_since < 1000000000ull)
		return 0;
	fprintf(stderr, "zns-bench: the zone layer refused every IO for 1 s with none in flight and no job getting on (%s): "
		"zones outside --zone-start/--zones may hold the device's open or active resources; reset them\n",
		zns_last_error());
	j->rc = -EBUSY;
	job_stop(j);
	return 1;
}

static int issue_slow(struct job *j, struct io *io);

/* The random-read path, kept small: it is most of what engine=null times. */
static inline int issue(struct job *j, struct io *io)
{
	int rc;

	if (j->o->rw != RW_RANDREAD)
		return issue_slow(j, io);
	if (j->lat)
		io->t0 = now_ns();
	io->dir = 0;
	io->lba = rand_lba(j);
	rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
	if (unlikely(rc)) {
		j->rc = rc;
		job_stop(j);
	}
	return rc;
}

/* The next write of a lane: sequential in its zone; a full zone is left for
 * the next one of the range that no lane holds, reset first when it has been
 * written since the last reset. */
static int lane_write(struct job *j, struct io *io, struct lane *l)
{
	uint64_t zsz = j->in->zone_size, zs;

	l->busy = 1;
	io->lane = l;
	io->dir = 1;
	if (l->next + j->nlb > j->zcap) {
		uint32_t z;

		j->held[l->zone] = 0;
		do {	/* ends: the zone just left is free */
			z = j->cursor;
			j->cursor = (j->cursor + 1) % j->nzones;
		} while (j->held[z]);
		j->held[z] = 1;
		l->zone = z;
		l->next = 0;
		if (j->dirty[z]) {
			j->dirty[z] = 0;
			io->reset = 1;
			j->inflight_resets++;
			return zns_prep_reset_zone(j->q, j->dev,
						   (uint64_t)(j->zfirst + z) * zsz,
						   on_done, io);
		}
	}
	zs = (uint64_t)(j->zfirst + l->zone) * zsz;
	io->lba = zs + l->next;
	l->next += j->nlb;
	j->dirty[l->zone] = 1;
	if (j->verify)
		stamp(io, io->lba);
	return zns_prep_write(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
}

/* randrw: a write to an open zone with none in flight, else NULL. */
static struct lane *free_lane(struct job *j)
{
	uint32_t k, first = (uint32_t)(xrand(j) % j->nlanes);

	for (k = 0; k < j->nlanes; k++) {
		struct lane *l = &j->lanes[(first + k) % j->nlanes];

		if (!l->busy)
			return l;
	}
	return NULL;
}

/* Through the zone layer, the zones of the open group are handed to the
 * job's queue (zns_zoned_alloc()): their writes, appends and completions
 * take no lock. A zone that cannot be (no token free) is written without. */
static void claim_group(struct job *j)
{
	uint32_t z, got;

	for (z = j->group; j->zt && z < j->group + j->nopen && z < j->nzones; z++)
		(void)zns_zoned_alloc(j->zt, j->q, j->zfirst + z, 1, 0, &got);
}

/* append: the zone an IO appends to next, a zone of the open group with
 * room, else of the next group; -1 when the range is full (drain, then
 * reset it). */
static int64_t append_zone(struct job *j, struct io *io)
{
	uint32_t z = io->zone, k, n;

	if (z >= j->group && z < j->group + j->nopen &&
	    j->zone_issued[z] + j->nlb <= j->zcap && !j->zone_full[z])
		return z;
	for (;;) {
		if (j->group >= j->nzones)
			return -1;
		n = j->nzones - j->group < j->nopen ? j->nzones - j->group : j->nopen;
		for (k = 0; k < n; k++) {
			z = j->group + (uint32_t)((io - j->ios) + k) % n;
			if (j->zone_issued[z] + j->nlb <= j->zcap && !j->zone_full[z])
				return z;
		}
		j->group += j->nopen;
		claim_group(j);
	}
}

/* The zone the next append (or layer write) of @io goes to, with its
 * number there and its stamp; -1 when the range is full (drain, then reset
 * it). */
static int64_t take_seq(struct job *j, struct io *io)
{
	int64_t z = append_zone(j, io);

	io->dir = 1;
	if (z < 0) {
		j->draining = 1;
		return -1;
	}
	io->zone = (uint32_t)z;
	if (j->seq_lba) {	/* a division: only when it is checked */
		io->seq = (uint32_t)(j->zone_issued[z] / j->nlb);
		stamp_append(io, j->zfirst + io->zone, io->seq);
	}
	j->zone_issued[z] += j->nlb;
	return z;
}

static int issue_append(struct job *j, struct io *io)
{
	int64_t z = take_seq(j, io);

	if (z < 0)
		return 0;
	return zns_prep_append(j->q, j->dev, io->buf,
			       j->base + (uint64_t)z * j->in->zone_size, j->nlb,
			       on_done, io);
}

/* Through the zone layer: writes and appends fill the zones of the open
 * group as appends do (the layer orders a zone's writes and assigns their
 * LBAs, so writes are stamped and checked as appends are). */
static void layer_write_done(void *user, int status, uint64_t lba, uint32_t nlb)
{
	(void)nlb;
	on_done(user, status, lba);
}

static void layer_append_done(void *user, int status,
			      const struct zns_zoned_frag *f, unsigned int nr)
{
	on_done(user, status, nr ? f[0].lba : 0);
}

/* What the layer holds of @zone, on stderr: said when it refuses a zone
 * the benchmark has room in, or when a zone does not verify. */
static void layer_said(struct job *j, uint32_t zone, const char *why)
{
	struct zns_zoned_zone zi;

	if (!j->zt || zns_zoned_info(j->zt, zone, &zi))
		return;
	fprintf(stderr, "zns-bench: zone %u, %s: the layer has state %u, write pointer %#" PRIx64
		", acknowledged to %#" PRIx64 ", device's %#" PRIx64 ", %" PRIu64
		" blocks queued%s (%" PRIu64 " issued here)\n", zone, why, zi.state, zi.wp,
		zi.acked, zi.device_wp, zi.queued, zi.fenced ? ", fenced" : "",
		j->zone_issued[zone - j->zfirst] / j->nlb);
}

static int issue_layer(struct job *j, struct io *io)
{
	unsigned int tries = 0;
	uint32_t zone;
	int64_t z;
	int rc;

again:
	z = take_seq(j, io);
	if (z < 0)
		return 0;
	zone = j->zfirst + io->zone;
	rc = j->o->rw == RW_APPEND ?
		zns_zoned_append(j->zt, j->q, zone, io->buf, j->nlb,
				 layer_append_done, io) :
		zns_zoned_write(j->zt, j->q, zone, io->buf, j->nlb,
				layer_write_done, io);
	if (rc == -ENOSPC && tries++ < 64) {
		/* the device filled the zone before we did (it ran a command
		 * twice): take it as full, go on with another */
		j->zone_issued[z] -= j->nlb;
		j->zone_full[z] = 1;
		layer_said(j, zone, "past its capacity");
		goto again;
	}
	if (rc == -EBUSY) {
		/* the zone is fenced after a fault (or the queue is full):
		 * the IO waits for the next reap, not counted as an error */
		j->zone_issued[z] -= j->nlb;
		j->parked[j->nparked++] = io;
		return 0;
	}
	return rc;
}

/* Send again what the layer refused for now. */
static void retry_parked(struct job *j)
{
	unsigned int n = j->nparked, i;
	struct io *held[n ? n : 1];

	memcpy(held, j->parked, n * sizeof(*held));
	j->nparked = 0;
	for (i = 0; i < n && !j->stop; i++)
		issue(j, held[i]);
}

static int issue_slow(struct job *j, struct io *io)
{
	struct lane *l;
	int rc;

	if (j->lat)
		io->t0 = now_ns();
	io->dir = 0;
	switch (j->o->rw) {
	case RW_READ:
		io->lba = j->base + (j->read_next++ % j->nblocks) * j->nlb;
		rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
		break;
	case RW_RANDRW:
		if ((xrand(j) % 100) >= j->o->rwmixread) {
			if (j->zt) {	/* sent, parked, or (every zone
					 * full) dropped until the refill */
				rc = issue_layer(j, io);
				break;
			} else if ((l = free_lane(j))) {
				rc = lane_write(j, io, l);
				break;
			}
		}
		/* a read, also when every open zone has its write in flight */
		/* fall through */
	case RW_RANDREAD:
		io->lba = rand_lba(j);
		rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
		break;
	case RW_WRITE:
		rc = j->zt ? issue_layer(j, io) : lane_write(j, io, &j->lanes[io - j->ios]);
		break;
	case RW_APPEND:
		rc = j->zt ? issue_layer(j, io) : issue_append(j, io);
		break;
	case RW_RESET:
		io->dir = 1;
		rc = zns_prep_reset_zone(j->q, j->dev, j->base +
					 (xrand(j) % j->nzones) * j->in->zone_size,
					 on_done, io);
		break;
	default:
		rc = -EINVAL;
	}
	if (rc) {
		j->rc = rc;
		job_stop(j);
	}
	return rc;
}

/* One zone's reset, tried again while it fails: a controller reset cancels
 * a zone reset in flight, and QEMU then leaves the zone's write pointer
 * where it was, its blocks perhaps zeroed already; a zone the benchmark
 * cannot reset is one whose blocks it cannot verify. */
#define RESET_TRIES	8
struct zreset {
	struct stats *st;
	int status;		/* 1: to do or in flight */
};

static void layer_reset_done(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct zreset *r = user;

	(void)lba;
	(void)nlb;
	r->status = status;
	if (status)
		record_err(r->st, status);
}

/* Reset the job's zones (on the device unless engine=null; through the
 * zone layer when the job writes through it) and its view of them. */
void bench_reset_zones(struct job *j)
{
	int device = j->o->engine != ENGINE_NULL;
	struct zreset *r = calloc(j->nzones, sizeof(*r));
	uint32_t z, left = j->nzones, tries;

	if (!r)
		record_err(&j->st, -ENOMEM);	/* no reset at all: said */
	for (z = 0; r && z < j->nzones; z++) {
		r[z].st = &j->st;
		r[z].status = 1;
	}
	for (tries = 0; r && (j->zt || device) && left && tries < RESET_TRIES; tries++) {
		if (tries)	/* let the fault pass: 0.2 s, then up to 1.6 s */
			usleep(100000u << (tries < 4 ? tries : 4));
		for (z = 0; z < j->nzones; z++) {
			int rc;

			if (!r[z].status)
				continue;
			r[z].status = 1;
			if (!j->zt) {
				rc = zns_reset_zone(j->dev, (uint64_t)(j->zfirst + z) * j->in->zone_size);
				r[z].status = rc;
				if (rc)
					record_err(&j->st, rc);
				continue;
			}
			/* the queue may be shallower than the zones: make room */
			while ((rc = zns_zoned_reset(j->zt, j->q, j->zfirst + z,
						     layer_reset_done, &r[z])) == -EBUSY &&
			       zns_queue_inflight(j->q))
				if (zns_reap(j->q, 1, -1) < 0)
					break;
			if (rc) {
				r[z].status = rc;
				record_err(&j->st, rc);
			}
		}
		while (j->zt && zns_queue_inflight(j->q))
			if (zns_reap(j->q, 1, -1) < 0)
				break;
		for (left = 0, z = 0; z < j->nzones; z++)
			left += r[z].status != 0;
	}
	if (r && left && (j->zt || device))
		fprintf(stderr, "zns-bench: %u of %u zones could not be reset (tried %u times): verify counts what they held as mismatches\n",
			left, j->nzones, RESET_TRIES);
	free(r);
	for (z = 0; z < j->nzones; z++) {
		j->zone_issued[z] = 0;
		j->zone_failed[z] = 0;
		j->zone_full[z] = 0;
		j->dirty[z] = 0;
		if (j->seq_lba)
			memset(j->seq_lba[z], 0xff, j->zcap / j->nlb * sizeof(uint64_t));
	}
	j->group = 0;
	claim_group(j);
}

/* A block of an appended (or layer-written) zone: its stamp names the zone
 * and its number there; 1 when it sits where its completion said, 2 when it
 * is a second copy of a block that does (a command the device ran twice,
 * as around a controller reset), 0 when it is wrong. */
static int check_seq_block(struct job *j, uint32_t z, uint64_t zabs,
			   const uint64_t *p, uint64_t l)
{
	if (p[0] != (APPEND_TAG ^ zabs) || p[1] >= j->zcap / j->nlb ||
	    p[2] != (~APPEND_TAG ^ zabs ^ (p[1] << 24)))
		return 0;
	if (j->seq_lba[z][p[1]] == l)
		return 1;
	/* 2: a second copy of a block that landed elsewhere; 3: the block
	 * of an IO that was reported failed */
	return j->seq_lba[z][p[1]] != ~0ull ? 2 : 3;
}

/* Read one IO's blocks back; a read a fault failed (a controller reset
 * between rounds) is tried again a few times before it counts against us. */
static int read_back(struct job *j, uint8_t *b, uint64_t lba)
{
	int rc, tries = 0;

	while ((rc = zns_read(j->dev, b, lba, j->nlb)) && ++tries < 5)
		usleep(200000);
	return rc;
}

void bench_verify_zone(struct job *j, uint32_t z, uint8_t *b, struct stats *tot)
{
	uint64_t zabs = j->zfirst + z, zs = zabs * j->in->zone_size, l, good = 0, end;
	const uint64_t *p = (const uint64_t *)b;
	struct zns_zone zone;
	unsigned int nz = 1;

	if (zns_report_zones(j->dev, zs, 0, &zone, &nz, NULL) || !nz) {
		tot->verify_bad++;	/* cannot tell: count it against us */
		return;
	}
	/* A full zone's write pointer is not valid (QEMU reports all ones). */
	end = zone.state == NVME_ZNS_ZS_FULL ? zs + zone.zcap : zone.wp;
	/* a zone the layer writes through a ZRWA: what completed above the
	 * write pointer, less than a flush granule, is in the ZRWA (the
	 * layer flushes whole granules): read it there too */
	if (j->zt && zone.state != NVME_ZNS_ZS_FULL) {
		struct zns_zoned_zone zi;

		if (!zns_zoned_info(j->zt, (uint32_t)zabs, &zi) && zi.zrwa &&
		    zi.acked > end)
			end = zi.acked;
	}
	for (l = zs; l + j->nlb <= end; l += j->nlb) {
		tot->verified++;
		if (read_back(j, b, l)) {
			tot->verify_bad++;
			continue;
		}
		if (!j->seq_lba) {
			if (p[0] != l || p[1] != (WRITE_TAG ^ l))
				tot->verify_bad++;
			continue;
		}
		switch (check_seq_block(j, z, zabs, p, l)) {
		case 1:
			good++;
			break;
		case 2:
			tot->verify_dup++;
			break;
		case 3:
			tot->verify_late++;
			break;
		default:
			if (tot->verify_bad++ < 4)
				fprintf(stderr, "zns-bench: verify: zone %" PRIu64 " LBA %#" PRIx64
					": a block no IO acknowledged there (stamp %#" PRIx64 " %#" PRIx64 ")\n",
					zabs, l, p[0], p[1]);
		}
	}
	/* every block acknowledged as landed is there, where it was said */
	if (j->seq_lba && good != (j->zone_issued[z] - j->zone_failed[z]) / j->nlb) {
		tot->verify_bad++;
		fprintf(stderr, "zns-bench: verify: zone %" PRIu64 ": %" PRIu64 " blocks acknowledged as landed (%" PRIu64
			" issued, %" PRIu64 " failed), %" PRIu64 " found where their completions said; write pointer %#" PRIx64 "\n",
			zabs, (j->zone_issued[z] - j->zone_failed[z]) / j->nlb, j->zone_issued[z] / j->nlb,
			j->zone_failed[z] / j->nlb, good, end);
		layer_said(j, (uint32_t)zabs, "after the run");
	}
}

/* Buffers, lanes and clocks before the first IO. */
static void job_start(struct job *j)
{
	const struct opts *o = j->o;
	unsigned int i;

	for (i = 0; i < o->iodepth; i++) {
		j->ios[i].j = j;
		j->ios[i].buf = j->arena + (size_t)i * o->bs;
		j->ios[i].zone = i % j->nzones;
		memset(j->ios[i].buf, 0x5a, o->bs);
	}
	if (rw_writes(o->rw))
		bench_reset_zones(j);
	for (i = 0; i < j->nlanes; i++) {
		j->lanes[i].zone = i;
		j->held[i] = 1;
	}
	j->cursor = j->nlanes % j->nzones;
	j->st.lat_min = UINT64_MAX;
	j->t_start = now_ns();
	j->measuring = o->ramp <= 0;
	j->lat = o->lat;
	j->verify = o->verify;
	j->go = !o->lat && !o->verify && o->rw == RW_RANDREAD;
	if (j->measuring)
		getrusage(RUSAGE_THREAD, &j->ru0);
}

/* One reap: poll, or sleep until batch_min have completed (fewer when
 * fewer are in flight, as at the end of an append round). */
static int job_reap(struct job *j)
{
	const struct opts *o = j->o;
	unsigned int in;

	if (!o->idle_sleep)
		return zns_reap(j->q, 0, 0);
	in = zns_queue_inflight(j->q);
	return zns_reap(j->q, in < o->batch_min ? (in ? in : 1) : o->batch_min,
			100000);
}

/* The clock, every 64 reaps: the ramp ends, the runtime ends. */
static void job_tick(struct job *j, uint64_t ramp_end, uint64_t end)
{
	uint64_t t = now_ns(), ios = j->st.ios[0] + j->st.ios[1];

	if (ios != j->tick_ios) {	/* getting on: for stuck() */
		j->tick_ios = ios;
		__atomic_add_fetch(&bench_progress, 1, __ATOMIC_RELAXED);
	}
	if (!j->measuring && t >= ramp_end) {
		j->measuring = 1;
		j->ios_ramp[0] = j->st.ios[0];
		j->ios_ramp[1] = j->st.ios[1];
		j->t_start = t;
		getrusage(RUSAGE_THREAD, &j->ru0);
	}
	if (t >= end)
		job_stop(j);
}

/* Stop the clocks, then drain what is in flight without counting it. */
static void job_finish(struct job *j)
{
	unsigned int i;

	j->t_end = now_ns();
	getrusage(RUSAGE_THREAD, &j->ru1);
	j->measuring = 0;
	for (i = 0; i < 2; i++) {
		j->st.ios[i] -= j->ios_ramp[i];
		j->st.bytes[i] = j->st.ios[i] * j->o->bs;
		j->ios_ramp[i] = j->st.ios[i];
	}
	while (zns_queue_inflight(j->q))
		if (zns_reap(j->q, 1, -1) < 0)
			break;
	j->st.ios[0] = j->ios_ramp[0];
	j->st.ios[1] = j->ios_ramp[1];
}

void *bench_run_job(void *arg)
{
	struct job *j = arg;
	const struct opts *o = j->o;
	uint64_t ramp_end, end, last = 0;
	unsigned int i;

	job_start(j);
	ramp_end = j->t_start + (uint64_t)(o->ramp * 1e9);
	end = ramp_end + (uint64_t)(o->runtime * 1e9);
	for (i = 0; i < o->iodepth && !j->stop; i++)
		issue(j, &j->ios[i]);
	while (!j->stop) {
		int n = job_reap(j);

		if (n < 0 && n != -EINTR && n != -ETIME) {
			j->rc = n;
			break;
		}
		if (j->nparked && !j->draining) {
			retry_parked(j);
			if (stuck(j))
				break;
		}
		if (j->limit && j->measuring &&
		    j->st.ios[0] + j->st.ios[1] - j->ios_ramp[0] - j->ios_ramp[1] >= j->limit)
			job_stop(j);	/* --size transferred */
		/* (after the --size check: a run that stops once the range
		 * is full times no reset) */
		if (!j->stop && j->draining && zns_queue_inflight(j->q) == 0) {
			/* append: all zones filled; check them (every round,
			 * not only the last: a fault mid-run is in an earlier
			 * one), reset them and refill */
			j->draining = 0;
			j->nparked = 0;	/* every IO is sent again below */
			for (i = 0; j->verify && j->vbuf && i < o->zones; i++)
				bench_verify_zone(j, i, j->vbuf, &j->st);
			bench_reset_zones(j);
			for (i = 0; i < o->iodepth && !j->stop; i++)
				issue(j, &j->ios[i]);
		}
		if ((++last & 63) == 0)
			job_tick(j, ramp_end, end);
	}
	job_finish(j);
	return NULL;
}

/* While the jobs run, a progress line on a terminal. */
static void show_progress(struct job *jobs, const struct opts *o)
{
	uint64_t t0 = now_ns(), ios;
	double total = o->ramp + o->runtime;
	unsigned int i;

	for (;;) {
		int live = 0;

		sleep(1);
		for (i = 0; i < o->numjobs; i++)
			live |= !jobs[i].stop;
		if (!live)
			break;
		ios = 0;
		for (i = 0; i < o->numjobs; i++)
			ios += jobs[i].st.ios[0] + jobs[i].st.ios[1];
		fprintf(stderr, "\r[%s] %.0f/%.0f s, %" PRIu64 " IOs   ", o->name,
			(double)(now_ns() - t0) / 1e9, total, ios);
	}
	fprintf(stderr, "\n");
}

/* Read back every block below each zone's write pointer. A write block
 * holds its own LBA; an append block names its zone and its number there,
 * and must sit where its completion said. */
static void verify_all(struct job *jobs, const struct opts *o, struct stats *tot)
{
	unsigned int i, z;
	uint8_t *b;

	if (posix_memalign((void **)&b, 4096, o->bs))
		return;
	for (i = 0; i < o->numjobs; i++)
		for (z = 0; z < o->zones; z++)
			bench_verify_zone(&jobs[i], z, b, tot);
	free(b);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct zns_dev *dev = NULL;
	struct zns_zoned *zt = NULL;
	struct job *jobs;
	struct totals t;
	uint32_t nopen = 0;
	unsigned int i;
	int rc = 0;

	/* NVMe/TCP: Linux may send the command from this thread over a
	 * connection that just broke, and the socket then raises SIGPIPE here
	 * (seen on 6.12 when the target's port went away); the command fails
	 * or is held instead, as for any network program */
	signal(SIGPIPE, SIG_IGN);
	if (bench_parse_opts(argc, argv, &o, &rc))
		return rc;
	rc = bench_open_dev(&o, &dev);
	if (rc)
		return rc;
	rc = bench_plan(&o, zns_dev_get_info(dev), &nopen);
	if (rc)
		return rc;
	rc = bench_open_layer(&o, dev, &zt);
	if (rc)
		return rc;
	jobs = calloc(o.numjobs, sizeof(*jobs));
	if (!jobs)
		return 1;
	for (i = 0; i < o.numjobs && !rc; i++) {
		rc = bench_setup_job(&jobs[i], i, &o, dev, nopen);
		jobs[i].zt = zt;
	}
	if (rc)
		return 1;
	for (i = 0; i < o.numjobs; i++)
		pthread_create(&jobs[i].th, NULL, bench_run_job, &jobs[i]);
	if (isatty(2) && !o.json)
		show_progress(jobs, &o);
	for (i = 0; i < o.numjobs; i++) {
		pthread_join(jobs[i].th, NULL);
		if (jobs[i].rc && !rc) {
			rc = jobs[i].rc;
			fprintf(stderr, "zns-bench: job %u: %s\n", i, zns_status_str(rc));
		}
		zns_queue_exit(jobs[i].q);
	}
	bench_sum(jobs, &o, &t);
	t.faults.size = sizeof(t.faults);
	t.layer = zt && !zns_zoned_get_stats(zt, &t.faults);
	if (o.verify && (o.rw == RW_WRITE || o.rw == RW_APPEND))
		verify_all(jobs, &o, &t.st);
	bench_print(&o, &t, rc);
	zns_zoned_close(zt);
	zns_dev_close(dev);
	return rc || t.st.verify_bad ? 1 : 0;
}
