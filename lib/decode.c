// SPDX-License-Identifier: MIT
/*
 * Decoding what a device returns: identify data into the geometry libzns
 * works with, and zone reports into struct zns_zone.
 *
 * Layer: decoders. Pure functions over byte buffers (fuzzable, testable
 * with captured data); depends on private.h only.
 */
#include "decode.h"

/* The kernel's NVMe driver works in 4 KiB controller pages; MDTS and ZASL
 * are powers of two in units of CAP.MPSMIN, which the driver sets to it. */
#define ZNS_CTRL_PAGE	4096u

/* MDTS and ZASL: 2^@v minimum pages (0: no limit); a power past what 32
 * bits hold (fuzzed or broken data) is taken as 2 GiB, the most libzns
 * sends. */
static uint32_t pages(uint8_t v)
{
	if (!v)
		return 0;
	return v >= 19 ? 1u << 31 : ZNS_CTRL_PAGE << v;
}

int zns_decode_geometry(struct zns_dev *d, const void *id_ctrl,
			const void *id_ns, const void *zns_id_ns,
			const void *zns_id_ctrl)
{
	const uint8_t *ic = id_ctrl, *ns = id_ns, *zc = zns_id_ctrl;
	const struct nvme_zns_id_ns *zid = zns_id_ns;
	struct zns_dev_info *in = &d->info;
	uint8_t flbas, lbads, nlbaf, fmt;
	uint64_t v;

	/* Identify Controller: MDTS at byte 77. */
	in->mdts = pages(ic[77]);

	/* NVM Identify Namespace: NSZE at 0, NLBAF 25, FLBAS 26, LBAF[] 128. */
	memcpy(&v, ns, 8);
	d->nr_lbas = zns_le64((__le64)v);
	nlbaf = ns[25];
	flbas = ns[26];
	fmt = (flbas & 0xf) | (nlbaf > 16 ? ((flbas >> 5) & 0x3) << 4 : 0);
	lbads = ns[128 + fmt * 4 + 2];
	in->ms = ns[128 + fmt * 4] | ns[128 + fmt * 4 + 1] << 8;
	if (lbads < 9 || lbads > 24)
		return -EIO;
	/* FLBAS bit 4: metadata at the end of each block's data; DPS at 29:
	 * the protection information type (2:0) and its place (bit 3). A
	 * 16-bit guard until the NVM set's own data says otherwise
	 * (zns_decode_pif()). */
	in->ext_lba = in->ms && (flbas & 0x10);
	in->pi_type = in->ms >= 8 ? ns[29] & 0x7 : 0;
	in->pi_first = in->pi_type && (ns[29] & 0x8);
	in->pi_format = 0;
	in->pi_size = in->pi_type ? 8 : 0;
	d->md = in->ms != 0;
	d->lba_shift = lbads;

	/* ZNS Identify Namespace: zone size of the LBA format in use. */
	d->zone_size = zns_le64(zid->lbafe[fmt].zsze);
	if (!d->zone_size || d->zone_size > d->nr_lbas)
		return -EMEDIUMTYPE;
	in->zdes = zid->lbafe[fmt].zdes * 64u;
	v = zns_le32(zid->mor);
	in->max_open = v == 0xffffffffu ? ZNS_NO_LIMIT : (uint32_t)v + 1;
	v = zns_le32(zid->mar);
	in->max_active = v == 0xffffffffu ? ZNS_NO_LIMIT : (uint32_t)v + 1;
	in->zoc = zns_le16(zid->zoc);
	in->ozcs = zns_le16(zid->ozcs);
	if (in->ozcs & 0x2) {	/* ZRWASUP */
		in->numzrwa = zns_le32(zid->numzrwa) + 1;
		in->zrwas = zns_le16(zid->zrwasz);
		in->zrwafg = zns_le16(zid->zrwafg);
		in->zrwacap = zid->zrwacap;
	}

	/* ZNS Identify Controller: ZASL (0: MDTS applies). */
	in->zasl = zc[0] ? pages(zc[0]) : in->mdts;

	d->max_xfer = in->mdts ? in->mdts : (1u << 31);
	if (!in->zasl || in->zasl > d->max_xfer)
		in->zasl = d->max_xfer;
	d->zasl = in->zasl;
	in->nsid = d->nsid;
	in->lba_shift = d->lba_shift;
	in->lba_size = 1u << d->lba_shift;
	in->nr_lbas = d->nr_lbas;
	in->zone_size = d->zone_size;
	in->nr_zones = d->nr_lbas / d->zone_size;
	in->max_xfer = d->max_xfer;
	d->zone_mask = (d->zone_size & (d->zone_size - 1)) ? 0 :
		       d->zone_size - 1;
	return 0;
}

void zns_decode_pif(struct zns_dev *d, const void *id_ns,
		    const void *nvm_id_ns)
{
	const uint8_t *ns = id_ns, *nvm = nvm_id_ns;
	struct zns_dev_info *in = &d->info;
	uint8_t nlbaf = ns[25], flbas = ns[26];
	unsigned int fmt = (flbas & 0xf) |
			   (nlbaf > 16 ? ((flbas >> 5) & 0x3) << 4 : 0);
	/* NVM Command Set Identify Namespace: ELBAF[] from byte 12, PIF in
	 * bits 8:7 of each */
	uint32_t elbaf = nvm[12 + fmt * 4] | nvm[13 + fmt * 4] << 8;
	uint8_t pif = (elbaf >> 7) & 0x3;

	if (!in->pi_type || pif > 2)
		return;
	in->pi_format = pif;
	in->pi_size = pif ? 16 : 8;
	if (in->pi_size > in->ms) {	/* no room for it: as no PI */
		in->pi_type = 0;
		in->pi_first = 0;
		in->pi_size = 0;
		in->pi_format = 0;
	}
}

ZNS_EXPORT
int zns_parse_report(const void *buf, size_t len, uint32_t zdes,
		     struct zns_zone *zones, unsigned int max, unsigned int *nr)
{
	const struct nvme_zone_report *r = buf;
	const uint8_t *p = buf;
	size_t stride = sizeof(struct nvme_zns_desc) + zdes;
	uint64_t n, fit;
	unsigned int i;

	if (!nr)
		return zns_fail(-EINVAL, "zns_parse_report: nr is NULL");
	*nr = 0;
	if (!buf)
		return zns_fail(-EINVAL, "zns_parse_report: buf is NULL");
	if (len < sizeof(*r))
		return zns_fail(-EINVAL, "zns_parse_report: len is shorter than the 64-byte report header");
	if (!zones && max)
		return zns_fail(-EINVAL, "zns_parse_report: zones is NULL");
	n = zns_le64(r->nr_zones);
	fit = (len - sizeof(*r)) / stride;
#ifdef ZNS_FUZZ_PLANT
	/* tests/fuzz/run.sh plants this bug (one descriptor past the end)
	 * to check that the fuzzer finds it; never defined otherwise */
	fit++;
#endif
	if (n > fit)
		n = fit;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		const struct nvme_zns_desc *d = (const void *)
			(p + sizeof(*r) + i * stride);

		zones[i].zslba = zns_le64(d->zslba);
		zones[i].zcap = zns_le64(d->zcap);
		zones[i].wp = zns_le64(d->wp);
		zones[i].type = d->zt & 0xf;
		zones[i].state = d->zs >> NVME_ZNS_ZS_SHIFT;
		zones[i].attrs = d->za;
		zones[i].attr_info = d->zai;
		memset(zones[i].rsvd, 0, sizeof(zones[i].rsvd));
	}
	*nr = (unsigned int)n;
	return 0;
}
