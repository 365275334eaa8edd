// SPDX-License-Identifier: MIT
/*
 * Fuzz target: the in-process ZNS device, fed command after command as the
 * kernel would hand them over: each 24 bytes of input is one IO or admin
 * command (opcode from those the device knows, or any; CDW10-15 as given;
 * the data pointer a 64 KiB buffer and a length the input chooses, or a
 * vector of it). After every command each zone's write pointer must lie
 * within the zone, and the device must still answer a report.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t ops[] = { 0x00, 0x01, 0x02, 0x08, 0x79, 0x7a, 0x7d };

static struct zns_emu *make(void)
{
	struct zns_emu_opts o;
	struct zns_emu *e = NULL;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.lba_size = 4096;
	o.nr_zones = 8;
	o.zone_size = 64;
	o.zone_cap = 60;
	o.max_open = 3;
	o.max_active = 4;
	o.zasl = 16384;
	o.mdts = 32768;
	o.zdes = 64;
	o.numzrwa = 2;
	o.zrwas = 4;
	o.zrwafg = 2;
	o.nsid = 1;
	if (zns_emu_create(&o, &e))
		abort();
	return e;
}

static void check(struct zns_emu *e, uint8_t *buf)
{
	struct nvme_uring_cmd c;
	const uint8_t *p = buf + 64;
	unsigned int i;
	uint64_t res;

	memset(&c, 0, sizeof(c));
	c.opcode = 0x7a;
	c.nsid = 1;
	c.addr = (uintptr_t)buf;
	c.data_len = 4096;
	c.cdw12 = 4096 / 4 - 1;
	if (zns_emu_exec(e, ZNS_EXEC_IO, &c, &res, NULL))
		abort();	/* a full report always answers */
	for (i = 0; i < 8; i++, p += 64) {
		uint64_t zslba, zcap, wp;
		uint8_t zs = p[1] >> 4;

		memcpy(&zslba, p + 16, 8);
		memcpy(&zcap, p + 8, 8);
		memcpy(&wp, p + 24, 8);
		if (zslba != i * 64ull || zcap != 60)
			abort();
		if (zs != 0xd && zs != 0xf && zs != 0xe &&
		    (wp < zslba || wp > zslba + zcap))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536] __attribute__((aligned(4096)));
	static uint8_t rep[4096] __attribute__((aligned(4096)));
	struct zns_emu *e = make();
	size_t at;

	for (at = 0; at + 24 <= size; at += 24) {
		const uint8_t *r = data + at;
		struct nvme_uring_cmd c;
		struct iovec iov[4];
		uint32_t w[5];
		uint64_t res;
		int how = r[1] & 3;

		memcpy(w, r + 4, sizeof(w));
		memset(&c, 0, sizeof(c));
		c.opcode = r[0] < 224 ? ops[r[0] % sizeof(ops)] : r[0];
		c.nsid = r[2] & 1 ? 1 : r[2];
		c.cdw10 = w[0] % 1024;		/* mostly inside the namespace */
		c.cdw11 = r[3] & 0x80 ? w[4] : 0;
		c.cdw12 = w[1];
		c.cdw13 = w[2];
		c.cdw14 = w[3];
		c.cdw15 = w[4];
		c.addr = (uintptr_t)buf;
		c.data_len = (uint32_t)(r[3] & 0x7f) << 9;
		if (how == ZNS_EXEC_IOVEC) {	/* a vector over the buffer */
			unsigned int i, n = 1 + r[2] % 4;

			for (i = 0; i < n; i++) {
				iov[i].iov_base = buf + i * 16384;
				iov[i].iov_len = (size_t)(1 + (w[3] >> (i * 4)) % 4) * 4096;
			}
			c.addr = (uintptr_t)iov;
			c.data_len = n;
		} else if (how == 3) {
			how = ZNS_EXEC_IO;
		}
		(void)zns_emu_exec(e, how, &c, &res, NULL);
		check(e, rep);
	}
	zns_emu_free(e);
	return 0;
}
