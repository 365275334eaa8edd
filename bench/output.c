// SPDX-License-Identifier: MIT
/*
 * zns-bench's totals and output: fio-like text, or fio-like JSON that
 * bench/compare.sh reads beside fio's.
 */
#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* count errors by status (the first 8 distinct statuses are named) */
void bench_add_err(struct stats *s, int status, uint64_t n)
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

static void add_stats(struct stats *t, const struct stats *s)
{
	unsigned int k;

	t->ios[0] += s->ios[0];
	t->ios[1] += s->ios[1];
	t->bytes[0] += s->bytes[0];
	t->bytes[1] += s->bytes[1];
	t->errors += s->errors;
	t->lat_sum += s->lat_sum;
	t->lat_n += s->lat_n;
	t->verified += s->verified;
	t->verify_bad += s->verify_bad;
	t->verify_dup += s->verify_dup;
	t->verify_late += s->verify_late;
	if (s->lat_min < t->lat_min)
		t->lat_min = s->lat_min;
	if (s->lat_max > t->lat_max)
		t->lat_max = s->lat_max;
	for (k = 0; k < HBUCKETS; k++)
		t->hist[k] += s->hist[k];
	for (k = 0; k < 8; k++)
		if (s->err_status[k])
			bench_add_err(t, s->err_code[k], s->err_status[k]);
}

void bench_sum(struct job *jobs, const struct opts *o, struct totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->st.lat_min = UINT64_MAX;
	for (i = 0; i < o->numjobs; i++) {
		const struct job *j = &jobs[i];

		add_stats(&t->st, &j->st);
		t->secs += (double)(j->t_end - j->t_start) / 1e9;
		t->cpu_usr += tv(&j->ru0.ru_utime, &j->ru1.ru_utime);
		t->cpu_sys += tv(&j->ru0.ru_stime, &j->ru1.ru_stime);
	}
	t->secs /= o->numjobs;
	t->ios = t->st.ios[0] + t->st.ios[1];
	if (t->st.lat_min == UINT64_MAX)
		t->st.lat_min = 0;
}

static double cpu_ns_per_io(const struct totals *t)
{
	return t->ios ? (t->cpu_usr + t->cpu_sys) * 1e9 / (double)t->ios : 0;
}

static void print_json(const struct opts *o, const struct totals *t, int rc)
{
	const struct stats *s = &t->st;
	int c;

	printf("{\n  \"fio version\" : \"zns-bench-libzns\",\n  \"jobs\" : [\n    {\n"
	       "      \"jobname\" : \"%s\",\n      \"engine\" : \"%s\",\n      \"rw\" : \"%s\",\n"
	       "      \"bs\" : %u,\n      \"iodepth\" : %u,\n      \"numjobs\" : %u,\n"
	       "      \"error\" : %d,\n      \"total_err\" : %" PRIu64 ",\n",
	       o->name, engine_names[o->engine], rw_names[o->rw], o->bs, o->iodepth,
	       o->numjobs, rc, s->errors);
	for (c = 0; c < 2; c++)
		printf("      \"%s\" : { \"io_bytes\" : %" PRIu64 ", \"bw_bytes\" : %.0f, "
		       "\"iops\" : %.2f, \"total_ios\" : %" PRIu64 " },\n",
		       c ? "write" : "read", s->bytes[c],
		       t->secs ? (double)s->bytes[c] / t->secs : 0,
		       t->secs ? (double)s->ios[c] / t->secs : 0, s->ios[c]);
	printf("      \"lat_ns\" : { \"min\" : %" PRIu64 ", \"max\" : %" PRIu64 ", \"mean\" : %.1f,\n"
	       "        \"percentile\" : { \"50.000000\" : %" PRIu64 ", \"90.000000\" : %" PRIu64
	       ", \"99.000000\" : %" PRIu64 ", \"99.900000\" : %" PRIu64 ", \"99.990000\" : %" PRIu64 " } },\n",
	       s->lat_min, s->lat_max, s->lat_n ? (double)s->lat_sum / s->lat_n : 0,
	       pct(s, 50), pct(s, 90), pct(s, 99), pct(s, 99.9), pct(s, 99.99));
	printf("      \"usr_cpu\" : %.4f,\n      \"sys_cpu\" : %.4f,\n"
	       "      \"cpu_ns_per_io\" : %.1f,\n      \"runtime_s\" : %.3f,\n"
	       "      \"verified\" : %" PRIu64 ",\n"
	       "      \"verify_duplicates\" : %" PRIu64 ",\n"
	       "      \"verify_late\" : %" PRIu64 ",\n"
	       "      \"layer_doubtful\" : %" PRIu64 ",\n"
	       "      \"layer_reports\" : %" PRIu64 ",\n"
	       "      \"layer_landed\" : %" PRIu64 ",\n"
	       "      \"layer_resent\" : %" PRIu64 ",\n"
	       "      \"verify_errors\" : %" PRIu64 "\n    }\n  ]\n}\n",
	       t->secs ? 100 * t->cpu_usr / t->secs / o->numjobs : 0,
	       t->secs ? 100 * t->cpu_sys / t->secs / o->numjobs : 0,
	       cpu_ns_per_io(t), t->secs, s->verified, s->verify_dup, s->verify_late,
	       t->faults.doubtful, t->faults.reports, t->faults.landed,
	       t->faults.resent, s->verify_bad);
}

