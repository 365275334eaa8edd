// SPDX-License-Identifier: MIT
/*
 * The zone layer: ordered writes per zone, appends split at the zone
 * append limit, open/active tokens, and the fence-report-resume cycle after
 * a write whose outcome is unknown. See <libzns/zoned.h>.
 *
 * Each zone keeps a cursor (where the next write goes), the end of what
 * completed, and a FIFO of writes waiting for the command in flight. When
 * that command completes, the writes waiting go out as one command, up to
 * the transfer limit: buffers that follow each other in memory as one, the
 * others as a vector (zns_prep_writev()). A write's LBA is fixed when it
 * goes out, not when it is queued, so a write that failed without landing
 * costs nothing to the ones behind it. After an ambiguous failure the zone
 * is fenced, a one-zone report is sent through the same queue, and its
 * write pointer and the data decide, write by write: landed (its callback
 * says 0) when the write pointer is past it and its blocks hold its data,
 * else not; the cursor is set from the device, and what did not land goes
 * out again from there (a few times, while the fault may pass), then the
 * writes behind it. A resend whose first copy landed late meets Zone
 * Invalid Write, and the next report and the data show the first copy.
 *
 * The common case takes a short path: a write that finds its zone idle
 * goes out at once (send_one()), and the completion of one write that
 * succeeded, with no callback of its zone waiting, is settled in zz_done()
 * itself; everything else goes through done_rest().
 *
 * The next command of a zone goes out before the callbacks of the one that
 * completed run (its queue slot was just freed, so it cannot be refused).
 * If a callback reaps and that command completes meanwhile, its callbacks
 * wait on the zone's list until the ones before them have run: a zone's
 * callbacks fire in order.
 *
 * Layer: zones, above the queues and the synchronous API; nothing below
 * depends on it.
 *
 * Threads. One spin lock per table, never held across a callback, guards
 * the zones nobody owns and what the table shares (tokens, the free
 * lists). A zone zns_zoned_alloc() handed to a queue is that queue's
 * thread's alone (@own says so): its requests, completions and callbacks
 * take no lock; its requests, append records and vectors come from the
 * zone's own cache of the free lists, traded with the table in batches
 * under the lock (and given back when the ownership ends: the zone's
 * owner and the one that takes it meet on the zone's word, so the cache
 * needs nothing more); a token taken or given back takes the lock. While
 * commands of the zone are in flight, nothing in its path is atomic but
 * plain loads and stores; a call that finds it idle marks it busy with one
 * compare-and-swap on the zone's own word, and the completion that leaves
 * it idle says so with a store. That word is how another queue (a
 * collector's) takes an idle zone to reset or finish it: it swaps the
 * word from idle to the table's, and from then on the lock guards the
 * zone. Other threads read an owned zone only through zns_zoned_info()
 * (fields stored and loaded atomically: each current, not one snapshot);
 * the scans of zns_zoned_alloc() pass it by.
 */
#include "private.h"
#include "queue-zoned.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { RQ_WRITE, RQ_FRAG, RQ_RESET, RQ_FINISH, RQ_REPORT, RQ_AREPORT,
       RQ_REDO, RQ_ZOPEN, RQ_ZFLUSH, RQ_ZFINISH, RQ_XREPORT };

/* A zone's ZRWA (zns_zoned_opts.flags ZNS_ZONED_ZRWA) */
enum { ZR_NONE, ZR_OPENING, ZR_ON };

#define MAX_FRAGS	64
#define REPORT_LEN	128	/* header + one descriptor */
#define MERGE_IOV	128	/* buffers in one merged command */
#define NR_VECS		64	/* merged commands with a vector at once */

/* The vector of a merged command, held until it completes. */
struct zz_vec {
	struct zz_vec *next;		/* free list */
	struct iovec iov[MERGE_IOV];
};

struct zz_append {
	struct zz_append *next;		/* free list */
	zns_zoned_append_cb cb;
	void *user;
	int status;
	unsigned int nr, left;
	struct zns_zoned_frag frags[MAX_FRAGS];
};

struct zz_req {
	struct zns_zoned *zt;
	struct zz_req *next;		/* zone FIFO, the writes of one command,
					 * or free list */
	struct zz_req *next_chain;	/* the zone's commands whose callbacks
					 * wait for the ones before */
	struct zz_vec *vec;		/* a merged command's vector */
	struct zns_queue *q;
	const void *buf;
	uint64_t lba;
	uint32_t zone, nlb;
	uint8_t kind;
	int status;			/* a write awaiting its verdict */
	zns_zoned_cb cb;
	void *user;
	struct zz_append *ap;
	unsigned int frag;
	uint8_t tries;			/* sent again after a fault */
	uint8_t done;			/* ZRWA: the command completed */
	uint16_t niov;			/* a command's vector elements */
	uint32_t cmd_nlb;		/* a command's blocks */
	uint32_t iflush;		/* ZRWA: blocks its write flushes
					 * implicitly (past the window) */
	struct zz_req *next_sent;	/* ZRWA: the zone's commands in flight,
					 * in LBA order */
	struct zz_req *doubt;		/* RQ_REPORT: the write in doubt;
					 * RQ_XREPORT: the reset or finish;
					 * a zone's append pieces in doubt */
	uint8_t *rbuf;			/* RQ_REPORT: REPORT_LEN bytes */
};

/* Free requests, append records and vectors: the table's (under its lock)
 * or an owned zone's own (its owner's thread's alone). */
struct zz_pool {
	struct zz_req *reqs;
	struct zz_append *aps;
	struct zz_vec *vecs;
	unsigned int nreq, nap, nvec;	/* how many of each are here */
	unsigned int out;		/* requests taken from here and not
					 * given back (stored atomically) */
};

struct zz_zone {
	uint64_t zslba, zcap;
	uint64_t wp, acked, dwp, queued;
	uint64_t ahead;			/* queued blocks below acked: appends
					 * complete out of LBA order, so acked
					 * (the highest end) runs ahead of
					 * pieces still in flight */
	uint8_t state, active, fenced, retired, firing;
	unsigned int apping;		/* an owner's completions running
					 * append callbacks (not idle) */
	uint8_t claimed;		/* handed out by zns_zoned_alloc() */
	uint8_t acting;			/* a caller's reset or finish in flight
					 * (or the report after it) */
	uint16_t busy;			/* commands of the zone in flight
					 * (writes, actions, ZRWA commands) */
	uint8_t zrwa;			/* ZR_NONE, ZR_OPENING, ZR_ON */
	uint8_t flushing;		/* a ZRWA flush or finish in flight */
	uint8_t flush_tries;
	uint64_t flushed;		/* ZR_ON: the device's write pointer */
	struct zz_req *sent_head, *sent_tail; /* ZR_ON: commands in flight */
	const struct zns_queue *owner;	/* the queue it was handed to, or NULL */
	uintptr_t own;			/* atomic: 0, the lock guards the zone;
					 * else the queue whose thread alone
					 * touches it, | OWN_BUSY while that
					 * thread may be at it */
	struct zz_pool *pool;		/* where its requests come from: @zc
					 * while @own is set, else the table's */
	struct zz_pool zc;		/* an owned zone's cache, traded with
					 * the table's lists in batches */
	unsigned int frags;		/* append pieces in flight */
	struct zns_queue *q;		/* the queue the zone's requests use */
	struct zz_req *head, *tail;	/* writes waiting */
	struct zz_req *fire_head, *fire_tail; /* completed, callbacks to run */
	/* appends: below @settled the layer knows what every block holds;
	 * @spans are pieces that completed above it (out of order), sorted */
	uint64_t settled;
	struct zz_span *spans;
	unsigned int nspans, cap_spans;
	uint8_t spans_lost;		/* a span could not be kept */
	struct zz_req *doubt;		/* append pieces of unknown outcome */
	struct zz_req *redo;		/* pieces in doubt found nowhere, to
					 * write at @redo_lba, one at a time */
	uint64_t redo_lba;
};

struct zz_span {
	uint64_t lba;
	uint32_t nlb;
};

struct zns_zoned {
	char lock;			/* a spin lock, held for a few updates */
	struct zns_dev *dev;
	const struct zns_dev_info *in;
	uint32_t nr_zones, tokens, max_nlb, zasl_nlb;
	int limited;			/* tokens count */
	struct zz_zone *z;
	struct zz_req *reqs;
	struct zz_append *aps;
	struct zz_vec *vecs;
	uint8_t *rbufs;
	struct zz_pool shared;		/* under the lock */
	unsigned int batch[3];		/* requests, append records, vectors a
					 * zone's cache takes from the table at
					 * once */
	int merge;			/* merge queued writes */
	int zrwa;			/* open zones with a ZRWA */
	uint32_t zrwa_tokens, zrwas, zrwafg;
	struct zns_zoned_stats st;	/* counts, added atomically */
	int trace;			/* ZNS_ZONED_TRACE: fault decisions on stderr */
};

/* ------------------------------------------------------------- helpers -- */

/* The table's lock: held for a handful of updates and one prepare, never
 * across a callback; spin, yielding now and then. */
static inline void zz_lock(struct zns_zoned *zt)
{
	unsigned int n = 0;

	while (__atomic_test_and_set(&zt->lock, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&zt->lock, __ATOMIC_RELAXED))
			if (++n % 256 == 0)
				sched_yield();
}

static inline void zz_unlock(struct zns_zoned *zt)
{
	__atomic_clear(&zt->lock, __ATOMIC_RELEASE);
}

/* Atomic loads and stores, relaxed: what zns_zoned_info() reads of a zone
 * whose owner writes it without the lock (plain movs on x86-64). */
#define ZGET(f)		__atomic_load_n(&(f), __ATOMIC_RELAXED)
#define ZSET(f, v)	__atomic_store_n(&(f), (v), __ATOMIC_RELAXED)

#define OWN_BUSY	((uintptr_t)1)	/* queues are aligned: a free bit */

/* Add @n to the table's count @f (struct zns_zoned_stats), from any
 * thread: faults only, never the common path. */
#define STAT(zt, f, n)	__atomic_add_fetch(&(zt)->st.f, (n), __ATOMIC_RELAXED)

/* ZNS_ZONED_TRACE set when the table was opened: each decision on a fault
 * path, one line on stderr (the fault paths only; never the common one). */
static __attribute__((cold, format(printf, 1, 2))) void trace_line(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "libzns zoned: %s\n", line);
}
#define TRACE(zt, ...)	do { if (unlikely((zt)->trace)) trace_line(__VA_ARGS__); } while (0)
/* a status for "%s (%s%#x)": its name, then its value (-errno or NVMe) */
#define TRST(st)	zns_status_str(st), (st) < 0 ? "-" : "", (unsigned int)((st) < 0 ? -(st) : (st))

/* The writes of one command (linked by ->next). */
static unsigned int count_reqs(const struct zz_req *m)
{
	unsigned int n = 0;

	for (; m; m = m->next)
		n++;
	return n;
}

/* Is @z its owner's alone (no lock)? Stable during any call on it: it
 * changes only under the lock while the zone is idle, or by the owner. */
static inline int fast(const struct zz_zone *z)
{
	return ZGET(z->own) != 0;
}

/* The lock for a call on @z: taken unless the zone is its owner's. */
static inline void zl(struct zns_zoned *zt, const struct zz_zone *z)
{
	if (!fast(z))
		zz_lock(zt);
}

static inline void zu(struct zns_zoned *zt, const struct zz_zone *z)
{
	if (!fast(z))
		zz_unlock(zt);
}

/* The lock for what the table shares (tokens), from a call on @z: taken
 * only when that call does not hold it already. */
static inline void tl(struct zns_zoned *zt, const struct zz_zone *z)
{
	if (fast(z))
		zz_lock(zt);
}

static inline void tu(struct zns_zoned *zt, const struct zz_zone *z)
{
	if (fast(z))
		zz_unlock(zt);
}

