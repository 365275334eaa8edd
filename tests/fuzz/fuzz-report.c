// SPDX-License-Identifier: MIT
/*
 * Fuzz target: zns_parse_report(), a Zone Management Receive buffer as a
 * device returns it. The first 4 bytes choose the descriptor extension size
 * and how many zones the caller has room for; the rest is the report, of
 * any length (the header's zone count is whatever the bytes say).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libzns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zns_zone zones[64];
	unsigned int nr = 0, max;
	uint32_t zdes;
	uint8_t *buf;

	if (size < 4)
		return 0;
	zdes = (uint32_t)(data[0] & 0x3f) * 64;	/* 0 .. 4032, as ZDES gives */
	max = data[1] % 65;
	size -= 4;
	/* the exact length, so a read past it is caught */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 4, size);
	if (zns_parse_report(buf, size, zdes, zones, max, &nr) == 0 && nr > max)
		abort();
	free(buf);
	return 0;
}
