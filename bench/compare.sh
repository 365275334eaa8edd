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
# zns-bench's buffers are the queue's own (zns_queue_alloc_buffer(3)), which
# libzns registers with the kernel; xnvmeperf's come from xnvme_buf_alloc(),
# which its io_uring_cmd backend does not register, and fio's are its own,
# not registered in these jobs. After each polled row comes zns-bench
# polling with plain buffers (--plainbufs: memory of its own, not
# registered, as the other two have; ZNS_BENCH_PLAIN=0 leaves it out),
# beside the same fio and xNVMe runs.
# Last in each polled read row's turn, when the namespace has a poll queue
# (its queue/io_poll is 1; zns-vm's guests boot with nvme.poll_queues=1),
# comes a row in which all three tools complete by IOPOLL, polling that
# queue in the kernel instead of taking interrupts: fio hipri=1, zns-bench
# --hipri (ZNS_QUEUE_IOPOLL), xnvmeperf --poll_io 1. ZNS_BENCH_IOPOLL=0
# leaves it out.
# After each sleeping row comes one per value of ZNS_BENCH_SPIN (default
# "20"; empty: none): zns-bench --idle=spin:US, which polls that many
# microseconds before it sleeps (the queue's spin_us).
# ZNS_BENCH_WORKLOADS="randread 32;randread 32 8" picks them (and then no
# write/append rows), ZNS_BENCH_TARGETS="nvmet-nullb" picks targets,
# ZNS_BENCH_REPEAT=N runs every row N times, alternating the tools, and adds
# the medians. ZNS_BENCH_RAMP=S (whole seconds, default 1) runs each device
# workload S seconds before measuring, in both tools (fio ramp_time,
# zns-bench --ramp): without it, the first pair of runs on the nvmet target
# was repeatedly the slowest, a warm-up rather than either tool's cost.
#
# xNVMe: when xnvmeperf is found (XNVMEPERF=path, or bench/peers/xnvme in
# BUILDDIR, where bench/peers/xnvme.sh builds it), each polled read row runs
# it too, in the same rotation (fio, zns-bench, xnvmeperf), on the same
# device, block size, queue depth and CPU, with its io_uring_cmd backend;
# the null rows run its nil queue beside zns-bench's null engine, and the
# append row its zoned append example. xnvmeperf has no ramp: it runs the
# ramp, the runtime and one second more (so that a late wake-up of the
# sampler still finds it running), and its IOPS are over all of them; the
# CPU sampler's window (below) is the same for all three. It reads the whole
# namespace, not ZONES_SIZE: the read rows give all three the whole
# namespace when it is there. XNVMEPERF=none leaves it out. xnvmeperf only
# polls, so zns-bench's sleeping and spinning rows stand beside the same
# xnvmeperf run as its polled row: what an engine that shares its cores
# gets from each library.
#
# Columns: IOPS of each; the ratios zns/fio (and zns/xNVMe); CPU per IO of
# the benchmark's process; and CPU per IO of the whole machine, which
# includes the target's side of each IO. With a RUNTIME of 3 s or more both
# come from one sampler for every tool: the process's utime+stime
# (/proc/PID/stat) and the machine's busy time (the window on every CPU
# less idle and iowait, /proc/stat and /proc/uptime), from 1 s after the
# ramp to 1 s before the end. Below 3 s, fio's and zns-bench's own
# figures (fio: usr+sys of its process; zns-bench: its job thread) and no
# whole-machine column. Under each row, the same window's interrupts on the
# whole machine per IO (the intr line of /proc/stat, IPIs included): how
# each tool's completions reach its task, which no CPU column shows.
b=${1:?usage: compare.sh BUILDDIR [RUNTIME] [devices|null|all]}
rt=${2:-5}
what=${3:-all}
ramp=${ZNS_BENCH_RAMP:-1}
case $ramp in *[!0-9]*|'') echo "compare.sh: ZNS_BENCH_RAMP must be whole seconds" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
zb=$b/bench/zns-bench
pin="taskset -c 1"
cpus=1
nproc | grep -qx 1 && { pin=""; cpus=0; }
# this shell and what it starts unpinned (the sampler's sleeps) on CPU 0,
# away from the benchmark's
[ -n "$pin" ] && taskset -p -c 0 $$ >/dev/null 2>&1
out=$(mktemp -d)
xp=${XNVMEPERF:-$b/bench/peers/xnvme/tools/xnvmeperf/xnvmeperf}
xa=$(dirname "$xp")/../../examples/zoned_io_async
[ -x "$xp" ] || xp=""
[ -x "$xa" ] || xa=""
tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
ncpu=$(grep -c '^cpu[0-9]' /proc/stat)

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