static inline struct zz_pool *pool(const struct zz_zone *z)
{
	return z->pool;
}

/* Move up to @n entries of a free list (linked by @field) from @from to
 * @to. */
#define MOVE(from, to, list, cnt, field, n) do {			\
	unsigned int i_ = 0, n_ = (n);					\
	while ((from)->list && i_++ < n_) {				\
		__typeof__((from)->list) e_ = (from)->list;		\
		(from)->list = e_->field;				\
		(from)->cnt--;						\
		e_->field = (to)->list;					\
		(to)->list = e_;					\
		(to)->cnt++;						\
	}								\
} while (0)

/* A cache trades with the table, under the lock: what ran out is filled
 * to a batch, what grew past two batches goes back down to one. */
static void trade(struct zns_zoned *zt, struct zz_pool *c)
{
	zz_lock(zt);
	if (!c->reqs)
		MOVE(&zt->shared, c, reqs, nreq, next, zt->batch[0]);
	else if (c->nreq > 2 * zt->batch[0])
		MOVE(c, &zt->shared, reqs, nreq, next, c->nreq - zt->batch[0]);
	if (!c->aps)
		MOVE(&zt->shared, c, aps, nap, next, zt->batch[1]);
	else if (c->nap > 2 * zt->batch[1])
		MOVE(c, &zt->shared, aps, nap, next, c->nap - zt->batch[1]);
	if (!c->vecs)
		MOVE(&zt->shared, c, vecs, nvec, next, zt->batch[2]);
	else if (c->nvec > 2 * zt->batch[2])
		MOVE(c, &zt->shared, vecs, nvec, next, c->nvec - zt->batch[2]);
	zz_unlock(zt);
}

static inline struct zz_req *get_req(struct zns_zoned *zt, struct zz_zone *z)
{
	struct zz_pool *p = pool(z);
	struct zz_req *r;

	if (!p->reqs && p != &zt->shared)
		trade(zt, p);
	r = p->reqs;
	if (r) {
		p->reqs = r->next;
		p->nreq--;
		r->next = NULL;
		ZSET(p->out, p->out + 1);
	}
	return r;
}

static inline void put_req(struct zns_zoned *zt, struct zz_zone *z,
			   struct zz_req *r)
{
	struct zz_pool *p = pool(z);

	r->next = p->reqs;
	p->reqs = r;
	p->nreq++;
	ZSET(p->out, p->out - 1);
	if (p != &zt->shared && p->nreq > 2 * zt->batch[0])
		trade(zt, p);
}

static struct zz_append *get_ap(struct zns_zoned *zt, struct zz_pool *p)
{
	struct zz_append *ap;

	if (!p->aps && p != &zt->shared)
		trade(zt, p);
	ap = p->aps;
	if (ap) {
		p->aps = ap->next;
		p->nap--;
	}
	return ap;
}

/* The caller holds the lock when @p is the table's. */
static void put_ap(struct zns_zoned *zt, struct zz_pool *p,
		   struct zz_append *ap)
{
	ap->next = p->aps;
	p->aps = ap;
	p->nap++;
	if (p != &zt->shared && p->nap > 2 * zt->batch[1])
		trade(zt, p);
}

static struct zz_vec *get_vec(struct zns_zoned *zt, struct zz_pool *p)
{
	struct zz_vec *v;

	if (!p->vecs && p != &zt->shared)
		trade(zt, p);
	v = p->vecs;
	if (v) {
		p->vecs = v->next;
		p->nvec--;
	}
	return v;
}

static void put_vec(struct zns_zoned *zt, struct zz_zone *z,
		    struct zz_vec *v)
{
	struct zz_pool *p = pool(z);

	v->next = p->vecs;
	p->vecs = v;
	p->nvec++;
	if (p != &zt->shared && p->nvec > 2 * zt->batch[2])
		trade(zt, p);
}

/* Requests taken and not given back, over the table and every zone's
 * cache. */
static unsigned long outstanding(const struct zns_zoned *zt)
{
	unsigned long n = ZGET(zt->shared.out);
	uint32_t i;

	for (i = 0; i < zt->nr_zones; i++)
		n += ZGET(zt->z[i].zc.out);
	return n;
}

/* An owned zone goes back to the table (idle, under the lock): its cache's
 * lists with it. */
static void drain_cache(struct zns_zoned *zt, struct zz_zone *z)
{
	struct zz_pool *c = &z->zc;

	MOVE(c, &zt->shared, reqs, nreq, next, c->nreq);
	MOVE(c, &zt->shared, aps, nap, next, c->nap);
	MOVE(c, &zt->shared, vecs, nvec, next, c->nvec);
	z->pool = &zt->shared;
}

static void give_token(struct zns_zoned *zt, struct zz_zone *z)
{
	if (z->active) {
		ZSET(z->active, 0);
		tl(zt, z);
		zt->tokens++;
		tu(zt, z);
	}
}

/* Give @z's ZRWA back to the table (a reset, a finish, a failed open). */
static void drop_zrwa(struct zns_zoned *zt, struct zz_zone *z)
{
	if (z->zrwa != ZR_NONE) {
		ZSET(z->zrwa, ZR_NONE);
		tl(zt, z);
		zt->zrwa_tokens++;
		tu(zt, z);
	}
	z->flushing = 0;
	z->flush_tries = 0;
}

/* A write or append to an Empty zone opens it, which takes an active token
 * (unless zns_zoned_alloc() took one already). Returns 1 when this call
 * took the token, 0 when none was needed, -EBUSY when none is free. */
static int take_token(struct zns_zoned *zt, struct zz_zone *z)
{
	int took = 0;

	if (z->state != NVME_ZNS_ZS_EMPTY)
		return 0;	/* active already (the device counts it) */
	if (!z->active) {
		tl(zt, z);
		if (zt->limited && !zt->tokens) {
			tu(zt, z);
			return zns_fail(-EBUSY, "zns_zoned: no active token free: finish or reset a zone, then retry");
		}
		zt->tokens--;
		tu(zt, z);
		ZSET(z->active, 1);
		took = 1;
	}
	ZSET(z->state, NVME_ZNS_ZS_IMPL_OPEN);
	return took;
}

/* Undo take_token() for a request that went nowhere: a zone that was Empty
 * before it is Empty again, and a token it took is free. */
static void untake_token(struct zns_zoned *zt, struct zz_zone *z, uint8_t was,
			 int took)
{
	if (was == NVME_ZNS_ZS_EMPTY)
		ZSET(z->state, was);
	if (took)
		give_token(zt, z);
}

/* What is known written reaches @end (a completion, or a write pointer
 * that counts against the capacity); a zone written to its capacity is
 * Full and gives its token back (one with a ZRWA when it is finished). */
static inline void note_acked(struct zns_zoned *zt, struct zz_zone *z,
			      uint64_t end)
{
	if (end > z->acked)
		ZSET(z->acked, end);
	if (z->acked >= z->zslba + z->zcap && z->zrwa == ZR_NONE) {
		ZSET(z->state, NVME_ZNS_ZS_FULL);
		give_token(zt, z);
	}
}

/* An append piece landed at [@lba, @end). The device gives each append its
 * place when it runs it, but completions come back in any order: a piece
 * ending above acked leaves the blocks between acked and its start to
 * pieces still in flight, and one below acked was one of those. */
static inline void note_piece(struct zns_zoned *zt, struct zz_zone *z,
			      uint64_t lba, uint64_t end)
{
	uint64_t a = z->acked, below;

	if (lba > a) {
		z->ahead += lba - a;
	} else {
		below = (end < a ? end : a) - lba;
		z->ahead = z->ahead > below ? z->ahead - below : 0;
	}
	note_acked(zt, z, end);
}

/* Where the zone's write pointer will be once everything queued has
 * landed: what the capacity checks count against. */
static inline uint64_t committed(const struct zz_zone *z)
{
	uint64_t q = z->queued;

	return z->acked + q - (z->ahead < q ? z->ahead : q);
}

/* Statuses after which nobody knows whether a write landed. */
static int ambiguous(int status)
{
	int code = zns_status_code(status);

	/* -EFAULT too. It means the command was not sent (efault_again()
	 * in queue.c), and the queue has already sent it again 16 times;
	 * the layer's buffers are good, so the report decides, at the cost
	 * of one report. */
	return status == -EINTR || status == -EIO || status == -ECANCELED ||
	       status == -ETIMEDOUT || status == -EFAULT || code == 0x370 ||
	       code == 0x371 || code == 0x1bc || code == 0x006 || code == 0x007;
}

static int retiring(int status)
{
	int code = zns_status_code(status);

	return code == 0x1ba || code == 0x1bb;
}

static void zz_done(void *user, int status, uint64_t result);

/* Take the writes at the head of @z's FIFO that go out as one command:
 * up to the transfer limit, as many as the vector holds (buffers that
 * follow each other in memory share an element). Fills @iov; returns the
 * last write taken, the count of elements in *@niov, the blocks in *@nlb. */
static struct zz_req *gather(struct zns_zoned *zt, struct zz_zone *z,
			     struct iovec *iov, unsigned int cap, uint32_t max,
			     unsigned int *niov, uint32_t *nlb)
{
	struct zz_req *r = z->head, *last = r, *nx;
	unsigned int shift = zt->in->lba_shift, n = 1;

	iov[0].iov_base = (void *)(uintptr_t)r->buf;
	iov[0].iov_len = (size_t)r->nlb << shift;
	*nlb = r->nlb;
	for (nx = r->next; zt->merge && nx; last = nx, nx = nx->next) {
		struct iovec *v = &iov[n - 1];

		if (*nlb + nx->nlb > max)
			break;
		if ((const char *)v->iov_base + v->iov_len == (const char *)nx->buf) {
			v->iov_len += (size_t)nx->nlb << shift;
		} else {
			if (n == cap)
				break;
			iov[n].iov_base = (void *)(uintptr_t)nx->buf;
			iov[n++].iov_len = (size_t)nx->nlb << shift;
		}
		*nlb += nx->nlb;
	}
	*niov = n;
	return last;
}

/* Send the write @r alone at @z's cursor (not in the FIFO, or taken off
 * it by the caller when this succeeds). As send_writes(). */
static inline int send_one(struct zns_zoned *zt, struct zz_zone *z,
			   struct zz_req *r)
{
	int rc = zns_prep_write_zoned(r->q, zt->dev, r->buf, z->wp, r->nlb,
				      zz_done, r);

	if (rc)
		return rc;
	r->vec = NULL;
	r->niov = 1;
	r->cmd_nlb = r->nlb;
	r->lba = z->wp;
	ZSET(z->wp, z->wp + r->nlb);
	z->busy++;
	return 0;
}

/* Send the writes at the head of @z's FIFO as one command of at most @max
 * blocks at the cursor. Called under the lock (an owned zone: on its
 * owner's thread, without). Returns the queue's error, nothing changed
 * (the writes stay first), when it refuses. */
static int send_writes(struct zns_zoned *zt, struct zz_zone *z, uint32_t max)
{
	struct zz_req *r = z->head, *last = r, *m;
	struct zz_vec *vec = NULL;
	struct iovec one, *iov = &one;
	unsigned int niov = 1;
	uint32_t nlb = r->nlb;
	uint64_t lba;
	int rc;

	if (!zt->merge || !r->next) {	/* alone */
		rc = send_one(zt, z, r);
		if (!rc) {
			z->head = r->next;
			if (!z->head)
				z->tail = NULL;
			r->next = NULL;
		}
		return rc;
	}
	vec = get_vec(zt, pool(z));	/* writes behind it: one command */
	iov = vec ? vec->iov : &one;
	last = gather(zt, z, iov, vec ? MERGE_IOV : 1, max, &niov, &nlb);
	if (niov == 1)
		rc = zns_prep_write_zoned(r->q, zt->dev, iov[0].iov_base,
					  z->wp, nlb, zz_done, r);
	else
		rc = zns_prep_writev(r->q, zt->dev, iov, niov, z->wp, nlb,
				     zz_done, r);
	if (vec && (rc || niov == 1)) {
		put_vec(zt, z, vec);
		vec = NULL;
	}
	if (rc)
		return rc;
	r->vec = vec;
	r->niov = (uint16_t)niov;
	r->cmd_nlb = nlb;
	z->head = last->next;
	if (!z->head)
		z->tail = NULL;
	last->next = NULL;
	for (m = r, lba = z->wp; m; lba += m->nlb, m = m->next)
		m->lba = lba;
	ZSET(z->wp, z->wp + nlb);
	z->busy++;
	return 0;
}

