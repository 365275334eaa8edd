// SPDX-License-Identifier: MIT
/*
 * Fuzz target: zns-bench's option parser (bench/opts.c), the one place a
 * user's bytes reach the benchmark. The input is split at NUL bytes into
 * arguments. Whatever it is given, the parser runs or refuses with a
 * status; options it accepts satisfy what the benchmark relies on.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[33];
	struct opts o;
	int argc = 1, rc, exit_rc = 0;
	size_t i, start = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	argv[0] = "zns-bench";
	for (i = 0; i <= size && argc < 32; i++)
		if (copy[i] == 0) {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	optind = 0;	/* getopt starts over */
	opterr = 0;
	rc = bench_parse_opts(argc, argv, &o, &exit_rc);
	if (rc == 0 && (!o.iodepth || !o.numjobs || !o.zones || o.bs < 512 ||
			!o.batch_min || o.batch_min > o.iodepth))
		abort();
	free(copy);
	return 0;
}
