// SPDX-License-Identifier: MIT
/*
 * Unit suite "mock": every synchronous libzns call and every libnvme-
 * compatible call, run against a replacement ioctl() (linked with
 * -Wl,--wrap=ioctl) that captures the passthrough struct the kernel would
 * get. Each field is compared with what the NVMe base and ZNS command set
 * specifications put there, written out here by hand, not by the encoders
 * under test: opcode, flags, nsid, CDW2-3, metadata and data pointers and
 * lengths, CDW10-15, timeout, the ioctl request and the file descriptor.
 * The mock can answer ENOTTY to the 64-bit ioctls, as kernels before 5.9
 * do, to check the 32-bit fallback, and can hand back a status and a
 * command result.
 */
#include "unit.h"
#include "ioctl.h"

#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAXCALLS 8

struct call {
	unsigned long req;
	int fd;
	struct nvme_passthru_cmd64 cmd;	/* the 32-bit struct is widened */
};

static struct call calls[MAXCALLS];
static unsigned int ncalls;
static int mock_enotty64;		/* kernels before 5.9 */
static int mock_enotty_vec;		/* kernels before 5.18 */
static int mock_status;			/* what the device answers */
static int mock_errno;			/* the ioctl fails with this */
static unsigned int mock_sleep_us;	/* ... after this long */
static uint64_t mock_result;
static unsigned int checked;		/* commands compared field by field */

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	struct call *c;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	ck_assert_uint_lt(ncalls, MAXCALLS);
	c = &calls[ncalls++];
	if (mock_sleep_us)
		usleep(mock_sleep_us);
	memset(c, 0, sizeof(*c));
	c->req = req;
	c->fd = fd;
	if (req == NVME_IOCTL_IO64_CMD || req == NVME_IOCTL_ADMIN64_CMD ||
	    req == NVME_IOCTL_IO64_CMD_VEC) {
		struct nvme_passthru_cmd64 *p = arg;

		c->cmd = *p;
		if (req == NVME_IOCTL_IO64_CMD_VEC && mock_enotty_vec) {
			errno = ENOTTY;
			return -1;
		}
		/* a plain read brings a pattern, so a bounce is seen */
		if (req == NVME_IOCTL_IO64_CMD && p->opcode == 0x02 && p->addr)
			memset((void *)(uintptr_t)p->addr, 0x5a, p->data_len);
		if (mock_enotty64 && req != NVME_IOCTL_IO64_CMD_VEC) {
			errno = ENOTTY;
			return -1;
		}
		p->result = mock_result;
	} else if (req == NVME_IOCTL_IO_CMD || req == NVME_IOCTL_ADMIN_CMD) {
		struct nvme_passthru_cmd *p = arg;

		memcpy(&c->cmd, p, offsetof(struct nvme_passthru_cmd, result));
		c->cmd.timeout_ms = p->timeout_ms;
		p->result = (uint32_t)mock_result;
	} else {
		errno = EINVAL;
		return -1;
	}
	if (mock_errno) {
		errno = mock_errno;
		return -1;
	}
	/* a report: an empty one, so zns_report_zones() stops */
	if (c->cmd.opcode == nvme_zns_cmd_mgmt_recv && c->cmd.addr)
		memset((void *)(uintptr_t)c->cmd.addr, 0, 64);
	return mock_status;
}

static void reset_mock(void)
{
	ncalls = 0;
	mock_enotty64 = 0;
	mock_enotty_vec = 0;
	mock_status = 0;
	mock_errno = 0;
	mock_sleep_us = 0;
	mock_result = 0;
}

/* The command as the specification lays it out. */
struct want {
	unsigned long req;
	int fd;
	uint8_t opcode;
	uint32_t nsid, cdw2, cdw3;
	const void *metadata;
	uint32_t metadata_len;
	const void *addr;
	uint32_t data_len;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
	uint32_t timeout_ms;
};

static void expect_call(unsigned int i, const struct want *w)
{
	const struct call *c = &calls[i];

	ck_assert_uint_gt(ncalls, i);
	ck_assert_uint_eq(c->req, w->req);
	ck_assert_int_eq(c->fd, w->fd);
	ck_assert_uint_eq(c->cmd.opcode, w->opcode);
	ck_assert_uint_eq(c->cmd.flags, 0);
	ck_assert_uint_eq(c->cmd.rsvd1, 0);
	ck_assert_uint_eq(c->cmd.nsid, w->nsid);
	ck_assert_uint_eq(c->cmd.cdw2, w->cdw2);
	ck_assert_uint_eq(c->cmd.cdw3, w->cdw3);
	ck_assert_uint_eq(c->cmd.metadata, (uintptr_t)w->metadata);
	ck_assert_uint_eq(c->cmd.addr, (uintptr_t)w->addr);
	ck_assert_uint_eq(c->cmd.metadata_len, w->metadata_len);
	ck_assert_uint_eq(c->cmd.data_len, w->data_len);
	ck_assert_uint_eq(c->cmd.cdw10, w->cdw10);
	ck_assert_uint_eq(c->cmd.cdw11, w->cdw11);
	ck_assert_uint_eq(c->cmd.cdw12, w->cdw12);
	ck_assert_uint_eq(c->cmd.cdw13, w->cdw13);
	ck_assert_uint_eq(c->cmd.cdw14, w->cdw14);
	ck_assert_uint_eq(c->cmd.cdw15, w->cdw15);
	ck_assert_uint_eq(c->cmd.timeout_ms, w->timeout_ms);
	checked++;
}

/* Exactly one command, as wanted. */
static void expect_one(const struct want *w)
{
	ck_assert_uint_eq(ncalls, 1);
	expect_call(0, w);
}

#define NSFD	3
#define CTRLFD	4
#define IO64	NVME_IOCTL_IO64_CMD
#define ADMIN64	NVME_IOCTL_ADMIN64_CMD
#define CSI_ZNS	(2u << 24)

static struct zns_dev mock_dev(void)
{
	struct zns_dev d = fake_dev(12, 16384, 1ull << 36);

	d.fd = NSFD;
	d.ctrl_fd = CTRLFD;
	d.info.numzrwa = 2;
	return d;
}

/* ------------------------------------------------- synchronous calls --- */