/* ZRWA: send what waits while it fits in the window [flushed, flushed +
 * zrwas), several commands at once (the device takes them in any order
 * there); with nothing of the zone in flight, a write may also reach into
 * the implicit flush region above it, which moves the device's write
 * pointer by whole granules (everything below has completed). */
static int issue_zrwa(struct zns_zoned *zt, struct zz_zone *z)
{
	int rc = 0;

	while (z->head && !rc) {
		uint64_t room = z->flushed + zt->zrwas - z->wp, ifr = 0;
		struct zz_req *r = z->head;

		if (r->nlb > room) {
			if (z->busy || z->wp + r->nlb > z->flushed + 2ull * zt->zrwas)
				break;	/* a flush or a completion first */
			ifr = z->wp + r->nlb - (z->flushed + zt->zrwas);
			ifr = (ifr + zt->zrwafg - 1) / zt->zrwafg * zt->zrwafg;
			room = r->nlb;	/* that write alone */
		}
		rc = send_writes(zt, z, (uint32_t)(room < zt->max_nlb ? room : zt->max_nlb));
		if (rc)
			break;
		r->iflush = (uint32_t)ifr;
		r->done = 0;
		r->next_sent = NULL;
		if (z->sent_tail)
			z->sent_tail->next_sent = r;
		else
			z->sent_head = r;
		z->sent_tail = r;
	}
	return rc;
}

/* Send the next waiting writes of @z, if the zone is free to take them:
 * one command in flight per zone, or several within a ZRWA. Called as
 * send_writes(). From a completion the slot just freed is there for the
 * first; from zns_zoned_write() a full queue refuses it, and the caller
 * takes the write back (returns the queue's error, the writes still first
 * in the FIFO) when nothing of the zone is in flight. */
static inline int issue_next(struct zns_zoned *zt, struct zz_zone *z)
{
	if (!z->head || z->fenced)
		return 0;
	if (z->zrwa == ZR_ON)
		return issue_zrwa(zt, z);
	if (z->busy)
		return 0;
	return send_writes(zt, z, zt->max_nlb);
}

/* The write pointer a one-zone report says. */
static uint64_t report_wp(const struct zz_req *r, uint8_t *state)
{
	const struct nvme_zone_report *h = (const void *)r->rbuf;
	const struct nvme_zns_desc *d = &h->entries[0];

	*state = d->zs >> NVME_ZNS_ZS_SHIFT;
	if (*state == NVME_ZNS_ZS_FULL)
		return zns_le64(d->zslba) + zns_le64(d->zcap);
	return zns_le64(d->wp);
}

/* ------------------------------------------------------- completions -- */

#define NO_WP	(~0ull)

/* The writes of one command completed (@status), or the report after a
 * doubtful one came back (@wp: the device's write pointer; NO_WP when there
 * is none): decide each write's outcome. A write below @wp landed; one
 * that @wp cuts landed in part (its length says how much). The writes are
 * kept, callbacks still to run, until release_chain(). */
static inline __attribute__((always_inline)) void
settle_chain(struct zns_zoned *zt, struct zz_zone *z, struct zz_req *head,
	     int status, uint64_t wp)
{
	struct zz_req *m;
	uint64_t end = head->lba;

	for (m = head; m; m = m->next) {
		ZSET(z->queued, z->queued - m->nlb);
		end = m->lba + m->nlb;
		if (!status || (wp != NO_WP && wp >= end)) {
			m->status = 0;
		} else {
			m->status = status;
			if (wp != NO_WP && wp > m->lba)
				m->nlb = (uint32_t)(wp - m->lba);
		}
	}
	if (head->vec) {
		put_vec(zt, z, head->vec);
		head->vec = NULL;
	}
	if (!status)
		note_acked(zt, z, end);
	else if (wp != NO_WP)
		note_acked(zt, z, wp);	/* what landed counts too */
}

/* Send a one-zone report of @z through @q (@kind RQ_REPORT, RQ_AREPORT or
 * RQ_XREPORT, about @doubt). Returns 0 when it is on its way, -EBUSY when
 * no request slot or no room in the queue. */
static int ask_zone(struct zns_zoned *zt, struct zz_zone *z,
		    struct zns_queue *q, uint32_t zone, uint8_t kind,
		    struct zz_req *doubt)
{
	struct zz_req *rep = get_req(zt, z);

	if (!rep)
		return -EBUSY;
	rep->kind = kind;
	rep->zone = zone;
	rep->doubt = doubt;
	rep->q = q;
	if (zns_prep_report_held(q, zt->dev, z->zslba, rep->rbuf,
				 REPORT_LEN, zz_done, rep)) {
		put_req(zt, z, rep);
		return -EBUSY;
	}
	STAT(zt, reports, 1);
	return 0;
}

/* Fence @z after a write of unknown outcome: ask the device where its
 * write pointer is before anything else goes. Returns 1 when the report is
 * on its way. */
static int fence(struct zns_zoned *zt, struct zz_zone *z, struct zz_req *w,
		 int status)
{
	w->status = status;
	if (ask_zone(zt, z, w->q, w->zone, RQ_REPORT, w))
		return 0;
	ZSET(z->fenced, 1);
	return 1;
}

/* Of the statuses in doubt, those a controller reset, a breaking path or a
 * late command give a write that may not have landed: its writes are sent
 * again (at most MAX_TRIES times) once the report has said where the zone
 * stands. Zone Invalid Write is one: after a fault it means the zone moved
 * on under the layer (a command reported failed ran after all), and the
 * data says whose blocks those are. */
#define MAX_TRIES	3
static int transient(int status)
{
	int code = zns_status_code(status);

	return status == -EINTR || status == -EIO || status == -ECANCELED ||
	       status == -ETIMEDOUT || status == -EFAULT || code == 0x370 ||
	       code == 0x371 || code == 0x007 || code == 0x1bc;
}

/* Read @nlb blocks at @lba, in pieces of at most max_xfer. A read that
 * fails with a status that may pass is tried again, READ_TRIES times over
 * about 0.4 s: the report before it got through, and a block the layer
 * could not read is one it would take for unwritten (and write again). */
#define READ_TRIES	5
static int read_range(struct zns_zoned *zt, uint8_t *b, uint64_t lba,
		      uint32_t nlb)
{
	static const long wait_ms[READ_TRIES] = { 0, 10, 40, 100, 250 };

	while (nlb) {
		uint32_t n = nlb < zt->max_nlb ? nlb : zt->max_nlb;
		int rc, i;

		for (i = 0; i < READ_TRIES; i++) {
			struct timespec ts = { 0, wait_ms[i] * 1000000L };

			if (i)
				nanosleep(&ts, NULL);
			rc = zns_read(zt->dev, b, lba, n);
			if (!rc || !transient(rc))
				break;
		}
		if (rc)
			return rc;
		b += (size_t)n << zt->in->lba_shift;
		lba += n;
		nlb -= n;
	}
	return 0;
}

/* Does the device hold @m's first @nlb blocks where @m went? Reads them
 * into @b (at least @nlb blocks). A block the report puts below the write
 * pointer is this write's only if its data is there: a command reported
 * failed that ran later, or another writer, may have put other data at
 * the same LBA. */
static int holds(struct zns_zoned *zt, const struct zz_req *m, uint32_t nlb,
		 uint8_t *b)
{
	return !read_range(zt, b, m->lba, nlb) &&
	       !memcmp(b, m->buf, (size_t)nlb << zt->in->lba_shift);
}

/* How far the writes of @w (one command, LBA order) are proven landed at
 * @wp: returns the first write not proven whole (NULL: all are); *@part
 * gets how many of its first blocks are (0 when none). Runs without the
 * lock: the zone is fenced, nothing else touches its writes. */
static struct zz_req *proven(struct zns_zoned *zt, struct zz_req *w,
			     uint64_t wp, uint32_t *part)
{
	struct zz_req *m;
	uint8_t *b = NULL;

	*part = 0;
	if (wp <= w->lba)
		return w;
	if (posix_memalign((void **)&b, 4096, (size_t)zt->max_nlb << zt->in->lba_shift))
		return w;	/* cannot look: nothing is proven */
	for (m = w; m; m = m->next) {
		if (wp >= m->lba + m->nlb) {
			if (holds(zt, m, m->nlb, b))
				continue;
		} else if (wp > m->lba && holds(zt, m, (uint32_t)(wp - m->lba), b)) {
			*part = (uint32_t)(wp - m->lba);
		}
		break;
	}
	free(b);
	return m;
}

/* The writes from @m on (the tail of one command) did not land: they go
 * first in the zone's FIFO again, to be sent at the cursor. */
static void send_again(struct zz_zone *z, struct zz_req *m)
{
	struct zz_req *last = m;

	for (;;) {
		last->tries++;
		if (!last->next)
			break;
		last = last->next;
	}
	last->next = z->head;
	z->head = m;
	if (!z->tail)
		z->tail = last;
}

/* May the writes from @m on be sent again, to a zone whose write pointer
 * is @wp? */
static int may_resend(const struct zz_zone *z, const struct zz_req *m,
		      uint64_t wp)
{
	if (z->retired || !transient(m->status) ||
	    wp >= z->zslba + z->zcap)
		return 0;
	for (; m; m = m->next)
		if (m->tries >= MAX_TRIES)
			return 0;
	return 1;
}

/* The report after a doubtful write (its status in w->status; @status:
 * the report's): which of its writes landed? Each is judged by the write
 * pointer and by its data at its LBA: those proven get 0; one the write
 * pointer cuts, its first blocks there, gets the error and the blocks that
 * landed. The rest did not land: they are sent again from the device's
 * write pointer while the fault may have passed (transient(), MAX_TRIES),
 * else they fail. No answer to the report proves nothing: the writes go
 * again from where they were (one that did land then meets Zone Invalid
 * Write, and the next report and its data tell). Returns the writes whose
 * callbacks run now, in order (NULL: none yet). */
static struct zz_req *verdict(struct zns_zoned *zt, struct zz_zone *z,
			      struct zz_req *rep, int status)
{
	struct zz_req *w = rep->doubt, *rest = w, *m;
	uint64_t wp = NO_WP;
	uint32_t part = 0;
	uint8_t state;

	if (!status) {
		wp = report_wp(rep, &state);
		ZSET(z->dwp, wp);
		ZSET(z->state, state);
		if (state == NVME_ZNS_ZS_OFFLINE || state == NVME_ZNS_ZS_READ_ONLY)
			ZSET(z->retired, 1);
		zu(zt, z);
		rest = proven(zt, w, wp, &part);
		zl(zt, z);
		STAT(zt, landed, count_reqs(w) - count_reqs(rest));
	}
	TRACE(zt, "zone %u: the report for the write at %#llx: %s (%s%#x), write pointer %#llx; %u of %u requests landed",
	      w->zone, (unsigned long long)w->lba, TRST(status),
	      (unsigned long long)wp, count_reqs(w) - (rest ? count_reqs(rest) : 0), count_reqs(w));
	put_req(zt, z, rep);
	if (rest && part)	/* landed in part: said so with what landed */
		rest = rest->next;
	if (rest && rest != w) {	/* the command ends before @rest */
		for (m = w; m->next != rest; m = m->next)
			;
		m->next = NULL;
	}
	ZSET(z->wp, wp != NO_WP ? wp : w->lba);
	ZSET(z->fenced, 0);
	if (rest) {
		rest->status = w->status;
		if (may_resend(z, rest, z->wp)) {
			if (rest == w && w->vec) {
				put_vec(zt, z, w->vec);
				w->vec = NULL;
			}
			STAT(zt, resent, count_reqs(rest));
			send_again(z, rest);
			if (rest == w) {
				if (wp != NO_WP)	/* below the capacity */
					note_acked(zt, z, wp);
				z->busy--;
				return NULL;
			}
			rest = NULL;
		}
	}
	z->busy--;
	if (rest == w) {
		settle_chain(zt, z, w, w->status, NO_WP);
	} else {
		settle_chain(zt, z, w, w->status, wp);
		if (rest) {	/* failed: their callbacks after the others' */
			settle_chain(zt, z, rest, w->status, NO_WP);
			for (m = w; m->next; m = m->next)
				;
			m->next = rest;
		}
	}
	if (wp != NO_WP)
		note_acked(zt, z, wp);	/* what is there counts too */
	return w;
}

