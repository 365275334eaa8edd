/* SPDX-License-Identifier: MIT */
/*
 * The in-process ZNS device behind zns_dev_open_emu(); see emu.c.
 *
 * Layer: transport (beside ioctl.c): it takes a command encoded exactly as
 * the kernel would get it and answers with the status and result a device
 * gives. Depends on private.h only.
 */
#ifndef LIBZNS_EMU_INTERNAL_H
#define LIBZNS_EMU_INTERNAL_H

#include "private.h"

struct zns_emu;

/* Run one command; @how is ZNS_EXEC_IO, ZNS_EXEC_ADMIN or ZNS_EXEC_IOVEC
 * (addr names data_len struct iovec, each a whole number of blocks). Returns 0, -errno or the NVMe status; *result gets the
 * command result; *delay_us (when not NULL) how long a ZNS_EMU_DELAY fault
 * holds the completion back. Thread-safe. */
int zns_emu_exec(struct zns_emu *e, int how, const struct nvme_uring_cmd *c,
		 uint64_t *result, uint32_t *delay_us);

/* Make an emulator from checked options (zns_dev_open_emu()); faults in
 * ZNS_EMU_FAULTS are armed. */
int zns_emu_create(const struct zns_emu_opts *opts, struct zns_emu **ep);

/* Arm the faults a ZNS_EMU_FAULTS string names. */
int zns_emu_parse_faults(struct zns_emu *e, const char *spec);

void zns_emu_free(struct zns_emu *e);

/* Is there a path to the namespace (no ZNS_EMU_NO_PATH window open)? */
int zns_emu_path_live(struct zns_emu *e);

#endif /* LIBZNS_EMU_INTERNAL_H */