# say TEXT: progress, on stderr, before each workload's runs
say() { echo "compare.sh: $* ..." >&2; }
# launch NAME OUT CMD...: run CMD (pinned) into OUT, and sample it: with a
# RUNTIME of 3 s or more, from 1 s after the ramp to 1 s before the end, the
# process's CPU seconds, the machine's busy seconds and its interrupts, into
# $out/NAME.busy as "PROC-SECONDS BUSY-SECONDS WINDOW-SECONDS INTERRUPTS".
# Returns CMD's status.
# The sampler starts no process inside the run: its two sleeps start before
# CMD, and it reads /proc with the shell's own read. (The first version ran
# head, sed, awk and date at both ends of the window, and that took 15-35%
# off zns-bench's IOPS in the guests, bench/RESULTS.md.)
# statline: /proc/stat's first line into $st, and its interrupt count (the
# first number of the intr line, every CPU's) into $si
statline() {
	st=; si=
	while read -r k v rest; do
		case $k in
		cpu) st="$k $v $rest" ;;
		intr) si=$v; return 0 ;;
		esac
	done < /proc/stat
}
launch() {
	lname=$1; lout=$2; shift 2
	rm -f "$out/$lname.busy"
	sa=; sz=; pa=; pz=; ua=; uz=; ia=; iz=
	if [ "$rt" -ge 3 ] 2>/dev/null; then
		sleep $((ramp + 1)) & s1=$!
		sleep $((ramp + rt - 1)) & s2=$!
	fi
	"$@" > "$lout" 2> "$lout.err" &
	pid=$!
	if [ "$rt" -ge 3 ] 2>/dev/null; then
		wait "$s1"
		if [ -r "/proc/$pid/stat" ]; then
			statline; sa=$st; ia=$si
			read -r pa < "/proc/$pid/stat"; read -r ua _ < /proc/uptime
		fi
		wait "$s2"
		if [ -n "$pa" ] && [ -r "/proc/$pid/stat" ]; then
			statline; sz=$st; iz=$si
			read -r pz < "/proc/$pid/stat"; read -r uz _ < /proc/uptime
		fi
	fi
	wait "$pid"
	lrc=$?
	if [ -n "$pz" ]; then
		# /proc/PID/stat: utime and stime are fields 14 and 15, the
		# 12th and 13th after the command name's closing parenthesis
		printf '%s\n%s\n%s\n%s\n' "$sa" "$sz" "${pa##*) }" "${pz##*) }" | awk -v t0="$ua" -v t1="$uz" -v hz="$tck" -v n="$ncpu" \
			-v i0="${ia:-0}" -v i1="${iz:-0}" '
			# cpu user nice system idle iowait irq softirq steal: busy
			# time on the machine is the window on every CPU less
			# idle and iowait (timed exactly on a tickless kernel);
			# the busy fields come from the timer tick, and a CPU
			# that idles between ticks has its busy time missed
			NR <= 2 { i[NR] = $5 + $6 }
			NR > 2 { p[NR - 2] = $12 + $13 }
			END { w = t1 - t0; b = n * w - (i[2] - i[1]) / hz; if (b < 0) b = 0
				printf "%.3f %.3f %.3f %d\n", (p[2] - p[1]) / hz, b, w, i1 - i0 }' > "$out/$lname.busy"
	elif [ "$rt" -ge 3 ] 2>/dev/null; then
		echo "compare.sh: no CPU sample of $lname (process $pid ended before the window's end, status $lrc)" >&2
	fi
	return $lrc
}
# perio NAME IOPS COLUMN SCALE FORMAT: COLUMN of the sampler's $out/NAME.busy
# per IO of the window, times SCALE, or "-"
perio() {
	if [ -s "$out/$1.busy" ]; then
		awk -v i="$2" -v c="$3" -v k="$4" -v f="$5" '{ if (i > 0 && $3 > 0 && NF >= c) printf f, $c * k / (i * $3); else print "-" }' "$out/$1.busy"
	else
		echo -
	fi
}
# cpuper NAME IOPS COLUMN: ns of CPU per IO (COLUMN 1: the process, 2: the
# machine); irqper NAME IOPS: the machine's interrupts per IO (every CPU's,
# IPIs included)
cpuper() { perio "$1" "$2" "$3" 1e9 %.0f; }
irqper() { perio "$1" "$2" 4 1 %.3f; }