/* An append piece landed at [@lba, @lba + @nlb): move the settled mark
 * past it and past the pieces above that it joins, or keep it as a span. */
static void note_span(struct zz_zone *z, uint64_t lba, uint32_t nlb)
{
	unsigned int i;

	if (lba == z->settled) {
		z->settled += nlb;
		while (z->nspans && z->spans[0].lba == z->settled) {
			z->settled += z->spans[0].nlb;
			memmove(z->spans, z->spans + 1, --z->nspans * sizeof(*z->spans));
		}
		return;
	}
	if (z->nspans == z->cap_spans) {
		unsigned int cap = z->cap_spans ? 2 * z->cap_spans : 32;
		struct zz_span *n = realloc(z->spans, cap * sizeof(*n));

		if (!n) {	/* a later doubt cannot be placed: reported failed */
			z->spans_lost = 1;
			return;
		}
		z->spans = n;
		z->cap_spans = cap;
	}
	for (i = z->nspans; i && z->spans[i - 1].lba > lba; i--)
		z->spans[i] = z->spans[i - 1];
	z->spans[i].lba = lba;
	z->spans[i].nlb = nlb;
	z->nspans++;
}

static void add_done(struct zz_append *ap, struct zz_append **done)
{
	ap->next = *done;
	*done = ap;
}

static void fire_append(struct zns_zoned *zt, struct zz_req *r, int status,
			uint64_t result, struct zz_append **done)
{
	struct zz_append *ap = r->ap;
	struct zz_zone *z = &zt->z[r->zone];

	z->frags--;
	if (unlikely(!status && (result < z->zslba ||
				 result + r->nlb > z->zslba + z->zcap))) {
		/* a device never places an append outside its zone: this
		 * completion is not to be believed (another command's
		 * result?); where the piece is, the report and data tell */
		TRACE(zt, "zone %u: an append piece of %u blocks acknowledged at %#llx, outside the zone", r->zone,
		      r->nlb, (unsigned long long)result);
		status = -EIO;
	}
	if (status && ambiguous(status)) {
		/* landed or not, and where: the zone's report will tell;
		 * the piece and its append wait for it */
		TRACE(zt, "zone %u: an append piece of %u blocks in doubt: %s (%s%#x)", r->zone,
		      r->nlb, TRST(status));
		r->status = status;
		r->next = z->doubt;
		z->doubt = r;
		ZSET(z->fenced, 1);
		STAT(zt, doubtful, 1);
		return;
	}
	ZSET(z->queued, z->queued - r->nlb);
	if (status && !ap->status)
		ap->status = status;
	if (!status) {
		ap->frags[r->frag].lba = result;
		note_span(z, result, r->nlb);
		note_piece(zt, z, result, result + r->nlb);
	} else if (retiring(status)) {
		ZSET(z->retired, 1);
	}
	put_req(zt, z, r);
	if (--ap->left == 0)
		add_done(ap, done);
}

/* The appends of a fenced zone have drained: ask where its write pointer
 * is. Returns 0 when the report is on its way. */
static int ask_appends(struct zns_zoned *zt, struct zz_zone *z,
		       struct zns_queue *q, uint32_t zone)
{
	return ask_zone(zt, z, q, zone, RQ_AREPORT, NULL);
}

/* The holes of [z->settled, @wp): what landed that no completed piece
 * accounts for. Fills up to @max; returns how many. */
static unsigned int find_holes(const struct zz_zone *z, uint64_t wp,
			       struct zz_span *h, unsigned int max)
{
	uint64_t at = z->settled;
	unsigned int i, n = 0;

	for (i = 0; i <= z->nspans && at < wp && n < max; i++) {
		uint64_t next = i < z->nspans ? z->spans[i].lba : wp;

		if (next > wp)
			next = wp;
		if (next > at) {
			h[n].lba = at;
			h[n++].nlb = (uint32_t)(next - at);
		}
		if (i < z->nspans && z->spans[i].lba + z->spans[i].nlb > at)
			at = z->spans[i].lba + z->spans[i].nlb;
	}
	return n;
}

/* Place the pieces in doubt: read each hole and find, block for block,
 * which piece's data is there. A block that starts no piece is skipped:
 * a device may count blocks as written that a failed command never wrote
 * (QEMU moves the write pointer past an append it cancelled), and pieces
 * that did land may follow them. Runs without the lock (the zone is
 * fenced: nothing else touches its appends). A piece found gets its LBA
 * in r->lba, one not found keeps ~0. */
static void place_doubts(struct zns_zoned *zt, struct zz_req *doubt,
			 const struct zz_span *h, unsigned int nh)
{
	unsigned int shift = zt->in->lba_shift, i;
	struct zz_req *r;

	for (r = doubt; r; r = r->next)
		r->lba = ~0ull;
	for (i = 0; i < nh; i++) {
		size_t len = (size_t)h[i].nlb << shift;
		uint8_t *b = NULL;
		uint64_t at = 0;

		if (posix_memalign((void **)&b, 4096, len) ||
		    read_range(zt, b, h[i].lba, h[i].nlb)) {
			free(b);
			continue;	/* unreadable: its pieces count failed */
		}
		while (at < h[i].nlb) {
			for (r = doubt; r; r = r->next)
				if (r->lba == ~0ull && at + r->nlb <= h[i].nlb &&
				    !memcmp(b + (at << shift), r->buf,
					    (size_t)r->nlb << shift))
					break;
			if (!r) {
				at++;	/* data nobody sent: look further */
				continue;
			}
			r->lba = h[i].lba + at;
			at += r->nlb;
		}
		free(b);
	}
}

/* Write the next piece of z->redo at z->redo_lba, as a plain write: a
 * piece in doubt that no report found. The zone stays fenced meanwhile. A
 * piece the queue refuses fails. */
static void redo_next(struct zns_zoned *zt, struct zz_zone *z,
		      struct zz_append **done)
{
	struct zz_req *r;

	while ((r = z->redo)) {
		z->redo = r->next;
		r->next = NULL;
		r->kind = RQ_REDO;
		r->lba = z->redo_lba;
		if (!zns_prep_write_zoned(r->q, zt->dev, r->buf, r->lba,
					  r->nlb, zz_done, r)) {
			z->frags++;
			return;
		}
		ZSET(z->queued, z->queued - r->nlb);
		if (!r->ap->status)
			r->ap->status = -EBUSY;
		if (--r->ap->left == 0)
			add_done(r->ap, done);
		put_req(zt, z, r);
	}
	ZSET(z->fenced, 0);
}

/* The report after appends in doubt (@rep; NULL when none could be sent,
 * then @status says why): decide each piece. A piece found in the blocks
 * below the write pointer that no completed piece accounts for landed
 * there. One found nowhere may still run (a command reported failed that
 * the device had not run yet): while the fault may pass (transient(),
 * MAX_TRIES) it is written at the write pointer as a plain write, which
 * lands it once; if the first copy lands first, the write meets Zone
 * Invalid Write and the next report finds the copy (a first copy that lands
 * after the write is a second copy nobody was told of, never a block in
 * the wrong place). Else it fails. The fence lifts when nothing is left to
 * write. */
static void append_verdict(struct zns_zoned *zt, struct zz_zone *z,
			   struct zz_req *rep, int status,
			   struct zz_append **done)
{
	struct zz_span h[16];
	struct zz_req *doubt = z->doubt, *r, *nx, **redo = &z->redo;
	unsigned int nh = 0;
	uint8_t state = z->state;
	uint64_t wp = 0, at;

	if (!status) {
		wp = report_wp(rep, &state);
		ZSET(z->dwp, wp);
		ZSET(z->state, state);
		if (state == NVME_ZNS_ZS_OFFLINE || state == NVME_ZNS_ZS_READ_ONLY)
			ZSET(z->retired, 1);
		if (!z->spans_lost)
			nh = find_holes(z, wp, h, 16);
	}
	TRACE(zt, "zone %u: the report for the appends in doubt: %s (%s%#x); state %u, write pointer %#llx; %u stretches unaccounted for from %#llx",
	      (uint32_t)(z - zt->z), TRST(status), state,
	      (unsigned long long)wp, nh, (unsigned long long)z->settled);
	if (rep)
		put_req(zt, z, rep);
	for (r = doubt; r; r = r->next)
		r->lba = ~0ull;
	if (nh) {
		zu(zt, z);
		place_doubts(zt, doubt, h, nh);
		zl(zt, z);
	}
	z->doubt = NULL;
	at = wp;
	for (r = doubt; r; r = nx) {
		struct zz_append *ap = r->ap;

		nx = r->next;
		if (r->lba == ~0ull && !status && !z->retired &&
		    transient(r->status) && r->tries < MAX_TRIES &&
		    at + r->nlb <= z->zslba + z->zcap) {
			TRACE(zt, "zone %u: a piece of %u blocks found nowhere: written again at %#llx (try %u)",
			      r->zone, r->nlb, (unsigned long long)at, r->tries + 1u);
			r->tries++;	/* found nowhere: written again */
			STAT(zt, resent, 1);
			at += r->nlb;
			r->next = NULL;
			*redo = r;
			redo = &r->next;
			continue;
		}
		ZSET(z->queued, z->queued - r->nlb);
		if (r->lba != ~0ull)
			TRACE(zt, "zone %u: a piece of %u blocks found landed at %#llx", r->zone,
			      r->nlb, (unsigned long long)r->lba);
		else
			TRACE(zt, "zone %u: a piece of %u blocks failed: %s (%s%#x)", r->zone,
			      r->nlb, TRST(r->status));
		if (r->lba != ~0ull) {	/* it landed: the caller hears 0 */
			STAT(zt, landed, 1);
			ap->frags[r->frag].lba = r->lba;
		} else if (!ap->status) {
			ap->status = r->status;
		}
		put_req(zt, z, r);
		if (--ap->left == 0)
			add_done(ap, done);
	}
	/* below the write pointer everything is decided now */
	if (!status) {
		z->settled = wp;
		z->nspans = 0;
		z->spans_lost = 0;
		note_acked(zt, z, wp);
	}
	z->redo_lba = wp;
	redo_next(zt, z, done);
}

/* A piece in doubt written again (RQ_REDO) completed: landed where it was
 * written, or in doubt once more (the report decides again, with the
 * pieces still to write). */
static void redo_done(struct zns_zoned *zt, struct zz_zone *z,
		      struct zz_req *r, int status, struct zz_append **done)
{
	struct zz_append *ap = r->ap;

