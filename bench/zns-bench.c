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
 */
#define _GNU_SOURCE	/* RUSAGE_THREAD */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <libzns.h>

enum rw { RW_READ, RW_RANDREAD, RW_WRITE, RW_APPEND, RW_RANDRW, RW_RESET };
static const char *rw_names[] = { "read", "randread", "write", "append",
				  "randrw", "reset" };

struct opts {
	const char *dev, *engine, *name;
	enum rw rw;
	uint32_t bs, iodepth, numjobs, zones, zone_start, rwmixread, batch_min;
	uint32_t max_open;	/* zones open at once per job, 0 for the default */
	uint64_t size;		/* bytes to transfer per job, 0 for runtime only */
	double runtime, ramp;
	int fixedbufs, sqpoll, hipri, verify, json, lat, idle_sleep, runtime_set;
};

#define HBUCKETS 1280
struct stats {
	uint64_t ios[2], bytes[2], errors;
	uint64_t lat_min, lat_max, lat_sum, lat_n;
	uint64_t hist[HBUCKETS];
	uint64_t err_status[8];
	int err_code[8];
	uint64_t verify_bad, verified;
};

/* log-linear histogram: exact below 64 ns, then 32 steps per power of two */
static unsigned int hidx(uint64_t v)
{
	unsigned int msb;

	if (v < 64)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	v = 64 + (msb - 6) * 32 + ((v >> (msb - 5)) & 31);
	return v < HBUCKETS ? (unsigned int)v : HBUCKETS - 1;
}

static uint64_t hval(unsigned int i)
{
	unsigned int g, msb;

	if (i < 64)
		return i;
	g = (i - 64) / 32;
	msb = g + 6;
	return (1ull << msb) | ((uint64_t)((i - 64) % 32) << (msb - 5));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* An open zone with at most one write (or the reset before it) in flight. */
struct lane {
	uint32_t zone;		/* index in the job's range */
	int busy;
	uint64_t next;		/* LBA offset of the next write in the zone */
};

struct job;
struct io {
	struct job *j;
	uint8_t *buf;
	uint64_t t0, lba;
	struct lane *lane;	/* write: the lane it holds */
	uint32_t zone;		/* append: index in the job's range */
	uint32_t seq;		/* append: its number within the zone */
	int dir;	/* 0 read, 1 write */
	int reset;	/* this IO is a zone reset */
};

struct job {
	pthread_t th;
	const struct opts *o;
	struct zns_dev *dev;
	const struct zns_dev_info *in;
	struct zns_queue *q;
	struct io *ios;
	uint8_t *arena;
	uint32_t nlb;
	uint64_t nblocks;	/* bs-sized blocks in the job's zones */
	uint64_t base;		/* first LBA of the job's zones */
	uint64_t rnd;
	uint64_t read_next;	/* rw=read: next block */
	uint64_t *zone_issued;	/* appends issued per zone */
	uint64_t **seq_lba;	/* append verify: where each append landed */
	struct lane *lanes;
	uint8_t *held, *dirty;	/* per zone: a lane has it; written since reset */
	uint32_t nlanes, nopen, cursor, group;
	uint64_t limit;		/* --size in IOs, 0 for none */
	uint64_t zcap;
	uint32_t zfirst, nzones, inflight_resets;
	int measuring, stop, draining;
	int lat, verify;		/* copies of the options, for the hot path */
	uint64_t ios_ramp[2];		/* IOs completed before measuring began */
	uint64_t t_start, t_end;
	struct stats st;
	struct rusage ru0, ru1;
	int rc;
};

static uint64_t xrand(struct job *j)
{
	j->rnd ^= j->rnd << 13;
	j->rnd ^= j->rnd >> 7;
	j->rnd ^= j->rnd << 17;
	return j->rnd;
}

/* count errors by status (the first 8 distinct statuses are named) */
static void add_err(struct stats *s, int status, uint64_t n)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (s->err_status[i] && s->err_code[i] == status) {
			s->err_status[i] += n;
			return;
		}
		if (!s->err_status[i]) {
			s->err_code[i] = status;
			s->err_status[i] = n;
			return;
		}
	}
}

static void record_err(struct stats *s, int status)
{
	s->errors++;
	add_err(s, status, 1);
}

static void stamp(struct io *io, uint64_t lba)
{
	uint64_t *p = (uint64_t *)io->buf;

	p[0] = lba;
	p[1] = 0x7a6e732d62656e63ull ^ lba;
}

