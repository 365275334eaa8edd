#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-compat.sh BUILDDIR DEV NSID LBA_SIZE: inside a zns-vm guest, run the
# libnvme 1.x ZNS program built against libnvme and, unchanged, against
# libzns-nvme on the same namespace; both must pass and print the same
# lines. Then the program that includes both libraries' headers.
b=${1:?usage: guest-compat.sh BUILDDIR DEV NSID LBA_SIZE}
dev=${2:?} nsid=${3:?} lbasz=${4:?}
c=$b/tests/compat
fail=0
t=$(mktemp -d)
if [ ! -x "$c/zns-prog-libnvme" ]; then
	echo "FAIL: $c/zns-prog-libnvme is not built (configure found no libnvme-dev)"
	exit 1
fi
echo "== libnvme 1.x program: $(uname -r), $dev"
"$c/zns-prog-libnvme" "$dev" "$nsid" "$lbasz" > "$t/libnvme.out" 2>&1 ||
	{ echo "FAIL: built against libnvme:"; cat "$t/libnvme.out"; fail=1; }
"$c/zns-prog-libzns" "$dev" "$nsid" "$lbasz" > "$t/libzns.out" 2>&1 ||
	{ echo "FAIL: built against libzns-nvme:"; cat "$t/libzns.out"; fail=1; }
if cmp -s "$t/libnvme.out" "$t/libzns.out"; then
	echo "ok: libnvme and libzns-nvme builds print the same $(wc -l < "$t/libzns.out") lines"
else
	echo "FAIL: the two builds differ:"
	diff "$t/libnvme.out" "$t/libzns.out"
	fail=1
fi
"$c/zns-both" "$dev" > "$t/both.out" 2>&1 && echo "ok: $(head -n 1 "$t/both.out")" ||
	{ echo "FAIL: both headers in one program:"; cat "$t/both.out"; fail=1; }
rm -rf "$t"
exit $fail