	z->frags--;
	TRACE(zt, "zone %u: a piece of %u blocks written again at %#llx: %s (%s%#x)", r->zone, r->nlb,
	      (unsigned long long)r->lba, TRST(status));
	if (!status) {
		ap->frags[r->frag].lba = r->lba;
		ZSET(z->queued, z->queued - r->nlb);
		note_span(z, r->lba, r->nlb);
		z->redo_lba += r->nlb;
		note_acked(zt, z, z->redo_lba);
		put_req(zt, z, r);
		if (--ap->left == 0)
			add_done(ap, done);
		redo_next(zt, z, done);
		return;
	}
	r->status = status;
	r->kind = RQ_FRAG;
	STAT(zt, doubtful, 1);
	r->next = z->redo;	/* all back in doubt, this one first */
	z->doubt = r;
	z->redo = NULL;
	if (ask_appends(zt, z, r->q, r->zone))
		append_verdict(zt, z, NULL, -EBUSY, done);
}

/* A reset or finish completed. */
static void settle_action(struct zns_zoned *zt, struct zz_zone *z,
			  struct zz_req *r, int status)
{
	if (!status) {
		give_token(zt, z);
		drop_zrwa(zt, z);
		if (r->kind == RQ_RESET) {
			/* free for zns_zoned_alloc() again (an owned zone
			 * once it is idle: own_end()) */
			ZSET(z->claimed, 0);
			z->owner = NULL;
		}
		z->nspans = 0;
		ZSET(z->state, r->kind == RQ_RESET ? NVME_ZNS_ZS_EMPTY : NVME_ZNS_ZS_FULL);
		z->settled = r->kind == RQ_RESET ? z->zslba : z->zslba + z->zcap;
		ZSET(z->wp, z->settled);
		ZSET(z->acked, z->settled);
		ZSET(z->dwp, z->settled);
		z->ahead = 0;
	} else if (retiring(status)) {
		ZSET(z->retired, 1);
	}
	z->busy--;
	z->acting = 0;
	r->status = status;
	r->lba = z->zslba;
	r->nlb = 0;
}

/* A reset or finish of @z failed with a status of doubt: ask the device
 * what the zone is now (the zone stays busy meanwhile). Returns 1 when the
 * report is on its way. */
static int ask_action(struct zns_zoned *zt, struct zz_zone *z,
		      struct zz_req *a, int status)
{
	STAT(zt, doubtful, 1);
	TRACE(zt, "zone %u: a zone %s in doubt: %s (%s%#x)", a->zone,
	      a->kind == RQ_RESET ? "reset" : "finish", TRST(status));
	a->status = status;
	return !ask_zone(zt, z, a->q, a->zone, RQ_XREPORT, a);
}

/* The report after a reset or finish in doubt came back (@status): the
 * zone Empty (a reset) or Full (a finish) means the action took effect,
 * and it completes with 0; anything else is what the zone is, taken as
 * the layer's view (a controller reset can cancel a reset half way: QEMU
 * then keeps the zone's state and write pointer), and the action fails
 * with its own status. Returns the action, its callback to run. */
static struct zz_req *action_verdict(struct zns_zoned *zt, struct zz_zone *z,
				     struct zz_req *rep, int status)
{
	struct zz_req *a = rep->doubt;
	uint8_t want = a->kind == RQ_RESET ? NVME_ZNS_ZS_EMPTY : NVME_ZNS_ZS_FULL;
	uint64_t wp = NO_WP;
	uint8_t state = 0;

	if (!status)
		wp = report_wp(rep, &state);
	put_req(zt, z, rep);
	TRACE(zt, "zone %u: the report after the %s: %s (%s%#x), state %#x, write pointer %#llx",
	      a->zone, a->kind == RQ_RESET ? "reset" : "finish", TRST(status),
	      state, (unsigned long long)wp);
	if (status) {
		settle_action(zt, z, a, a->status);
		return a;
	}
	if (state == want) {
		STAT(zt, landed, 1);
		settle_action(zt, z, a, 0);
		return a;
	}
	/* not done: the zone is what the device says (nothing of the zone
	 * is in flight, so the cursors are its write pointer) */
	ZSET(z->state, state);
	if (state == NVME_ZNS_ZS_OFFLINE || state == NVME_ZNS_ZS_READ_ONLY)
		ZSET(z->retired, 1);
	if (state == NVME_ZNS_ZS_FULL || z->retired) {	/* holds no resource */
		give_token(zt, z);
		drop_zrwa(zt, z);
	}
	if (wp != z->wp) {
		z->nspans = 0;
		z->settled = wp;
		ZSET(z->wp, wp);
		ZSET(z->acked, wp);
		z->ahead = 0;
	}
	ZSET(z->dwp, wp);
	settle_action(zt, z, a, a->status);
	return a;
}

/* ------------------------------------------------------------- ZRWA -- */

/* Send a ZRWA flush up to what completed (whole granules), or, once the
 * zone's capacity has completed, a finish (the zone goes Full, its ZRWA
 * and tokens are given back). A flush goes when at least half the window,
 * or everything but less than a granule, waits to be flushed and nothing
 * is flushing; a refused one is tried again at the zone's next completion
 * or write. Called as send_writes(). */
static void flush_due(struct zns_zoned *zt, struct zz_zone *z,
		      struct zns_queue *q)
{
	struct zz_req *r;
	uint64_t n = z->acked - z->flushed, end = z->zslba + z->zcap;
	int full = z->acked >= end && !z->sent_head && !z->head;

	if (z->zrwa != ZR_ON || z->flushing || z->flush_tries > MAX_TRIES)
		return;
	n -= n % zt->zrwafg;
	if (!full && (!n || (n < zt->zrwas / 2 && z->sent_head)))
		return;
	r = get_req(zt, z);
	if (!r)
		return;
	r->kind = full ? RQ_ZFINISH : RQ_ZFLUSH;
	r->zone = (uint32_t)(z - zt->z);
	r->q = q;
	r->cb = NULL;
	r->lba = full ? end : z->flushed + n;	/* the new write pointer */
	if (full ? zns_prep_finish_zone(q, zt->dev, z->zslba, zz_done, r) :
		   zns_prep_mgmt_send(q, zt->dev, r->lba - 1, NVME_ZNS_ZSA_ZRWA_FLUSH,
				      0, NULL, 0, zz_done, r)) {
		put_req(zt, z, r);
		return;
	}
	z->flushing = 1;
	z->busy++;
}

/* A write to a zone with a ZRWA completed. A fault that may pass sends it
 * again to the same LBAs (a ZRWA takes writes over what is not flushed, so
 * one that did land is simply written again); past MAX_TRIES, or after
 * another status, its writes fail and the zone goes on past them (their
 * blocks stay unwritten). Commands complete in any order; their callbacks
 * run in LBA order: returns the commands now first in line, linked by
 * next_chain (NULL: none). */
static struct zz_req *settle_zrwa(struct zns_zoned *zt, struct zz_zone *z,
				  struct zz_req *r, int status)
{
	struct zz_req *m, *h, *list = NULL, *tail = NULL;

	if (status && ambiguous(status))
		STAT(zt, doubtful, count_reqs(r));
	if (status && transient(status) && !z->retired && r->tries < MAX_TRIES) {
		if (!(r->vec ? zns_prep_writev(r->q, zt->dev, r->vec->iov, r->niov,
					       r->lba, r->cmd_nlb, zz_done, r) :
			       zns_prep_write_zoned(r->q, zt->dev, r->buf, r->lba,
						    r->cmd_nlb, zz_done, r))) {
			for (m = r; m; m = m->next)
				m->tries++;
			STAT(zt, resent, count_reqs(r));
			return NULL;	/* in flight again */
		}
	}
	z->busy--;
	if (status && retiring(status))
		ZSET(z->retired, 1);
	if (!status && r->iflush)
		z->flushed += r->iflush;	/* the device flushed that */
	for (m = r; m; m = m->next) {
		m->status = status;
		ZSET(z->queued, z->queued - m->nlb);
	}
	if (r->vec) {
		put_vec(zt, z, r->vec);
		r->vec = NULL;
	}
	r->done = 1;
	while ((h = z->sent_head) && h->done) {
		z->sent_head = h->next_sent;
		if (!z->sent_head)
			z->sent_tail = NULL;
		for (m = h; m->next; m = m->next)
			;
		ZSET(z->acked, m->lba + m->nlb);	/* failed ones included */
		h->next_chain = NULL;
		if (tail)
			tail->next_chain = h;
		else
			list = h;
		tail = h;
	}
	if (z->flushed > z->dwp)
		ZSET(z->dwp, z->flushed);
	flush_due(zt, z, r->q);
	return list;
}

/* A ZRWA open, flush or the finish after the zone's capacity completed. */
static void zrwa_action_done(struct zns_zoned *zt, struct zz_zone *z,
			     struct zz_req *r, int status)
{
	z->busy--;
	switch (r->kind) {
	case RQ_ZOPEN:
		if (status) {
			drop_zrwa(zt, z);	/* written without one */
			break;
		}
		ZSET(z->zrwa, ZR_ON);
		z->flushed = z->wp;
		ZSET(z->dwp, z->wp);
		ZSET(z->state, NVME_ZNS_ZS_EXPL_OPEN);
		break;
	case RQ_ZFLUSH:
	case RQ_ZFINISH:
		z->flushing = 0;
		if (status) {
			if (retiring(status))
				ZSET(z->retired, 1);
			z->flush_tries++;	/* tried again later */
			break;
		}
		z->flush_tries = 0;
		if (r->kind == RQ_ZFINISH) {
			drop_zrwa(zt, z);
			ZSET(z->state, NVME_ZNS_ZS_FULL);
			ZSET(z->dwp, z->zslba + z->zcap);
			give_token(zt, z);
			break;
		}
		z->flushed = r->lba;
		ZSET(z->dwp, r->lba);
		break;
	}
	r->status = status;
	if (z->zrwa == ZR_ON)
		flush_due(zt, z, r->q);
}

/* A write command or zone action completed: settle it; NULL while its
 * outcome is being asked (fenced), else its requests, callbacks to run. */
static struct zz_req *settle(struct zns_zoned *zt, struct zz_zone *z,
			     struct zz_req *r, int status)
{
	switch (r->kind) {
	case RQ_WRITE:
		if (z->zrwa == ZR_ON)
			return settle_zrwa(zt, z, r, status);
		if (status && ambiguous(status)) {
			STAT(zt, doubtful, count_reqs(r));
			TRACE(zt, "zone %u: a write of %u requests at %#llx in doubt: %s (%s%#x)", r->zone,
			      count_reqs(r), (unsigned long long)r->lba, TRST(status));
			if (fence(zt, z, r, status))
				return NULL;
		}
		if (status && retiring(status))
			ZSET(z->retired, 1);
		if (status)
			ZSET(z->wp, r->lba);	/* the next goes where this one was */
		z->busy--;
		settle_chain(zt, z, r, status, NO_WP);
		return r;
	case RQ_REPORT:
		return verdict(zt, z, r, status);
	case RQ_ZOPEN:
	case RQ_ZFLUSH:
	case RQ_ZFINISH:
		zrwa_action_done(zt, z, r, status);
		return r;	/* no callback: given back in order */
	case RQ_XREPORT:
		return action_verdict(zt, z, r, status);
	default:
		if (status && ambiguous(status) && ask_action(zt, z, r, status))
			return NULL;	/* fenced by its busy count */
		settle_action(zt, z, r, status);
		return r;
	}
}

/* Run the callbacks of a settled command, without the lock, then give its
 * requests back. */
static void fire_chain(struct zns_zoned *zt, struct zz_zone *z,
		       struct zz_req *head)
{
	struct zz_req *m, *nx;

	zu(zt, z);
	for (m = head; m; m = m->next)
		if (m->cb)
			m->cb(m->user, m->status, m->lba, m->nlb);
	zl(zt, z);
	for (m = head; m; m = nx) {
		nx = m->next;
		put_req(zt, z, m);
	}
}

static int idle_now(const struct zz_zone *z)
{
	return !z->busy && !z->head && !z->frags && !z->fenced && !z->firing &&
	       !z->apping;
}

/* The owner's call on its zone @z ends (@me: its queue): an idle zone is
 * marked idle, for a collector to take (or, when a reset ended the
 * ownership, given back to the table). The last thing the call does to
 * the zone. A call nested in a callback may have marked it already, and a
 * collector taken it since: then the zone is not touched. */
