#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The field tables of the type man pages say what the compiler says: for
# every row "field|offset|bytes|..." of a struct page's table, a program
# asserts offsetof() and sizeof() at compile time; and the rows cover the
# struct (their bytes add up to its size, less at most 7 bytes of padding
# at the end). A page that drifts from its header fails here.
: "${top_builddir:?}" "${top_srcdir:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
c=$t/types.c
{
	echo '#include <stddef.h>'
	echo '#include <libzns.h>'
} > "$c"
n=0
for page in "$top_srcdir"/man/*.3; do
	grep -q '^struct [a-z0-9_]* {$' "$page" && grep -q '^\.TS' "$page" || continue
	n=$((n + 1))
	# the struct of a table: the page's first, or the one its section
	# names ("Fields of struct X"); rows are "field|offset|bytes|..."
	awk -F'|' '
	function done() {
		if (s != "" && rows)
			printf "_Static_assert(sizeof(struct %s) >= %d && sizeof(struct %s) - %d < 8, \"%s: the rows cover the struct\");\n", s, sum, s, sum, s
		rows = 0; sum = 0
	}
	/^struct [a-z0-9_]* \{$/ && s == "" { s = $0; sub(/^struct /, "", s); sub(/ \{$/, "", s) }
	/^\.SS Fields of struct / { s = $0; sub(/^\.SS Fields of struct /, "", s) }
	/^\.TS/ { intab = 1; rule = 0; next }
	/^\.TE/ { done(); intab = 0; next }
	intab && /^_$/ { rule = 1; next }
	intab && rule && /^[a-z_0-9]+\|[0-9]+\|[0-9]+\|/ {
		printf "_Static_assert(offsetof(struct %s, %s) == %s, \"%s.%s offset\");\n", s, $1, $2, s, $1
		if ($3 > 0)
			printf "_Static_assert(sizeof(((struct %s *)0)->%s) == %s, \"%s.%s size\");\n", s, $1, $3, s, $1
		sum += $3; rows++
	}' "$page" >> "$c"
done
[ "$n" -gt 0 ] || { echo "check-type-pages: no struct pages found"; exit 1; }
if ${CC:-cc} -std=c11 -I"$top_srcdir/include" -c "$c" -o "$t/types.o" 2> "$t/err"; then
	echo "1 passed, 0 failed: the field tables of $n struct pages match their headers"
else
	echo "FAIL: a type page's table differs from its header:"
	grep -o '"[a-z0-9_.]* [a-z]*"\|the rows cover[^"]*' "$t/err" | sort -u | head -20
	exit 1
fi
