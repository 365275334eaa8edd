// SPDX-License-Identifier: MIT
/*
 * Names for NVMe status values and libzns errors, and the rule the last
 * refused call broke.
 *
 * Layer: status. Depends on private.h only.
 */
#include "private.h"

#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>

struct zns_status_name {
	uint16_t code;		/* SCT << 8 | SC */
	const char *name;
};

static const struct zns_status_name zns_status_names[] = {
	/* Generic command status (SCT 0) */
	{ 0x000, "Successful Completion" },
	{ 0x001, "Invalid Command Opcode" },
	{ 0x002, "Invalid Field in Command" },
	{ 0x003, "Command ID Conflict" },
	{ 0x004, "Data Transfer Error" },
	{ 0x005, "Commands Aborted due to Power Loss Notification" },
	{ 0x006, "Internal Error" },
	{ 0x007, "Command Abort Requested" },
	{ 0x008, "Command Aborted due to SQ Deletion" },
	{ 0x009, "Command Aborted due to Failed Fused Command" },
	{ 0x00a, "Command Aborted due to Missing Fused Command" },
	{ 0x00b, "Invalid Namespace or Format" },
	{ 0x00c, "Command Sequence Error" },
	{ 0x00d, "Invalid SGL Segment Descriptor" },
	{ 0x00e, "Invalid Number of SGL Descriptors" },
	{ 0x00f, "Data SGL Length Invalid" },
	{ 0x010, "Metadata SGL Length Invalid" },
	{ 0x011, "SGL Descriptor Type Invalid" },
	{ 0x012, "Invalid Use of Controller Memory Buffer" },
	{ 0x013, "PRP Offset Invalid" },
	{ 0x014, "Atomic Write Unit Exceeded" },
	{ 0x015, "Operation Denied" },
	{ 0x016, "SGL Offset Invalid" },
	{ 0x018, "Host Identifier Inconsistent Format" },
	{ 0x019, "Keep Alive Timer Expired" },
	{ 0x01a, "Keep Alive Timeout Invalid" },
	{ 0x01b, "Command Aborted due to Preempt and Abort" },
	{ 0x01c, "Sanitize Failed" },
	{ 0x01d, "Sanitize In Progress" },
	{ 0x01e, "SGL Data Block Granularity Invalid" },
	{ 0x01f, "Command Not Supported for Queue in CMB" },
	{ 0x020, "Namespace is Write Protected" },
	{ 0x021, "Command Interrupted" },
	{ 0x022, "Transient Transport Error" },
	{ 0x023, "Command Prohibited by Command and Feature Lockdown" },
	{ 0x024, "Admin Command Media Not Ready" },
	{ 0x080, "LBA Out of Range" },
	{ 0x081, "Capacity Exceeded" },
	{ 0x082, "Namespace Not Ready" },
	{ 0x083, "Reservation Conflict" },
	{ 0x084, "Format In Progress" },
	/* Command specific status (SCT 1) */
	{ 0x100, "Completion Queue Invalid" },
	{ 0x101, "Invalid Queue Identifier" },
	{ 0x102, "Invalid Queue Size" },
	{ 0x103, "Abort Command Limit Exceeded" },
	{ 0x105, "Asynchronous Event Request Limit Exceeded" },
	{ 0x106, "Invalid Firmware Slot" },
	{ 0x107, "Invalid Firmware Image" },
	{ 0x108, "Invalid Interrupt Vector" },
	{ 0x109, "Invalid Log Page" },
	{ 0x10a, "Invalid Format" },
	{ 0x10b, "Firmware Activation Requires Conventional Reset" },
	{ 0x10c, "Invalid Queue Deletion" },
	{ 0x10d, "Feature Identifier Not Saveable" },
	{ 0x10e, "Feature Not Changeable" },
	{ 0x10f, "Feature Not Namespace Specific" },
	{ 0x110, "Firmware Activation Requires NVM Subsystem Reset" },
	{ 0x111, "Firmware Activation Requires Controller Level Reset" },
	{ 0x112, "Firmware Activation Requires Maximum Time Violation" },
	{ 0x113, "Firmware Activation Prohibited" },
	{ 0x114, "Overlapping Range" },
	{ 0x115, "Namespace Insufficient Capacity" },
	{ 0x116, "Namespace Identifier Unavailable" },
	{ 0x118, "Namespace Already Attached" },
	{ 0x119, "Namespace Is Private" },
	{ 0x11a, "Namespace Not Attached" },
	{ 0x11b, "Thin Provisioning Not Supported" },
	{ 0x11c, "Controller List Invalid" },
	{ 0x11d, "Device Self-test In Progress" },
	{ 0x11e, "Boot Partition Write Prohibited" },
	{ 0x11f, "Invalid Controller Identifier" },
	{ 0x120, "Invalid Secondary Controller State" },
	{ 0x121, "Invalid Number of Controller Resources" },
	{ 0x122, "Invalid Resource Identifier" },
	{ 0x123, "Sanitize Prohibited While Persistent Memory Region is Enabled" },
	{ 0x124, "ANA Group Identifier Invalid" },
	{ 0x125, "ANA Attach Failed" },
	{ 0x126, "Insufficient Capacity" },
	{ 0x127, "Namespace Attachment Limit Exceeded" },
	{ 0x128, "Prohibition of Command Execution Not Supported" },
	{ 0x129, "I/O Command Set Not Supported" },
	{ 0x12a, "I/O Command Set Not Enabled" },
	{ 0x12b, "I/O Command Set Combination Rejected" },
	{ 0x12c, "Invalid I/O Command Set" },
	{ 0x12d, "Identifier Unavailable" },
	{ 0x180, "Conflicting Attributes" },
	{ 0x181, "Invalid Protection Information" },
	{ 0x182, "Attempted Write to Read Only Range" },
	{ 0x183, "Command Size Limit Exceeded" },
	{ 0x1b6, "Invalid Zone Operation Request" },
	{ 0x1b7, "ZRWA Resources Unavailable" },
	{ 0x1b8, "Zone Boundary Error" },
	{ 0x1b9, "Zone Is Full" },
	{ 0x1ba, "Zone Is Read Only" },
	{ 0x1bb, "Zone Is Offline" },
	{ 0x1bc, "Zone Invalid Write" },
	{ 0x1bd, "Too Many Active Zones" },
	{ 0x1be, "Too Many Open Zones" },
	{ 0x1bf, "Invalid Zone State Transition" },
	/* Media and data integrity errors (SCT 2) */
	{ 0x280, "Write Fault" },
	{ 0x281, "Unrecovered Read Error" },
	{ 0x282, "End-to-end Guard Check Error" },
	{ 0x283, "End-to-end Application Tag Check Error" },
	{ 0x284, "End-to-end Reference Tag Check Error" },
	{ 0x285, "Compare Failure" },
	{ 0x286, "Access Denied" },
	{ 0x287, "Deallocated or Unwritten Logical Block" },
	{ 0x288, "End-to-End Storage Tag Check Error" },
	/* Path related status (SCT 3) */
	{ 0x300, "Internal Path Error" },
	{ 0x301, "Asymmetric Access Persistent Loss" },
	{ 0x302, "Asymmetric Access Inaccessible" },
	{ 0x303, "Asymmetric Access Transition" },
	{ 0x360, "Controller Pathing Error" },
	{ 0x370, "Host Pathing Error" },
	{ 0x371, "Command Aborted By Host" },
};

