// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the identify decoder (zns_decode_geometry()), which turns
 * the four identify structures a device returns (controller, NVM namespace,
 * ZNS namespace, ZNS controller; 4096 bytes each) into the geometry every
 * later check relies on. Short inputs are padded with zeros.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t id[4][4096];
	struct zns_dev d;

	memset(id, 0, sizeof(id));
	memcpy(id, data, size < sizeof(id) ? size : sizeof(id));
	memset(&d, 0, sizeof(d));
	d.fd = d.ctrl_fd = -1;
	if (zns_decode_geometry(&d, id[0], id[1], id[2], id[3]) == 0) {
		/* what the rest of the library assumes of a decoded device */
		if (d.lba_shift < 9 || d.lba_shift > 24 || !d.zone_size ||
		    d.zone_size > d.nr_lbas || !d.max_xfer || !d.zasl ||
		    d.zasl > d.max_xfer)
			abort();
	}
	return 0;
}
