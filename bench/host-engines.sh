#!/bin/sh
# SPDX-License-Identifier: MIT
#
# host-engines.sh ZNS_BENCH [RUNTIME]: in one sitting on the host, one
# thread pinned to CPU 1, latency clocks off: the null engine (libzns's own
# cost per command) and the emulated device (libzns's in-process ZNS
# namespace) per command: 4 KiB appends at QD32 with zones larger than the
# caches (DRAM-bound copies) and with 1 MiB zones (cache-resident), random
# 4 KiB reads, and zone resets (a zone-state command).
zb=${1:?usage: host-engines.sh ZNS_BENCH [RUNTIME]}
rt=${2:-3}
pin=""
command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ] && pin="taskset -c 1"
t=$(mktemp)
trap 'rm -f "$t"' EXIT
row() {
	name=$1; shift
	$pin "$zb" --runtime="$rt" --ramp=1 --lat=0 --output-format=json "$@" |
		tr -d '\n ' > "$t"
	ios=$(grep -o '"total_ios":[0-9]*' "$t" | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
	secs=$(grep -o '"runtime_s":[0-9.]*' "$t" | cut -d: -f2)
	ns=$(awk -v i="$ios" -v s="$secs" 'BEGIN { if (i) printf "%.1f", s * 1e9 / i; else print "-" }')
	printf '| %s | %s |\n' "$name" "$ns"
}
echo "| workload (host, 1 thread) | ns per command |"
echo "|---|---:|"
row "null, randread 4k QD1" --engine=null --iodepth=1
row "null, randread 4k QD16" --engine=null --iodepth=16
row "emu, append 4k QD32, 64 MiB zones" --engine=emu --rw=append --iodepth=32
row "emu, append 4k QD32, 1 MiB zones" --engine=emu --rw=append --iodepth=32 --zonesize=1m
row "emu, randread 4k QD32" --engine=emu --rw=randread --iodepth=32
row "emu, zone reset QD32" --engine=emu --rw=reset --iodepth=32
