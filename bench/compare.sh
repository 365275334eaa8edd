#!/bin/sh
# SPDX-License-Identifier: MIT
#
# compare.sh BUILDDIR [RUNTIME]: run each workload with zns-bench and with
# fio's io_uring_cmd engine, one after the other on the same device in the
# same boot, and print a table. Inside a zns-vm guest it finds the QEMU ZNS
# namespace (configuration a) and, on kernels with nvme-loop, builds the
# CPU-bound target: the kernel's NVMe target over loop on a zoned null_blk
# with memory_backed=0. Both tools are pinned to CPU 1.
# ZNS_BENCH_DEV=/dev/ngXnY runs it on that device instead (destructive).
# "null" compares only the null engines (library cost per IO, on the host),
# "devices" only the devices. ZNS_BENCH_WORKLOADS="randread 32;read 8" picks
# read workloads ("RW QD" pairs, and then no write/append rows),
# ZNS_BENCH_TARGETS="nvmet-nullb" picks targets, ZNS_BENCH_REPEAT=N repeats
# each row.
b=${1:?usage: compare.sh BUILDDIR [RUNTIME] [devices|null|all]}
rt=${2:-5}
what=${3:-all}
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
	if [ -d /sys/module/nvme_loop ] && sh "$here/../tests/vm/guest-nvmet.sh" 0; then
		eval "$(sh "$here/../tests/vm/guest-devs.sh")"
		targets="$targets nvmet-nullb:$ZNS_DEV_E"
	fi
fi

# jget FILE KEY: the number after the first "KEY" in a fio/zns-bench JSON file
jget() { tr -d '\n ' < "$1" | sed -n "s/^[^\"]*\(\"[^\"]*\"[^\"]*\)*\"$2\":\([0-9.e+-]*\).*/\2/p;" | head -n 1; }
# jdir FILE DIR KEY: KEY inside the "read" or "write" object (fio lists
# io_bytes, bw, iops before any nested object)
jdir() { tr -d '\n ' < "$1" | sed -n "s/.*\"$2\":{[^}]*\"$3\":\([0-9.e+-]*\).*/\1/p" | head -n 1; }
# iops FILE: read + write IOPS
iops() { awk -v r="$(jdir "$1" read iops)" -v w="$(jdir "$1" write iops)" 'BEGIN { printf "%.0f", r + w }'; }

row() {	# name fio.json zb.json
	fi=$(iops "$2"); zi=$(iops "$3")
	# fio: (usr+sys)% of the runtime, per IO
	fc=$(awk -v u="$(jget "$2" usr_cpu)" -v s="$(jget "$2" sys_cpu)" -v i="$fi" \
		'BEGIN { if (i > 0) printf "%.0f", (u + s) / 100 * 1e9 / i; else print "-" }')
	zc=$(jget "$3" cpu_ns_per_io)
	awk -v n="$1" -v fi="$fi" -v zi="$zi" -v fc="$fc" -v zc="$zc" 'BEGIN {
		r = fi > 0 ? zi / fi : 0
		printf "%-34s %12.0f %12.0f %7.2fx %12s %12.0f\n", n, fi, zi, r, fc, zc }'
}

printf "%-34s %12s %12s %8s %12s %12s\n" workload "fio IOPS" "zns IOPS" ratio "fio ns/IO" "zns ns/IO"
for t in $targets; do
	name=${t%%:*}; dev=${t#*:}
	zones=4
	size=$(( zones * 64 * 1024 * 1024 ))
	case " ${ZNS_BENCH_TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
	IFS=';'
	for w in ${ZNS_BENCH_WORKLOADS:-randread 32;randread 1;read 8}; do
	unset IFS
	rep=0
	while [ $rep -lt "${ZNS_BENCH_REPEAT:-1}" ]; do
		rep=$((rep + 1))
		set -- $w
		rw=$1; qd=$2
		DEV=$dev QD=$qd ZONES_SIZE=$size RUNTIME=$rt $pin fio --output-format=json \
			"$here/fio/$rw.fio" > "$out/fio.json" 2> "$out/fio.err" ||
			{ echo "fio $rw failed on $dev: $(head -c 300 "$out/fio.err")"; continue; }
		$pin "$zb" --dev="$dev" --rw="$rw" --bs=4k --iodepth="$qd" --zones=$zones \
			--runtime="$rt" --output-format=json > "$out/zb.json" ||
			{ echo "zns-bench $rw failed on $dev"; continue; }
		row "$name $rw 4k QD$qd (poll)" "$out/fio.json" "$out/zb.json"
		$pin "$zb" --dev="$dev" --rw="$rw" --bs=4k --iodepth="$qd" --zones=$zones \
			--runtime="$rt" --idle=sleep --output-format=json > "$out/zb.json" &&
		row "$name $rw 4k QD$qd (sleep)" "$out/fio.json" "$out/zb.json"
	done
	done
	unset IFS
	[ -n "$ZNS_BENCH_WORKLOADS" ] && continue
	qd=4
	if DEV=$dev JOBS=$qd ZONE_BYTES=$(( 64 * 1024 * 1024 )) RUNTIME=$rt $pin fio \
		--output-format=json "$here/fio/write-zoned.fio" > "$out/fio.json" 2> "$out/fio.err"; then
		$pin "$zb" --dev="$dev" --rw=write --bs=4k --iodepth=$qd --runtime="$rt" \
			--output-format=json > "$out/zb.json" &&
		row "$name write 4k, $qd zones at QD1" "$out/fio.json" "$out/zb.json"
	else
		echo "$name write: fio zonemode=zbd failed: $(tr '\n' ' ' < "$out/fio.err" | head -c 200)"
	fi
	$pin "$zb" --dev="$dev" --rw=append --bs=4k --iodepth=32 --zones=4 --runtime="$rt" \
		--output-format=json > "$out/zb.json" &&
	echo "$name append 4k QD32 (fio has no zone append): $(iops "$out/zb.json") IOPS, $(jget "$out/zb.json" cpu_ns_per_io) ns CPU/IO"
done
[ "$what" = devices ] && { rm -rf "$out"; exit 0; }
for qd in 1 16; do
	QD=$qd RUNTIME=$rt $pin fio --output-format=json "$here/fio/null.fio" > "$out/fio.json" 2>/dev/null &&
	$pin "$zb" --engine=null --iodepth=$qd --runtime="$rt" --lat=0 --output-format=json > "$out/zb.json" &&
	row "null engine QD$qd (library cost)" "$out/fio.json" "$out/zb.json"
done
rm -rf "$out"
