// SPDX-License-Identifier: MIT
/*
 * libnvme and libzns in one file: <libnvme.h> first, then <libzns.h>. The
 * nvme_zns_* calls are libnvme's (its header declares them, and libzns's
 * steps aside), the zns_* calls are libzns's; the program links -lnvme and
 * -lzns, which share no symbol. It reads the same zones both ways and
 * compares.
 *
 *   zns-both /dev/ngXnY      (DESTRUCTIVE: resets every zone)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnvme.h>
#include <libzns.h>

int main(int argc, char **argv)
{
	struct zns_dev *dev;
	const struct zns_dev_info *in;
	struct nvme_zone_report *r;
	struct nvme_zns_changed_zone_log *log;
	struct zns_zone z[4];
	unsigned int nr = 4, i;
	uint64_t lba;
	void *data;
	int rc, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/ngXnY\n", argv[0]);
		return 2;
	}
	rc = zns_dev_open(argv[1], &dev);
	if (rc) {
		fprintf(stderr, "%s: %s\n", argv[1], zns_status_str(rc));
		return 1;
	}
	in = zns_dev_get_info(dev);
	if (posix_memalign((void **)&r, 4096, 4096) ||
	    posix_memalign((void **)&log, 4096, 4096) ||
	    posix_memalign(&data, 4096, in->lba_size))
		return 1;
	memset(data, 0x33, in->lba_size);
	bad |= zns_reset_all_zones(dev) != 0;
	bad |= zns_append(dev, data, in->zone_size, 1, &lba) != 0;
	bad |= zns_report_zones(dev, 0, NVME_ZNS_ZRAS_REPORT_ALL, z, &nr, NULL) != 0;
	/* libnvme's report of the same zones */
	rc = nvme_zns_report_zones(zns_dev_fd(dev), in->nsid, 0,
				   NVME_ZNS_ZRAS_REPORT_ALL, false, true, 4096,
				   r, NVME_DEFAULT_IOCTL_TIMEOUT, NULL);
	bad |= rc != 0;
	for (i = 0; i < nr && !rc; i++) {
		if (r->entries[i].zslba != zns_cpu_to_le64(z[i].zslba) ||
		    r->entries[i].wp != zns_cpu_to_le64(z[i].wp) ||
		    (r->entries[i].zs >> NVME_ZNS_ZS_SHIFT) != z[i].state) {
			printf("zone %u differs\n", i);
			bad = 1;
		}
	}
	/* libzns's name forwards to libnvme's call here */
	rc = nvme_zns_get_log_changed_zones(zns_dev_fd(dev), in->nsid, true, log);
	printf("zns-both: %u zones compared, append at %#llx, changed-zone log rc %d\n",
	       nr, (unsigned long long)lba, rc);
	bad |= nr == 0 || lba != in->zone_size;
	bad |= zns_reset_all_zones(dev) != 0;
	zns_dev_close(dev);
	printf("%s\n", bad ? "FAILED" : "done");
	return bad;
}
