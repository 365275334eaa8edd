#!/bin/sh
# SPDX-License-Identifier: MIT
#
# compare.sh BUILDDIR [RUNTIME] [devices|null|all]: run each workload with
# zns-bench and with fio's io_uring_cmd engine, one after the other on the
# same device in the same boot, and print a table. Inside a zns-vm guest it
# finds the QEMU ZNS namespace (configuration a) and, on kernels with
# nvme-loop, builds the CPU-bound target: the kernel's NVMe target over loop
# on a zoned null_blk with memory_backed=0. Both tools are pinned to CPU 1.
# ZNS_BENCH_DEV=/dev/ngXnY runs it on that device instead (destructive).
# "null" compares only the null engines (library cost per IO, on the host),
# "devices" only the devices.
#
# "ordered QD" is the zone layer's anchor: sequential 4 KiB writes at QD
# into one zone, fio through the kernel's zoned block device (/dev/nvmeXnY:
# zone write plugging orders and merges them) against zns-bench through the
# zone layer on the char device (ordered and merged by libzns).
# Read workloads are "RW QD [REAP]" entries: REAP > 1 makes both tools wait
# for that many completions per reap (fio iodepth_batch_complete_min,
# zns-bench --idle=sleep --iodepth_batch_complete_min); without it zns-bench
# runs twice, polling and sleeping, against one fio run reaping one at a time.
# ZNS_BENCH_WORKLOADS="randread 32;randread 32 8" picks them (and then no
# write/append rows), ZNS_BENCH_TARGETS="nvmet-nullb" picks targets,
# ZNS_BENCH_REPEAT=N runs every row N times, alternating the tools, and adds
# the medians. ZNS_BENCH_RAMP=S (whole seconds, default 1) runs each device
# workload S seconds before measuring, in both tools (fio ramp_time,
# zns-bench --ramp): without it, the first pair of runs on the nvmet target
# was repeatedly the slowest, a warm-up rather than either tool's cost.
#
# Columns: IOPS of each; the ratio; CPU per IO of the benchmark's own thread
# (fio: usr+sys of its process; zns-bench: its job thread); and, with a
# RUNTIME of 3 s or more, CPU per IO of the whole machine (every CPU's busy
# time from /proc/stat, sampled from 1 s after the ramp to 1 s before the
# end), which includes the target's side of each IO.
b=${1:?usage: compare.sh BUILDDIR [RUNTIME] [devices|null|all]}
rt=${2:-5}
what=${3:-all}
ramp=${ZNS_BENCH_RAMP:-1}
case $ramp in *[!0-9]*|'') echo "compare.sh: ZNS_BENCH_RAMP must be whole seconds" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
zb=$b/bench/zns-bench
pin="taskset -c 1"
nproc | grep -qx 1 && pin=""
out=$(mktemp -d)

targets=""
if [ "$what" = null ]; then
	:
elif [ -n "$ZNS_BENCH_DEV" ]; then
	targets="device:$ZNS_BENCH_DEV"
else
	eval "$(sh "$here/../tests/vm/guest-devs.sh")"
	targets="qemu-zns:$ZNS_DEV_A"
	# the nvmet target, built once per boot
	if [ -z "$ZNS_DEV_E" ] && [ -d /sys/module/nvme_loop ] &&
		sh "$here/../tests/vm/guest-nvmet.sh" 0; then
		eval "$(sh "$here/../tests/vm/guest-devs.sh")"
	fi
	[ -n "$ZNS_DEV_E" ] && targets="$targets nvmet-nullb:$ZNS_DEV_E"
fi

# jget FILE KEY: the number after the first "KEY" in a fio/zns-bench JSON file
jget() { tr -d '\n ' < "$1" | sed -n "s/^[^\"]*\(\"[^\"]*\"[^\"]*\)*\"$2\":\([0-9.e+-]*\).*/\2/p;" | head -n 1; }
# jdir FILE DIR KEY: KEY inside the "read" or "write" object (fio lists
# io_bytes, bw, iops before any nested object)
jdir() { tr -d '\n ' < "$1" | sed -n "s/.*\"$2\":{[^}]*\"$3\":\([0-9.e+-]*\).*/\1/p" | head -n 1; }
# iops FILE: read + write IOPS
iops() { awk -v r="$(jdir "$1" read iops)" -v w="$(jdir "$1" write iops)" 'BEGIN { printf "%.0f", r + w }'; }