static void print_text(const struct opts *o, const struct totals *t)
{
	const struct stats *s = &t->st;
	unsigned int k;
	int c;

	printf("%s: (engine=%s, rw=%s, bs=%u, iodepth=%u, numjobs=%u)\n",
	       o->name, engine_names[o->engine], rw_names[o->rw], o->bs,
	       o->iodepth, o->numjobs);
	for (c = 0; c < 2; c++)
		if (s->ios[c])
			printf("  %-5s: IOPS=%.0f, BW=%.1fMiB/s (%" PRIu64 " IOs in %.2fs)\n",
			       c ? "write" : "read", (double)s->ios[c] / t->secs,
			       (double)s->bytes[c] / t->secs / 1048576.0, s->ios[c], t->secs);
	if (s->lat_n)
		printf("  lat (ns): min=%" PRIu64 ", avg=%.0f, max=%" PRIu64 "\n"
		       "  clat percentiles (ns): p50=%" PRIu64 ", p90=%" PRIu64 ", p99=%" PRIu64
		       ", p99.9=%" PRIu64 ", p99.99=%" PRIu64 "\n",
		       s->lat_min, (double)s->lat_sum / s->lat_n, s->lat_max,
		       pct(s, 50), pct(s, 90), pct(s, 99), pct(s, 99.9), pct(s, 99.99));
	printf("  cpu: usr=%.3fs sys=%.3fs, %.0f ns per IO\n", t->cpu_usr,
	       t->cpu_sys, cpu_ns_per_io(t));
	printf("  errors: %" PRIu64 "\n", s->errors);
	for (k = 0; k < 8; k++)
		if (s->err_status[k])
			printf("    %#x %s: %" PRIu64 "\n", s->err_code[k],
			       zns_status_str(s->err_code[k]), s->err_status[k]);
	if (t->layer)
		printf("  zone layer after faults: %" PRIu64 " writes in doubt, %" PRIu64
		       " reports, %" PRIu64 " found landed, %" PRIu64 " sent again\n",
		       t->faults.doubtful, t->faults.reports, t->faults.landed,
		       t->faults.resent);
	if (o->verify)
		printf("  verify: %" PRIu64 " blocks checked, %" PRIu64 " mismatches,"
		       " %" PRIu64 " duplicated by the device, %" PRIu64
		       " reported failed but written\n",
		       s->verified, s->verify_bad, s->verify_dup, s->verify_late);
}

void bench_print(const struct opts *o, const struct totals *t, int rc)
{
	if (o->json)
		print_json(o, t, rc);
	else
		print_text(o, t);
}