START_TEST(test_sync_admin)
{
	struct zns_dev d = mock_dev();
	static uint8_t id[4096];

	reset_mock();
	ck_assert_int_eq(zns_identify_ns(&d, (struct nvme_zns_id_ns *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x06,
		.nsid = 7, .addr = id, .data_len = 4096, .cdw10 = 0x05,
		.cdw11 = CSI_ZNS });
	reset_mock();
	ck_assert_int_eq(zns_identify_ctrl(&d, (struct nvme_zns_id_ctrl *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x06,
		.nsid = 0, .addr = id, .data_len = 4096, .cdw10 = 0x06,
		.cdw11 = CSI_ZNS });
	/* LID 0xbf, RAE bit 15, NUMDL 1023 in 31:16, CSI in CDW14 31:24 */
	reset_mock();
	ck_assert_int_eq(zns_get_changed_zones(&d, 1, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x02,
		.nsid = 7, .addr = id, .data_len = 4096,
		.cdw10 = 0xbf | 1u << 15 | 1023u << 16, .cdw14 = CSI_ZNS });
	reset_mock();
	ck_assert_int_eq(zns_get_changed_zones(&d, 0, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x02,
		.nsid = 7, .addr = id, .data_len = 4096,
		.cdw10 = 0xbf | 1023u << 16, .cdw14 = CSI_ZNS });
	/* without a controller device, admin goes to the namespace device */
	d.ctrl_fd = -1;
	reset_mock();
	ck_assert_int_eq(zns_identify_ns(&d, (struct nvme_zns_id_ns *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = NSFD, .opcode = 0x06,
		.nsid = 7, .addr = id, .data_len = 4096, .cdw10 = 0x05,
		.cdw11 = CSI_ZNS });
}
END_TEST

/* Zone Management Send: SLBA in CDW10-11, CDW13 ZSA 7:0, SEL bit 8,
 * ZSASO bit 9. */
START_TEST(test_sync_mgmt_send)
{
	static const struct { unsigned int zsa, flags; uint32_t cdw13; } acts[] = {
		{ NVME_ZNS_ZSA_CLOSE, 0, 0x01 },
		{ NVME_ZNS_ZSA_FINISH, 0, 0x02 },
		{ NVME_ZNS_ZSA_OPEN, 0, 0x03 },
		{ NVME_ZNS_ZSA_OPEN, ZNS_SEND_ZRWA, 0x203 },
		{ NVME_ZNS_ZSA_RESET, 0, 0x04 },
		{ NVME_ZNS_ZSA_OFFLINE, 0, 0x05 },
		{ NVME_ZNS_ZSA_RESET, ZNS_SEND_SELECT_ALL, 0x104 },
		{ NVME_ZNS_ZSA_FINISH, ZNS_SEND_SELECT_ALL, 0x102 },
		{ NVME_ZNS_ZSA_OPEN, ZNS_SEND_SELECT_ALL | ZNS_SEND_ZRWA, 0x303 },
	};
	struct zns_dev d = mock_dev();
	uint64_t slba = 0x3ull << 34, res = 0;	/* a zone start past 32 bits */
	static uint8_t ext[64];
	unsigned int i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		reset_mock();
		mock_result = 1;	/* ZCAPC */
		ck_assert_int_eq(zns_mgmt_send(&d, slba, acts[i].zsa,
					       acts[i].flags, NULL, 0, &res), 0);
		ck_assert_uint_eq(res, 1);
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x79,
			.nsid = 7, .cdw10 = 0, .cdw11 = 3u << 2,
			.cdw13 = acts[i].cdw13 });
	}
	reset_mock();
	ck_assert_int_eq(zns_mgmt_send(&d, 16384, NVME_ZNS_ZSA_SET_DESC_EXT, 0,
				       ext, 64, NULL), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x79,
		.nsid = 7, .addr = ext, .data_len = 64, .cdw10 = 16384,
		.cdw13 = 0x10 });
	/* ZRWA flush: SLBA is the last LBA to flush */
	reset_mock();
	ck_assert_int_eq(zns_mgmt_send(&d, 16384 + 7, NVME_ZNS_ZSA_ZRWA_FLUSH, 0,
				       NULL, 0, NULL), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x79,
		.nsid = 7, .cdw10 = 16384 + 7, .cdw13 = 0x11 });
	/* the inline one-zone and all-zone helpers */
	reset_mock();
	ck_assert_int_eq(zns_reset_zone(&d, 32768), 0);
	ck_assert_int_eq(zns_open_zone(&d, 32768), 0);
	ck_assert_int_eq(zns_close_zone(&d, 32768), 0);
	ck_assert_int_eq(zns_finish_zone(&d, 32768), 0);
	ck_assert_int_eq(zns_reset_all_zones(&d), 0);
	ck_assert_int_eq(zns_open_all_zones(&d), 0);
	ck_assert_int_eq(zns_close_all_zones(&d), 0);
	ck_assert_int_eq(zns_finish_all_zones(&d), 0);
	for (i = 0; i < 8; i++)
		expect_call(i, &(struct want){ .req = IO64, .fd = NSFD,
			.opcode = 0x79, .nsid = 7, .cdw10 = i < 4 ? 32768 : 0,
			.cdw13 = (uint32_t)"\x04\x03\x01\x02\x04\x03\x01\x02"[i] |
				 (i < 4 ? 0 : 0x100) });
	/* refused arguments send nothing */
	reset_mock();
	ck_assert_int_eq(zns_mgmt_send(&d, 1, NVME_ZNS_ZSA_RESET, 0, NULL, 0, NULL), -EINVAL);
	ck_assert_uint_eq(ncalls, 0);
}
END_TEST

/* Zone Management Receive: CDW12 NUMD (0's based dwords), CDW13 ZRA 7:0,
 * ZRASF 15:8, partial bit 16. */
