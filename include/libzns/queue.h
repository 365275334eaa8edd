/* SPDX-License-Identifier: MIT */
/*
 * libzns queues: asynchronous ZNS commands over io_uring NVMe passthrough.
 *
 * A queue owns one io_uring ring (SQE128/CQE32) and a fixed table of command
 * contexts, sized by the queue depth. Prepare commands with zns_prep_*(),
 * send them with zns_submit() (a full submission ring is submitted on its
 * own), and run their callbacks with zns_reap(). One queue may carry
 * commands for many devices, IO to namespaces and admin to their
 * controllers. Each callback runs exactly once, from zns_reap() or
 * zns_queue_exit(), on the thread that called it.
 *
 * Thread model: a queue is used by one thread (one queue per thread). It may
 * be created on another thread; it binds to the first thread that
 * prepares, submits or reaps on it, and calls from any other thread then
 * get -EEXIST before anything is queued. That thread enters the kernel
 * through a registered ring index: call zns_queue_exit() on it too, or
 * after it has ended. Devices (struct zns_dev) are read-only after
 * zns_dev_open() and may be shared by any number of queues and threads.
 *
 * Callbacks: a callback may call zns_prep_*(), zns_submit(), zns_reap() and
 * zns_queue_wait() on its own queue; every completion is still delivered
 * exactly once, in every mode. zns_queue_exit() from a callback of the same
 * queue is refused with -EDEADLK. A NULL queue or device gets -EINVAL
 * everywhere; zns_last_error() names the rule a refused call broke.
 */
#ifndef LIBZNS_QUEUE_H
#define LIBZNS_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <libzns/spec.h>
#include <libzns/device.h>
#include <libzns/sync.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct zns_queue - an asynchronous command queue (opaque) */
struct zns_queue;

/**
 * typedef zns_cb - completion callback
 * @user: the pointer given when the command was prepared
 * @status: 0, -errno (kernel or io_uring), or the NVMe status > 0
 * @result: the 64-bit command result: the LBA a zone append was written at,
 *          CQE dword 0 for other commands
 */
typedef void (*zns_cb)(void *user, int status, uint64_t result);

/* Flags of struct zns_queue_opts. */
#define ZNS_QUEUE_SYNC		(1u << 0) /* run commands through the ioctl path */
#define ZNS_QUEUE_NULL		(1u << 1) /* complete in user space, no IO */
#define ZNS_QUEUE_IOPOLL	(1u << 2) /* IORING_SETUP_IOPOLL (poll queues) */
#define ZNS_QUEUE_SQPOLL	(1u << 3) /* IORING_SETUP_SQPOLL */
#define ZNS_QUEUE_EVENTFD	(1u << 4) /* zns_queue_fd() for event loops */
#define ZNS_QUEUE_FIXED_FILES	(1u << 5) /* register device files */
#define ZNS_QUEUE_NOPATH_FAIL	(1u << 6) /* no live path: -ENOLINK at
					   * once, do not hold */
#define ZNS_QUEUE_NO_DEFER	(1u << 7) /* a ring without deferred or
					   * cooperative task work: for a
					   * thread that polls (zns_reap(q, 0,
					   * 0)), completions arrive without a
					   * system call */

/* Backends reported by zns_queue_mode(). */
#define ZNS_MODE_URING	1	/* io_uring uring_cmd passthrough */
#define ZNS_MODE_SYNC	2	/* synchronous ioctl fallback */
#define ZNS_MODE_NULL	3	/* no device IO */

/**
 * struct zns_queue_opts - queue options
 * @size: sizeof(struct zns_queue_opts), so the struct can grow
 * @depth: most commands in flight at once (1 to 4096)
 * @flags: ZNS_QUEUE_* flags
 * @sq_thread_idle: SQPOLL: milliseconds the kernel thread spins idle
 * @sq_thread_cpu: SQPOLL: CPU to pin the kernel thread to, or -1
 * @nopath_hold_ms: how long a command to a namespace with no live path
 *                  (a multipath head whose controllers are all
 *                  reconnecting or resetting) is held before it completes
 *                  with -ENOLINK; 0: the controllers' ctrl_loss_tmo, or 60 s
 *                  where they have none (since LIBZNS_0.3; programs built
 *                  before pass a smaller @size and get 0)
 * @spin_us: a zns_reap() that waits (@min above 0) on an io_uring queue
 *           first looks for completions without sleeping for up to this
 *           many microseconds, then sleeps in the kernel for the rest;
 *           0 (the default): it sleeps at once. Spinning trades CPU time
 *           for the wake-up's latency (since LIBZNS_0.5; the field was
 *           reserved, zero, before)
 *
 * Such a command is answered by the kernel with -EINVAL without being sent;
 * the queue tells it from a real invalid argument by the controllers'
 * states in sysfs, holds it, and sends it again unchanged when a path is
 * live, as the block layer holds IO. ZNS_QUEUE_NOPATH_FAIL completes it
 * with -ENOLINK at once instead.
 */
