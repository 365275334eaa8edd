// SPDX-License-Identifier: MIT
/*
 * zlog: a small log-structured key-value store on libzns's zone layer, and
 * the test that it keeps what it acknowledged.
 *
 *   zlog                 on libzns's in-process device (a backing file):
 *                        puts, a power loss, a kill -9, faults; recovers
 *                        its keys after each
 *   zlog /dev/ngXnY      on a ZNS namespace (DESTRUCTIVE): puts, reopen,
 *                        a kill -9 with puts in flight; recovers its keys
 *                        and every zone's write pointer after each
 *
 *   cc zlog.c $(pkg-config --cflags --libs libzns) -o zlog
 *
 * Each record is one 4 KiB block: a header (magic, sequence number, key,
 * value length, checksum) and the value. Records go to the current zone
 * through zns_zoned_write(), which keeps them in order and says where each
 * landed; a key's latest record wins. Recovery is what a storage engine
 * does at mount: zns_zoned_open() reports every zone, and the records from
 * each zone's start up to its write pointer rebuild the index. With a
 * volatile write cache, what a flush made durable survives a power loss.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <libzns.h>

#define BLK		4096u
#define MAGIC		0x7a6c6f672d726563ull
#define MAXKEYS		4096
#define VMAX		(BLK - sizeof(struct rec))

struct rec {
	uint64_t magic, seq, key;
	uint32_t vlen, sum;
};

struct store {
	struct zns_dev *dev;
	struct zns_zoned *zt;
	struct zns_queue *q;
	uint32_t zone;			/* where records go now */
	uint64_t seq;
	uint64_t lba[MAXKEYS];		/* the index: key -> LBA (+1; 0: none) */
	uint64_t kseq[MAXKEYS];		/* the sequence number indexed */
	uint8_t *bufs;			/* one block per record in flight */
	uint8_t busy[32];		/* a buffer's write has not completed */
	unsigned int nbuf, next_buf, pending, errors;
};

#define FAIL(...) do {							\
	fprintf(stderr, "zlog: FAIL: " __VA_ARGS__);			\
	fprintf(stderr, "\n");						\
	exit(1);							\
} while (0)

