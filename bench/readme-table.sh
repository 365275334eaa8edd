#!/bin/sh
# SPDX-License-Identifier: MIT
#
# readme-table.sh [--check]: copy the performance table that bench/
# RESULTS.md marks for README (the table after the line
# "<!-- README table -->") into README, between its "<!-- perf:begin -->"
# and "<!-- perf:end -->" lines, as aligned plain text with the columns a
# reader compares: IOPS of each tool and zns-bench's ratios. With --check,
# change nothing and fail when README's copy differs (make check runs this).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
res=$top/bench/RESULTS.md
readme=$top/README
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

grep -q '^<!-- README table -->$' "$res" ||
	{ echo "readme-table: no '<!-- README table -->' line in $res" >&2; exit 1; }
grep -q '^<!-- perf:begin -->$' "$readme" && grep -q '^<!-- perf:end -->$' "$readme" ||
	{ echo "readme-table: README lacks the <!-- perf:begin --> and <!-- perf:end --> lines" >&2; exit 1; }

# The marked table's rows: workload, fio, zns, xNVMe IOPS, zns/fio,
# zns/xNVMe (its first six columns).
awk -F'|' '
	/^<!-- README table -->$/ { on = 1; next }
	on && /^\|/ { seen = 1
		if ($2 ~ /^---/) next
		for (i = 2; i <= 7; i++) { gsub(/^ +| +$/, "", $i) }
		print $2 "|" $3 "|" $4 "|" $5 "|" $6 "|" $7; next }
	on && seen && !/^- / { exit }
' "$res" > "$t/rows"
[ -s "$t/rows" ] || { echo "readme-table: the marked table in $res is empty" >&2; exit 1; }
awk -F'|' '
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
	END {
		for (r = 1; r <= n; r++) {
			line = sprintf("    %-" w[1] "s", c[r, 1])
			for (i = 2; i <= 6; i++) line = line sprintf("  %" w[i] "s", c[r, i])
			sub(/ +$/, "", line); print line
		}
	}' "$t/rows" > "$t/table"
awk -v tf="$t/table" '
	/^<!-- perf:begin -->$/ { print; while ((getline l < tf) > 0) print l; skip = 1; next }
	/^<!-- perf:end -->$/ { skip = 0 }
	!skip { print }
' "$readme" > "$t/README"
if [ "${1:-}" = --check ]; then
	if cmp -s "$readme" "$t/README"; then
		echo "1 passed, 0 failed: README's performance table is bench/RESULTS.md's"
		exit 0
	fi
	echo "FAIL: README's performance table differs from the one bench/RESULTS.md marks; run bench/readme-table.sh:" >&2
	diff "$readme" "$t/README" >&2 || true
	exit 1
fi
cp "$t/README" "$readme"
echo "readme-table: README's performance table updated from $res"
