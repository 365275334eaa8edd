// SPDX-License-Identifier: MIT
/*
 * A program written to libnvme 1.x's documented ZNS API, and nothing else:
 * it includes <libnvme.h> and calls libnvme's ZNS functions with libnvme's
 * types, fields and constants. make check builds it twice from this one
 * file, unchanged: against libnvme itself (-lnvme, proof that it is a real
 * libnvme program), and against libzns-nvme, whose stand-in <libnvme.h>
 * comes first on the include path. The guests run both builds on the same
 * namespace and compare what they print, line for line.
 *
 *   zns-prog /dev/ngXnY NSID LBA_SIZE      (DESTRUCTIVE: resets every zone)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libnvme.h>

/* The program runs on little-endian hosts: the spec's fields read as they
 * are (libnvme keeps its own byte-order helpers private). */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "zns-prog reads little-endian fields directly"
#endif
#define le16_to_cpu(v) ((uint16_t)(v))
#define le32_to_cpu(v) ((uint32_t)(v))
#define le64_to_cpu(v) ((uint64_t)(v))

static int report(int fd, __u32 nsid, __u64 slba, void *buf, __u32 len)
{
	struct nvme_zone_report *r = buf;
	__u32 res = 0;
	int rc;

	rc = nvme_zns_report_zones(fd, nsid, slba, NVME_ZNS_ZRAS_REPORT_ALL,
				   false, true, len, buf,
				   NVME_DEFAULT_IOCTL_TIMEOUT, &res);
	printf("report %#" PRIx64 ": rc %d", (uint64_t)slba, rc);
	if (rc == 0) {
		struct nvme_zns_desc *d = &r->entries[0];

		printf(", nr_zones %" PRIu64 ", zslba %#" PRIx64 " wp %#" PRIx64
		       " zcap %#" PRIx64 " state %#x type %#x",
		       (uint64_t)le64_to_cpu(r->nr_zones),
		       (uint64_t)le64_to_cpu(d->zslba), (uint64_t)le64_to_cpu(d->wp),
		       (uint64_t)le64_to_cpu(d->zcap), d->zs >> 4, d->zt);
	}
	printf("\n");
	return rc;
}

static int send(int fd, __u32 nsid, __u64 slba, enum nvme_zns_send_action zsa,
		bool all)
{
	__u32 res = 0;
	struct nvme_zns_mgmt_send_args a = {
		.slba = slba, .result = &res, .data = NULL,
		.args_size = sizeof(a), .fd = fd,
		.timeout = NVME_DEFAULT_IOCTL_TIMEOUT, .nsid = nsid, .zsa = zsa,
		.data_len = 0, .select_all = all, .zsaso = 0,
	};
	int rc = nvme_zns_mgmt_send(&a);

	printf("send zsa %#x slba %#" PRIx64 " all %d: rc %d\n", zsa,
	       (uint64_t)slba, all, rc);
	return rc;
}