START_TEST(test_sync_mgmt_recv)
{
	struct zns_dev d = mock_dev();
	static uint8_t r[8192];
	struct zns_zone z[2];
	unsigned int f, nr, ext[2];

	for (f = 0; f <= NVME_ZNS_ZRAS_REPORT_OFFLINE; f++) {
		reset_mock();
		ck_assert_int_eq(zns_mgmt_recv(&d, 0x123456789ull << 14, 0, f, f & 1,
					       r, 8192), 0);
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
			.nsid = 7, .addr = r, .data_len = 8192,
			.cdw10 = (uint32_t)(0x123456789ull << 14),
			.cdw11 = (uint32_t)(0x123456789ull >> 18), .cdw12 = 2047,
			.cdw13 = f << 8 | (f & 1) << 16 });
	}
	reset_mock();
	ck_assert_int_eq(zns_mgmt_recv(&d, 0, NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES,
				       NVME_ZNS_ZRAS_REPORT_FULL, 0, r, 64), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
		.nsid = 7, .addr = r, .data_len = 64, .cdw12 = 15,
		.cdw13 = 0x501 });
	/* zns_report_zones: one command, partial set, sized for the zones
	 * asked for (here 2 -> one 4 KiB page), then stops at an empty one */
	reset_mock();
	nr = 2;
	ck_assert_int_eq(zns_report_zones(&d, 16384, NVME_ZNS_ZRAS_REPORT_CLOSED,
					  z, &nr, NULL), 0);
	ck_assert_uint_eq(nr, 0);
	ck_assert_uint_eq(ncalls, 1);
	expect_call(0, &(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
		.nsid = 7, .addr = (void *)(uintptr_t)calls[0].cmd.addr,
		.data_len = 4096, .cdw10 = 16384, .cdw12 = 1023,
		.cdw13 = 0x4 << 8 | 1u << 16 });
	ck_assert_uint_ne(calls[0].cmd.addr, 0);
	/* extended */
	reset_mock();
	nr = 2;
	ck_assert_int_eq(zns_report_zones(&d, 0, 0, z, &nr, ext), 0);
	expect_call(0, &(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
		.nsid = 7, .addr = (void *)(uintptr_t)calls[0].cmd.addr,
		.data_len = 4096, .cdw12 = 1023, .cdw13 = 0x1 | 1u << 16 });
}
END_TEST

/* Read, Write, Zone Append: SLBA in CDW10-11, NLB 0's based in CDW12. */
START_TEST(test_sync_io)
{
	struct zns_dev d = mock_dev();
	uint64_t lba = 0, slba = 0x2ull << 32;

	reset_mock();
	ck_assert_int_eq(zns_read(&d, buf, slba + 5, 2), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x02,
		.nsid = 7, .addr = buf, .data_len = 8192, .cdw10 = 5,
		.cdw11 = 2, .cdw12 = 1 });
	reset_mock();
	ck_assert_int_eq(zns_write(&d, buf, slba, 1), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
		.nsid = 7, .addr = buf, .data_len = 4096, .cdw11 = 2 });
	reset_mock();
	mock_result = slba + 17;
	ck_assert_int_eq(zns_append(&d, buf, slba, 2, &lba), 0);
	ck_assert_uint_eq(lba, slba + 17);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 7, .addr = buf, .data_len = 8192, .cdw11 = 2,
		.cdw12 = 1 });
	reset_mock();
	ck_assert_int_eq(zns_write_zeroes(&d, slba + 9, 65536), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x08,
		.nsid = 7, .cdw10 = 9, .cdw11 = 2, .cdw12 = 0xffff });
	reset_mock();
	ck_assert_int_eq(zns_flush(&d), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x00,
		.nsid = 7 });
	/* a status from the device comes back as it is */
	reset_mock();
	mock_status = 0x41bc;
	ck_assert_int_eq(zns_write(&d, buf, slba + 1, 1), 0x41bc);
}
END_TEST

/* Kernels before 5.9: the 64-bit ioctl answers ENOTTY, the same command
 * goes again through the 32-bit one, and its result comes back. */
START_TEST(test_sync_fallback32)
{
	struct zns_dev d = mock_dev();
	uint64_t lba = 0;
	static uint8_t id[4096];

	reset_mock();
	mock_enotty64 = 1;
	mock_result = 0x12345;
	ck_assert_int_eq(zns_append(&d, buf, 16384, 1, &lba), 0);
	ck_assert_uint_eq(lba, 0x12345);
	ck_assert_uint_eq(ncalls, 2);
	expect_call(0, &(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 7, .addr = buf, .data_len = 4096, .cdw10 = 16384 });
	expect_call(1, &(struct want){ .req = NVME_IOCTL_IO_CMD, .fd = NSFD,
		.opcode = 0x7d, .nsid = 7, .addr = buf, .data_len = 4096,
		.cdw10 = 16384 });
	reset_mock();
	mock_enotty64 = 1;
	ck_assert_int_eq(zns_identify_ctrl(&d, (void *)id), 0);
	ck_assert_uint_eq(ncalls, 2);
	expect_call(1, &(struct want){ .req = NVME_IOCTL_ADMIN_CMD, .fd = CTRLFD,
		.opcode = 0x06, .addr = id, .data_len = 4096, .cdw10 = 0x06,
		.cdw11 = CSI_ZNS });
	/* the compatible calls share the transport */
	reset_mock();
	mock_enotty64 = 1;
	ck_assert_int_eq(nvme_zns_identify_ns(NSFD, 1, (void *)id), 0);
	expect_call(1, &(struct want){ .req = NVME_IOCTL_ADMIN_CMD, .fd = NSFD,
		.opcode = 0x06, .nsid = 1, .addr = id, .data_len = 4096,
		.cdw10 = 0x05, .cdw11 = CSI_ZNS });
}
END_TEST

/* Vectored commands through a queue's synchronous path: the vectored
 * ioctl with the array itself as the data pointer and its element count as
 * the data length; a kernel without it (ENOTTY) gets the plain ioctl with
 * the data gathered into one buffer, and a read's data is scattered back. */