static inline void own_end(struct zns_zoned *zt, struct zz_zone *z,
			   uintptr_t me)
{
	if (ZGET(z->own) != (me | OWN_BUSY) || !idle_now(z))
		return;
	z->q = NULL;
	if (z->owner) {
		__atomic_store_n(&z->own, me, __ATOMIC_RELEASE);
		return;
	}
	zz_lock(zt);
	drain_cache(zt, z);
	__atomic_store_n(&z->own, 0, __ATOMIC_RELEASE);
	zz_unlock(zt);
}

/* zz_done() past its common case: the lock for @z held (unless @mine, the
 * owner's queue). */
static __attribute__((noinline)) void
done_rest(struct zns_zoned *zt, struct zz_zone *z, struct zz_req *r,
	  int status, uint64_t result, uintptr_t mine)
{
	struct zz_req *chain = NULL;
	struct zz_append *ap = NULL;
	struct zz_pool *p = pool(z);
	unsigned int apping = 0;

	if (r->kind == RQ_FRAG) {
		fire_append(zt, r, status, result, &ap);
		/* the last piece in flight of a fenced zone: ask the device
		 * (the slot this one freed takes the report); without a slot,
		 * the pieces in doubt are reported failed */
		if (z->fenced && !z->frags && ask_appends(zt, z, r->q, r->zone))
			append_verdict(zt, z, NULL, -EBUSY, &ap);
	} else if (r->kind == RQ_AREPORT) {
		append_verdict(zt, z, r, status, &ap);
	} else if (r->kind == RQ_REDO) {
		redo_done(zt, z, r, status, &ap);
	} else {
		chain = settle(zt, z, r, status);
		if (chain && !(r->kind == RQ_WRITE && z->zrwa == ZR_ON))
			chain->next_chain = NULL;
	}
	/* cannot fail: the queue freed this command's context before it ran
	 * this callback, and nothing was prepared since */
	issue_next(zt, z);
	if (chain && !chain->next && !chain->next_chain && !z->firing &&
	    !z->fire_head) {
		/* one request and no callback of the zone still to run: give
		 * it back now, run its callback after the lock (a completion
		 * of the zone inside it comes after it either way) */
		zns_zoned_cb cb = chain->cb;
		void *u = chain->user;
		int st = chain->status;
		uint64_t lba = chain->lba;
		uint32_t nlb = chain->nlb;

		put_req(zt, z, chain);
		if (!z->busy && !z->head && !z->frags && !z->fenced)
			z->q = NULL;
		zu(zt, z);
		if (cb)
			cb(u, st, lba, nlb);
		if (mine)
			own_end(zt, z, mine);
		return;
	}
	if (chain) {	/* one command's requests, or several (ZRWA) */
		if (z->fire_tail)
			z->fire_tail->next_chain = chain;
		else
			z->fire_head = chain;
		while (chain->next_chain)
			chain = chain->next_chain;
		z->fire_tail = chain;
	}
	/* the outermost completion of the zone runs the callbacks, a command
	 * at a time, in order; a nested one only queues its own */
	if (!z->firing) {
		z->firing = 1;
		while ((chain = z->fire_head)) {
			z->fire_head = chain->next_chain;
			if (!z->fire_head)
				z->fire_tail = NULL;
			fire_chain(zt, z, chain);
		}
		z->firing = 0;
	}
	if (!z->busy && !z->head && !z->frags && !z->fenced && !z->firing)
		z->q = NULL;	/* the zone may move to another queue */
	if (!mine)
		zz_unlock(zt);
	else if ((apping = ap != NULL))
		z->apping++;	/* its cache takes the records back */
	while (ap) {
		struct zz_append *nx = ap->next;

		ap->cb(ap->user, ap->status, ap->frags, ap->nr);
		if (!mine)
			zz_lock(zt);
		put_ap(zt, p, ap);
		if (!mine)
			zz_unlock(zt);
		ap = nx;
	}
	if (mine) {
		z->apping -= apping;
		own_end(zt, z, mine);
	}
}

static void zz_done(void *user, int status, uint64_t result)
{
	struct zz_req *r = user;
	struct zns_zoned *zt = r->zt;
	struct zz_zone *z = &zt->z[r->zone];
	/* an owned zone is its owner's alone until own_end(), at the end */
	uintptr_t mine = fast(z) ? (uintptr_t)r->q : 0;
	zns_zoned_cb cb;
	uint64_t lba;
	uint32_t nlb;
	void *u;

	if (!mine)
		zz_lock(zt);
	if (r->kind != RQ_WRITE || status || r->next || z->zrwa == ZR_ON ||
	    z->firing || z->fire_head) {
		done_rest(zt, z, r, status, result, mine);
		return;
	}
	/* the common case: one write (so no vector) that succeeded, of a
	 * zone without a ZRWA and with no callback waiting to run. As
	 * settle() and settle_chain() would, then the callback after the
	 * lock: the zone's next command, sent first, comes after it */
	cb = r->cb;
	u = r->user;
	lba = r->lba;
	nlb = r->nlb;
	z->busy--;
	ZSET(z->queued, z->queued - nlb);
	note_acked(zt, z, lba + nlb);
	issue_next(zt, z);	/* cannot fail, as in done_rest() */
	put_req(zt, z, r);
	if (!z->busy && !z->head && !z->frags && !z->fenced)
		z->q = NULL;
	if (!mine)
		zz_unlock(zt);
	if (cb)
		cb(u, 0, lba, nlb);
	if (mine)
		own_end(zt, z, mine);
}

/* ----------------------------------------------------------- requests -- */

/* Open an Empty zone with a ZRWA before its first write (which waits for
 * the open: the zone is busy): takes one of the table's ZRWA resources;
 * a failed open gives it back and the zone is written without. 0, or the
 * queue's error (nothing changed). */
static int open_zrwa(struct zns_zoned *zt, struct zz_zone *z,
		     struct zns_queue *q, uint32_t zone)
{
	struct zz_req *o = get_req(zt, z);
	int rc;

	if (!o)
		return 0;	/* written without a ZRWA */
	o->kind = RQ_ZOPEN;
	o->zone = zone;
	o->q = q;
	o->cb = NULL;
	tl(zt, z);
	if (!zt->zrwa_tokens) {
		tu(zt, z);
		put_req(zt, z, o);
		return 0;	/* written without a ZRWA */
	}
	rc = zns_prep_mgmt_send(q, zt->dev, z->zslba, NVME_ZNS_ZSA_OPEN,
				ZNS_SEND_ZRWA, NULL, 0, zz_done, o);
	if (!rc)
		zt->zrwa_tokens--;
	tu(zt, z);
	if (rc) {
		put_req(zt, z, o);
		return rc;
	}
	ZSET(z->zrwa, ZR_OPENING);
	z->busy++;
	return 0;
}

/* The end of a call begin() let through: the lock, or for the caller's
 * own zone, idle again when nothing of it is in flight. */
static inline int end(struct zns_zoned *zt, struct zz_zone *z, int rc)
{
	uintptr_t w = ZGET(z->own);

	if (w)
		own_end(zt, z, w & ~OWN_BUSY);
	else
		zz_unlock(zt);
	return rc;
}

/* The checks every request shares: find @zone for a request through @q,
 * with the table locked unless the zone is @q's own (zns_zoned_alloc()
 * handed it to @q, and @q's thread alone touches it). A zone handed to a
 * queue takes writes and appends from that queue only; a reset or finish
 * of it, idle, may come from another (a collector's), which takes it from
 * its owner. Any other zone takes requests from any queue, one queue at a
 * time. */
static const char *const not_yours =
	"zns_zoned: zns_zoned_alloc() gave the zone to another queue: only that queue writes or appends to it until it is reset or released";
static const char *const retired_zone =
	"zns_zoned: the zone went offline or read-only and is retired";
static const char *const in_flight =
	"zns_zoned: requests to the zone are waiting or in flight: reset or finish it once they complete";
static const char *const acting_msg =
	"zns_zoned: a reset or finish of the zone is in flight: write or append once its callback has run";

static inline __attribute__((always_inline)) int
begin(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone, int write,
      struct zz_zone **zp)
{
	uintptr_t me = (uintptr_t)q, w;
	struct zz_zone *z;

	if (!zt || !q)
		return zns_fail(-EINVAL, "zns_zoned: zt or q is NULL");
	if (zone >= zt->nr_zones)
		return zns_fail(-EINVAL, "zns_zoned: no such zone index");
	z = &zt->z[zone];
	/* the owner's path: busy already (commands in flight), or idle and
	 * marked busy unless a collector takes it first */
	w = __atomic_load_n(&z->own, __ATOMIC_ACQUIRE);
	if (w == (me | OWN_BUSY) ||
	    (w == me && __atomic_compare_exchange_n(&z->own, &w, me | OWN_BUSY, 0,
						    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))) {
		if (z->retired)	/* its owner and queue are @q or none */
			return end(zt, z, zns_fail(-EROFS, retired_zone));
		*zp = z;
		return 0;
	}
	zz_lock(zt);
	w = __atomic_load_n(&z->own, __ATOMIC_ACQUIRE);
	if (w && (w & ~OWN_BUSY) != me) {	/* another queue's own zone */
		if (write) {
			zz_unlock(zt);
			return zns_fail(-EPERM, not_yours);
		}
		/* a collector: take it if it is idle (its owner marks it
		 * busy with the same swap); from now on the lock guards it */
		if ((w & OWN_BUSY) ||
		    !__atomic_compare_exchange_n(&z->own, &w, 0, 0, __ATOMIC_ACQUIRE,
						 __ATOMIC_ACQUIRE)) {
			zz_unlock(zt);
			return zns_fail(-EBUSY, in_flight);
		}
		drain_cache(zt, z);
	} else if (w) {	/* @q's own, given back idle by release() */
		__atomic_store_n(&z->own, me | OWN_BUSY, __ATOMIC_RELAXED);
		zz_unlock(zt);
	}
	if (z->retired)
		return end(zt, z, zns_fail(-EROFS, retired_zone));
	if (write && z->owner && z->owner != q)
		return end(zt, z, zns_fail(-EPERM, not_yours));
	if (z->q && z->q != q)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned: the zone's requests go through another queue: use that one, or wait until they complete"));
	*zp = z;
	return 0;
}