int main(int argc, char **argv)
{
	struct nvme_zns_id_ns *ns;
	struct nvme_zns_id_ctrl *ctrl;
	struct nvme_zns_changed_zone_log *log;
	struct nvme_zns_mgmt_recv_args rv;
	struct nvme_zns_append_args ap;
	__u64 zsze, lba = 0;
	__u32 nsid, lbasz;
	void *buf, *data;
	int fd, rc, fails = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s /dev/ngXnY NSID LBA_SIZE\n", argv[0]);
		return 2;
	}
	nsid = (__u32)strtoul(argv[2], NULL, 0);
	lbasz = (__u32)strtoul(argv[3], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (posix_memalign((void **)&ns, 4096, 4096) ||
	    posix_memalign((void **)&ctrl, 4096, 4096) ||
	    posix_memalign((void **)&log, 4096, 4096) ||
	    posix_memalign(&buf, 4096, 8192) || posix_memalign(&data, 4096, lbasz))
		return 1;

	rc = nvme_zns_identify_ctrl(fd, ctrl);
	printf("identify ctrl: rc %d zasl %u\n", rc, ctrl->zasl);
	fails += rc != 0;
	rc = nvme_zns_identify_ns(fd, nsid, ns);
	zsze = le64_to_cpu(ns->lbafe[0].zsze);
	printf("identify ns: rc %d mor %u mar %u zsze %" PRIu64 " zdes %u "
	       "numzrwa %u zrwasz %u zrwafg %u zrwacap %u zoc %u ozcs %u\n", rc,
	       le32_to_cpu(ns->mor), le32_to_cpu(ns->mar), (uint64_t)zsze,
	       ns->lbafe[0].zdes, le32_to_cpu(ns->numzrwa),
	       le16_to_cpu(ns->zrwasz), le16_to_cpu(ns->zrwafg), ns->zrwacap,
	       le16_to_cpu(ns->zoc), le16_to_cpu(ns->ozcs));
	fails += rc != 0 || !zsze;
	printf("changed zones max %d\n", NVME_ZNS_CHANGED_ZONES_MAX);
	rc = nvme_get_log_zns_changed_zones(fd, nsid, true, log);
	printf("changed zone log: rc %d\n", rc);

	fails += send(fd, nsid, 0, NVME_ZNS_ZSA_RESET, true) != 0;
	fails += report(fd, nsid, zsze, buf, 4096) != 0;

	/* two appends of one block each to zone 1; where did they land? */
	memset(data, 0x5a, lbasz);
	memset(&ap, 0, sizeof(ap));
	ap.zslba = zsze;
	ap.result = &lba;
	ap.data = data;
	ap.args_size = sizeof(ap);
	ap.fd = fd;
	ap.timeout = NVME_DEFAULT_IOCTL_TIMEOUT;
	ap.nsid = nsid;
	ap.data_len = lbasz;
	ap.nlb = 0;			/* 0's based: one block */
	ap.control = NVME_IO_FUA;
	rc = nvme_zns_append(&ap);
	printf("append: rc %d lba %#" PRIx64 "\n", rc, (uint64_t)lba);
	fails += rc != 0 || lba != zsze;
	rc = nvme_zns_append(&ap);
	printf("append: rc %d lba %#" PRIx64 "\n", rc, (uint64_t)lba);
	fails += rc != 0 || lba != zsze + 1;
	fails += report(fd, nsid, zsze, buf, 4096) != 0;

	/* explicit open, close, finish: the states a report shows */
	fails += send(fd, nsid, 2 * zsze, NVME_ZNS_ZSA_OPEN, false) != 0;
	fails += report(fd, nsid, 2 * zsze, buf, 4096) != 0;
	fails += send(fd, nsid, 2 * zsze, NVME_ZNS_ZSA_CLOSE, false) < 0;
	fails += report(fd, nsid, 2 * zsze, buf, 4096) != 0;
	fails += send(fd, nsid, zsze, NVME_ZNS_ZSA_FINISH, false) != 0;
	fails += report(fd, nsid, zsze, buf, 4096) != 0;
	/* an invalid transition: the device's own status, as it is */
	rc = send(fd, nsid, zsze, NVME_ZNS_ZSA_OPEN, false);
	fails += rc <= 0;

	/* the raw receive, with the partial bit and a filter */
	memset(&rv, 0, sizeof(rv));
	rv.slba = 0;
	rv.data = buf;
	rv.args_size = sizeof(rv);
	rv.fd = fd;
	rv.timeout = NVME_DEFAULT_IOCTL_TIMEOUT;
	rv.nsid = nsid;
	rv.zra = NVME_ZNS_ZRA_REPORT_ZONES;
	rv.data_len = 8192;
	rv.zrasf = NVME_ZNS_ZRAS_REPORT_FULL;
	rv.zras_feat = true;
	rc = nvme_zns_mgmt_recv(&rv);
	printf("full zones: rc %d nr_zones %" PRIu64 " first %#" PRIx64 "\n", rc,
	       (uint64_t)le64_to_cpu(((struct nvme_zone_report *)buf)->nr_zones),
	       (uint64_t)le64_to_cpu(((struct nvme_zone_report *)buf)->entries[0].zslba));
	fails += rc != 0;

	/* libnvme's errors: -1 with errno */
	ap.args_size = 8;
	errno = 0;
	rc = nvme_zns_append(&ap);
	printf("bad args_size: rc %d errno %s\n", rc, strerror(errno));
	fails += rc != -1 || errno != EINVAL;

	fails += send(fd, nsid, 0, NVME_ZNS_ZSA_RESET, true) != 0;
	close(fd);
	printf("%s\n", fails ? "FAILED" : "done");
	return fails ? 1 : 0;
}