START_TEST(test_queue_vectors)
{
	struct zns_dev d = mock_dev();
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 4,
				     .flags = ZNS_QUEUE_SYNC, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	static uint8_t a[4096], b[8192];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	int st = ZNS_PENDING;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	reset_mock();
	ck_assert_int_eq(zns_prep_writev(q, &d, iov, 2, 0x10, 3, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	expect_one(&(struct want){ .req = NVME_IOCTL_IO64_CMD_VEC, .fd = NSFD,
		.opcode = 0x01, .nsid = 7, .addr = iov, .data_len = 2,
		.cdw10 = 0x10, .cdw12 = 2 });
	reset_mock();
	mock_enotty_vec = 1;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_readv(q, &d, iov, 2, 0x20, 3, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[0].req, NVME_IOCTL_IO64_CMD_VEC);
	ck_assert_uint_eq(calls[1].req, IO64);
	ck_assert_uint_eq(calls[1].cmd.opcode, 0x02);
	ck_assert_uint_eq(calls[1].cmd.data_len, 12288);
	ck_assert_uint_eq(calls[1].cmd.cdw10, 0x20);
	ck_assert_uint_eq(calls[1].cmd.cdw12, 2);
	ck_assert_uint_eq(a[0], 0x5a);
	ck_assert_uint_eq(b[8191], 0x5a);
	/* refused before anything is queued: the ioctl is never called */
	reset_mock();
	ck_assert_int_eq(zns_prep_writev(q, &d, iov, 2, 0x10, 2, zns_sync_cb, &st), -EINVAL);
	ck_assert_int_eq(zns_prep_writev(q, &d, iov, 0, 0x10, 3, zns_sync_cb, &st), -EINVAL);
	ck_assert_int_eq(zns_prep_writev(q, &d, NULL, 2, 0x10, 3, zns_sync_cb, &st), -EINVAL);
	iov[1].iov_base = NULL;
	ck_assert_int_eq(zns_prep_writev(q, &d, iov, 2, 0x10, 3, zns_sync_cb, &st), -EFAULT);
	ck_assert_int_eq(zns_prep_readv(NULL, &d, iov, 2, 0x10, 3, zns_sync_cb, &st), -EINVAL);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	ck_assert_uint_eq(ncalls, 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* A queue of depth 1 has one pending slot, so every command below is
 * encoded where the one before it was. Reads, writes and appends write only
 * the fields that change into a slot the last such command left (a "plain"
 * slot); each one after another kind of command must still reach the
 * kernel with every other field zero, and each other command with its own
 * fields whole. */
START_TEST(test_queue_slot_reuse)
{
	struct zns_dev d = mock_dev();
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 1,
				     .flags = ZNS_QUEUE_SYNC, .sq_thread_cpu = -1 };
	struct zns_queue *q;
	static uint8_t a[8192], r[4096];
	struct iovec iov[2] = { { a, 4096 }, { a + 4096, 4096 } };
	int st;
	unsigned int round;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
#define RUN(call) do {							\
		reset_mock();						\
		st = ZNS_PENDING;					\
		ck_assert_int_eq((call), 0);				\
		ck_assert_int_eq(zns_queue_wait(q, &st), 0);		\
	} while (0)
#define READ_AT(lba) do {						\
		RUN(zns_prep_read(q, &d, a, (lba), 2, zns_sync_cb, &st));	\
		expect_one(&(struct want){ .req = IO64, .fd = NSFD,	\
			.opcode = 0x02, .nsid = 7, .addr = a,		\
			.data_len = 8192, .cdw10 = (uint32_t)(lba),	\
			.cdw11 = (uint32_t)((uint64_t)(lba) >> 32), .cdw12 = 1 }); \
	} while (0)
	for (round = 0; round < 2; round++) {	/* plain, then not */
		READ_AT(0x123456789ull);
		RUN(zns_prep_mgmt_send(q, &d, 0x4000, NVME_ZNS_ZSA_OPEN, ZNS_SEND_SELECT_ALL,
				       NULL, 0, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x79,
			.nsid = 7, .cdw10 = 0x4000, .cdw13 = 0x03 | 1u << 8 });
		READ_AT(0x8);
		RUN(zns_prep_mgmt_recv(q, &d, 0x4000, NVME_ZNS_ZRA_REPORT_ZONES,
				       NVME_ZNS_ZRAS_REPORT_FULL, 1, r, sizeof(r),
				       zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
			.nsid = 7, .addr = r, .data_len = 4096, .cdw10 = 0x4000,
			.cdw12 = 1023, .cdw13 = 0x00 | 0x05u << 8 | 1u << 16 });
		READ_AT(0x10);
		RUN(zns_prep_identify_ns(q, &d, (struct nvme_zns_id_ns *)r, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x06,
			.nsid = 7, .addr = r, .data_len = 4096, .cdw10 = 0x05,
			.cdw11 = CSI_ZNS });
		RUN(zns_prep_append(q, &d, a, 0x8000, 1, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
			.nsid = 7, .addr = a, .data_len = 4096, .cdw10 = 0x8000 });
		RUN(zns_prep_writev(q, &d, iov, 2, 0x20, 2, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = NVME_IOCTL_IO64_CMD_VEC, .fd = NSFD,
			.opcode = 0x01, .nsid = 7, .addr = iov, .data_len = 2,
			.cdw10 = 0x20, .cdw12 = 1 });
		READ_AT(0x30);
		RUN(zns_prep_write_zeroes(q, &d, 0x40, 8, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x08,
			.nsid = 7, .cdw10 = 0x40, .cdw12 = 7 });
		RUN(zns_prep_write(q, &d, a, 0x50, 1, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
			.nsid = 7, .addr = a, .data_len = 4096, .cdw10 = 0x50 });
		RUN(zns_prep_flush(q, &d, zns_sync_cb, &st));
		expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x00,
			.nsid = 7 });
	}
#undef READ_AT
#undef RUN
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* ------------------------------------------------- command options --- */

/* A 4 KiB format with 8 bytes of separate metadata holding type 1
 * protection information (16-bit guard). */
static struct zns_dev mock_dev_pi(void)
{
	struct zns_dev d = mock_dev();

	d.md = 1;
	d.info.ms = 8;
	d.info.pi_type = 1;
	d.info.pi_size = 8;
	return d;
}

/* Options in the command, as the specification places them: CDW12 bits
 * 31:16 control (FUA 30, LR 31, PRINFO 29:26, DTYPE 23:20, PIREMAP 25),
 * CDW13 31:16 DSPEC, reference tag in CDW14 (31:0) and CDW3 (above), LBAT
 * and LBATM in CDW15, MPTR and its length, the timeout. */