# sample NAME: in the background, every CPU's busy time over the middle of
# the run: "BUSY-SECONDS WINDOW-SECONDS" into $out/NAME.busy
sample() {
	rm -f "$out/$1.busy"
	[ "$rt" -ge 3 ] 2>/dev/null || return 0
	(
		sleep $((ramp + 1))
		a=$(head -n 1 /proc/stat)
		t0=$(date +%s.%N)
		sleep $((rt - 2))
		z=$(head -n 1 /proc/stat)
		t1=$(date +%s.%N)
		echo "$a" "$z" | awk -v t0="$t0" -v t1="$t1" '{
			# cpu user nice system idle iowait irq softirq steal (x2)
			b0 = $2 + $3 + $4 + $7 + $8 + $9; b1 = $13 + $14 + $15 + $18 + $19 + $20
			printf "%.3f %.3f\n", (b1 - b0) / 100, t1 - t0 }' > "$out/$1.busy"
	) &
}
# allcpu NAME IOPS: whole-machine CPU ns per IO, or "-"
allcpu() {
	wait
	if [ -s "$out/$1.busy" ]; then
		awk -v i="$2" '{ if (i > 0 && $2 > 0) printf "%.0f", $1 * 1e9 / (i * $2); else print "-" }' "$out/$1.busy"
	else
		echo -
	fi
}

# row NAME FIO.json ZB.json FIO-ALLCPU ZB-ALLCPU: print a row, keep it for the medians
row() {
	fi=$(iops "$2"); zi=$(iops "$3")
	# fio: (usr+sys)% of the runtime, per IO
	fc=$(awk -v u="$(jget "$2" usr_cpu)" -v s="$(jget "$2" sys_cpu)" -v i="$fi" \
		'BEGIN { if (i > 0) printf "%.0f", (u + s) / 100 * 1e9 / i; else print "-" }')
	zc=$(jget "$3" cpu_ns_per_io)
	echo "$1|$fi|$zi|$fc|$zc|$4|$5" >> "$out/rows"
	line "$1" "$fi" "$zi" "$fc" "$zc" "$4" "$5"
}
line() {
	awk -v n="$1" -v fi="$2" -v zi="$3" -v fc="$4" -v zc="$5" -v fa="$6" -v za="$7" 'BEGIN {
		r = fi > 0 ? zi / fi : 0
		printf "%-44s %9.0f %9.0f %6.2fx %9s %9.0f %9s %9s\n", n, fi, zi, r, fc, zc, fa, za }'
}
header() {
	printf "%-44s %9s %9s %7s %9s %9s %9s %9s\n" workload "fio IOPS" "zns IOPS" ratio \
		"fio ns/IO" "zns ns/IO" "fio all" "zns all"
}

# fiorun JOB [VAR=VALUE...]: fio pinned, sampled, into $out/fio.json
fiorun() {
	job=$1; shift
	sample fio
	env "$@" RUNTIME="$rt" RAMP="$ramp" $pin fio --output-format=json "$here/fio/$job.fio" \
		> "$out/fio.json" 2> "$out/fio.err" || {
		wait
		echo "fio $job failed: $(head -c 300 "$out/fio.err")"
		return 1
	}
	fa=$(allcpu fio "$(iops "$out/fio.json")")
}
# zbrun ARGS...: zns-bench pinned, sampled, into $out/zb.json
zbrun() {
	sample zb
	$pin "$zb" --runtime="$rt" --ramp="$ramp" --output-format=json "$@" > "$out/zb.json" || {
		wait
		echo "zns-bench $* failed"
		return 1
	}
	za=$(allcpu zb "$(iops "$out/zb.json")")
}