# row NAME FIO.json ZB.json XNVME-IOPS: print a row, keep it for the medians
# (fio's and zns-bench's CPU per IO from the sampler, or their own figures)
row() {
	fi=$(iops "$2"); zi=$(iops "$3"); xi=${4:--}
	[ "$xi" != - ] && xi=$(awk -v x="$xi" 'BEGIN { printf "%.0f", x }')
	fc=$(cpuper fio "$fi" 1); zc=$(cpuper zb "$zi" 1)
	[ "$fc" = - ] && fc=$(awk -v u="$(jget "$2" usr_cpu)" -v s="$(jget "$2" sys_cpu)" -v i="$fi" \
		'BEGIN { if (i > 0) printf "%.0f", (u + s) / 100 * 1e9 / i; else print "-" }')
	[ "$zc" = - ] && zc=$(jget "$3" cpu_ns_per_io)
	fa=$(cpuper fio "$fi" 2); za=$(cpuper zb "$zi" 2)
	xc=-; xa_=-
	[ "$xi" != - ] && { xc=$(cpuper xn "$xi" 1); xa_=$(cpuper xn "$xi" 2); }
	# zns-bench's completion latency, when its clocks ran
	p50=$(jget "$3" 50.000000); p99=$(jget "$3" 99.000000)
	[ -n "$p50" ] && [ "$p50" != 0 ] || { p50=-; p99=-; }
	fq=$(irqper fio "$fi"); zq=$(irqper zb "$zi"); xq=-
	[ "$xi" != - ] && xq=$(irqper xn "$xi")
	echo "$1|$fi|$zi|$xi|$fc|$zc|$xc|$fa|$za|$xa_|$p50|$p99|$fq|$zq|$xq" >> "$out/rows"
	line "$1" "$fi" "$zi" "$xi" "$fc" "$zc" "$xc" "$fa" "$za" "$xa_"
	irqline "$fq" "$zq" "$xq"
	[ "${ZNS_BENCH_REPEAT:-1}" -gt 1 ] || final "$1" "$fi" "$zi" "$xi" "$fc" "$zc" "$xc" "$p50" "$p99"
}
# final NAME FIO ZNS XNVME FIO-CPU ZNS-CPU XNVME-CPU P50 P99: a row of the
# run's chart data (bench/chart.sh): each row, or the medians of repeats
final() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$out/chart.tsv"
}
line() {
	if [ -n "$xp" ]; then
		awk -v n="$1" -v fi="$2" -v zi="$3" -v xi="$4" -v fc="$5" -v zc="$6" -v xc="$7" \
			-v fa="$8" -v za="$9" -v xa="${10}" 'BEGIN {
			r = fi > 0 ? sprintf("%.2fx", zi / fi) : "-"
			q = xi > 0 ? sprintf("%.2fx", zi / xi) : "-"
			printf "%-40s %8.0f %8.0f %8s %6s %6s %6s %6s %6s %6s %6s %6s\n", n, fi, zi, xi, r, q, fc, zc, xc, fa, za, xa }'
	else
		awk -v n="$1" -v fi="$2" -v zi="$3" -v fc="$5" -v zc="$6" -v fa="$8" -v za="$9" 'BEGIN {
			r = fi > 0 ? zi / fi : 0
			printf "%-44s %9.0f %9.0f %6.2fx %9s %9s %9s %9s\n", n, fi, zi, r, fc, zc, fa, za }'
	fi
}
# irqline FIO ZNS XNVME: interrupts per IO under a row, when sampled and
# not all nought (the host's null rows take none)
irqline() {
	awk -v a="$1" -v b="$2" -v c="$3" 'BEGIN { exit !(a + 0 > 0 || b + 0 > 0 || c + 0 > 0) }' || return 0
	if [ -n "$xp" ]; then
		echo "    interrupts per IO: fio $1, zns-bench $2, xNVMe $3"
	else
		echo "    interrupts per IO: fio $1, zns-bench $2"
	fi
}
header() {
	if [ -n "$xp" ]; then
		printf "%-40s %8s %8s %8s %6s %6s %6s %6s %6s %6s %6s %6s\n" workload "fio" "zns" "xnvme" \
			"z/fio" "z/xnv" "fio" "zns" "xnvme" "fio" "zns" "xnvme"
		printf "%-40s %26s %13s %20s %20s\n" "" "IOPS" "ratios" "process ns/IO" "all-CPU ns/IO"
	else
		printf "%-44s %9s %9s %7s %9s %9s %9s %9s\n" workload "fio IOPS" "zns IOPS" ratio \
			"fio ns/IO" "zns ns/IO" "fio all" "zns all"
	fi
}