START_TEST(test_sync_opts)
{
	struct zns_dev d = mock_dev_pi();
	static uint8_t md[64];
	uint64_t lba = 0;
	struct zns_io_opts o = { .size = sizeof(o), .control = NVME_IO_FUA |
		NVME_IO_LR | NVME_IO_PRINFO_PRCHK_GUARD | NVME_IO_PRINFO_PRCHK_REF,
		.apptag = 0xbeef, .appmask = 0xff00, .timeout_ms = 1500,
		.reftag = 0x89abcdef, .md = md, .md_len = 16 };

	reset_mock();
	ck_assert_int_eq(zns_read_opts(&d, buf, 0x100000005ull, 2, &o), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x02,
		.nsid = 7, .metadata = md, .metadata_len = 16, .addr = buf,
		.data_len = 8192, .cdw10 = 5, .cdw11 = 1,
		.cdw12 = 1 | 1u << 30 | 1u << 31 | 1u << 28 | 1u << 26,
		.cdw14 = 0x89abcdef, .cdw15 = 0xbeef | 0xff00u << 16,
		.timeout_ms = 1500 });
	/* PRACT where the metadata is protection information only: none
	 * moves, and none may be given */
	reset_mock();
	o = (struct zns_io_opts){ .size = sizeof(o), .reftag = 0x4000,
		.control = NVME_IO_PRINFO_PRACT | NVME_IO_PRINFO_PRCHK_REF };
	ck_assert_int_eq(zns_write_opts(&d, buf, 0x4000, 1, &o), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
		.nsid = 7, .addr = buf, .data_len = 4096, .cdw10 = 0x4000,
		.cdw12 = 1u << 29 | 1u << 26, .cdw14 = 0x4000 });
	/* a directive (streams, type 1) on a write */
	reset_mock();
	o = (struct zns_io_opts){ .size = sizeof(o), .md = md, .md_len = 8,
		.control = NVME_IO_DTYPE_STREAMS, .dspec = 0x0005 };
	ck_assert_int_eq(zns_write_opts(&d, buf, 0x10, 1, &o), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
		.nsid = 7, .metadata = md, .metadata_len = 8, .addr = buf,
		.data_len = 4096, .cdw10 = 0x10, .cdw12 = 1u << 20,
		.cdw13 = 5u << 16 });
	/* an append with PIREMAP, its LBA handed back */
	reset_mock();
	mock_result = 0x8003;
	o = (struct zns_io_opts){ .size = sizeof(o), .reftag = 0x8000,
		.control = NVME_IO_PRINFO_PRACT | NVME_IO_ZNS_APPEND_PIREMAP };
	ck_assert_int_eq(zns_append_opts(&d, buf, 0x8000, 1, &o, &lba), 0);
	ck_assert_uint_eq(lba, 0x8003);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 7, .addr = buf, .data_len = 4096, .cdw10 = 0x8000,
		.cdw12 = 1u << 29 | 1u << 25, .cdw14 = 0x8000 });
}
END_TEST

/* An extended LBA format (512 + 16 bytes a block, 64-bit guard): the data
 * length counts the metadata, and the 48-bit reference tag spills into
 * CDW3. Without options, a format with metadata is refused. */
START_TEST(test_sync_opts_ext)
{
	struct zns_dev d = mock_dev();
	struct zns_io_opts o = { .size = sizeof(o),
		.control = NVME_IO_PRINFO_PRCHK_REF, .reftag = 0xa5a512345678ull };

	d.lba_shift = 9;
	d.md = 1;
	d.info.ms = 16;
	d.info.ext_lba = 1;
	d.info.pi_type = 1;
	d.info.pi_format = 2;
	d.info.pi_size = 16;
	reset_mock();
	ck_assert_int_eq(zns_read_opts(&d, buf, 0x78, 3, &o), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x02,
		.nsid = 7, .addr = buf, .data_len = 3 * 528, .cdw10 = 0x78,
		.cdw12 = 2 | 1u << 26, .cdw3 = 0xa5a5, .cdw14 = 0x12345678 });
	reset_mock();
	ck_assert_int_eq(zns_read_opts(&d, buf, 0x78, 3, NULL), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x02,
		.nsid = 7, .addr = buf, .data_len = 3 * 528, .cdw10 = 0x78,
		.cdw12 = 2 });
	/* PRACT where the metadata is protection information only: the
	 * controller inserts it, and the buffer holds the data alone */
	reset_mock();
	o.control |= NVME_IO_PRINFO_PRACT;
	ck_assert_int_eq(zns_write_opts(&d, buf, 0x78, 3, &o), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
		.nsid = 7, .addr = buf, .data_len = 3 * 512, .cdw10 = 0x78,
		.cdw12 = 2 | 1u << 29 | 1u << 26, .cdw3 = 0xa5a5,
		.cdw14 = 0x12345678 });
	o.control &= ~NVME_IO_PRINFO_PRACT;
	/* a tag past 48 bits does not fit this format */
	reset_mock();
	o.reftag = 1ull << 48;
	ck_assert_int_eq(zns_read_opts(&d, buf, 0x78, 3, &o), -ERANGE);
	/* metadata goes in buf here, never in md */
	o.reftag = 0;
	o.md = buf;
	o.md_len = 48;
	ck_assert_int_eq(zns_read_opts(&d, buf, 0x78, 3, &o), -EINVAL);
	ck_assert_ptr_nonnull(strstr(zns_last_error(), "extended"));
	/* the calls without options refuse any format with metadata */
	ck_assert_int_eq(zns_read(&d, buf, 0x78, 3), -EINVAL);
	ck_assert_ptr_nonnull(strstr(zns_last_error(), "metadata"));
	ck_assert_int_eq(zns_write(&d, buf, 0x78, 3), -EINVAL);
	ck_assert_int_eq(zns_append(&d, buf, 0, 3, NULL), -EINVAL);
	ck_assert_uint_eq(ncalls, 0);
}
END_TEST

/* Every rule of the options, each refused before anything is sent. */
START_TEST(test_sync_opts_refused)
{
	struct zns_dev pi = mock_dev_pi(), plain = mock_dev();
	static uint8_t md[64], big[64];
	struct zns_io_opts o;

#define REFUSED(call, err, words) do {					\
		ck_assert_int_eq((call), (err));			\
		ck_assert_ptr_nonnull(strstr(zns_last_error(), (words)));	\
	} while (0)
