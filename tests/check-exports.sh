#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Only public symbols are exported, each from the library it belongs to
# (zns_* from libzns.so, the libnvme-compatible nvme_* from libzns-nvme.so
# and never from libzns.so, so linking libnvme beside libzns clashes on
# nothing); every exported function and every public inline has a man page
# and a kernel-doc comment in the public headers; every public struct, enum
# and callback type has a man page (structs a kernel-doc comment too).
: "${top_builddir:?}" "${top_srcdir:?}"
fail=0
hdrs="$top_srcdir/include/libzns/*.h"

# syms LIB: the functions a shared library exports
syms() {
	so=$top_builddir/lib/.libs/$1.so
	[ -f "$so" ] || { echo "check-exports: $so not built" >&2; return 1; }
	nm -D --defined-only "$so" | awk '$2 == "T" || $2 == "W" { sub(/@.*/, "", $3); print $3 }' | sort -u
}
documented() {
	[ -f "$top_srcdir/man/$1.3" ] || { echo "FAIL: $1 has no man page"; fail=1; }
	grep -q "^ \* $1() - " $hdrs || { echo "FAIL: $1 has no kernel-doc comment"; fail=1; }
}

zns=$(syms libzns) || exit 1
nvme=$(syms libzns-nvme) || exit 1
[ -n "$zns" ] && [ -n "$nvme" ] || { echo "check-exports: no symbols"; exit 1; }
for s in $zns; do
	case "$s" in
	zns_*) ;;
	*) echo "FAIL: libzns.so exports $s, which is not a zns_* call"; fail=1 ;;
	esac
	documented "$s"
done
for s in $nvme; do
	case "$s" in
	nvme_zns_*|nvme_get_log_zns_*) ;;
	*) echo "FAIL: libzns-nvme.so exports $s, which is not a libnvme ZNS call"; fail=1 ;;
	esac
	documented "$s"
done
for s in nvme_zns_identify_ns nvme_zns_identify_ctrl nvme_zns_get_log_changed_zones \
	nvme_get_log_zns_changed_zones nvme_zns_append nvme_zns_mgmt_send nvme_zns_mgmt_recv \
	nvme_zns_report_zones; do
	echo "$nvme" | grep -qx "$s" || { echo "FAIL: seed function $s is not exported by libzns-nvme"; fail=1; }
done
# the public inlines (one-zone helpers, status accessors, byte order)
inl=$(sed -n 's/^static inline [a-z0-9_ ]*[ *]\(zns_[a-z0-9_]*\)(.*/\1/p' $hdrs | sort -u)
[ -n "$inl" ] || { echo "check-exports: no inline functions found"; exit 1; }
for s in $inl; do
	documented "$s"
done
# every public type: each struct defined in the headers has a kernel-doc
# comment and a man page, each enum and callback typedef a man page
typ=$(sed -n 's/^struct \([a-z0-9_]*\) {.*/\1/p; s/^enum \([a-z0-9_]*\) {.*/\1/p;
	s/^typedef .*(\*\([a-z0-9_]*\))(.*/\1/p' $hdrs | sort -u)
[ -n "$typ" ] || { echo "check-exports: no public types found"; exit 1; }
for s in $typ; do
	[ -f "$top_srcdir/man/$s.3" ] || { echo "FAIL: type $s has no man page"; fail=1; }
done
for s in $(sed -n 's/^struct \([a-z0-9_]*\) {.*/\1/p' $hdrs | sort -u); do
	grep -q "^ \* struct $s - " $hdrs || { echo "FAIL: struct $s has no kernel-doc comment"; fail=1; }
done
nz=$(echo "$zns" | wc -l); nn=$(echo "$nvme" | wc -l); ni=$(echo "$inl" | wc -l)
nt=$(echo "$typ" | wc -l)
if [ $fail = 0 ]; then
	echo "1 passed, 0 failed: $nz libzns and $nn libzns-nvme symbols, $ni inlines and $nt types, each public, documented and with a man page"
fi
exit $fail
