// SPDX-License-Identifier: MIT
/*
 * zns-bench's options: fio's names where fio has them; every bad value
 * refused with a sentence that says what is wrong.
 */
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rw_names[RW_COUNT] = { "read", "randread", "write",
					 "append", "randrw", "reset" };
const char *const engine_names[ENGINE_COUNT] = { "uring", "ioctl", "null", "emu" };

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

#define STR(x) STR_(x)
#define STR_(x) #x

static void usage(void)
{
	fprintf(stderr,
"usage: zns-bench [--dev=/dev/ngXnY] [--rw=read|randread|write|append|randrw|reset]\n"
"  [--bs=4k] [--iodepth=" STR(DEF_IODEPTH) "] [--numjobs=1] [--zones=" STR(DEF_ZONES) "] [--zone-start=0]\n"
"  [--runtime=" STR(DEF_RUNTIME) "] [--size=BYTES] [--ramp=0] [--max_open_zones=N]\n"
"  [--zonesize=64m (engines null and emu)]\n"
"  [--engine=uring|ioctl|null|emu] [--fixedbufs | --plainbufs]\n"
"  [--sqpoll] [--hipri] [--verify] [--rwmixread=" STR(DEF_RWMIXREAD) "] [--lat=0|1]\n"
"  [--raw (write and append as bare commands, not through the zone layer)]\n"
"  [--no_merge (the zone layer sends each write as its own command)]\n"
"  [--zrwa (the zone layer opens zones with a ZRWA where the device has one)]\n"
"  [--idle=poll|sleep|spin:US] [--iodepth_batch_complete_min=1] [--name=zns-bench]\n"
"  [--no_defer (a ring without deferred task work: ZNS_QUEUE_NO_DEFER)]\n"
"  [--output-format=normal|json]\n"
"Defaults are shown. Without --dev, --engine=null (no device: libzns's own\n"
"cost) and --engine=emu (libzns's in-process ZNS device, in memory) run on\n"
"a made-up namespace: 4 KiB blocks, 1 TiB, 64 MiB zones, 128 zones open.\n"
"DESTRUCTIVE: write, append, randrw and reset workloads reset the zones used.\n");
}