header
: > "$out/rows"
for t in $targets; do
	name=${t%%:*}; dev=${t#*:}
	zones=4
	size=$(( zones * 64 * 1024 * 1024 ))
	case " ${ZNS_BENCH_TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
	IFS=';'
	for w in ${ZNS_BENCH_WORKLOADS:-randread 32;randread 32 8;randread 1;read 8;ordered 32}; do
	unset IFS
	rep=0
	while [ $rep -lt "${ZNS_BENCH_REPEAT:-1}" ]; do
		rep=$((rep + 1))
		set -- $w
		rw=$1; qd=$2; reap=${3:-1}
		if [ "$rw" = ordered ]; then
			blk=/dev/$(basename "$dev" | sed 's/^ng/nvme/')
			[ -b "$blk" ] || { echo "$name ordered: no block device $blk"; continue; }
			# before zone write plugging (6.10) only mq-deadline
			# keeps a zone's writes in order
			uname -r | awk -F. '{ exit !($1 < 6 || ($1 == 6 && $2 < 10)) }' &&
				echo mq-deadline > "/sys/block/$(basename "$blk")/queue/scheduler"
			fiorun write-zbd DEV="$blk" QD="$qd" ZONE_BYTES=$(( 64 * 1024 * 1024 )) || continue
			zbrun --dev="$dev" --rw=write --bs=4k --iodepth="$qd" --zones=1 &&
			row "$name ordered write 4k QD$qd, 1 zone (fio: block dev)" "$out/fio.json" "$out/zb.json" "$fa" "$za"
			continue
		fi
		zargs="--dev=$dev --rw=$rw --bs=4k --iodepth=$qd --zones=$zones"
		fiorun "$rw" DEV="$dev" QD="$qd" BATCH="$reap" ZONES_SIZE="$size" || continue
		if [ "$reap" -gt 1 ]; then
			zbrun $zargs --idle=sleep --iodepth_batch_complete_min="$reap" &&
			row "$name $rw 4k QD$qd (reap $reap, sleep)" "$out/fio.json" "$out/zb.json" "$fa" "$za"
			continue
		fi
		zbrun $zargs &&
		row "$name $rw 4k QD$qd (poll)" "$out/fio.json" "$out/zb.json" "$fa" "$za"
		zbrun $zargs --idle=sleep &&
		row "$name $rw 4k QD$qd (sleep)" "$out/fio.json" "$out/zb.json" "$fa" "$za"
	done
	done
	unset IFS
	[ -n "$ZNS_BENCH_WORKLOADS" ] && continue
	qd=4
	if fiorun write-zoned DEV="$dev" JOBS=$qd ZONE_BYTES=$(( 64 * 1024 * 1024 )); then
		# bare commands, as fio sends them (zns-bench's default
		# goes through the zone layer)
		zbrun --dev="$dev" --rw=write --raw --bs=4k --iodepth=$qd &&
		row "$name write 4k, $qd zones at QD1" "$out/fio.json" "$out/zb.json" "$fa" "$za"
	fi
	zbrun --dev="$dev" --rw=append --raw --bs=4k --iodepth=32 --zones=4 &&
	echo "$name append 4k QD32 (fio has no zone append): $(iops "$out/zb.json") IOPS, $(jget "$out/zb.json" cpu_ns_per_io) ns CPU/IO, $za ns all-CPU/IO"
done

# The medians of repeated rows (each column on its own).
if [ "${ZNS_BENCH_REPEAT:-1}" -gt 1 ]; then
	echo "medians of ${ZNS_BENCH_REPEAT} runs (ratio = median zns IOPS / median fio IOPS):"
	cut -d'|' -f1 "$out/rows" | awk '!seen[$0]++' | while IFS= read -r n; do
		med() { awk -F'|' -v n="$n" -v c="$1" '$1 == n && $c != "-" { print $c }' "$out/rows" | sort -n |
			awk '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
				else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
		line "$n" "$(med 2)" "$(med 3)" "$(med 4)" "$(med 5)" "$(med 6)" "$(med 7)"
	done
fi
[ "$what" = devices ] && { rm -rf "$out"; exit 0; }
for qd in 1 16; do
	QD=$qd RUNTIME=$rt $pin fio --output-format=json "$here/fio/null.fio" > "$out/fio.json" 2>/dev/null &&
	$pin "$zb" --engine=null --iodepth=$qd --runtime="$rt" --lat=0 --output-format=json > "$out/zb.json" &&
	row "null engine QD$qd (library cost)" "$out/fio.json" "$out/zb.json" - -
done
rm -rf "$out"
