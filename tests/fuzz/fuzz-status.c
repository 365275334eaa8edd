// SPDX-License-Identifier: MIT
/*
 * Fuzz target: status decoding (zns_status_str() and the field helpers) for
 * every value a completion can carry: NVMe statuses with any SCT, SC, CRD,
 * MORE and DNR bits, and negated errnos.
 */
#include <stdint.h>
#include <string.h>

#include <libzns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int32_t v = 0;
	const char *s;

	memcpy(&v, data, size < sizeof(v) ? size : sizeof(v));
	s = zns_status_str(v);
	if (!s || !*s || strlen(s) > 4096)
		__builtin_trap();
	(void)zns_status_code(v);
	(void)zns_status_sct(v);
	(void)zns_status_sc(v);
	(void)zns_status_dnr(v);
	(void)zns_status_more(v);
	return 0;
}
