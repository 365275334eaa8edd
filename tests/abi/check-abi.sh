#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The promise of the symbol map: a program built against an earlier
# release's headers runs against this library. tests/abi/v0.2 holds release
# 0.2's public headers and its example emu-test.c, as they were when the
# LIBZNS_0.2 node was the newest (commit cf78fd3); tests/abi/old-zoned.c is
# written against those headers. Both are compiled with 0.2's headers,
# linked to this tree's libzns and run; every libzns symbol they take must
# come from a 0.1 or 0.2 node (a symbol moved to a newer node would break
# every program built before).
: "${top_srcdir:?}" "${top_builddir:?}"
here=$top_srcdir/tests/abi
lib=$top_builddir/lib/.libs
cc=${CC:-cc}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fail=0
[ -e "$lib/libzns.so" ] || { echo "SKIP: no shared libzns in $lib (a static-only build)"; exit 77; }
for prog in "$here/v0.2/examples/emu-test.c" "$here/old-zoned.c"; do
	name=$(basename "$prog" .c)
	if ! $cc -std=gnu11 -O1 -I"$here/v0.2/include" -o "$t/$name" "$prog" \
		-L"$lib" -lzns -Wl,-rpath,"$lib" 2> "$t/cc.err"; then
		echo "FAIL: $name does not build against 0.2's headers: $(head -c 400 "$t/cc.err")"
		fail=1
		continue
	fi
	# undefined zns_* symbols and the version node each binds to
	vers=$(objdump -T "$t/$name" | awk '/\*UND\*/ && / zns_/ { v = $(NF - 1); gsub(/[()]/, "", v); print v }' |
		sort -u | tr '\n' ' ')
	[ -n "$vers" ] || { echo "FAIL: $name binds no libzns symbol to a version node"; fail=1; }
	for v in $vers; do
		case $v in
		LIBZNS_0.1|LIBZNS_0.2) ;;
		*) echo "FAIL: $name takes a libzns symbol from node $v, newer than 0.2"; fail=1 ;;
		esac
	done
	if (cd "$t" && LD_LIBRARY_PATH="$lib" "./$name") > "$t/out" 2>&1; then
		echo "ok: $name (0.2 headers, symbol nodes: $vers) runs against this libzns"
	else
		echo "FAIL: $name against this libzns: $(tail -n 5 "$t/out")"
		fail=1
	fi
done
exit $fail