struct zns_queue_opts {
	size_t size;
	uint32_t depth;
	uint32_t flags;
	uint32_t sq_thread_idle;
	int32_t sq_thread_cpu;
	uint32_t nopath_hold_ms;
	uint32_t spin_us;
};

/**
 * zns_queue_init() - create a queue
 * @qp: receives the queue
 * @opts: options; @opts->size must be set
 *
 * Sets up io_uring with SQE128 and CQE32, and with SINGLE_ISSUER and
 * DEFER_TASKRUN (or COOP_TASKRUN) when the kernel accepts them and
 * ZNS_QUEUE_NO_DEFER is not set. When
 * io_uring is unavailable (kernel without io_uring or uring_cmd,
 * io_uring_disabled, a seccomp filter) and neither IOPOLL nor SQPOLL was
 * asked for, the queue runs in the synchronous fallback mode
 * (zns_queue_mode() tells); ZNS_QUEUE_SYNC forces that mode.
 *
 * Return: 0; -EINVAL (bad depth, size or flag combination); -EOPNOTSUPP
 * (IOPOLL or SQPOLL asked for where io_uring cannot provide it); -ENOMEM;
 * another -errno from io_uring_setup.
 */
int zns_queue_init(struct zns_queue **qp, const struct zns_queue_opts *opts);

/**
 * zns_queue_exit() - drain and free a queue
 * @q: the queue, or NULL
 *
 * Submits what is prepared, waits for every command in flight and delivers
 * each callback exactly once, then frees the queue. Nothing is cancelled.
 *
 * Return: 0, or the first -errno met while draining (the queue is freed
 * anyway); -EDEADLK, nothing freed, when called from a callback of @q (free
 * it after zns_reap() returns); -EEXIST, nothing freed, when commands are
 * in flight and @q belongs to another thread.
 */
int zns_queue_exit(struct zns_queue *q);

/**
 * zns_queue_mode() - which backend runs the queue's commands
 * @q: the queue
 *
 * Return: ZNS_MODE_URING, ZNS_MODE_SYNC or ZNS_MODE_NULL.
 */
int zns_queue_mode(const struct zns_queue *q);

/**
 * zns_queue_fd() - descriptor that becomes readable when completions wait
 * @q: the queue, created with ZNS_QUEUE_EVENTFD
 *
 * An eventfd, for epoll, libuv or libevent loops. When it is readable,
 * call zns_reap(); libzns clears it.
 *
 * Return: the descriptor, or -EINVAL without ZNS_QUEUE_EVENTFD.
 */
int zns_queue_fd(const struct zns_queue *q);

/**
 * zns_queue_inflight() - commands prepared or in flight, not yet reaped
 * @q: the queue
 *
 * Return: the count.
 */
unsigned int zns_queue_inflight(const struct zns_queue *q);

/**
 * zns_queue_register_buffers() - register data buffers with the kernel
 * @q: the queue, with nothing in flight
 * @iov: the buffers
 * @nr: how many
 *
 * Reads, writes and appends whose data lies inside one 256 KiB piece of a
 * registered buffer (counted from its start) then use
 * IORING_URING_CMD_FIXED (kernel 6.0 or newer), which saves the kernel from
 * pinning pages per command; one that crosses a piece's end is sent with a
 * plain buffer. The queue
 * registers each buffer as such pieces because Linux 6.1 fails a command
 * with -EINVAL when more pages follow its start in its registered entry
 * than the device takes segments (127 on NVMe PCIe). The kernel's table
 * takes at most 12288 of the caller's pieces: buffers that total more than
 * 3 GiB are registered in larger pieces (the smallest power of two that
 * fits), which 6.1 may refuse as above (since LIBZNS_0.6; before, each
 * buffer was one entry).
 *
 * Return: 0; -EBUSY with commands in flight; -EINVAL (a buffer NULL, empty
 * or over 1 GiB, or more than 12288 buffers); -EOPNOTSUPP when the kernel
 * cannot register buffers; another -errno.
 */