ZNS_EXPORT
int zns_zoned_write(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		    const void *buf, uint32_t nlb, zns_zoned_cb cb, void *user)
{
	struct zz_zone *z;
	struct zz_req *r;
	uint8_t was;
	int took;
	int rc = begin(zt, q, zone, 1, &z);

	if (rc)
		return rc;
	if (!buf || !nlb || nlb > zt->max_nlb)
		return end(zt, z, zns_fail(-EINVAL, "zns_zoned_write: buf is NULL, or nlb is 0 or above max_xfer"));
	if (z->zrwa != ZR_NONE && nlb > zt->zrwas)
		return end(zt, z, zns_fail(-EINVAL, "zns_zoned_write: the zone has a ZRWA: a write carries at most zrwas blocks"));
	if (z->acting)
		return end(zt, z, zns_fail(-EBUSY, acting_msg));
	if (z->frags || z->doubt)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned_write: appends to the zone are in flight: writes and appends do not mix on one zone"));
	if (z->state == NVME_ZNS_ZS_FULL ||
	    committed(z) + nlb > z->zslba + z->zcap)
		return end(zt, z, zns_fail(-ENOSPC, "zns_zoned_write: past the zone's capacity"));
	r = get_req(zt, z);
	if (!r)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned: every request slot is in use: reap, then retry"));
	was = z->state;
	took = take_token(zt, z);
	if (took < 0) {
		put_req(zt, z, r);
		return end(zt, z, took);
	}
	if (zt->zrwa && was == NVME_ZNS_ZS_EMPTY && z->zrwa == ZR_NONE &&
	    nlb <= zt->zrwas && !z->busy &&
	    (rc = open_zrwa(zt, z, q, zone)) < 0) {
		untake_token(zt, z, was, took);
		put_req(zt, z, r);
		return end(zt, z, zns_fail(rc, "zns_zoned_write: the queue is full (depth commands prepared or in flight): reap, then retry"));
	}
	r->kind = RQ_WRITE;
	r->zone = zone;
	r->q = q;
	r->tries = 0;
	r->buf = buf;
	r->nlb = nlb;
	r->cb = cb;
	r->user = user;
	z->q = q;
	if (!z->queued)
		z->ahead = 0;	/* what appends left: nothing is in flight */
	ZSET(z->queued, z->queued + nlb);
	if (!z->head && !z->busy && z->zrwa == ZR_NONE && !z->fenced) {
		rc = send_one(zt, z, r);	/* nothing before it */
	} else {
		if (z->tail)
			z->tail->next = r;
		else
			z->head = r;
		z->tail = r;
		rc = issue_next(zt, z);
		if (rc && z->busy)	/* a completion of the zone sends it */
			rc = 0;
		else if (rc)	/* the FIFO holds only @r: a completion
				 * always sends what waits */
			z->head = z->tail = NULL;
	}
	if (rc) {	/* the zone was idle and the queue is full: take the
			 * write back */
		ZSET(z->queued, z->queued - nlb);
		untake_token(zt, z, was, took);
		z->q = NULL;
		put_req(zt, z, r);
		return end(zt, z, zns_fail(rc, "zns_zoned_write: the queue is full (depth commands prepared or in flight): reap, then retry"));
	}
	return end(zt, z, 0);
}

ZNS_EXPORT
int zns_zoned_append(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		     const void *buf, uint32_t nlb, zns_zoned_append_cb cb,
		     void *user)
{
	struct zz_zone *z;
	struct zz_append *ap;
	unsigned int i, n;
	uint8_t was;
	int took;
	int rc = begin(zt, q, zone, 1, &z);

	if (rc)
		return rc;
	if (zns_dev_is_null(zt->dev))
		return end(zt, z, zns_fail(-EOPNOTSUPP, "zns_zoned_append: a null device (zns_dev_open_null()) answers every append with its zone's start: the layer's appends need a device or the emulator"));
	n = nlb ? (nlb + zt->zasl_nlb - 1) / zt->zasl_nlb : 0;
	if (!buf || !nlb || n > MAX_FRAGS)
		return end(zt, z, zns_fail(-EINVAL, "zns_zoned_append: buf is NULL, nlb is 0, or the append needs more than 64 pieces of zasl"));
	if (z->zrwa != ZR_NONE)
		return end(zt, z, zns_fail(-EINVAL, "zns_zoned_append: the zone has a ZRWA, which takes writes, not appends"));
	if (z->acting)
		return end(zt, z, zns_fail(-EBUSY, acting_msg));
	if (z->head || z->busy)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned_append: writes to the zone are waiting or in flight: writes and appends do not mix on one zone"));
	if (z->fenced)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned_append: the zone is fenced while the layer asks the device where appends of unknown outcome landed: reap, then retry"));
	if (z->state == NVME_ZNS_ZS_FULL ||
	    committed(z) + nlb > z->zslba + z->zcap)
		return end(zt, z, zns_fail(-ENOSPC, "zns_zoned_append: past the zone's capacity"));
	ap = get_ap(zt, pool(z));
	if (!ap)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned: every append record is in use: reap, then retry"));
	was = z->state;
	took = take_token(zt, z);
	if (took < 0) {
		put_ap(zt, pool(z), ap);
		return end(zt, z, took);
	}
	ap->cb = cb;
	ap->user = user;
	ap->status = 0;
	ap->nr = ap->left = n;
	if (!z->queued)
		z->ahead = 0;	/* nothing in flight is below acked */
	z->q = q;
	for (i = 0; i < n; i++) {
		uint32_t off = i * zt->zasl_nlb;
		uint32_t len = nlb - off < zt->zasl_nlb ? nlb - off : zt->zasl_nlb;
		struct zz_req *r = get_req(zt, z);

		ap->frags[i].lba = ~0ull;
		ap->frags[i].nlb = len;
		ap->frags[i].rsvd = 0;
		if (r) {
			r->kind = RQ_FRAG;
			r->tries = 0;
			r->zone = zone;
			r->q = q;
			r->ap = ap;
			r->frag = i;
			r->nlb = len;
			r->buf = (const uint8_t *)buf +
				 ((size_t)off << zt->in->lba_shift);
			rc = zns_prep_append(q, zt->dev, r->buf, z->zslba, len,
					     zz_done, r);
			if (!rc) {
				z->frags++;
				ZSET(z->queued, z->queued + len);
				continue;
			}
			put_req(zt, z, r);
		}
		/* the rest cannot go: they are reported failed */
		ap->status = ap->status ? ap->status : (r ? rc : -EBUSY);
		ap->left -= n - i;
		break;
	}
	if (!ap->left) {	/* nothing went out: as if never called */
		put_ap(zt, pool(z), ap);
		if (!z->frags)
			untake_token(zt, z, was, took);
		if (!z->frags && !z->busy && !z->head)
			z->q = NULL;
		return end(zt, z, zns_fail(ap->status, "zns_zoned_append: the queue took none of the pieces: reap, then retry"));
	}
	return end(zt, z, 0);
}

static int zone_action(struct zns_zoned *zt, struct zns_queue *q,
		       uint32_t zone, int kind, zns_zoned_cb cb, void *user)
{
	struct zz_zone *z;
	struct zz_req *r;
	int rc = begin(zt, q, zone, 0, &z);

	if (rc)
		return rc;
	if (z->busy || z->head || z->frags || z->fenced)
		return end(zt, z, zns_fail(-EBUSY, in_flight));
	r = get_req(zt, z);
	if (!r)
		return end(zt, z, zns_fail(-EBUSY, "zns_zoned: every request slot is in use: reap, then retry"));
	r->kind = (uint8_t)kind;
	r->zone = zone;
	r->q = q;
	r->cb = cb;
	r->user = user;
	rc = kind == RQ_RESET ? zns_prep_reset_zone(q, zt->dev, z->zslba, zz_done, r) :
				zns_prep_finish_zone(q, zt->dev, z->zslba, zz_done, r);
	if (rc) {
		put_req(zt, z, r);
		return end(zt, z, rc);
	}
	z->busy++;
	z->acting = 1;
	z->q = q;
	return end(zt, z, 0);
}

ZNS_EXPORT
int zns_zoned_reset(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		    zns_zoned_cb cb, void *user)
{
	return zone_action(zt, q, zone, RQ_RESET, cb, user);
}

ZNS_EXPORT
int zns_zoned_finish(struct zns_zoned *zt, struct zns_queue *q, uint32_t zone,
		     zns_zoned_cb cb, void *user)
{
	return zone_action(zt, q, zone, RQ_FINISH, cb, user);
}

/* ------------------------------------------------------- allocation -- */

static int idle(const struct zz_zone *z)
{
	return !z->busy && !z->head && !z->frags && !z->fenced && !z->firing &&
	       !z->q;
}

/* An Empty zone of [first, end) that nobody claimed, or -1. */
static int find_empty(const struct zns_zoned *zt, uint32_t first, uint32_t end)
{
	uint32_t i;

	for (i = first; i < end; i++) {
		const struct zz_zone *z = &zt->z[i];

		if (!__atomic_load_n(&z->own, __ATOMIC_ACQUIRE) && /* else
					  * another thread's alone */
		    z->state == NVME_ZNS_ZS_EMPTY && !z->active && !z->claimed &&
		    !z->retired && idle(z))
			return (int)i;
	}
	return -1;
}

/* The active zone of [first, end) with the least space left that nothing
 * is writing to and no other queue owns, or -1: the cheapest to finish for
 * its token. */
static int find_cheapest(const struct zns_zoned *zt, const struct zns_queue *q,
			 uint32_t first, uint32_t end)
{
	uint64_t best = UINT64_MAX;
	int pick = -1;
	uint32_t i;

	for (i = first; i < end; i++) {
		const struct zz_zone *z = &zt->z[i];
		uintptr_t w = __atomic_load_n(&z->own, __ATOMIC_ACQUIRE);
		uint64_t left;

		if (w && (w & ~OWN_BUSY) != (uintptr_t)q)
			continue;	/* another thread's alone */
		left = z->zslba + z->zcap - z->acked;
		if (z->active && z->state != NVME_ZNS_ZS_FULL && !z->retired &&
		    (!z->owner || z->owner == q) && idle(z) && left < best) {
			best = left;
			pick = (int)i;
		}
	}
	return pick;
}

/* Wait a little for a token: reap @q when it has commands in flight, else
 * let the other threads run. -EBUSY when nothing anywhere is in flight. */
static int wait_token(struct zns_zoned *zt, struct zns_queue *q)
{
	struct timespec ts = { 0, 50000 };
	int rc;

	if (zns_queue_inflight(q)) {
		rc = zns_reap(q, 1, 1000);
		return rc < 0 && rc != -ETIME && rc != -EINTR ? rc : 0;
	}
	if (!outstanding(zt))
		return zns_fail(-EBUSY, "zns_zoned_alloc: no active token free and nothing in flight that could free one: finish or reset a zone");
	nanosleep(&ts, NULL);
	return 0;
}

ZNS_EXPORT
int zns_zoned_alloc(struct zns_zoned *zt, struct zns_queue *q, uint32_t first,
		    uint32_t count, unsigned int flags, uint32_t *zone)
{
	uint32_t end;
	int i, rc, finishing = 0;

	if (!zt || !zone)
		return zns_fail(-EINVAL, "zns_zoned_alloc: zt or zone is NULL");
	if (flags & ~(ZNS_ZONED_WAIT | ZNS_ZONED_FINISH))
		return zns_fail(-EINVAL, "zns_zoned_alloc: unknown flags");
	if (!q && flags)
		return zns_fail(-EINVAL, "zns_zoned_alloc: ZNS_ZONED_WAIT and ZNS_ZONED_FINISH need the caller's queue");
	if (first >= zt->nr_zones)
		return zns_fail(-EINVAL, "zns_zoned_alloc: first is not a zone index");
	end = count && count <= zt->nr_zones - first ? first + count : zt->nr_zones;
	for (;;) {
		zz_lock(zt);
		i = find_empty(zt, first, end);
		if (i < 0) {
			zz_unlock(zt);
			return zns_fail(-ENOSPC, "zns_zoned_alloc: no Empty zone left in the range: reset one");
		}
		if (!zt->limited || zt->tokens) {
			struct zz_zone *z = &zt->z[i];

			ZSET(z->claimed, 1);
			z->owner = q;
			ZSET(z->active, 1);
			zt->tokens -= zt->limited ? 1 : 0;
			if (q) {	/* from now on @q's thread's alone */
				z->pool = &z->zc;
				__atomic_store_n(&z->own, (uintptr_t)q, __ATOMIC_RELEASE);
			}
			zz_unlock(zt);
			*zone = (uint32_t)i;
			return 0;
		}
		i = (flags & ZNS_ZONED_FINISH) && !finishing ?
			find_cheapest(zt, q, first, end) : -1;
		zz_unlock(zt);
		if (i >= 0 && !zone_action(zt, q, (uint32_t)i, RQ_FINISH, NULL, NULL))
			finishing = 1;
		if (!(flags & ZNS_ZONED_WAIT))
			return zns_fail(-EBUSY, finishing ?
				"zns_zoned_alloc: no active token free; the zone with the least space left is being finished: reap, then retry" :
				"zns_zoned_alloc: no active token free: finish or reset a zone, then retry");
		rc = wait_token(zt, q);
		if (rc)
			return rc;
	}
}