# fiorun JOB [VAR=VALUE...]: fio pinned, sampled, into $out/fio.json
fiorun() {
	job=$1; shift
	launch fio "$out/fio.json" env HIPRI=0 "$@" RUNTIME="$rt" RAMP="$ramp" $pin fio \
		--output-format=json "$here/fio/$job.fio" || {
		echo "fio $job failed: $(head -c 300 "$out/fio.json.err")"
		return 1
	}
}
# zbrun ARGS...: zns-bench pinned, sampled, into $out/zb.json
zbrun() {
	launch zb "$out/zb.json" $pin "$zb" --runtime="$rt" --ramp="$ramp" --output-format=json "$@" || {
		echo "zns-bench $* failed: $(head -c 300 "$out/zb.json.err")"
		return 1
	}
}
# xnrun DEV RW QD [OPTION...]: xnvmeperf pinned, sampled, its io_uring_cmd
# backend; prints its IOPS, or "-" (and why, on stderr)
xnrun() {
	[ -n "$xp" ] || { echo -; return 0; }
	xdev=$1 xrw=$2 xqd=$3; shift 3
	launch xn "$out/xn.txt" $pin "$xp" run "$xdev" --be io_uring_cmd --iopattern "$xrw" \
		--qdepth "$xqd" --iosize 4096 --runtime $((rt + ramp + 1)) --cpulist "$cpus" "$@" &&
	awk '/^ *Total:/ { t = $2 } /Failed/ { next } END { if (t > 0) print t; else exit 1 }' "$out/xn.txt" &&
	return 0
	echo "xnvmeperf $xdev $xrw QD$xqd $* failed: $(tail -n 3 "$out/xn.txt" "$out/xn.txt.err" | tr '\n' ' ' | head -c 300)" >&2
	echo -
}
# three REP HIPRI ZB-OPTION [XN-OPTION...]: a polled read row's runs of the
# three tools, fio (hipri=HIPRI), zns-bench (ZB-OPTION) and xnvmeperf, into
# $out/fio.json, $out/zb.json and $xi. The order turns with the repeat
# (fio first, then zns-bench first, then xnvmeperf first), so that with
# ZNS_BENCH_REPEAT=3 every tool runs first once: on QEMU, in one boot, the
# second of two back-to-back pollers at QD1 came out ahead in 5 pairs of 5,
# whichever tool it was (bench/RESULTS.md). Returns 1 when fio failed, 2
# when zns-bench did.
three() {
	case $(( ($1 - 1) % 3 )) in 0) ord="f z x" ;; 1) ord="z x f" ;; *) ord="x f z" ;; esac
	thipri=$2 tzb=$3; shift 3
	tst=0
	for tt in $ord; do
		case $tt in
		f) fiorun "$rw" DEV="$dev" QD="$qd" BATCH=1 ZONES_SIZE="$size" HIPRI="$thipri" || tst=1 ;;
		z) zbrun $zargs $tzb || { [ $tst = 0 ] && tst=2; } ;;
		x) xi=$(xnrun "$dev" "$rw" "$qd" "$@")
		   [ "$xi" != - ] && [ "$(xnfail)" != 0 ] &&
			echo "xnvmeperf $dev $rw QD$qd $*: $(xnfail) IOs failed" >&2 ;;
		esac
	done
	return $tst
}
# xnappend NAME DEV: zone appends of one block at QD32, both tools filling
# one empty zone to its capacity and timing that fill alone (no reset in
# it), with no clock per IO: xNVMe's zoned append example (its io_uring_cmd
# backend) and zns-bench --raw --size=CAPACITY, ZNS_BENCH_REPEAT times each
# (at least 3: a fill takes well under a second), the tool that goes first
# taking turns; prints both medians and the ratio
xnappend() {
	blk=/dev/$(basename "$2" | sed 's/^ng/nvme/')
	zsec=$(cat "/sys/block/$(basename "$blk")/queue/chunk_sectors" 2>/dev/null)
	lbs=$(cat "/sys/block/$(basename "$blk")/queue/logical_block_size" 2>/dev/null)
	# "start: 0x.., len 0x.., cap 0x.., ...": 512-byte sectors
	cap=$(blkzone report -c 1 "$blk" 2>/dev/null | tr -d ',' | awk '{ for (i = 1; i < NF; i++) if ($i == "cap") print $(i + 1) }')
	[ -n "$zsec" ] && [ -n "$lbs" ] && [ -n "$cap" ] && command -v nvme >/dev/null 2>&1 || {
		echo "$1 append, xNVMe: needs $blk's zone geometry (sysfs, blkzone) and nvme-cli"; return 0; }
	capb=$(( cap * 512 ))
	: > "$out/xa"; : > "$out/za"
	an=${ZNS_BENCH_REPEAT:-3}; [ "$an" -ge 3 ] || an=3
	ar=0
	while [ $ar -lt "$an" ]; do
		ar=$((ar + 1))
		if [ $((ar % 2)) = 1 ]; then ao="z x"; else ao="x z"; fi
		for at in $ao; do
			# every fill starts with all zones empty
			nvme zns reset-zone "$blk" -a >/dev/null 2>&1 || { echo "$1 append: could not reset $blk's zones"; return 0; }
			case $at in
			z)	$pin "$zb" --dev="$2" --rw=append --raw --bs=4k --iodepth=32 --zones=1 --lat=0 \
					--ramp=0 --runtime=60 --size="$capb" --output-format=json > "$out/za.json" 2> "$out/za.err" || {
					echo "$1 append, zns-bench failed: $(head -c 300 "$out/za.err")"; return 0; }
				iops "$out/za.json" >> "$out/za"; echo >> "$out/za" ;;
			x)	$pin "$xa" append "$2" --slba "$(printf '0x%x' $(( (ar % 3 + 1) * zsec * 512 / lbs )))" --qdepth 32 --be io_uring_cmd \
					> "$out/xa.txt" 2>&1 || { echo "$1 append, xNVMe failed: $(tail -n 2 "$out/xa.txt" | tr '\n' ' ')"; return 0; }
				# "Wall-clock: {elapsed: S, mib: M, mib_sec: R}": one LBA per append
				tr -d '{},' < "$out/xa.txt" | awk -v lbs="$lbs" '/Wall-clock:/ { printf "%.0f\n", $5 * 1048576 / lbs / $3 }' >> "$out/xa" ;;
			esac
		done
	done
	nvme zns reset-zone "$blk" -a >/dev/null 2>&1
	x=$(sort -n "$out/xa" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
	z=$(grep . "$out/za" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
	echo "$1 append 4k QD32, one empty zone filled: zns-bench $z IOPS (runs: $(grep . "$out/za" | tr '\n' ' ')), xNVMe zoned_io_async $x IOPS (runs: $(tr '\n' ' ' < "$out/xa")); zns/xNVMe $(awk -v z="$z" -v x="$x" 'BEGIN { if (x > 0) printf "%.2fx", z / x; else print "-" }')"
}
# xnfail: the Failed column of xnvmeperf's last run, which must be 0
xnfail() { awk '/^ *Total:/ { print $4 }' "$out/xn.txt"; }

# medians HEADING: with ZNS_BENCH_REPEAT, the median of each column over
# the repeats of each row kept since the last call, printed under HEADING
# and kept for the chart
medians() {
	[ "${ZNS_BENCH_REPEAT:-1}" -gt 1 ] && [ -s "$out/rows" ] || return 0
	echo "$1"
	cut -d'|' -f1 "$out/rows" | awk '!seen[$0]++' | while IFS= read -r n; do
		# med COLUMN [FORMAT]: the median of COLUMN (an even count
		# averages the middle two, printed with FORMAT, default %.0f)
		med() { awk -F'|' -v n="$n" -v c="$1" '$1 == n && $c != "" && $c != "-" { print $c }' "$out/rows" | sort -n |
			awk -v f="${2:-%.0f}" '{ v[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
				else printf f "\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
		line "$n" "$(med 2)" "$(med 3)" "$(med 4)" "$(med 5)" "$(med 6)" "$(med 7)" \
			"$(med 8)" "$(med 9)" "$(med 10)"
		irqline "$(med 13 %.3f)" "$(med 14 %.3f)" "$(med 15 %.3f)"
		final "$n" "$(med 2)" "$(med 3)" "$(med 4)" "$(med 5)" "$(med 6)" "$(med 7)" \
			"$(med 11)" "$(med 12)"
	done
	: > "$out/rows"
}

# chart: the run's table as a chart beside it, in ZNS_BENCH_CHARTS (default
# BUILDDIR/bench/charts): compare-WHAT-TIME.tsv, .svg and .png; prints the
# paths. Without gnuplot, says so and keeps the data.
chart() {
	[ -s "$out/chart.tsv" ] || return 0
	dir=${ZNS_BENCH_CHARTS:-$b/bench/charts}
	mkdir -p "$dir" || return 0
	base=$dir/compare-$what-$(date +%Y%m%d-%H%M%S)
	{
		printf 'workload\tfio_iops\tzns_iops\txnvme_iops\tfio_cpu_ns\tzns_cpu_ns\txnvme_cpu_ns\tzns_p50_ns\tzns_p99_ns\n'
		cat "$out/chart.tsv"
	} > "$base.tsv"
	echo "chart data: $base.tsv"
	if command -v gnuplot >/dev/null 2>&1; then
		sh "$here/chart.sh" "$base.tsv" "$base" | sed 's/^/chart: /'
	else
		echo "chart: gnuplot is not installed (Debian: gnuplot-nox); bench/chart.sh $base.tsv draws it"
	fi
}

header
: > "$out/rows"
: > "$out/chart.tsv"
for t in $targets; do
	name=${t%%:*}; dev=${t#*:}
	zones=4
	size=$(( zones * 64 * 1024 * 1024 ))
	sys=/sys/block/$(basename "$dev" | sed 's/^ng/nvme/')
	if [ -n "$xp" ] && [ -r "$sys/size" ] && [ -r "$sys/queue/chunk_sectors" ]; then
		# xnvmeperf reads the whole namespace: so do the other two
		zsec=$(cat "$sys/queue/chunk_sectors")
		[ "$zsec" -gt 0 ] && zones=$(( $(cat "$sys/size") / zsec )) &&
			size=$(( $(cat "$sys/size") * 512 ))
	fi
	case " ${ZNS_BENCH_TARGETS:-$name} " in *" $name "*) ;; *) continue ;; esac
	IFS=';'
	for w in ${ZNS_BENCH_WORKLOADS:-randread 32;randread 32 8;randread 1;read 8;ordered 32}; do
	unset IFS
	rep=0
	while [ $rep -lt "${ZNS_BENCH_REPEAT:-1}" ]; do
		rep=$((rep + 1))
		set -- $w
		rw=$1; qd=$2; reap=${3:-1}
		say "$name: $w (run $rep of ${ZNS_BENCH_REPEAT:-1})"
		if [ "$rw" = ordered ]; then
			blk=/dev/$(basename "$dev" | sed 's/^ng/nvme/')
			[ -b "$blk" ] || { echo "$name ordered: no block device $blk"; continue; }
			# before zone write plugging (6.10) only mq-deadline
			# keeps a zone's writes in order
			uname -r | awk -F. '{ exit !($1 < 6 || ($1 == 6 && $2 < 10)) }' &&
				echo mq-deadline > "/sys/block/$(basename "$blk")/queue/scheduler"
			# start fio at an empty zone: zns-bench's run before
			# this one (with ZNS_BENCH_REPEAT) left the zone
			# written, and fio then wrote off its write pointer
			blkzone reset -o 0 -c 1 "$blk" 2>/dev/null
			fiorun write-zbd DEV="$blk" QD="$qd" ZONE_BYTES=$(( 64 * 1024 * 1024 )) || continue
			zbrun --dev="$dev" --rw=write --bs=4k --iodepth="$qd" --zones=1 &&
			row "$name ordered write 4k QD$qd, 1 zone (fio: block dev)" "$out/fio.json" "$out/zb.json"
			continue
		fi
		# throughput rows: no clocks per IO in any of the three tools
		# (fio's jobs disable them too; xnvmeperf reads none)
		zargs="--dev=$dev --rw=$rw --bs=4k --iodepth=$qd --zones=$zones --lat=0"
		if [ "$reap" -gt 1 ]; then
			fiorun "$rw" DEV="$dev" QD="$qd" BATCH="$reap" ZONES_SIZE="$size" || continue
			zbrun $zargs --idle=sleep --iodepth_batch_complete_min="$reap" &&
			row "$name $rw 4k QD$qd (reap $reap, sleep)" "$out/fio.json" "$out/zb.json"
			continue
		fi
		three "$rep" 0 ""
		st=$?
		[ $st = 1 ] && continue
		[ $st = 0 ] && row "$name $rw 4k QD$qd (poll)" "$out/fio.json" "$out/zb.json" "$xi"
		# plain buffers, not registered, as fio's and xNVMe's are
		# here: beside the same fio and xNVMe runs
		if [ "${ZNS_BENCH_PLAIN:-1}" != 0 ]; then
			zbrun $zargs --plainbufs &&
			row "$name $rw 4k QD$qd (poll, plain buffers)" "$out/fio.json" "$out/zb.json" "$xi"
		fi
		# sleeping, beside the same fio run and the same xnvmeperf
		# run: xnvmeperf has no sleeping mode (its loop polls,
		# xnvme_queue_poke()), so the polling one is the peer's
		# counterpart of an engine that sleeps
		zbrun $zargs --idle=sleep &&
		row "$name $rw 4k QD$qd (sleep)" "$out/fio.json" "$out/zb.json" "$xi"
		for us in ${ZNS_BENCH_SPIN-20}; do
			zbrun $zargs --idle=spin:"$us" &&
			row "$name $rw 4k QD$qd (spin $us us, sleep)" "$out/fio.json" "$out/zb.json" "$xi"
		done
		# IOPOLL in all three, on the namespace's poll queue (last:
		# it takes the place of the fio run the rows above share)
		if [ "${ZNS_BENCH_IOPOLL:-1}" != 0 ] && [ "$(cat "$sys/queue/io_poll" 2>/dev/null)" = 1 ]; then
			three "$rep" 1 --hipri --poll_io 1 &&
			row "$name $rw 4k QD$qd (IOPOLL, all three)" "$out/fio.json" "$out/zb.json" "$xi"
		elif [ "${ZNS_BENCH_IOPOLL:-1}" != 0 ] && [ $rep = 1 ]; then
			echo "$name $rw QD$qd: no IOPOLL row ($sys/queue/io_poll is not 1: the namespace has no poll queue)"
		fi
	done
	done
	unset IFS
	[ -n "$ZNS_BENCH_WORKLOADS" ] && continue
	say "$name: writes into 4 zones, then appends"
	qd=4
	if fiorun write-zoned DEV="$dev" JOBS=$qd ZONE_BYTES=$(( 64 * 1024 * 1024 )); then
		# bare commands, as fio sends them (zns-bench's default
		# goes through the zone layer)
		zbrun --dev="$dev" --rw=write --raw --bs=4k --iodepth=$qd &&
		row "$name write 4k, $qd zones at QD1" "$out/fio.json" "$out/zb.json"
	fi
	zbrun --dev="$dev" --rw=append --raw --bs=4k --iodepth=32 --zones=4 &&
	echo "$name append 4k QD32 (fio has no zone append): $(iops "$out/zb.json") IOPS, $(cpuper zb "$(iops "$out/zb.json")" 1) ns CPU/IO, $(cpuper zb "$(iops "$out/zb.json")" 2) ns all-CPU/IO"
	[ -n "$xa" ] && xnappend "$name" "$dev"
done

medians "medians of ${ZNS_BENCH_REPEAT:-1} runs (ratios = median zns IOPS / median fio or xNVMe IOPS):"
[ "$what" = devices ] && { chart; rm -rf "$out"; exit 0; }
# The null engines: each tool's own cost per IO, no device. xNVMe's nil
# queue holds at most 29 commands, so it has no QD32 row.
ramp=0
rep=0
while [ $rep -lt "${ZNS_BENCH_REPEAT:-1}" ]; do
	rep=$((rep + 1))
	for qd in 1 16 32; do
		say "null engines, QD$qd"
		fiorun null QD=$qd || continue
		zbrun --engine=null --iodepth=$qd --lat=0 || continue
		xi=-
		if [ -n "$xp" ] && [ $qd -le 16 ]; then
			launch xn "$out/xn.txt" $pin "$xp" run 1GB --be ramdisk --iopattern randread \
				--qdepth $qd --iosize 4096 --runtime "$rt" --cpulist "$cpus" &&
			xi=$(awk '/^ *Total:/ { print $2 }' "$out/xn.txt")
		fi
		row "null engine QD$qd (library cost)" "$out/fio.json" "$out/zb.json" "$xi"
	done
done
medians "medians of ${ZNS_BENCH_REPEAT:-1} runs:"
echo "null engines in ns per IO: 1e9 / IOPS"
chart
rm -rf "$out"