int zns_queue_register_buffers(struct zns_queue *q, const struct iovec *iov,
			       unsigned int nr);

/**
 * zns_queue_alloc_buffer() - data buffer memory the queue registers itself
 * @q: the queue
 * @size: bytes, 1 to 1 GiB (rounded up to whole pages)
 *
 * Returns zeroed, page-aligned memory that @q has registered with the
 * kernel: reads, writes and appends on @q whose data lies inside one
 * 256 KiB-aligned piece of it are sent as registered buffers, with no call
 * to make and no pinning of pages per command (the memory is registered in
 * such pieces, which Linux 6.1 needs). This works while commands are in
 * flight. Where the kernel cannot register it (older than Linux 6.0,
 * RLIMIT_MEMLOCK, more than 1 GiB registered by the queue) the memory is
 * returned all the same and commands use it as a plain buffer; so do
 * commands that cross a piece's end, other queues, and the synchronous and
 * null backends. A queue holds at most 64 such buffers at once: allocate a
 * few large ones and divide them. zns_queue_exit() frees those still held
 * (since LIBZNS_0.6).
 *
 * Return: the memory, or NULL with errno and zns_last_error() set: EINVAL
 * (@q NULL, @size 0 or over 1 GiB), ENOSPC (64 held), ENOMEM, EEXIST (@q
 * belongs to another thread).
 */
void *zns_queue_alloc_buffer(struct zns_queue *q, size_t size);

/**
 * zns_queue_free_buffer() - free memory from zns_queue_alloc_buffer()
 * @q: the queue it came from
 * @buf: the pointer zns_queue_alloc_buffer() returned, or NULL
 *
 * Unregisters and unmaps it. No command using it may be in flight: the
 * kernel keeps the pages of one that still is until it completes, but the
 * data is no longer anywhere the caller can see (since LIBZNS_0.6).
 *
 * Return: 0 (also for NULL); -EINVAL when @q is NULL or @buf is not a
 * buffer @q holds; -EEXIST when @q belongs to another thread.
 */
int zns_queue_free_buffer(struct zns_queue *q, void *buf);

/**
 * zns_queue_add_dev() - register a device's files with a queue
 * @q: a queue created with ZNS_QUEUE_FIXED_FILES
 * @dev: the device
 *
 * Commands for @dev on @q then name registered files instead of
 * descriptors, which saves a file lookup per command. Without
 * ZNS_QUEUE_FIXED_FILES this call is not needed.
 *
 * Return: 0, -EINVAL without ZNS_QUEUE_FIXED_FILES, -ENOSPC past 64
 * devices, or -errno.
 */
int zns_queue_add_dev(struct zns_queue *q, struct zns_dev *dev);

/**
 * zns_submit() - send prepared commands to the kernel
 * @q: the queue
 *
 * Each command keeps its own submission queue entry until its callback
 * runs, since the kernel may read it again after this returns (Linux 6.12
 * does when a worker issues a command that first met -EAGAIN). A command
 * the kernel fails with -EFAULT was not sent (its data could not be
 * mapped; Linux 6.1 and 6.12 cut the address to 32 bits in some of their
 * workers), and the queue sends it again, up to 16 times, before its
 * callback gets -EFAULT. Registered buffers are not cut.
 *
 * Return: the number of commands sent, or -errno (-EINVAL for a NULL @q,
 * -EEXIST from a thread @q does not belong to).
 */
int zns_submit(struct zns_queue *q);

/**
 * zns_reap() - run the callbacks of completed commands
 * @q: the queue
 * @min: wait until at least this many have completed (0: do not wait)
 * @timeout_us: give up waiting after this many microseconds (< 0: no limit)
 *
 * Submits what is prepared, then takes completions off the ring in batches
 * and runs their callbacks. Waiting stops early when nothing is in flight;
 * on a queue with spin_us (struct zns_queue_opts) it polls for up to that
 * long before it sleeps, the time spun counting against @timeout_us. On an
 * IOPOLL queue nothing sleeps: the kernel polls the device's queue and
 * keeps no timeout, so a wait with @timeout_us polls from here, one kernel
 * entry per look, until the time is over.
 * Without @min, it enters the kernel only to submit or when the kernel has
 * flagged completions to post, so an idle call makes no system call.
 *
 * A callback may call zns_reap() (or zns_queue_wait()) on the same queue:
 * the inner call delivers the completions the outer one had not reached
 * yet, and each completion is delivered once.
 *
 * Return: the number of callbacks run (may be fewer than @min after a
 * timeout), or -errno: -EINVAL for a NULL @q, -EEXIST from a thread the
 * queue does not belong to.
 */