#define APPEND_TAG 0x617070656e642d31ull

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

		if (result < zs || result + j->nlb > zs + j->zcap)
			s->verify_bad++;
		else
			j->seq_lba[io->zone][io->seq] = result;
	}
	if (!status && !io->reset) {
		s->ios[io->dir]++;	/* ramp-up IOs are subtracted at the end */
		if (j->verify && io->dir == 0) {
			uint64_t *p = (uint64_t *)io->buf;

			s->verified++;
			if (p[0] != io->lba || p[1] != (0x7a6e732d62656e63ull ^ io->lba))
				s->verify_bad++;
		}
	} else {
		if (io->reset) {
			j->inflight_resets--;
			io->reset = 0;
		}
		if (status)
			record_err(s, status);
	}
}

static void on_done(void *user, int status, uint64_t result)
{
	struct io *io = user;
	struct job *j = io->j;

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
	io->lba = j->base + (uint64_t)(((unsigned __int128)xrand(j) * j->nblocks) >> 64) * j->nlb;
	rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
	if (unlikely(rc)) {
		j->rc = rc;
		j->stop = 1;
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
			return zns_prep_mgmt_send(j->q, j->dev, (uint64_t)(j->zfirst + z) * zsz,
						  NVME_ZNS_ZSA_RESET, 0, NULL, 0, on_done, io);
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

static int issue_slow(struct job *j, struct io *io)
{
	const struct opts *o = j->o;
	uint64_t zsz = j->in->zone_size, span = (uint64_t)j->nzones * zsz;
	uint64_t base = (uint64_t)j->zfirst * zsz;
	enum rw rw = o->rw;
	int rc = 0;

	if (j->lat)
		io->t0 = now_ns();
	io->dir = 0;
	switch (rw) {
	case RW_READ:
		io->lba = base + (j->read_next % (span / j->nlb)) * j->nlb;
		j->read_next++;
		rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
		break;
	case RW_RANDRW:
		if ((xrand(j) % 100) >= o->rwmixread) {
			/* a write, to an open zone with none in flight */
			uint32_t k, first = (uint32_t)(xrand(j) % j->nlanes);

			for (k = 0; k < j->nlanes; k++) {
				struct lane *l = &j->lanes[(first + k) % j->nlanes];

				if (!l->busy) {
					rc = lane_write(j, io, l);
					goto out;
				}
			}
		}
		/* a read, also when every open zone has its write in flight */
		/* fall through */
	case RW_RANDREAD:
		/* multiply-shift: a uniform block index without a division */
		io->lba = base + (uint64_t)(((unsigned __int128)xrand(j) * j->nblocks) >> 64) * j->nlb;
		rc = zns_prep_read(j->q, j->dev, io->buf, io->lba, j->nlb, on_done, io);
		break;
	case RW_WRITE:
		rc = lane_write(j, io, &j->lanes[io - j->ios]);
		break;
	case RW_APPEND: {
		uint32_t z = io->zone, k, n;

		io->dir = 1;
		if (z < j->group || z >= j->group + j->nopen ||
		    j->zone_issued[z] + j->nlb > j->zcap) {
			/* a zone of the open group with room, else the next group */
			for (;;) {
				if (j->group >= j->nzones) {
					/* the range is full: drain, then reset it */
					j->draining = 1;
					return 0;
				}
				n = j->nzones - j->group < j->nopen ? j->nzones - j->group : j->nopen;
				for (k = 0; k < n; k++) {
					z = j->group + (uint32_t)((io - j->ios) + k) % n;
					if (j->zone_issued[z] + j->nlb <= j->zcap)
						break;
				}
				if (k < n)
					break;
				j->group += j->nopen;
			}
			io->zone = z;
		}
		io->seq = (uint32_t)(j->zone_issued[z] / j->nlb);
		j->zone_issued[z] += j->nlb;
		if (j->seq_lba)
			stamp_append(io, j->zfirst + z, io->seq);
		rc = zns_prep_append(j->q, j->dev, io->buf, base + (uint64_t)z * zsz,
				     j->nlb, on_done, io);
		break;
	}
	case RW_RESET: {
		uint32_t z = (uint32_t)(xrand(j) % j->nzones);

		io->dir = 1;
		rc = zns_prep_mgmt_send(j->q, j->dev, base + (uint64_t)z * zsz,
					NVME_ZNS_ZSA_RESET, 0, NULL, 0, on_done, io);
		break;
	}
	default:
		rc = -EINVAL;
	}
out:
	if (rc) {
		j->rc = rc;
		j->stop = 1;
	}
	return rc;
}

/* Reset the job's zones (on the device unless engine=null) and its view of
 * them. */
static void reset_job_zones(struct job *j)
{
	int device = strcmp(j->o->engine, "null") != 0;
	uint32_t z;

	for (z = 0; z < j->nzones; z++) {
		if (device)
			zns_mgmt_send(j->dev, (uint64_t)(j->zfirst + z) * j->in->zone_size,
				      NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL);
		j->zone_issued[z] = 0;
		j->dirty[z] = 0;
		if (j->seq_lba)
			memset(j->seq_lba[z], 0xff, j->zcap / j->nlb * sizeof(uint64_t));
	}
	j->group = 0;
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	const struct opts *o = j->o;
	uint64_t ramp_end, end, last = 0;
	unsigned int i;

	for (i = 0; i < o->iodepth; i++) {
		j->ios[i].j = j;
		j->ios[i].buf = j->arena + (size_t)i * o->bs;
		j->ios[i].zone = i % j->nzones;
		memset(j->ios[i].buf, 0x5a, o->bs);
	}
	if (o->rw == RW_WRITE || o->rw == RW_APPEND || o->rw == RW_RANDRW)
		reset_job_zones(j);
	for (i = 0; i < j->nlanes; i++) {
		j->lanes[i].zone = i;
		j->held[i] = 1;
	}
	j->cursor = j->nlanes % j->nzones;
	j->st.lat_min = UINT64_MAX;
	j->t_start = now_ns();
	ramp_end = j->t_start + (uint64_t)(o->ramp * 1e9);
	end = ramp_end + (uint64_t)(o->runtime * 1e9);
	j->measuring = o->ramp <= 0;
	j->lat = o->lat;
	j->verify = o->verify;
	if (j->measuring)
		getrusage(RUSAGE_THREAD, &j->ru0);
	for (i = 0; i < o->iodepth && !j->stop; i++)
		issue(j, &j->ios[i]);
	while (!j->stop) {
		int n;
		uint64_t t;

		if (o->idle_sleep) {
			/* sleep until batch_min have completed (fewer when fewer
			 * are in flight, as at the end of an append round) */
			unsigned int in = zns_queue_inflight(j->q);

			n = zns_reap(j->q, in < o->batch_min ? (in ? in : 1) : o->batch_min,
				     100000);
		}
		else
			n = zns_reap(j->q, 0, 0);
		if (n < 0 && n != -EINTR && n != -ETIME) {
			j->rc = n;
			break;
		}
		if (j->draining && zns_queue_inflight(j->q) == 0) {
			/* append: all zones filled; reset them and refill */
			j->draining = 0;
			reset_job_zones(j);
			for (i = 0; i < o->iodepth && !j->stop; i++)
				issue(j, &j->ios[i]);
		}
		if (j->limit && j->measuring &&
		    j->st.ios[0] + j->st.ios[1] - j->ios_ramp[0] - j->ios_ramp[1] >= j->limit)
			j->stop = 1;	/* --size transferred */
		if ((++last & 63) != 0)
			continue;
		t = now_ns();
		if (!j->measuring && t >= ramp_end) {
			j->measuring = 1;
			j->ios_ramp[0] = j->st.ios[0];
			j->ios_ramp[1] = j->st.ios[1];
			j->t_start = t;
			getrusage(RUSAGE_THREAD, &j->ru0);
		}
		if (t >= end)
			j->stop = 1;
	}
	j->t_end = now_ns();
	getrusage(RUSAGE_THREAD, &j->ru1);
	j->measuring = 0;
	for (i = 0; i < 2; i++) {
		j->st.ios[i] -= j->ios_ramp[i];
		j->st.bytes[i] = j->st.ios[i] * o->bs;
		j->ios_ramp[i] = j->st.ios[i];	/* the drain below is not counted */
	}
	while (zns_queue_inflight(j->q))
		if (zns_reap(j->q, 1, -1) < 0)
			break;
	j->st.ios[0] = j->ios_ramp[0];
	j->st.ios[1] = j->ios_ramp[1];
	return NULL;
}

static double tv(const struct timeval *a, const struct timeval *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_usec - a->tv_usec) / 1e6;
}

static uint64_t pct(const struct stats *s, double p)
{
	uint64_t want = (uint64_t)((double)s->lat_n * p / 100.0 + 0.5), acc = 0;
	unsigned int i;

	if (!s->lat_n)
		return 0;
	if (want == 0)
		want = 1;
	for (i = 0; i < HBUCKETS; i++) {
		acc += s->hist[i];
		if (acc >= want)
			return hval(i);
	}
	return s->lat_max;
}

/* "4k", "1m", "2g": bytes; 0 for anything else */
static uint64_t parse_bytes(const char *s)
{
	static const char units[] = "kmgt";
	const char *u;
	char *e;
	unsigned long long v = strtoull(s, &e, 0);

	if (e == s)
		return 0;
	if (*e && (u = strchr(units, *e | 0x20)) != NULL) {
		v <<= 10 * (unsigned int)(u - units + 1);
		e++;
		if (*e == 'i' || *e == 'I')
			e++;
		if (*e == 'b' || *e == 'B')
			e++;
	}
	return *e ? 0 : v;
}

static void verify_zone(struct job *j, uint32_t z, uint8_t *b, struct stats *tot)
{
	uint64_t zabs = j->zfirst + z, zs = zabs * j->in->zone_size, l, n = 0, end;
	const uint64_t *p = (const uint64_t *)b;
	struct zns_zone zone;
	unsigned int nz = 1;

	if (zns_report_zones(j->dev, zs, 0, &zone, &nz, NULL) || !nz) {
		tot->verify_bad++;	/* cannot tell: count it against us */
		return;
	}
	/* A full zone's write pointer is not valid (QEMU reports all ones). */
	end = zone.state == NVME_ZNS_ZS_FULL ? zs + zone.zcap : zone.wp;
	for (l = zs; l + j->nlb <= end; l += j->nlb, n++) {
		tot->verified++;
		if (zns_read(j->dev, b, l, j->nlb)) {
			tot->verify_bad++;
			continue;
		}
		if (!j->seq_lba) {
			if (p[0] != l || p[1] != (0x7a6e732d62656e63ull ^ l))
				tot->verify_bad++;
		} else if (p[0] != (APPEND_TAG ^ zabs) || p[1] >= j->zcap / j->nlb ||
			   p[2] != (~APPEND_TAG ^ zabs ^ (p[1] << 24)) ||
			   j->seq_lba[z][p[1]] != l) {
			tot->verify_bad++;
		}
	}
	/* every append the zone took is there, none twice */
	if (j->seq_lba && n != j->zone_issued[z] / j->nlb)
		tot->verify_bad++;
}

static void usage(void)
{
	fprintf(stderr,
"usage: zns-bench [--dev=/dev/ngXnY] [--rw=read|randread|write|append|randrw|reset]\n"
"  [--bs=4k] [--iodepth=N] [--numjobs=N] [--zones=N] [--zone-start=N]\n"
"  [--runtime=S] [--size=BYTES] [--ramp=S] [--max_open_zones=N]\n"
"  [--engine=uring|ioctl|null] [--fixedbufs]\n"
"  [--sqpoll] [--hipri] [--verify] [--rwmixread=P] [--lat=0|1]\n"
"  [--idle=sleep|poll] [--iodepth_batch_complete_min=N] [--name=NAME]\n"
"  [--output-format=normal|json]\n"
"Without --dev, --engine=null runs on a made-up 1 TiB namespace.\n"
"DESTRUCTIVE: write, append, randrw and reset workloads reset the zones used.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dev", 1, 0, 'd' }, { "rw", 1, 0, 'r' }, { "bs", 1, 0, 'b' },
		{ "iodepth", 1, 0, 'q' }, { "numjobs", 1, 0, 'j' },
		{ "zones", 1, 0, 'z' }, { "zone-start", 1, 0, 'Z' },
		{ "runtime", 1, 0, 't' }, { "ramp", 1, 0, 'R' },
		{ "engine", 1, 0, 'e' }, { "fixedbufs", 0, 0, 'F' },
		{ "sqpoll", 0, 0, 'S' }, { "hipri", 0, 0, 'H' },
		{ "verify", 0, 0, 'V' }, { "rwmixread", 1, 0, 'm' },
		{ "output-format", 1, 0, 'o' }, { "lat", 1, 0, 'l' },
		{ "idle", 1, 0, 'i' }, { "name", 1, 0, 'n' },
		{ "iodepth_batch_complete_min", 1, 0, 'B' },
		{ "max_open_zones", 1, 0, 'O' }, { "size", 1, 0, 's' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	struct opts o = { .engine = "uring", .name = "zns-bench", .rw = RW_RANDREAD,
			  .bs = 4096, .iodepth = 32, .numjobs = 1, .zones = 4,
			  .rwmixread = 70, .runtime = 5, .lat = 1, .batch_min = 1 };
	struct zns_dev *dev = NULL;
	const struct zns_dev_info *in;
	struct zns_dev_info fake;
	struct job *jobs;
	struct stats tot;
	uint32_t dev_open, nopen = 0;
	double secs = 0, cpu_usr = 0, cpu_sys = 0;
	uint64_t ios, k;
	unsigned int i;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o.dev = optarg; break;
		case 'r':
			for (i = 0; i < 6 && strcmp(optarg, rw_names[i]); i++)
				;
			if (i == 6) {
				fprintf(stderr, "zns-bench: unknown rw %s\n", optarg);
				usage();
				return 2;
			}
			o.rw = (enum rw)i;
			break;
		case 'b': {
			uint64_t v = parse_bytes(optarg);

			o.bs = v > UINT32_MAX ? 0 : (uint32_t)v;
			break;
		}
		case 'q': o.iodepth = (uint32_t)atoi(optarg); break;
		case 'j': o.numjobs = (uint32_t)atoi(optarg); break;
		case 'z': o.zones = (uint32_t)atoi(optarg); break;
		case 'Z': o.zone_start = (uint32_t)atoi(optarg); break;
		case 't': o.runtime = atof(optarg); o.runtime_set = 1; break;
		case 'R': o.ramp = atof(optarg); break;
		case 'e': o.engine = optarg; break;
		case 'F': o.fixedbufs = 1; break;
		case 'S': o.sqpoll = 1; break;
		case 'H': o.hipri = 1; break;
		case 'V': o.verify = 1; break;
		case 'm': o.rwmixread = (uint32_t)atoi(optarg); break;
		case 'o': o.json = !strcmp(optarg, "json"); break;
		case 'l': o.lat = atoi(optarg); break;
		case 'i': o.idle_sleep = !strcmp(optarg, "sleep"); break;
		case 'n': o.name = optarg; break;
		case 'B': o.batch_min = (uint32_t)atoi(optarg); break;
		case 'O': o.max_open = (uint32_t)atoi(optarg); break;
		case 's': o.size = parse_bytes(optarg); break;
		default: usage(); return c == 'h' ? 0 : 2;
		}
	}
	if (!o.iodepth || !o.numjobs || !o.zones || o.bs < 512 || o.runtime <= 0 ||
	    !o.batch_min || o.batch_min > o.iodepth) {
		fprintf(stderr, "zns-bench: iodepth, numjobs and zones must be at least 1, "
			"bs a size of at least 512 (4k, 128k, 1m), runtime above 0 and "
			"iodepth_batch_complete_min from 1 to iodepth\n");
		usage();
		return 2;
	}
	if (strcmp(o.engine, "uring") && strcmp(o.engine, "ioctl") &&
	    strcmp(o.engine, "null")) {
		fprintf(stderr, "zns-bench: unknown engine %s\n", o.engine);
		return 2;
	}
	if (o.dev) {
		rc = zns_dev_open(o.dev, &dev);
		if (rc) {
			fprintf(stderr, "zns-bench: %s: %s\n", o.dev, zns_status_str(rc));
			return 1;
		}
	} else if (!strcmp(o.engine, "null")) {
		memset(&fake, 0, sizeof(fake));
		fake.lba_shift = 12;
		fake.nr_lbas = 1ull << 28;
		fake.zone_size = 1ull << 14;
		fake.zone_cap = fake.zone_size;
		fake.max_xfer = 1u << 20;
		fake.zasl = 1u << 20;
		fake.max_open = fake.max_active = 14;
		if ((rc = zns_dev_open_null(&fake, &dev)) != 0)
			return 1;
	} else {
		fprintf(stderr, "zns-bench: give --dev=/dev/ngXnY (or --engine=null); "
			"scripts/bench.sh boots an emulated ZNS SSD when you have none\n");
		return 2;
	}
	in = zns_dev_get_info(dev);
	if (o.bs % in->lba_size || o.bs > in->max_xfer ||
	    (o.rw == RW_APPEND && o.bs > in->zasl)) {
		fprintf(stderr, "zns-bench: bs %u must be a multiple of the LBA size %u and "
			"at most %u bytes (zone append: %u)\n", o.bs, in->lba_size,
			in->max_xfer, in->zasl);
		return 2;
	}
	/* Zones each job keeps open: write holds iodepth of them (QD1 per
	 * zone); append and randrw default to the whole range, within what
	 * the device allows. */
	dev_open = in->max_open < in->max_active ? in->max_open : in->max_active;
	if (o.rw == RW_WRITE) {
		if (o.max_open && o.iodepth > o.max_open) {
			fprintf(stderr, "zns-bench: rw=write keeps one write in flight per open zone: "
				"iodepth (%u) must not exceed max_open_zones (%u)\n",
				o.iodepth, o.max_open);
			return 2;
		}
		nopen = o.iodepth;
		if (o.zones < o.iodepth)
			o.zones = o.iodepth;
	} else if (o.rw == RW_APPEND || o.rw == RW_RANDRW) {
		nopen = o.max_open ? o.max_open : o.zones;
		if (!o.max_open && dev_open != ZNS_NO_LIMIT && nopen * o.numjobs > dev_open)
			nopen = dev_open / o.numjobs;
		if (nopen > o.zones)
			nopen = o.zones;
	}
	if ((uint64_t)o.zone_start + (uint64_t)o.zones * o.numjobs > in->nr_zones) {
		fprintf(stderr, "zns-bench: %u jobs x %u zones from zone %u do not fit in %" PRIu64 " zones\n",
			o.numjobs, o.zones, o.zone_start, in->nr_zones);
		return 2;
	}
	if ((o.rw == RW_WRITE || o.rw == RW_APPEND || o.rw == RW_RANDRW) &&
	    (!nopen || (dev_open != ZNS_NO_LIMIT && nopen * o.numjobs > dev_open))) {
		fprintf(stderr, "zns-bench: %u jobs x %u open zones; the device allows %u open "
			"(for rw=write, one per unit of iodepth)\n", o.numjobs, nopen, dev_open);
		return 2;
	}
	if (o.verify && (o.rw == RW_RANDRW || o.rw == RW_RESET || !strcmp(o.engine, "null"))) {
		fprintf(stderr, "zns-bench: --verify checks write, append, read and randread "
			"on a device (engine uring or ioctl)\n");
		return 2;
	}
	if (o.size && !o.runtime_set)
		o.runtime = 1e9;	/* until --size is transferred */

	jobs = calloc(o.numjobs, sizeof(*jobs));
	for (i = 0; i < o.numjobs && !rc; i++) {
		struct job *j = &jobs[i];
		struct zns_queue_opts qo = { .size = sizeof(qo), .depth = o.iodepth,
					     .sq_thread_cpu = -1 };

		j->o = &o;
		j->dev = dev;
		j->in = in;
		j->nlb = o.bs / in->lba_size;
		j->rnd = 0x9e3779b97f4a7c15ull * (i + 1);
		j->zfirst = o.zone_start + i * o.zones;
		j->nzones = o.zones;
		j->nblocks = (uint64_t)o.zones * in->zone_size / j->nlb;
		j->base = (uint64_t)j->zfirst * in->zone_size;
		j->zcap = in->zone_cap ? in->zone_cap : in->zone_size;
		j->nopen = nopen;
		j->nlanes = o.rw == RW_WRITE || o.rw == RW_RANDRW ? nopen : 0;
		j->limit = o.size / o.bs;
		j->zone_issued = calloc(o.zones, sizeof(uint64_t));
		j->held = calloc(o.zones, 1);
		j->dirty = calloc(o.zones, 1);
		j->lanes = calloc(j->nlanes + 1, sizeof(*j->lanes));
		j->ios = calloc(o.iodepth, sizeof(*j->ios));
		if (!j->zone_issued || !j->held || !j->dirty || !j->lanes || !j->ios ||
		    posix_memalign((void **)&j->arena, 4096, (size_t)o.iodepth * o.bs)) {
			rc = -ENOMEM;
			fprintf(stderr, "zns-bench: out of memory\n");
			break;
		}
		if (o.verify && o.rw == RW_APPEND) {
			uint32_t z;

			j->seq_lba = calloc(o.zones, sizeof(*j->seq_lba));
			for (z = 0; j->seq_lba && z < o.zones; z++)
				if (!(j->seq_lba[z] = malloc(j->zcap / j->nlb * sizeof(uint64_t))))
					break;
			if (!j->seq_lba || z < o.zones) {
				rc = -ENOMEM;
				fprintf(stderr, "zns-bench: out of memory for --verify\n");
				break;
			}
		}
		if (!strcmp(o.engine, "null"))
			qo.flags |= ZNS_QUEUE_NULL;
		else if (!strcmp(o.engine, "ioctl"))
			qo.flags |= ZNS_QUEUE_SYNC;
		if (o.sqpoll)
			qo.flags |= ZNS_QUEUE_SQPOLL;
		if (o.hipri)
			qo.flags |= ZNS_QUEUE_IOPOLL;
		rc = zns_queue_init(&j->q, &qo);
		if (rc) {
			fprintf(stderr, "zns-bench: queue: %s\n", zns_status_str(rc));
			break;
		}
		if (o.fixedbufs) {
			struct iovec iov = { j->arena, (size_t)o.iodepth * o.bs };

			rc = zns_queue_register_buffers(j->q, &iov, 1);
			if (rc) {
				fprintf(stderr, "zns-bench: fixedbufs: %s\n", zns_status_str(rc));
				break;
			}
		}
	}
	if (rc)
		return 1;
	for (i = 0; i < o.numjobs; i++)
		pthread_create(&jobs[i].th, NULL, run_job, &jobs[i]);
	if (isatty(2) && !o.json) {
		uint64_t t0 = now_ns();
		double total = o.ramp + o.runtime;

		for (;;) {
			int live = 0;

			sleep(1);
			for (i = 0; i < o.numjobs; i++)
				live |= !jobs[i].stop;
			if (!live)
				break;
			ios = 0;
			for (i = 0; i < o.numjobs; i++)
				ios += jobs[i].st.ios[0] + jobs[i].st.ios[1];
			fprintf(stderr, "\r[%s] %.0f/%.0f s, %" PRIu64 " IOs   ", o.name,
				(double)(now_ns() - t0) / 1e9, total, ios);
		}
		fprintf(stderr, "\n");
	}
	memset(&tot, 0, sizeof(tot));
	tot.lat_min = UINT64_MAX;
	for (i = 0; i < o.numjobs; i++) {
		struct job *j = &jobs[i];

		pthread_join(j->th, NULL);
		if (j->rc && !rc) {
			rc = j->rc;
			fprintf(stderr, "zns-bench: job %u: %s\n", i, zns_status_str(j->rc));
		}
		tot.ios[0] += j->st.ios[0];
		tot.ios[1] += j->st.ios[1];
		tot.bytes[0] += j->st.bytes[0];
		tot.bytes[1] += j->st.bytes[1];
		tot.errors += j->st.errors;
		tot.lat_sum += j->st.lat_sum;
		tot.lat_n += j->st.lat_n;
		tot.verified += j->st.verified;
		tot.verify_bad += j->st.verify_bad;
		if (j->st.lat_min < tot.lat_min)
			tot.lat_min = j->st.lat_min;
		if (j->st.lat_max > tot.lat_max)
			tot.lat_max = j->st.lat_max;
		for (k = 0; k < HBUCKETS; k++)
			tot.hist[k] += j->st.hist[k];
		for (k = 0; k < 8; k++)
			if (j->st.err_status[k])
				add_err(&tot, j->st.err_code[k], j->st.err_status[k]);
		secs += (double)(j->t_end - j->t_start) / 1e9;
		cpu_usr += tv(&j->ru0.ru_utime, &j->ru1.ru_utime);
		cpu_sys += tv(&j->ru0.ru_stime, &j->ru1.ru_stime);
		zns_queue_exit(j->q);
	}
	secs /= o.numjobs;
	ios = tot.ios[0] + tot.ios[1];
	if (tot.lat_min == UINT64_MAX)
		tot.lat_min = 0;

	if (o.verify && (o.rw == RW_WRITE || o.rw == RW_APPEND)) {
		/* Read back every block below each zone's write pointer. A write
		 * block holds its own LBA; an append block names its zone and
		 * its number there, and must sit where its completion said. */
		uint8_t *b;

		if (posix_memalign((void **)&b, 4096, o.bs) == 0) {
			for (i = 0; i < o.numjobs; i++)
				for (k = 0; k < o.zones; k++)
					verify_zone(&jobs[i], (uint32_t)k, b, &tot);
			free(b);
		}
	}

	if (o.json) {
		printf("{\n  \"fio version\" : \"zns-bench-libzns\",\n  \"jobs\" : [\n    {\n"
		       "      \"jobname\" : \"%s\",\n      \"engine\" : \"%s\",\n      \"rw\" : \"%s\",\n"
		       "      \"bs\" : %u,\n      \"iodepth\" : %u,\n      \"numjobs\" : %u,\n"
		       "      \"error\" : %d,\n      \"total_err\" : %" PRIu64 ",\n",
		       o.name, o.engine, rw_names[o.rw], o.bs, o.iodepth, o.numjobs, rc,
		       tot.errors);
		for (c = 0; c < 2; c++)
			printf("      \"%s\" : { \"io_bytes\" : %" PRIu64 ", \"bw_bytes\" : %.0f, "
			       "\"iops\" : %.2f, \"total_ios\" : %" PRIu64 " },\n",
			       c ? "write" : "read", tot.bytes[c],
			       secs ? (double)tot.bytes[c] / secs : 0,
			       secs ? (double)tot.ios[c] / secs : 0, tot.ios[c]);
		printf("      \"lat_ns\" : { \"min\" : %" PRIu64 ", \"max\" : %" PRIu64 ", \"mean\" : %.1f,\n"
		       "        \"percentile\" : { \"50.000000\" : %" PRIu64 ", \"90.000000\" : %" PRIu64
		       ", \"99.000000\" : %" PRIu64 ", \"99.900000\" : %" PRIu64 ", \"99.990000\" : %" PRIu64 " } },\n",
		       tot.lat_min, tot.lat_max, tot.lat_n ? (double)tot.lat_sum / tot.lat_n : 0,
		       pct(&tot, 50), pct(&tot, 90), pct(&tot, 99), pct(&tot, 99.9), pct(&tot, 99.99));
		printf("      \"usr_cpu\" : %.4f,\n      \"sys_cpu\" : %.4f,\n"
		       "      \"cpu_ns_per_io\" : %.1f,\n      \"runtime_s\" : %.3f,\n"
		       "      \"verified\" : %" PRIu64 ",\n"
		       "      \"verify_errors\" : %" PRIu64 "\n    }\n  ]\n}\n",
		       secs ? 100 * cpu_usr / secs / o.numjobs : 0,
		       secs ? 100 * cpu_sys / secs / o.numjobs : 0,
		       ios ? (cpu_usr + cpu_sys) * 1e9 / (double)ios : 0, secs,
		       tot.verified, tot.verify_bad);
	} else {
		printf("%s: (engine=%s, rw=%s, bs=%u, iodepth=%u, numjobs=%u)\n",
		       o.name, o.engine, rw_names[o.rw], o.bs, o.iodepth, o.numjobs);
		for (c = 0; c < 2; c++)
			if (tot.ios[c])
				printf("  %-5s: IOPS=%.0f, BW=%.1fMiB/s (%" PRIu64 " IOs in %.2fs)\n",
				       c ? "write" : "read", (double)tot.ios[c] / secs,
				       (double)tot.bytes[c] / secs / 1048576.0, tot.ios[c], secs);
		if (tot.lat_n)
			printf("  lat (ns): min=%" PRIu64 ", avg=%.0f, max=%" PRIu64 "\n"
			       "  clat percentiles (ns): p50=%" PRIu64 ", p90=%" PRIu64 ", p99=%" PRIu64
			       ", p99.9=%" PRIu64 ", p99.99=%" PRIu64 "\n",
			       tot.lat_min, (double)tot.lat_sum / tot.lat_n, tot.lat_max,
			       pct(&tot, 50), pct(&tot, 90), pct(&tot, 99), pct(&tot, 99.9),
			       pct(&tot, 99.99));
		printf("  cpu: usr=%.3fs sys=%.3fs, %.0f ns per IO\n", cpu_usr, cpu_sys,
		       ios ? (cpu_usr + cpu_sys) * 1e9 / (double)ios : 0);
		printf("  errors: %" PRIu64 "\n", tot.errors);
		for (k = 0; k < 8; k++)
			if (tot.err_status[k])
				printf("    %#x %s: %" PRIu64 "\n", tot.err_code[k],
				       zns_status_str(tot.err_code[k]), tot.err_status[k]);
		if (o.verify)
			printf("  verify: %" PRIu64 " blocks checked, %" PRIu64 " mismatches\n",
			       tot.verified, tot.verify_bad);
	}
	zns_dev_close(dev);
	return rc || tot.verify_bad ? 1 : 0;
}
