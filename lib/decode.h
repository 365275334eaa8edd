/* SPDX-License-Identifier: MIT */
/*
 * Decoders of device data; see decode.c. Layer: decoders.
 */
#ifndef LIBZNS_DECODE_H
#define LIBZNS_DECODE_H

#include "private.h"

/* Derive the geometry from the four identify structures (4096 bytes each:
 * controller, NVM namespace, ZNS namespace, ZNS controller). Returns 0,
 * -EIO for an LBA format libzns cannot use, -EMEDIUMTYPE when the ZNS data
 * holds no zone size. */
int zns_decode_geometry(struct zns_dev *d, const void *id_ctrl,
			const void *id_ns, const void *zns_id_ns,
			const void *zns_id_ctrl);

/* Protection information format and size from the NVM Command Set
 * Identify Namespace data (CNS 0x05, CSI 0), for a namespace whose DPS
 * enables protection information; @id_ns is the NVM Identify Namespace
 * zns_decode_geometry() took. */
void zns_decode_pif(struct zns_dev *d, const void *id_ns,
		    const void *nvm_id_ns);

#endif /* LIBZNS_DECODE_H */
