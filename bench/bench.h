/* SPDX-License-Identifier: MIT */
/*
 * zns-bench's pieces: options (opts.c), device and zone planning and job
 * setup (plan.c), the run itself with its per-IO path (zns-bench.c), and
 * totals and output (output.c). Like any program of a libzns user, it sees
 * the public headers only.
 */
#ifndef ZNS_BENCH_H
#define ZNS_BENCH_H

#define _GNU_SOURCE	/* RUSAGE_THREAD */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sys/resource.h>
#include <libzns.h>

enum rw { RW_READ, RW_RANDREAD, RW_WRITE, RW_APPEND, RW_RANDRW, RW_RESET,
	  RW_COUNT };
extern const char *const rw_names[RW_COUNT];

enum engine { ENGINE_URING, ENGINE_IOCTL, ENGINE_NULL, ENGINE_EMU, ENGINE_COUNT };
extern const char *const engine_names[ENGINE_COUNT];

/* Defaults, named once: the options' initial values, --help and
 * zns-bench(1) say the same. */
#define DEF_BS		4096
#define DEF_IODEPTH	32
#define DEF_ZONES	4
#define DEF_RUNTIME	5
#define DEF_RWMIXREAD	70

/* The null and emu engines' made-up namespace: 4 KiB blocks, 1 TiB, 64 MiB
 * zones, 1 MiB transfers, 128 zones open or active at once. */
#define NULL_LBA_SHIFT	12
#define NULL_NR_LBAS	(1ull << 28)
#define NULL_ZONE_LBAS	(1ull << 14)
#define NULL_MAX_XFER	(1u << 20)
#define NULL_MAX_OPEN	128

/* Stamps a verified block carries: its own LBA for writes; its zone and its
 * number there for appends. */
#define WRITE_TAG	0x7a6e732d62656e63ull
#define APPEND_TAG	0x617070656e642d31ull

struct opts {
	const char *dev, *name;
	enum engine engine;
	enum rw rw;
	uint32_t bs, iodepth, numjobs, zones, zone_start, rwmixread, batch_min;
	uint32_t max_open;	/* zones open at once per job, 0 for the default */
	uint64_t size;		/* bytes to transfer per job, 0 for runtime only */
	uint64_t zonesize;	/* null/emu engines: zone size, bytes (0: 64 MiB) */
	double runtime, ramp;
	int fixedbufs, plainbufs, sqpoll, hipri, verify, json, lat, idle_sleep, runtime_set;
	int raw;		/* bare commands, not through the zone layer */
	int no_merge;		/* the layer: one command per write */
	int zrwa;		/* the layer: zones with a ZRWA */
	uint32_t spin_us;	/* --idle=spin:US: sleep after spinning US */
	int no_defer;		/* --no_defer: ZNS_QUEUE_NO_DEFER */
};

/* Workloads that write, and so reset the zones they use first. */
static inline int rw_writes(enum rw rw)
{
	return rw == RW_WRITE || rw == RW_APPEND || rw == RW_RANDRW;
}

#define HBUCKETS 1280	/* latency histogram buckets */
struct stats {
	uint64_t ios[2], bytes[2], errors;
	uint64_t lat_min, lat_max, lat_sum, lat_n;
	uint64_t hist[HBUCKETS];
	uint64_t err_status[8];
	int err_code[8];
	uint64_t verify_bad, verified;
	uint64_t verify_dup;	/* extra copies the device made of a block */
	uint64_t verify_late;	/* blocks of IOs reported failed that the
				 * device wrote all the same */
};

/* log-linear histogram: exact below 64 ns, then 32 steps per power of two */
static inline unsigned int hidx(uint64_t v)
{
	unsigned int msb;

	if (v < 64)
		return (unsigned int)v;
	msb = 63 - (unsigned int)__builtin_clzll(v);
	v = 64 + (msb - 6) * 32 + ((v >> (msb - 5)) & 31);
	return v < HBUCKETS ? (unsigned int)v : HBUCKETS - 1;
}

static inline uint64_t hval(unsigned int i)
{
	unsigned int g, msb;

	if (i < 64)
		return i;
	g = (i - 64) / 32;
	msb = g + 6;
	return (1ull << msb) | ((uint64_t)((i - 64) % 32) << (msb - 5));
}

static inline uint64_t now_ns(void)
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
	struct zns_zoned *zt;	/* the zone layer, or NULL (raw commands) */
	const struct zns_dev_info *in;
	struct zns_queue *q;
	struct io *ios;
	struct io **parked;	/* refused by the layer for now (-EBUSY) */
	unsigned int nparked;
	uint64_t stuck_since;	/* ns: every IO refused, none in flight */
	uint64_t stuck_epoch;	/* bench_progress then */
	uint64_t tick_ios;	/* IOs done at the last clock tick */
	uint8_t *arena;
	uint32_t nlb;
	uint64_t nblocks;	/* bs-sized blocks in the job's zones */
	uint64_t base;		/* first LBA of the job's zones */
	uint64_t rnd;
	uint64_t read_next;	/* rw=read: next block */
	uint64_t *zone_issued;	/* appends issued per zone */
	uint64_t *zone_failed;	/* of those, failed without landing */
	uint8_t *zone_full;	/* the device filled it sooner than counted */
	uint64_t **seq_lba;	/* append verify: where each append landed */
	uint8_t *vbuf;		/* verify: one block's read, bs bytes */
	struct lane *lanes;
	uint8_t *held, *dirty;	/* per zone: a lane has it; written since reset */
	uint32_t nlanes, nopen, cursor, group;
	uint64_t limit;		/* --size in IOs, 0 for none */
	uint64_t zcap;
	uint32_t zfirst, nzones, inflight_resets;
	int measuring, stop, draining;
	int lat, verify;		/* copies of the options, for the hot path */
	int go;				/* randread, no clocks, no verify, not
					 * stopping: on_done's one test */
	uint64_t ios_ramp[2];		/* IOs completed before measuring began */
	uint64_t t_start, t_end;
	struct stats st;
	struct rusage ru0, ru1;
	int rc;
};

/* What all jobs did, summed. */
struct totals {
	struct stats st;
	double secs, cpu_usr, cpu_sys;
	uint64_t ios;
	int layer;			/* through the zone layer: */
	struct zns_zoned_stats faults;	/* what it did after faults */
};

/* opts.c: 0 to run, else the exit status (0 after --help, 2 for a bad
 * option, with a sentence on stderr saying what is wrong). */
int bench_parse_opts(int argc, char **argv, struct opts *o, int *exit_rc);

/* plan.c */
int bench_open_dev(const struct opts *o, struct zns_dev **dev);
int bench_plan(struct opts *o, const struct zns_dev_info *in, uint32_t *nopen);
int bench_setup_job(struct job *j, unsigned int i, const struct opts *o,
		    struct zns_dev *dev, uint32_t nopen);
int bench_open_layer(const struct opts *o, struct zns_dev *dev,
		     struct zns_zoned **zt);

/* zns-bench.c */
void bench_reset_zones(struct job *j);
void *bench_run_job(void *arg);
void bench_verify_zone(struct job *j, uint32_t z, uint8_t *b, struct stats *tot);

/* output.c */
void bench_add_err(struct stats *s, int status, uint64_t n);
void bench_sum(struct job *jobs, const struct opts *o, struct totals *t);
void bench_print(const struct opts *o, const struct totals *t, int rc);

#endif /* ZNS_BENCH_H */