#define O(...) (o = (struct zns_io_opts){ .size = sizeof(o), __VA_ARGS__ }, &o)
	reset_mock();
	/* separate metadata: required, and exactly nlb * ms */
	REFUSED(zns_read_opts(&pi, buf, 0, 2, O(0)), -EINVAL, "separate buffer");
	REFUSED(zns_read_opts(&pi, buf, 0, 2, NULL), -EINVAL, "separate buffer");
	REFUSED(zns_read_opts(&pi, buf, 0, 2, O(.md = md, .md_len = 8)), -EINVAL, "nlb * ms");
	REFUSED(zns_read_opts(&pi, buf, 0, 2, O(.md_len = 16)), -EFAULT, "md is NULL");
	REFUSED(zns_read_opts(&pi, buf, 0, 1, O(.md = md, .md_len = 8,
		.control = NVME_IO_PRINFO_PRACT)), -EINVAL, "no metadata is transferred");
	/* no metadata, no protection information */
	REFUSED(zns_read_opts(&plain, buf, 0, 1, O(.md = md, .md_len = 8)), -EINVAL, "no metadata");
	REFUSED(zns_read_opts(&plain, buf, 0, 1, O(.control = NVME_IO_PRINFO_PRCHK_GUARD)), -EINVAL, "protection information");
	REFUSED(zns_read_opts(&plain, buf, 0, 1, O(.apptag = 1)), -EINVAL, "protection information");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.reftag = 1)), -EINVAL, "protection information");
	/* a 16-bit guard has a 32-bit reference tag */
	REFUSED(zns_read_opts(&pi, buf, 0, 1, O(.md = md, .md_len = 8,
		.reftag = 1ull << 32)), -ERANGE, "reftag");
	/* control bits by command */
	REFUSED(zns_read_opts(&plain, buf, 0, 1, O(.control = NVME_IO_DTYPE_STREAMS)), -EINVAL, "writes only");
	REFUSED(zns_append_opts(&plain, buf, 0, 1, O(.control = NVME_IO_DTYPE_STREAMS), NULL), -EINVAL, "writes only");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.control = NVME_IO_ZNS_APPEND_PIREMAP)), -EINVAL, "appends only");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.control = NVME_IO_STC)), -EINVAL, "storage tags");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.control = 1)), -EINVAL, "storage tags");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.dspec = 3)), -EINVAL, "directive type");
	REFUSED(zns_write_opts(&plain, buf, 0, 1, O(.rsvd = 1)), -EINVAL, "rsvd");
	/* the struct's size: too small, or larger with unknown fields set */
	o = (struct zns_io_opts){ .size = 8 };
	REFUSED(zns_write_opts(&plain, buf, 0, 1, &o), -EINVAL, "size");
	memset(big, 0, sizeof(big));
	memcpy(big, &(struct zns_io_opts){ .size = sizeof(big) }, sizeof(o));
	big[50] = 1;
	REFUSED(zns_write_opts(&plain, buf, 0, 1, (void *)big), -E2BIG, "newer libzns");
	/* the usual rules of a transfer */
	REFUSED(zns_write_opts(&plain, NULL, 0, 1, O(0)), -EFAULT, "NULL");
	REFUSED(zns_write_opts(&plain, buf, 0, 0, O(0)), -EINVAL, "nlb");
	REFUSED(zns_write_opts(&plain, buf, 0, 129, O(0)), -E2BIG, "max_xfer");
	REFUSED(zns_append_opts(&plain, buf, 0, 33, O(0), NULL), -E2BIG, "zasl");
	REFUSED(zns_append_opts(&plain, buf, 5, 1, O(0), NULL), -EINVAL, "zone");
	REFUSED(zns_write_opts(&plain, buf, 1ull << 36, 1, O(0)), -ERANGE, "past the end");
	REFUSED(zns_write_opts(NULL, buf, 0, 1, O(0)), -EINVAL, "dev is NULL");
	ck_assert_uint_eq(ncalls, 0);
	/* a larger struct whose extra bytes are 0 is taken */
	big[50] = 0;
	ck_assert_int_eq(zns_write_opts(&plain, buf, 0, 1, (void *)big), 0);
	ck_assert_uint_eq(ncalls, 1);
#undef O
#undef REFUSED
}
END_TEST

/* The kernel cancels a command whose timeout fired (EINTR). With a timeout
 * that has passed, that is -ETIMEDOUT; otherwise it stays -EINTR. The
 * synchronous call, then a queue. */
START_TEST(test_opts_timeout)
{
	struct zns_dev d = mock_dev();
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 2,
				     .flags = ZNS_QUEUE_SYNC, .sq_thread_cpu = -1 };
	struct zns_io_opts o = { .size = sizeof(o), .timeout_ms = 1 };
	struct zns_queue *q;
	int st;

	reset_mock();
	mock_errno = EINTR;
	mock_sleep_us = 3000;
	ck_assert_int_eq(zns_read_opts(&d, buf, 0, 1, &o), -ETIMEDOUT);
	ck_assert_uint_eq(calls[0].cmd.timeout_ms, 1);
	o.timeout_ms = 60000;
	ck_assert_int_eq(zns_read_opts(&d, buf, 0, 1, &o), -EINTR);
	ck_assert_int_eq(zns_read_opts(&d, buf, 0, 1, NULL), -EINTR);

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	o.timeout_ms = 1;
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_read_opts(q, &d, buf, 0, 1, &o, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), -ETIMEDOUT);
	/* the context is reused by a command without a timeout: EINTR */
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0, 1, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), -EINTR);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* Queued commands with options reach the kernel whole, and a plain read
 * after one in the same slot carries none of its fields. */