ZNS_EXPORT
int zns_zoned_release(struct zns_zoned *zt, uint32_t zone)
{
	struct zz_zone *z;
	uintptr_t w;

	if (!zt || zone >= zt->nr_zones)
		return zns_fail(-EINVAL, "zns_zoned_release: zt is NULL or no such zone index");
	zz_lock(zt);
	z = &zt->z[zone];
	/* an owned zone: taken from its owner while idle, as a collector
	 * takes it, and given back if it cannot be released */
	w = __atomic_load_n(&z->own, __ATOMIC_ACQUIRE);
	if (w && ((w & OWN_BUSY) ||
		  !__atomic_compare_exchange_n(&z->own, &w, 0, 0, __ATOMIC_ACQUIRE,
					       __ATOMIC_ACQUIRE))) {
		zz_unlock(zt);
		return zns_fail(-EINVAL, "zns_zoned_release: requests to the zone are in flight: release it once they complete");
	}
	if (!z->claimed || z->state != NVME_ZNS_ZS_EMPTY || !idle(z)) {
		__atomic_store_n(&z->own, w, __ATOMIC_RELEASE);
		zz_unlock(zt);
		return zns_fail(-EINVAL, "zns_zoned_release: the zone was not allocated, or was written: reset it instead");
	}
	if (w)
		drain_cache(zt, z);
	ZSET(z->claimed, 0);
	z->owner = NULL;
	give_token(zt, z);
	zz_unlock(zt);
	return 0;
}

/* ------------------------------------------------------- the table -- */

/* A null device (zns_dev_open_null()) keeps no zones to report: every
 * zone starts Empty, with the geometry's capacity. */
static void rebuild_null(struct zns_zoned *zt)
{
	uint64_t zs = zt->in->zone_size, cap = zt->in->zone_cap;
	uint32_t i;

	if (!cap || cap > zs)
		cap = zs;
	for (i = 0; i < zt->nr_zones; i++) {
		struct zz_zone *z = &zt->z[i];

		z->zslba = i * zs;
		z->zcap = cap;
		z->state = NVME_ZNS_ZS_EMPTY;
		z->dwp = z->wp = z->acked = z->settled = z->zslba;
	}
}

static int rebuild(struct zns_zoned *zt)
{
	struct zns_zone *zz;
	unsigned int nr = zt->nr_zones, i, active = 0, zrwa = 0;
	int rc;

	if (zns_dev_is_null(zt->dev)) {
		rebuild_null(zt);
		return 0;
	}
	zz = calloc(zt->nr_zones, sizeof(*zz));
	if (!zz)
		return -ENOMEM;
	rc = zns_report_zones(zt->dev, 0, NVME_ZNS_ZRAS_REPORT_ALL, zz, &nr, NULL);
	for (i = 0; !rc && i < nr; i++) {
		struct zz_zone *z = &zt->z[i];
		uint8_t s = zz[i].state;

		z->zslba = zz[i].zslba;
		z->zcap = zz[i].zcap;
		z->state = s;
		z->dwp = s == NVME_ZNS_ZS_FULL ? z->zslba + z->zcap : zz[i].wp;
		z->wp = z->acked = z->settled = z->dwp;
		z->retired = s == NVME_ZNS_ZS_OFFLINE || s == NVME_ZNS_ZS_READ_ONLY;
		z->active = s == NVME_ZNS_ZS_IMPL_OPEN || s == NVME_ZNS_ZS_EXPL_OPEN ||
			    s == NVME_ZNS_ZS_CLOSED;
		active += z->active;
		if (zz[i].attrs & NVME_ZNS_ZA_ZRWAV) {
			/* its ZRWA is kept (ZNS_ZONED_ZRWA or not: writes
			 * there leave the write pointer behind); what sits in
			 * it above the write pointer is written over */
			z->zrwa = zt->zrwas ? ZR_ON : ZR_NONE;
			z->flushed = z->dwp;
			zrwa++;
		}
	}
	if (!rc && nr != zt->nr_zones)
		rc = -EIO;
	if (!rc && zt->limited)
		zt->tokens = zt->tokens > active ? zt->tokens - active : 0;
	if (!rc)
		zt->zrwa_tokens = zt->zrwa_tokens > zrwa ? zt->zrwa_tokens - zrwa : 0;
	free(zz);
	return rc;
}

/* A cache takes a batch of a kind at a time, and keeps at most two: a
 * 64th of what the table has, 1 to 16. */
static unsigned int batch_of(uint32_t n)
{
	return n / 64 < 1 ? 1 : n / 64 > 16 ? 16 : n / 64;
}

static int alloc_table(struct zns_zoned *zt, uint32_t nreq)
{
	uint32_t i, naps = nreq / 4 + 1;

	zt->z = calloc(zt->nr_zones, sizeof(*zt->z));
	for (i = 0; zt->z && i < zt->nr_zones; i++)
		zt->z[i].pool = &zt->shared;
	zt->reqs = calloc(nreq, sizeof(*zt->reqs));
	zt->aps = calloc(naps, sizeof(*zt->aps));
	zt->vecs = calloc(NR_VECS, sizeof(*zt->vecs));
	if (posix_memalign((void **)&zt->rbufs, 4096, (size_t)nreq * REPORT_LEN))
		zt->rbufs = NULL;
	if (!zt->z || !zt->reqs || !zt->aps || !zt->vecs || !zt->rbufs)
		return -ENOMEM;
	for (i = 0; i < NR_VECS; i++)
		zt->vecs[i].next = i + 1 < NR_VECS ? &zt->vecs[i + 1] : NULL;
	zt->shared.vecs = zt->vecs;
	zt->shared.nvec = NR_VECS;
	for (i = 0; i < nreq; i++) {
		zt->reqs[i].zt = zt;
		zt->reqs[i].rbuf = zt->rbufs + (size_t)i * REPORT_LEN;
		zt->reqs[i].next = i + 1 < nreq ? &zt->reqs[i + 1] : NULL;
	}
	zt->shared.reqs = zt->reqs;
	zt->shared.nreq = nreq;
	for (i = 0; i < naps; i++)
		zt->aps[i].next = i + 1 < naps ? &zt->aps[i + 1] : NULL;
	zt->shared.aps = zt->aps;
	zt->shared.nap = naps;
	zt->batch[0] = batch_of(nreq);
	zt->batch[1] = batch_of(naps);
	zt->batch[2] = batch_of(NR_VECS);
	return 0;
}

static void free_table(struct zns_zoned *zt)
{
	uint32_t i;

	for (i = 0; zt->z && i < zt->nr_zones; i++)
		free(zt->z[i].spans);
	free(zt->z);
	free(zt->reqs);
	free(zt->aps);
	free(zt->vecs);
	free(zt->rbufs);
	free(zt);
}

ZNS_EXPORT
int zns_zoned_open(struct zns_dev *dev, const struct zns_zoned_opts *opts,
		   struct zns_zoned **ztp)
{
	struct zns_zoned *zt;
	uint32_t nreq = 4096, ma;
	int rc;

	if (!dev || !ztp)
		return zns_fail(-EINVAL, "zns_zoned_open: dev or ztp is NULL");
	*ztp = NULL;
	if (opts && opts->size < sizeof(*opts))
		return zns_fail(-EINVAL, "zns_zoned_open: opts->size must be sizeof(struct zns_zoned_opts)");
	if (opts && opts->max_requests)
		nreq = opts->max_requests;
	zt = calloc(1, sizeof(*zt));
	if (!zt)
		return zns_fail(-ENOMEM, "zns_zoned_open: out of memory");
	zt->dev = dev;
	zt->trace = getenv("ZNS_ZONED_TRACE") != NULL;
	zt->merge = !(opts && (opts->flags & ZNS_ZONED_NO_MERGE));
	zt->in = zns_dev_get_info(dev);
	/* ZRWAs the layer can flush explicitly: a zone the rebuild finds
	 * open with one is written through it in any case (its write
	 * pointer trails what was written); new zones take one with
	 * ZNS_ZONED_ZRWA */
	if (zt->in->numzrwa && (zt->in->zrwacap & 1) && zt->in->zrwafg &&
	    zt->in->zrwas >= zt->in->zrwafg) {
		zt->zrwa = opts && (opts->flags & ZNS_ZONED_ZRWA);
		zt->zrwa_tokens = zt->in->numzrwa;
		zt->zrwas = zt->in->zrwas;
		zt->zrwafg = zt->in->zrwafg;
	}
	zt->nr_zones = (uint32_t)zt->in->nr_zones;
	zt->max_nlb = zt->in->max_xfer >> zt->in->lba_shift;
	zt->zasl_nlb = zt->in->zasl >> zt->in->lba_shift;
	ma = zt->in->max_active;
	if (opts && opts->max_active && (ma == ZNS_NO_LIMIT || opts->max_active < ma))
		ma = opts->max_active;
	zt->limited = ma != ZNS_NO_LIMIT;
	zt->tokens = zt->limited ? ma : 0;
	rc = alloc_table(zt, nreq);
	if (!rc)
		rc = rebuild(zt);
	if (rc) {
		free_table(zt);
		return rc < 0 ? zns_fail(rc, "zns_zoned_open: the zones could not be reported") : rc;
	}
	*ztp = zt;
	return 0;
}

ZNS_EXPORT
int zns_zoned_close(struct zns_zoned *zt)
{
	if (!zt)
		return 0;
	if (outstanding(zt))
		return zns_fail(-EBUSY, "zns_zoned_close: requests are waiting or in flight: reap the queues first");
	free_table(zt);
	return 0;
}

ZNS_EXPORT
uint32_t zns_zoned_nr_zones(const struct zns_zoned *zt)
{
	return zt ? zt->nr_zones : 0;
}

ZNS_EXPORT
int zns_zoned_get_stats(const struct zns_zoned *zt, struct zns_zoned_stats *st)
{
	if (!zt || !st || st->size < sizeof(*st))
		return zns_fail(-EINVAL, "zns_zoned_get_stats: zt or st is NULL, or st->size is not sizeof(struct zns_zoned_stats)");
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->doubtful = __atomic_load_n(&zt->st.doubtful, __ATOMIC_RELAXED);
	st->reports = __atomic_load_n(&zt->st.reports, __ATOMIC_RELAXED);
	st->landed = __atomic_load_n(&zt->st.landed, __ATOMIC_RELAXED);
	st->resent = __atomic_load_n(&zt->st.resent, __ATOMIC_RELAXED);
	return 0;
}

ZNS_EXPORT
int zns_zoned_info(struct zns_zoned *zt, uint32_t zone,
		   struct zns_zoned_zone *info)
{
	const struct zz_zone *z;

	if (!zt || !info || zone >= zt->nr_zones)
		return zns_fail(-EINVAL, "zns_zoned_info: zt or info is NULL, or no such zone index");
	/* a zone another thread owns is written without the lock: its
	 * fields are loaded atomically, each current, not all at one instant */
	zz_lock(zt);
	z = &zt->z[zone];
	memset(info, 0, sizeof(*info));
	info->zslba = z->zslba;
	info->zcap = z->zcap;
	info->wp = ZGET(z->wp);
	info->acked = ZGET(z->acked);
	info->device_wp = ZGET(z->dwp);
	info->queued = ZGET(z->queued);
	info->state = ZGET(z->state);
	info->active = ZGET(z->active);
	info->fenced = ZGET(z->fenced);
	info->retired = ZGET(z->retired);
	info->claimed = ZGET(z->claimed);
	info->zrwa = ZGET(z->zrwa) == ZR_ON;
	zz_unlock(zt);
	return 0;
}

#ifdef ZNS_ZONED_TESTING
/* For the unit suite built from the sources (not in the library): hold the
 * table's lock, or let it go, from the calling thread. */
void zns_zoned_test_lock(struct zns_zoned *zt, int hold);
void zns_zoned_test_lock(struct zns_zoned *zt, int hold)
{
	if (hold)
		zz_lock(zt);
	else
		zz_unlock(zt);
}
#endif
