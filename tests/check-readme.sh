#!/bin/sh
# SPDX-License-Identifier: MIT
# README stays true: its performance table is the one bench/RESULTS.md
# marks for it (bench/readme-table.sh), and its one-screen example (from
# "One screen of it" to "Every function") compiles and links against this
# library with every warning an error.
: "${top_srcdir:?}" "${top_builddir:?}"
sh "$top_srcdir/bench/readme-table.sh" --check || exit 1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
awk '/^One screen of it/ { on = 1; next } /^Every function/ { on = 0 }
     on && /^    / { sub(/^    /, ""); print }' "$top_srcdir/README" > "$t/ex.c"
[ "$(grep -c 'int main' "$t/ex.c")" = 1 ] ||
	{ echo "FAIL: README's one-screen example was not found"; exit 1; }
if ${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -I"$top_srcdir/include" \
	-o "$t/ex" "$t/ex.c" -L"$top_builddir/lib/.libs" -lzns 2> "$t/err"; then
	echo "1 passed, 0 failed: README's example compiles and links"
else
	echo "FAIL: README's example does not build:"
	cat "$t/err"
	exit 1
fi