START_TEST(test_queue_opts)
{
	struct zns_dev d = mock_dev();
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 1,
				     .flags = ZNS_QUEUE_SYNC, .sq_thread_cpu = -1 };
	struct zns_io_opts o = { .size = sizeof(o), .control = NVME_IO_FUA |
		NVME_IO_DTYPE_STREAMS, .dspec = 9, .timeout_ms = 700 };
	struct zns_queue *q;
	int st;

	ck_assert_int_eq(zns_queue_init(&q, &qo), 0);
	reset_mock();
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_write_opts(q, &d, buf, 0x30, 2, &o, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	ck_assert_int_eq(st, 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x01,
		.nsid = 7, .addr = buf, .data_len = 8192, .cdw10 = 0x30,
		.cdw12 = 1 | 1u << 30 | 1u << 20, .cdw13 = 9u << 16,
		.timeout_ms = 700 });
	reset_mock();
	st = ZNS_PENDING;
	ck_assert_int_eq(zns_prep_read(q, &d, buf, 0x30, 2, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x02,
		.nsid = 7, .addr = buf, .data_len = 8192, .cdw10 = 0x30,
		.cdw12 = 1 });
	reset_mock();
	mock_result = 0x4002;
	st = ZNS_PENDING;
	o = (struct zns_io_opts){ .size = sizeof(o), .control = NVME_IO_LR };
	ck_assert_int_eq(zns_prep_append_opts(q, &d, buf, 0x4000, 1, &o, zns_sync_cb, &st), 0);
	ck_assert_int_eq(zns_queue_wait(q, &st), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 7, .addr = buf, .data_len = 4096, .cdw10 = 0x4000,
		.cdw12 = 1u << 31 });
	/* refused: nothing queued */
	reset_mock();
	ck_assert_int_eq(zns_prep_read_opts(q, &d, buf, 0, 1, &o, NULL, NULL), 0);
	ck_assert_int_eq(zns_prep_read_opts(q, &d, buf, 0, 1, &o, NULL, NULL), -EBUSY);
	ck_assert_int_eq(zns_reap(q, 1, -1), 1);
	ck_assert_int_eq(zns_prep_read_opts(NULL, &d, buf, 0, 1, &o, NULL, NULL), -EINVAL);
	ck_assert_int_eq(zns_prep_append_opts(q, &d, buf, 3, 1, &o, NULL, NULL), -EINVAL);
	ck_assert_uint_eq(zns_queue_inflight(q), 0);
	ck_assert_int_eq(zns_queue_exit(q), 0);
}
END_TEST

/* The synchronous vectored calls: the vectored ioctl, or one bounce buffer
 * where the kernel lacks it. */
START_TEST(test_sync_vectors)
{
	struct zns_dev d = mock_dev();
	static uint8_t a[4096], b[4096];
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };

	reset_mock();
	ck_assert_int_eq(zns_writev(&d, iov, 2, 0x40, 2), 0);
	expect_one(&(struct want){ .req = NVME_IOCTL_IO64_CMD_VEC, .fd = NSFD,
		.opcode = 0x01, .nsid = 7, .addr = iov, .data_len = 2,
		.cdw10 = 0x40, .cdw12 = 1 });
	reset_mock();
	mock_enotty_vec = 1;
	ck_assert_int_eq(zns_readv(&d, iov, 2, 0x40, 2), 0);
	ck_assert_uint_eq(ncalls, 2);
	ck_assert_uint_eq(calls[1].req, IO64);
	ck_assert_uint_eq(calls[1].cmd.data_len, 8192);
	ck_assert_uint_eq(b[4095], 0x5a);
	reset_mock();
	ck_assert_int_eq(zns_readv(&d, iov, 2, 0x40, 3), -EINVAL);
	ck_assert_int_eq(zns_readv(&d, NULL, 2, 0x40, 2), -EINVAL);
	ck_assert_int_eq(zns_writev(NULL, iov, 2, 0x40, 2), -EINVAL);
	ck_assert_uint_eq(ncalls, 0);
}
END_TEST

/* ------------------------------------------- libnvme-compatible calls --- */

START_TEST(test_compat_admin)
{
	static uint8_t id[4096];

	reset_mock();
	ck_assert_int_eq(nvme_zns_identify_ns(NSFD, 9, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = NSFD, .opcode = 0x06,
		.nsid = 9, .addr = id, .data_len = 4096, .cdw10 = 0x05,
		.cdw11 = CSI_ZNS });
	reset_mock();
	ck_assert_int_eq(nvme_zns_identify_ctrl(CTRLFD, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x06,
		.addr = id, .data_len = 4096, .cdw10 = 0x06, .cdw11 = CSI_ZNS });
	reset_mock();
	ck_assert_int_eq(nvme_zns_get_log_changed_zones(CTRLFD, 9, true, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x02,
		.nsid = 9, .addr = id, .data_len = 4096,
		.cdw10 = 0xbf | 1u << 15 | 1023u << 16, .cdw14 = CSI_ZNS });
	reset_mock();
	ck_assert_int_eq(nvme_get_log_zns_changed_zones(CTRLFD, 9, false, (void *)id), 0);
	expect_one(&(struct want){ .req = ADMIN64, .fd = CTRLFD, .opcode = 0x02,
		.nsid = 9, .addr = id, .data_len = 4096,
		.cdw10 = 0xbf | 1023u << 16, .cdw14 = CSI_ZNS });
	/* libnvme's convention: a status > 0 as it is, errors as -1/errno */
	reset_mock();
	mock_status = 0x4002;
	ck_assert_int_eq(nvme_zns_identify_ctrl(CTRLFD, (void *)id), 0x4002);
}
END_TEST