static uint32_t checksum(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void value_of(uint64_t key, uint64_t version, char *v, uint32_t *len)
{
	*len = (uint32_t)snprintf(v, VMAX, "value of %llu, version %llu",
				  (unsigned long long)key,
				  (unsigned long long)version);
}

struct put {
	struct store *s;
	uint64_t key, seq;
	unsigned int buf;
};

static void put_done(void *user, int status, uint64_t lba, uint32_t nlb)
{
	struct put *p = user;
	struct store *s = p->s;

	(void)nlb;
	s->pending--;
	s->busy[p->buf] = 0;
	if (status) {
		s->errors++;
	} else if (p->seq >= s->kseq[p->key]) {
		s->lba[p->key] = lba + 1;
		s->kseq[p->key] = p->seq;
	}
	free(p);
}

/* An Empty zone from @from on, handed to the store's queue with its
 * active token: its writes and completions take no lock, and no other
 * queue writes there (waiting for a token when every one is held). */
static int next_empty_zone(struct store *s, uint32_t from, uint32_t *zone)
{
	if (from >= zns_zoned_nr_zones(s->zt))
		return -ENOSPC;
	return zns_zoned_alloc(s->zt, s->q, from, 0, ZNS_ZONED_WAIT, zone);
}

static void reap(struct store *s, unsigned int min)
{
	if (zns_reap(s->q, min, -1) < 0)
		FAIL("reap");
}

/* Put one record; it is in the index once its write has completed. */
static void put(struct store *s, uint64_t key, uint64_t version)
{
	unsigned int bi = s->next_buf++ % s->nbuf;
	uint8_t *b = s->bufs + (size_t)bi * BLK;
	struct rec *r = (struct rec *)b;
	struct put *p = malloc(sizeof(*p));
	int rc;

	if (!p)
		FAIL("memory");
	/* a buffer is reused only once its own write has completed: the
	 * zone layer may hold a zone's writes while other zones' complete */
	while (s->busy[bi])
		reap(s, 1);
	s->busy[bi] = 1;
	p->buf = bi;
	memset(b, 0, BLK);
	r->magic = MAGIC;
	r->seq = ++s->seq;
	r->key = key;
	value_of(key, version, (char *)(r + 1), &r->vlen);
	r->sum = checksum((uint8_t *)(r + 1), r->vlen);
	p->s = s;
	p->key = key;
	p->seq = r->seq;
	for (;;) {
		rc = zns_zoned_write(s->zt, s->q, s->zone, b, 1, put_done, p);
		if (rc == -ENOSPC) {	/* the zone is full: the next one */
			if (next_empty_zone(s, s->zone + 1, &s->zone))
				FAIL("out of zones");
			continue;
		}
		if (rc == -EBUSY && s->pending) {	/* a slot: wait for writes */
			reap(s, 1);
			continue;
		}
		if (rc)
			FAIL("put: %s (%s)", zns_status_str(rc), zns_last_error());
		s->pending++;
		return;
	}
}

static void drain(struct store *s)
{
	while (s->pending || zns_queue_inflight(s->q))
		reap(s, 1);
}

/* Read back the index: each key's latest record, checked. */
static int get(struct store *s, uint64_t key, uint64_t *version)
{
	static uint8_t b[BLK] __attribute__((aligned(4096)));
	const struct rec *r = (const struct rec *)b;
	unsigned long long k, v;

	if (!s->lba[key])
		return -ENOENT;
	if (zns_read(s->dev, b, s->lba[key] - 1, 1))
		return -EIO;
	if (r->magic != MAGIC || r->key != key || r->vlen > VMAX ||
	    r->sum != checksum((const uint8_t *)(r + 1), r->vlen) ||
	    sscanf((const char *)(r + 1), "value of %llu, version %llu", &k, &v) != 2 ||
	    k != key)
		return -EBADMSG;
	*version = v;
	return 0;
}

/* Mount: rebuild the index from the zones, up to each write pointer. */
static void recover(struct store *s)
{
	static uint8_t b[BLK] __attribute__((aligned(4096)));
	const struct rec *r = (const struct rec *)b;
	struct zns_zoned_zone z;
	uint32_t i, n;
	uint64_t l;

	memset(s->lba, 0, sizeof(s->lba));
	memset(s->kseq, 0, sizeof(s->kseq));
	s->seq = 0;
	if (zns_zoned_open(s->dev, NULL, &s->zt))
		FAIL("zone table: %s", zns_last_error());
	n = zns_zoned_nr_zones(s->zt);
	for (i = 0; i < n; i++) {
		if (zns_zoned_info(s->zt, i, &z) || z.retired)
			continue;
		for (l = z.zslba; l < z.device_wp; l++) {
			if (zns_read(s->dev, b, l, 1))
				FAIL("read %llu", (unsigned long long)l);
			if (r->magic != MAGIC || r->key >= MAXKEYS || r->vlen > VMAX ||
			    r->sum != checksum((const uint8_t *)(r + 1), r->vlen))
				continue;	/* torn or foreign: not a record */
			if (r->seq > s->kseq[r->key]) {
				s->kseq[r->key] = r->seq;
				s->lba[r->key] = l + 1;
			}
			if (r->seq > s->seq)
				s->seq = r->seq;
		}
	}
	/* go on in the last zone that has room, else an empty one: every
	 * zone left half written would hold an active token */
	for (i = n; i-- > 0;) {
		if (!zns_zoned_info(s->zt, i, &z) && !z.retired && z.active &&
		    z.device_wp < z.zslba + z.zcap) {
			s->zone = i;
			return;
		}
	}
	if (next_empty_zone(s, 0, &s->zone))
		FAIL("no empty zone to write to");
}

static void store_open(struct store *s, struct zns_dev *dev)
{
	struct zns_queue_opts qo = { .size = sizeof(qo), .depth = 64,
				     .sq_thread_cpu = -1 };

	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->nbuf = 32;
	if (posix_memalign((void **)&s->bufs, 4096, (size_t)s->nbuf * BLK))
		FAIL("memory");
	if (zns_queue_init(&s->q, &qo))
		FAIL("queue");
	recover(s);
}

static void store_close(struct store *s)
{
	drain(s);
	if (zns_queue_exit(s->q) || zns_zoned_close(s->zt))
		FAIL("close");
	free(s->bufs);
}

/* Every key below @n has at least version @min (what was acknowledged
 * durable), none a version that was never written. */
static void check(struct store *s, uint64_t n, uint64_t min, uint64_t max,
		  const char *when)
{
	uint64_t k, v;

	for (k = 0; k < n; k++) {
		int rc = get(s, k, &v);

		if (rc)
			FAIL("%s: key %llu: %s", when, (unsigned long long)k, strerror(-rc));
		if (v < min || v > max)
			FAIL("%s: key %llu at version %llu, not %llu..%llu", when,
			     (unsigned long long)k, (unsigned long long)v,
			     (unsigned long long)min, (unsigned long long)max);
	}
	printf("zlog: %s: %llu keys read back\n", when, (unsigned long long)n);
}

static void put_all(struct store *s, uint64_t n, uint64_t version)
{
	uint64_t k;

	for (k = 0; k < n; k++)
		put(s, k, version);
	drain(s);
}

static const char *dev_path;

static struct zns_dev *open_path(void)
{
	struct zns_dev *dev;

	return zns_dev_open(dev_path, &dev) ? NULL : dev;
}

/* Recovery hands back each zone's true write pointer. */
static void check_cursors(struct store *s)
{
	uint32_t i, n = zns_zoned_nr_zones(s->zt);

	for (i = 0; i < n; i++) {
		struct zns_zoned_zone in;
		struct zns_zone z;
		unsigned int one = 1;

		if (zns_zoned_info(s->zt, i, &in) ||
		    zns_report_zones(s->dev, in.zslba, NVME_ZNS_ZRAS_REPORT_ALL, &z, &one, NULL))
			FAIL("zone %u: info or report", i);
		if (z.state != NVME_ZNS_ZS_FULL && (in.wp != z.wp || in.device_wp != z.wp))
			FAIL("zone %u: the layer's cursor %llu, the device's write pointer %llu", i,
			     (unsigned long long)in.wp, (unsigned long long)z.wp);
	}
	printf("zlog: every zone's cursor is the device's write pointer (%u zones)\n", n);
}

static struct zns_emu_opts emu_opts;

static struct zns_dev *open_emu(void)
{
	struct zns_dev *dev;

	return zns_dev_open_emu(&emu_opts, &dev) ? NULL : dev;
}

/* Queue puts and die with them in flight: nothing of them was promised. */
static void kill_mid_puts(struct store *s, uint64_t n, uint64_t version)
{
	uint64_t k;

	for (k = 0; k < n; k++)
		put(s, k, version);
	kill(getpid(), SIGKILL);
	_exit(4);
}

/* A child that puts version 3 of keys 0..@n-1, flushes, then dies with
 * version 4 in flight; the parent reopens and finds 3 or 4 everywhere. */
static void kill_test(struct store *s, uint64_t n, struct zns_dev *(*reopen)(void))
{
	struct zns_dev *dev;
	pid_t pid = fork();
	int st;

	if (pid < 0)
		FAIL("fork");
	if (pid == 0) {
		dev = reopen();
		if (!dev)
			_exit(2);
		store_open(s, dev);
		put_all(s, n, 3);
		if (zns_flush(dev))
			_exit(3);
		kill_mid_puts(s, n, 4);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
		FAIL("the child did not die of SIGKILL (%d)", st);
}

static int on_emulator(void)
{
	char path[] = "/tmp/zlog.XXXXXX";
	struct zns_emu_opts o = {
		.size = sizeof(o), .lba_size = 4096, .nr_zones = 32,
		.zone_size = 256, .zone_cap = 250, .max_open = 6,
		.max_active = 6, .flags = ZNS_EMU_VWC,
	};
	struct zns_emu_fault f = {
		.size = sizeof(f), .kind = ZNS_EMU_AMBIGUOUS, .opcode = 0x01,
		.nth = 40, .status = -EINTR, .zslba = ~0ull,
	};
	struct zns_dev *dev;
	struct store s;
	int fd = mkstemp(path);

	if (fd < 0)
		FAIL("mkstemp");
	close(fd);
	o.path = path;
	o.flags |= ZNS_EMU_CREATE;
	if (zns_dev_open_emu(&o, &dev))
		FAIL("device: %s", zns_last_error());
	o.flags &= ~ZNS_EMU_CREATE;

	/* 1. puts, a write that lands but reports -EINTR, a flush, more puts
	 * that are not flushed, then the power goes */
	store_open(&s, dev);
	if (zns_emu_inject(dev, &f))
		FAIL("inject");
	put_all(&s, 500, 1);
	if (s.errors)
		FAIL("%u puts failed under an ambiguous fault", s.errors);
	check(&s, 500, 1, 1, "after puts with a fault");
	if (zns_flush(dev))
		FAIL("flush");
	put_all(&s, 500, 2);
	store_close(&s);
	if (zns_emu_power_cycle(dev))
		FAIL("power cycle");
	store_open(&s, dev);
	check(&s, 500, 1, 2, "after a power loss");
	store_close(&s);
	zns_dev_close(dev);

	/* 2. kill -9 with puts in flight: what was flushed before is there */
	emu_opts = o;
	kill_test(&s, 300, open_emu);
	if (zns_dev_open_emu(&o, &dev))
		FAIL("reopen: %s", zns_last_error());
	store_open(&s, dev);
	check(&s, 300, 3, 4, "after kill -9");
	check(&s, 500, 1, 4, "all keys after kill -9");
	check_cursors(&s);
	store_close(&s);
	zns_dev_close(dev);
	unlink(path);
	return 0;
}

static int on_device(const char *path)
{
	struct zns_dev *dev;
	struct store s;
	int rc = zns_dev_open(path, &dev);

	if (rc)
		FAIL("%s: %s", path, zns_status_str(rc));
	if (zns_dev_get_info(dev)->lba_size != BLK)
		FAIL("%s: zlog needs 4 KiB blocks", path);
	if (zns_reset_all_zones(dev))
		FAIL("reset");
	store_open(&s, dev);
	put_all(&s, 1000, 1);
	put_all(&s, 200, 2);
	if (s.errors || zns_flush(dev))
		FAIL("puts");
	store_close(&s);
	zns_dev_close(dev);
	/* reopen and recover, as after a restart */
	if (zns_dev_open(path, &dev))
		FAIL("reopen");
	store_open(&s, dev);
	check(&s, 200, 2, 2, "after reopen, updated keys");
	check(&s, 1000, 1, 2, "after reopen, all keys");
	store_close(&s);
	zns_dev_close(dev);
	/* kill -9 with puts in flight: the flushed keys are there, and each
	 * zone's cursor is the device's write pointer */
	dev_path = path;
	kill_test(&s, 300, open_path);
	dev = open_path();
	if (!dev)
		FAIL("reopen after kill -9");
	store_open(&s, dev);
	check(&s, 300, 3, 4, "after kill -9");
	check(&s, 1000, 1, 4, "all keys after kill -9");
	check_cursors(&s);
	store_close(&s);
	zns_reset_all_zones(dev);
	zns_dev_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = argc > 1 ? on_device(argv[1]) : on_emulator();

	if (!rc)
		printf("zlog: ok\n");
	return rc;
}