int zns_reap(struct zns_queue *q, unsigned int min, int64_t timeout_us);

/**
 * zns_prep_read() - queue a Read
 * @q: the queue
 * @dev: the device
 * @buf: receives @nlb logical blocks
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: 0; -EBUSY when @q already holds depth commands (reap, then
 * retry: nothing was queued); -EEXIST from a thread @q does not belong to
 * (nothing was queued); -EINVAL (NULL @q or @dev, @nlb 0), -EFAULT (NULL
 * @buf), -E2BIG (beyond max_xfer), -ERANGE (beyond the namespace).
 */
int zns_prep_read(struct zns_queue *q, struct zns_dev *dev, void *buf,
		  uint64_t slba, uint32_t nlb, zns_cb cb, void *user);

/**
 * zns_prep_write() - queue a Write
 * @q: the queue
 * @dev: the device
 * @buf: @nlb logical blocks of data
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_read().
 */
int zns_prep_write(struct zns_queue *q, struct zns_dev *dev, const void *buf,
		   uint64_t slba, uint32_t nlb, zns_cb cb, void *user);

/**
 * zns_prep_writev() - queue a Write whose data is a vector of buffers
 * @q: the queue
 * @dev: the device
 * @iov: the buffers, in LBA order; the array (not only the data) must stay
 *       valid until the callback, as the kernel may read it after
 *       zns_submit() returns
 * @nr_iov: elements in @iov, 1 to 1024
 * @slba: first LBA
 * @nlb: number of logical blocks; the elements add up to exactly @nlb
 *       logical blocks
 * @cb: completion callback
 * @user: passed to @cb
 *
 * One command, so one write pointer step on a zone, from several buffers:
 * the kernel's vectored passthrough (NVME_URING_CMD_IO_VEC, Linux 5.19;
 * the fallback's NVME_IOCTL_IO64_CMD_VEC, where a kernel without it gets
 * the data gathered into one bounce buffer). Registered buffers are not
 * used for vectors.
 *
 * Return: as zns_prep_read(); -EINVAL (NULL @iov, @nr_iov 0 or above 1024,
 * lengths that do not add up to @nlb blocks), -EFAULT (an element with a
 * NULL base or a length of 0).
 */
int zns_prep_writev(struct zns_queue *q, struct zns_dev *dev,
		    const struct iovec *iov, unsigned int nr_iov,
		    uint64_t slba, uint32_t nlb, zns_cb cb, void *user);

/**
 * zns_prep_readv() - queue a Read into a vector of buffers
 * @q: the queue
 * @dev: the device
 * @iov: the buffers, in LBA order; valid until the callback
 * @nr_iov: elements in @iov, 1 to 1024
 * @slba: first LBA
 * @nlb: number of logical blocks; the elements add up to exactly this
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_writev().
 */
int zns_prep_readv(struct zns_queue *q, struct zns_dev *dev,
		   const struct iovec *iov, unsigned int nr_iov,
		   uint64_t slba, uint32_t nlb, zns_cb cb, void *user);

/**
 * zns_prep_append() - queue a Zone Append
 * @q: the queue
 * @dev: the device
 * @buf: @nlb logical blocks of data
 * @zslba: start LBA of the zone
 * @nlb: number of logical blocks (1-based)
 * @cb: completion callback; its result is the LBA the data was written at
 * @user: passed to @cb
 *
 * Return: as zns_prep_read(); -EINVAL when @zslba is not a zone start.
 */
int zns_prep_append(struct zns_queue *q, struct zns_dev *dev,
		    const void *buf, uint64_t zslba, uint32_t nlb, zns_cb cb,
		    void *user);

/**
 * zns_prep_read_opts() - queue a Read with options
 * @q: the queue
 * @dev: the device
 * @buf: receives the data (and the metadata on an extended LBA format)
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 * @opts: the options (struct zns_io_opts), or NULL for none
 * @cb: called once with the status
 * @user: passed to @cb
 *
 * @opts is read before the call returns; @buf and @opts->md must stay
 * until the callback. A command whose @opts->timeout_ms fires completes
 * with -ETIMEDOUT.
 *
 * Return: as zns_prep_read(); -EINVAL for an option the command or the
 * namespace's format does not take (zns_last_error() says which).
 */
int zns_prep_read_opts(struct zns_queue *q, struct zns_dev *dev, void *buf,
		       uint64_t slba, uint32_t nlb,
		       const struct zns_io_opts *opts, zns_cb cb, void *user);

