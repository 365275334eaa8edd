#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ab-null.sh OLD_ZNS_BENCH NEW_ZNS_BENCH [ROUNDS] [RUNTIME]: libzns's own cost
# per command before and after a change, in one sitting: the two builds'
# zns-bench --engine=null run alternately (old, new, old, new, ...) at QD1
# and QD16, pinned to CPU 1, latency clocks off; prints each run's ns per
# command and the medians. A change to the per-command path is no worse when
# its medians are not above the old ones.
old=${1:?usage: ab-null.sh OLD_ZNS_BENCH NEW_ZNS_BENCH [ROUNDS] [RUNTIME]}
new=${2:?usage: ab-null.sh OLD_ZNS_BENCH NEW_ZNS_BENCH [ROUNDS] [RUNTIME]}
rounds=${3:-5}
rt=${4:-2}
pin=""
command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ] && pin="taskset -c 1"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# ns BIN QD: one run's nanoseconds per command
ns() {
	$pin "$1" --engine=null --iodepth="$2" --runtime="$rt" --lat=0 \
		--output-format=json > "$t/o.json" || { echo "$1 failed" >&2; exit 1; }
	tr -d '\n ' < "$t/o.json" | sed -n 's/.*"read":{[^}]*"iops":\([0-9.]*\).*/\1/p' |
		awk '{ printf "%.1f\n", 1e9 / $1 }'
}
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for qd in 1 16; do
	: > "$t/old"; : > "$t/new"
	i=0
	while [ $i -lt "$rounds" ]; do
		ns "$old" $qd >> "$t/old"
		ns "$new" $qd >> "$t/new"
		i=$((i + 1))
	done
	printf 'QD%-3s old ns/cmd: %s  median %s\n' $qd "$(tr '\n' ' ' < "$t/old")" "$(med < "$t/old")"
	printf 'QD%-3s new ns/cmd: %s  median %s\n' $qd "$(tr '\n' ' ' < "$t/new")" "$(med < "$t/new")"
done
