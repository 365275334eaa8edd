#!/bin/sh
# SPDX-License-Identifier: MIT
# libzns(7)'s bad-input table is the one tests/unit/test-badinput runs:
# every row (call, input, errno) in the same order, none missing or added.
: "${top_srcdir:?}" "${top_builddir:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
"$top_builddir/tests/unit/test-badinput" --table > "$t/suite" || exit 1
awk '/^\.\\" bad-input table: begin/ { on = 1; next }
     /^\.\\" bad-input table: end/ { on = 0 }
     on && /\|/ && !/^Call\|/ && !/^tab\(/ { print }' "$top_srcdir/man/libzns.7" > "$t/page"
if cmp -s "$t/suite" "$t/page"; then
	echo "1 passed, 0 failed: libzns(7)'s bad-input table is the suite's ($(wc -l < "$t/page") rows)"
	exit 0
fi
echo "FAIL: libzns(7)'s bad-input table differs from tests/unit/badinput.c's rows:"
diff "$t/page" "$t/suite"
exit 1