/**
 * zns_prep_write_opts() - queue a Write with options
 * @q: the queue
 * @dev: the device
 * @buf: the data (with the metadata on an extended LBA format)
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based)
 * @opts: the options, or NULL for none
 * @cb: called once with the status
 * @user: passed to @cb
 *
 * Return: as zns_prep_read_opts().
 */
int zns_prep_write_opts(struct zns_queue *q, struct zns_dev *dev,
			const void *buf, uint64_t slba, uint32_t nlb,
			const struct zns_io_opts *opts, zns_cb cb, void *user);

/**
 * zns_prep_append_opts() - queue a Zone Append with options
 * @q: the queue
 * @dev: the device
 * @buf: the data (with the metadata on an extended LBA format)
 * @zslba: the zone's first LBA
 * @nlb: number of logical blocks (1-based)
 * @opts: the options, or NULL for none
 * @cb: called once with the status and the LBA written
 * @user: passed to @cb
 *
 * Return: as zns_prep_read_opts(); -EINVAL when @zslba is not a zone start.
 */
int zns_prep_append_opts(struct zns_queue *q, struct zns_dev *dev,
			 const void *buf, uint64_t zslba, uint32_t nlb,
			 const struct zns_io_opts *opts, zns_cb cb,
			 void *user);

/**
 * zns_prep_write_zeroes() - queue a Write Zeroes
 * @q: the queue
 * @dev: the device
 * @slba: first LBA
 * @nlb: number of logical blocks (1-based, at most 65536)
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_read().
 */
int zns_prep_write_zeroes(struct zns_queue *q, struct zns_dev *dev,
			  uint64_t slba, uint32_t nlb, zns_cb cb, void *user);

/**
 * zns_prep_flush() - queue a Flush
 * @q: the queue
 * @dev: the device
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: 0 or -EBUSY.
 */
int zns_prep_flush(struct zns_queue *q, struct zns_dev *dev, zns_cb cb,
		   void *user);

/**
 * zns_prep_mgmt_send() - queue a Zone Management Send
 * @q: the queue
 * @dev: the device
 * @slba: start LBA of the zone (see zns_mgmt_send())
 * @zsa: the action, enum nvme_zns_send_action
 * @flags: ZNS_SEND_SELECT_ALL, ZNS_SEND_ZRWA
 * @data: descriptor extension data for NVME_ZNS_ZSA_SET_DESC_EXT, else NULL
 * @len: bytes at @data
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_read().
 */
int zns_prep_mgmt_send(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zsa, unsigned int flags,
		       void *data, uint32_t len, zns_cb cb, void *user);

/**
 * zns_prep_mgmt_recv() - queue a Zone Management Receive (zone report)
 * @q: the queue
 * @dev: the device
 * @slba: first LBA to report from
 * @zra: NVME_ZNS_ZRA_REPORT_ZONES or NVME_ZNS_ZRA_EXTENDED_REPORT_ZONES
 * @zrasf: report filter
 * @partial: non-zero to set the partial bit
 * @buf: receives the report; decode it with zns_parse_report()
 * @len: bytes at @buf (multiple of 4, at least 64, at most max_xfer)
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_read().
 */
int zns_prep_mgmt_recv(struct zns_queue *q, struct zns_dev *dev,
		       uint64_t slba, unsigned int zra, unsigned int zrasf,
		       int partial, void *buf, uint32_t len, zns_cb cb,
		       void *user);

/**
 * zns_prep_identify_ns() - queue a ZNS Identify Namespace (admin)
 * @q: the queue
 * @dev: the device; the command goes to its controller /dev/nvmeX
 * @id: receives the data structure
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_read(); -ENODEV when the controller device is not
 * open.
 */
int zns_prep_identify_ns(struct zns_queue *q, struct zns_dev *dev,
			 struct nvme_zns_id_ns *id, zns_cb cb, void *user);

/**
 * zns_prep_identify_ctrl() - queue a ZNS Identify Controller (admin)
 * @q: the queue
 * @dev: the device; the command goes to its controller /dev/nvmeX
 * @id: receives the data structure
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_identify_ns().
 */
int zns_prep_identify_ctrl(struct zns_queue *q, struct zns_dev *dev,
			   struct nvme_zns_id_ctrl *id, zns_cb cb, void *user);