START_TEST(test_compat_mgmt)
{
	static uint8_t r[4096];
	__u32 res32 = 0;
	struct nvme_zns_mgmt_send_args s = {
		.slba = 0x5ull << 33, .result = &res32, .data = NULL,
		.args_size = sizeof(s), .fd = NSFD, .timeout = 1500, .nsid = 3,
		.zsa = NVME_ZNS_ZSA_OPEN, .data_len = 0, .select_all = true,
		.zsaso = 1,
	};
	struct nvme_zns_mgmt_recv_args rv = {
		.slba = 0x4000, .result = &res32, .data = r,
		.args_size = sizeof(rv), .fd = NSFD, .timeout = 250, .nsid = 3,
		.zra = NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES, .data_len = 4096,
		.zrasf = NVME_ZNS_ZRAS_REPORT_READ_ONLY, .zras_feat = true,
	};

	reset_mock();
	mock_result = 0x1ffffffffull;	/* libnvme gives CQE dword 0: 32 bits */
	ck_assert_int_eq(nvme_zns_mgmt_send(&s), 0);
	ck_assert_uint_eq(res32, 0xffffffffu);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x79,
		.nsid = 3, .cdw10 = 0, .cdw11 = 10, .cdw13 = 0x303,
		.timeout_ms = 1500 });
	reset_mock();
	ck_assert_int_eq(nvme_zns_mgmt_recv(&rv), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
		.nsid = 3, .addr = r, .data_len = 4096, .cdw10 = 0x4000,
		.cdw12 = 1023, .cdw13 = 0x1 | 0x6 << 8 | 1u << 16,
		.timeout_ms = 250 });
	reset_mock();
	ck_assert_int_eq(nvme_zns_report_zones(NSFD, 3, 0x8000,
					       NVME_ZNS_ZRAS_REPORT_EMPTY, false,
					       true, 4096, r,
					       NVME_DEFAULT_IOCTL_TIMEOUT, NULL), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7a,
		.nsid = 3, .addr = r, .data_len = 4096, .cdw10 = 0x8000,
		.cdw12 = 1023, .cdw13 = 0x1 << 8 | 1u << 16 });
	/* a short args_size is refused, nothing is sent */
	reset_mock();
	s.args_size = 8;
	errno = 0;
	ck_assert_int_eq(nvme_zns_mgmt_send(&s), -1);
	ck_assert_int_eq(errno, EINVAL);
	rv.args_size = 8;
	ck_assert_int_eq(nvme_zns_mgmt_recv(&rv), -1);
	ck_assert_uint_eq(ncalls, 0);
}
END_TEST

/* Zone Append, libnvme style: NLB 0's based as given, control bits in
 * CDW12 31:16, reference tag in CDW14 (and CDW3 for 64-bit tags),
 * application tag and mask in CDW15, metadata pointer and length. */
START_TEST(test_compat_append)
{
	static uint8_t md[64];
	__u64 res = 0;
	struct nvme_zns_append_args a = {
		.zslba = 0x7ull << 32, .result = &res, .data = buf,
		.metadata = md, .args_size = sizeof(a), .fd = NSFD,
		.timeout = 30000, .nsid = 5, .ilbrt = 0x11111111,
		.data_len = 8192, .metadata_len = 16, .nlb = 1,
		.control = NVME_IO_FUA | NVME_IO_LR | NVME_IO_PRINFO_PRCHK_REF |
			   NVME_IO_PRINFO_PRCHK_APP | NVME_IO_PRINFO_PRCHK_GUARD |
			   NVME_IO_PRINFO_PRACT,
		.lbat = 0xabcd, .lbatm = 0xf0f0,
		.ilbrt_u64 = 0x0000a5a512345678ull,	/* a 48-bit tag */
	};

	/* the full struct: the 64-bit tag, ilbrt ignored */
	reset_mock();
	mock_result = (0x7ull << 32) + 40;
	ck_assert_int_eq(nvme_zns_append(&a), 0);
	ck_assert_uint_eq(res, (0x7ull << 32) + 40);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 5, .cdw3 = 0xa5a5, .metadata = md, .metadata_len = 16,
		.addr = buf, .data_len = 8192, .cdw10 = 0, .cdw11 = 7,
		.cdw12 = 1 | 0xfc00u << 16, .cdw14 = 0x12345678,
		.cdw15 = 0xabcd | 0xf0f0u << 16, .timeout_ms = 30000 });
	/* libnvme's first layout (72 bytes, through lbatm): ilbrt, CDW3 0 */
	reset_mock();
	a.args_size = 72;
	a.control = NVME_IO_FUA;
	ck_assert_int_eq(nvme_zns_append(&a), 0);
	expect_one(&(struct want){ .req = IO64, .fd = NSFD, .opcode = 0x7d,
		.nsid = 5, .cdw3 = 0, .metadata = md, .metadata_len = 16,
		.addr = buf, .data_len = 8192, .cdw10 = 0, .cdw11 = 7,
		.cdw12 = 1 | 0x4000u << 16, .cdw14 = 0x11111111,
		.cdw15 = 0xabcd | 0xf0f0u << 16, .timeout_ms = 30000 });
	/* a full 64-bit tag, and no ilbrt at all */
	reset_mock();
	a.args_size = sizeof(a);
	a.ilbrt = 0;
	a.ilbrt_u64 = 0xfedcba9876543210ull;
	ck_assert_int_eq(nvme_zns_append(&a), 0);
	ck_assert_uint_eq(calls[0].cmd.cdw3, 0xfedcba98);
	ck_assert_uint_eq(calls[0].cmd.cdw14, 0x76543210);
	checked++;
	/* args_size neither layout: refused, nothing sent */
	reset_mock();
	a.args_size = 64;
	errno = 0;
	ck_assert_int_eq(nvme_zns_append(&a), -1);
	ck_assert_int_eq(errno, EINVAL);
	a.args_size = sizeof(a) + 8;
	ck_assert_int_eq(nvme_zns_append(&a), -1);
	ck_assert_uint_eq(ncalls, 0);
}
END_TEST

static void report_count(void)
{
	printf("mock: %u commands compared field by field\n", checked);
}

int main(void)
{
	Suite *s = suite_create("mock");
	TCase *t = tcase_create("mock");
	SRunner *sr;
	int failed;

	tcase_add_test(t, test_sync_admin);
	tcase_add_test(t, test_sync_mgmt_send);
	tcase_add_test(t, test_sync_mgmt_recv);
	tcase_add_test(t, test_sync_io);
	tcase_add_test(t, test_sync_fallback32);
	tcase_add_test(t, test_queue_vectors);
	tcase_add_test(t, test_queue_slot_reuse);
	tcase_add_test(t, test_sync_opts);
	tcase_add_test(t, test_sync_opts_ext);
	tcase_add_test(t, test_sync_opts_refused);
	tcase_add_test(t, test_opts_timeout);
	tcase_add_test(t, test_queue_opts);
	tcase_add_test(t, test_sync_vectors);
	tcase_add_test(t, test_compat_admin);
	tcase_add_test(t, test_compat_mgmt);
	tcase_add_test(t, test_compat_append);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	/* in one process, so the count adds up */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	report_count();
	return failed ? 1 : 0;
}