/* The index of @s in @names, or -1. */
static int pick(const char *s, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int bad(const char *what, const char *val)
{
	fprintf(stderr, "zns-bench: %s %s\n", what, val);
	usage();
	return 2;
}

/* The value of one option into @o; 0, or the exit status. */
static int set_opt(struct opts *o, int c, const char *arg)
{
	int i;

	switch (c) {
	case 'd': o->dev = arg; break;
	case 'r':
		if ((i = pick(arg, rw_names, RW_COUNT)) < 0)
			return bad("unknown rw", arg);
		o->rw = (enum rw)i;
		break;
	case 'e':
		if ((i = pick(arg, engine_names, ENGINE_COUNT)) < 0)
			return bad("unknown engine", arg);
		o->engine = (enum engine)i;
		break;
	case 'b': {
		uint64_t v = parse_bytes(arg);

		o->bs = v > UINT32_MAX ? 0 : (uint32_t)v;
		break;
	}
	case 'q': o->iodepth = (uint32_t)atoi(arg); break;
	case 'j': o->numjobs = (uint32_t)atoi(arg); break;
	case 'z': o->zones = (uint32_t)atoi(arg); break;
	case 'Z': o->zone_start = (uint32_t)atoi(arg); break;
	case 't': o->runtime = atof(arg); o->runtime_set = 1; break;
	case 'R': o->ramp = atof(arg); break;
	case 'F': o->fixedbufs = 1; break;
	case 'P': o->plainbufs = 1; break;
	case 'S': o->sqpoll = 1; break;
	case 'H': o->hipri = 1; break;
	case 'V': o->verify = 1; break;
	case 'm': o->rwmixread = (uint32_t)atoi(arg); break;
	case 'o': o->json = !strcmp(arg, "json"); break;
	case 'l': o->lat = atoi(arg); break;
	case 'i': {
		unsigned long v;
		char *e;

		if (!strcmp(arg, "poll") || !strcmp(arg, "sleep")) {
			o->idle_sleep = !strcmp(arg, "sleep");
			o->spin_us = 0;
			break;
		}
		if (strncmp(arg, "spin:", 5)) {
			fprintf(stderr, "zns-bench: --idle takes poll, sleep or spin:US, not %s\n", arg);
			return 2;
		}
		errno = 0;
		v = strtoul(arg + 5, &e, 10);

		if (errno || e == arg + 5 || *e || !v || v > 1000000) {
			fprintf(stderr, "zns-bench: --idle=spin:US takes 1 to 1000000 microseconds, not %s\n", arg + 5);
			return 2;
		}
		o->idle_sleep = 1;
		o->spin_us = (uint32_t)v;
		break;
	}
	case 'n': o->name = arg; break;
	case 'B': o->batch_min = (uint32_t)atoi(arg); break;
	case 'O': o->max_open = (uint32_t)atoi(arg); break;
	case 's': o->size = parse_bytes(arg); break;
	case 'y': o->zonesize = parse_bytes(arg); break;
	case 'W': o->raw = 1; break;
	case 'M': o->no_merge = 1; break;
	case 'A': o->zrwa = 1; break;
	case 'D': o->no_defer = 1; break;
	case 'h': usage(); return -1;
	default: usage(); return 2;
	}
	return 0;
}

int bench_parse_opts(int argc, char **argv, struct opts *o, int *exit_rc)
{
	static const struct option lo[] = {
		{ "dev", 1, 0, 'd' }, { "rw", 1, 0, 'r' }, { "bs", 1, 0, 'b' },
		{ "iodepth", 1, 0, 'q' }, { "numjobs", 1, 0, 'j' },
		{ "zones", 1, 0, 'z' }, { "zone-start", 1, 0, 'Z' },
		{ "runtime", 1, 0, 't' }, { "ramp", 1, 0, 'R' },
		{ "engine", 1, 0, 'e' }, { "fixedbufs", 0, 0, 'F' },
		{ "plainbufs", 0, 0, 'P' },
		{ "sqpoll", 0, 0, 'S' }, { "hipri", 0, 0, 'H' },
		{ "verify", 0, 0, 'V' }, { "rwmixread", 1, 0, 'm' },
		{ "output-format", 1, 0, 'o' }, { "lat", 1, 0, 'l' },
		{ "idle", 1, 0, 'i' }, { "name", 1, 0, 'n' },
		{ "iodepth_batch_complete_min", 1, 0, 'B' },
		{ "max_open_zones", 1, 0, 'O' }, { "size", 1, 0, 's' },
		{ "zonesize", 1, 0, 'y' }, { "raw", 0, 0, 'W' },
		{ "no_merge", 0, 0, 'M' }, { "zrwa", 0, 0, 'A' },
		{ "no_defer", 0, 0, 'D' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->engine = ENGINE_URING;
	o->name = "zns-bench";
	o->rw = RW_RANDREAD;
	o->bs = DEF_BS;
	o->iodepth = DEF_IODEPTH;
	o->numjobs = 1;
	o->zones = DEF_ZONES;
	o->rwmixread = DEF_RWMIXREAD;
	o->runtime = DEF_RUNTIME;
	o->lat = 1;
	o->batch_min = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		rc = set_opt(o, c, optarg);
		if (rc) {
			*exit_rc = rc < 0 ? 0 : rc;
			return 1;
		}
	}
	if (!o->iodepth || !o->numjobs || !o->zones || o->bs < 512 ||
	    o->runtime <= 0 || !o->batch_min || o->batch_min > o->iodepth) {
		fprintf(stderr, "zns-bench: iodepth, numjobs and zones must be at least 1, "
			"bs a size of at least 512 (4k, 128k, 1m), runtime above 0 and "
			"iodepth_batch_complete_min from 1 to iodepth\n");
		usage();
		*exit_rc = 2;
		return 1;
	}
	if (o->zonesize && (o->zonesize % 4096 || o->zonesize > (1ull << 40) ||
			    o->dev)) {
		fprintf(stderr, "zns-bench: --zonesize sets the null and emu engines' zone size: "
			"a multiple of 4k, without --dev\n");
		*exit_rc = 2;
		return 1;
	}
	if (o->fixedbufs && o->plainbufs) {
		fprintf(stderr, "zns-bench: --fixedbufs and --plainbufs exclude each other\n");
		*exit_rc = 2;
		return 1;
	}
	if (o->size && !o->runtime_set)
		o->runtime = 1e9;	/* until --size is transferred */
	/* the null engine lands every append at its zone's start: bare
	 * appends only (writes go through the zone layer, which starts every
	 * zone of a null device Empty) */
	if (o->engine == ENGINE_NULL && o->rw == RW_APPEND)
		o->raw = 1;
	return 0;
}