/**
 * zns_prep_changed_zones() - queue a Get Log Page for the Changed Zone List
 * @q: the queue
 * @dev: the device; the command goes to its controller /dev/nvmeX
 * @rae: retain asynchronous event
 * @log: receives the log
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_identify_ns().
 */
int zns_prep_changed_zones(struct zns_queue *q, struct zns_dev *dev, int rae,
			   struct nvme_zns_changed_zone_log *log, zns_cb cb,
			   void *user);

/**
 * zns_queue_wait() - prepare-submit-wait helper for synchronous use
 * @q: the queue
 * @status: the status a callback stored (see zns_sync_cb())
 *
 * Submits and reaps until *@status is no longer ZNS_PENDING: a synchronous
 * call built on the asynchronous path, e.g.
 *   int st = ZNS_PENDING;
 *   zns_prep_flush(q, dev, zns_sync_cb, &st);
 *   zns_queue_wait(q, &st);
 *
 * Return: the command's status (0, -errno or NVMe status), or -errno from
 * reaping.
 */
int zns_queue_wait(struct zns_queue *q, volatile int *status);

/* A status value no command completes with; see zns_queue_wait(). */
#define ZNS_PENDING	INT32_MIN

/**
 * zns_sync_cb() - callback that stores the status in an int
 * @user: a pointer to an int (set to ZNS_PENDING before preparing)
 * @status: the command's status
 * @result: ignored
 */
void zns_sync_cb(void *user, int status, uint64_t result);

/*
 * One-zone and all-zone helpers: zns_prep_mgmt_send() with the action
 * filled in. Inline, so they add no symbol to the library.
 */

/**
 * zns_prep_reset_zone() - queue a Reset Zone for one zone
 * @q: the queue
 * @dev: the device
 * @zslba: start LBA of the zone
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_reset_zone(struct zns_queue *q, struct zns_dev *dev,
				      uint64_t zslba, zns_cb cb, void *user)
{
	return zns_prep_mgmt_send(q, dev, zslba, NVME_ZNS_ZSA_RESET, 0, NULL,
				  0, cb, user);
}

/**
 * zns_prep_open_zone() - queue an explicit Open Zone for one zone
 * @q: the queue
 * @dev: the device
 * @zslba: start LBA of the zone
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_open_zone(struct zns_queue *q, struct zns_dev *dev,
				     uint64_t zslba, zns_cb cb, void *user)
{
	return zns_prep_mgmt_send(q, dev, zslba, NVME_ZNS_ZSA_OPEN, 0, NULL,
				  0, cb, user);
}

/**
 * zns_prep_close_zone() - queue a Close Zone for one zone
 * @q: the queue
 * @dev: the device
 * @zslba: start LBA of the zone
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_close_zone(struct zns_queue *q, struct zns_dev *dev,
				      uint64_t zslba, zns_cb cb, void *user)
{
	return zns_prep_mgmt_send(q, dev, zslba, NVME_ZNS_ZSA_CLOSE, 0, NULL,
				  0, cb, user);
}

/**
 * zns_prep_finish_zone() - queue a Finish Zone for one zone
 * @q: the queue
 * @dev: the device
 * @zslba: start LBA of the zone
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_finish_zone(struct zns_queue *q, struct zns_dev *dev,
				       uint64_t zslba, zns_cb cb, void *user)
{
	return zns_prep_mgmt_send(q, dev, zslba, NVME_ZNS_ZSA_FINISH, 0, NULL,
				  0, cb, user);
}

/**
 * zns_prep_reset_all_zones() - queue a Reset Zone with select-all
 * @q: the queue
 * @dev: the device
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_reset_all_zones(struct zns_queue *q,
					   struct zns_dev *dev, zns_cb cb,
					   void *user)
{
	return zns_prep_mgmt_send(q, dev, 0, NVME_ZNS_ZSA_RESET,
				  ZNS_SEND_SELECT_ALL, NULL, 0, cb, user);
}

/**
 * zns_prep_finish_all_zones() - queue a Finish Zone with select-all
 * @q: the queue
 * @dev: the device
 * @cb: completion callback
 * @user: passed to @cb
 *
 * Return: as zns_prep_mgmt_send().
 */
static inline int zns_prep_finish_all_zones(struct zns_queue *q,
					    struct zns_dev *dev, zns_cb cb,
					    void *user)
{
	return zns_prep_mgmt_send(q, dev, 0, NVME_ZNS_ZSA_FINISH,
				  ZNS_SEND_SELECT_ALL, NULL, 0, cb, user);
}

#ifdef __cplusplus
}
#endif
#endif /* LIBZNS_QUEUE_H */
