#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Only public symbols are exported from libzns.so, each has a man page and a
# kernel-doc comment in the public headers, and the libnvme names are there.
: "${top_builddir:?}" "${top_srcdir:?}"
so=$top_builddir/lib/.libs/libzns.so
[ -f "$so" ] || { echo "check-exports: $so not built"; exit 1; }
fail=0
syms=$(nm -D --defined-only "$so" | awk '$2 == "T" || $2 == "W" { sub(/@.*/, "", $3); print $3 }' | sort -u)
[ -n "$syms" ] || { echo "check-exports: no symbols in $so"; exit 1; }
for s in $syms; do
	case "$s" in
	zns_*|nvme_zns_*|nvme_get_log_zns_*) ;;
	*) echo "FAIL: $s is exported but not public"; fail=1 ;;
	esac
	[ -f "$top_srcdir/man/$s.3" ] || { echo "FAIL: $s has no man page"; fail=1; }
	grep -q "^ \* $s() - " "$top_srcdir"/include/libzns/*.h ||
		{ echo "FAIL: $s has no kernel-doc comment"; fail=1; }
done
for s in nvme_zns_identify_ns nvme_zns_identify_ctrl nvme_zns_get_log_changed_zones \
	nvme_get_log_zns_changed_zones nvme_zns_append nvme_zns_mgmt_send nvme_zns_mgmt_recv \
	nvme_zns_report_zones; do
	echo "$syms" | grep -qx "$s" || { echo "FAIL: seed function $s is not exported"; fail=1; }
done
n=$(echo "$syms" | wc -l)
if [ $fail = 0 ]; then echo "1 passed, 0 failed: $n exported symbols, each public, documented and with a man page"; fi
exit $fail