/* What libzns's own errors mean for the caller, and what to do. */
static const char *zns_errno_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "No such device: check the path (/dev/ngXnY or /dev/nvmeXnY; 'nvme list' shows them)";
	case EACCES:
		return "Permission denied: give this user read-write access to /dev/ngXnY; from Linux 6.2 IO commands and Identify then need no privilege, while admin commands such as Get Log Page, and every passthrough command before 6.2, need CAP_SYS_ADMIN (root)";
	case EPERM:
		return "Operation not permitted: the device refused it (run as root or give this user read-write access to /dev/ngXnY and /dev/nvmeX), or (zone layer) the zone belongs to another queue: zns_last_error() names which";
	case ENOTTY:
		return "Not an NVMe namespace: give a namespace device such as /dev/ngXnY or /dev/nvmeXnY";
	case EMEDIUMTYPE:
		return "Not a zoned namespace: the namespace does not use the ZNS command set (CSI 2); pick a ZNS namespace";
	case E2BIG:
		return "Transfer too large: split it at the device's max_xfer (zasl for zone append)";
	case ERANGE:
		return "LBA range beyond the end of the namespace";
	case EBUSY:
		return "Busy: the queue holds depth commands, or (zone layer) no active token or request slot is free, or the zone is fenced or in use: reap completions with zns_reap(), or finish or reset a zone, then retry (zns_last_error() names the rule)";
	case ENODEV:
		return "No such device: the namespace was removed or its controllers deleted (open it again when it is back), or, for an admin command, the controller device /dev/nvmeX is not open (zns_last_error() says which)";
	case EOPNOTSUPP:
		return "Operation not supported by this kernel or device (io_uring passthrough needs Linux 5.19, fixed buffers 6.0, IOPOLL for passthrough 6.1)";
	case ENOSYS:
		return "io_uring is not available in this kernel: use ZNS_QUEUE_SYNC";
	case EEXIST:
		return "Queue owned by another thread: a queue binds to the first thread that prepares, submits or reaps on it; give each thread its own queue";
	case EDEADLK:
		return "Called from a completion callback of the same queue: free the queue after zns_reap() returns";
	case EFAULT:
		return "Bad address: a data buffer is NULL (libzns refuses those before sending), or the kernel could not map it and the command was not sent (libzns sends such commands again, 16 times: Linux 6.1 and 6.12 cut the address to 32 bits in some of their workers, which issue commands that met a full device queue or a controller reset; registered buffers are not cut)";
	case EINVAL:
		return "Invalid argument: a NULL handle, a length of 0, an unknown flag or action, or an LBA that must start a zone (zns_last_error() names the rule)";
	case ENOLINK:
		return "No live path to the namespace: every controller of its subsystem is reconnecting or resetting; the command was not sent (queues hold such commands until a path returns, up to ctrl_loss_tmo or nopath_hold_ms)";
	default:
		return NULL;
	}
}

ZNS_EXPORT
const char *zns_status_str(int status)
{
	size_t lo = 0, hi = sizeof(zns_status_names) / sizeof(zns_status_names[0]);
	int code;

	if (status == 0)
		return "Success";
	if (status == INT_MIN)	/* no errno is that large (and -INT_MIN
				 * does not exist) */
		return "Unknown status";
	if (status < 0) {
		const char *hint = zns_errno_hint(-status);

		return hint ? hint : strerror(-status);
	}
	code = zns_status_code(status);
	while (lo < hi) {		/* the table is sorted by code */
		size_t mid = (lo + hi) / 2;

		if (zns_status_names[mid].code == code)
			return zns_status_names[mid].name;
		if (zns_status_names[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "Unknown NVMe status";
}

ZNS_TLS const char *zns_why;
static ZNS_TLS char zns_why_buf[320];

int zns_failf(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(zns_why_buf, sizeof(zns_why_buf), fmt, ap);
	va_end(ap);
	zns_why = zns_why_buf;
	return rc;
}

ZNS_EXPORT
const char *zns_last_error(void)
{
	return zns_why ? zns_why : "no libzns call has failed on this thread";
}
