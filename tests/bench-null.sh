#!/bin/sh
# SPDX-License-Identifier: MIT
#
# zns-bench on the host with engine=null: every workload runs and reports
# what it did, --size stops at its byte count, bad options exit 2 with a
# message, a missing device exits 1 with one.
: "${top_builddir:?}"
zb=$top_builddir/bench/zns-bench
fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# num FILE KEY: the first number after "KEY" in zns-bench's JSON
num() { tr -d '\n ' < "$1" | sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" | head -n 1; }
bad() { echo "FAIL: $*"; fail=1; }

for rw in read randread write append randrw reset; do
	if ! "$zb" --engine=null --rw=$rw --iodepth=4 --zones=6 --runtime=0.2 \
		--output-format=json > "$t/o.json" 2> "$t/err"; then
		bad "rw=$rw exited $?: $(cat "$t/err")"
		continue
	fi
	tr -d '\n ' < "$t/o.json" | grep -q '"total_err":0,' || bad "rw=$rw reported errors"
	ios=$(tr -d '\n ' < "$t/o.json" | grep -o '"total_ios":[0-9]*' | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
	[ "$ios" -gt 0 ] || bad "rw=$rw did no IO"
	echo "ok: rw=$rw, $ios IOs"
done

# the defaults work on every workload of the null engine (iodepth 32, 4
# zones: write keeps 32 zones open, within the null namespace's 128)
for rw in read randread write append randrw reset; do
	"$zb" --engine=null --rw=$rw --runtime=0.1 > "$t/o" 2> "$t/err" ||
		bad "defaults, rw=$rw exited $?: $(cat "$t/err")"
done
echo "ok: every workload runs with the default options"

# the emulated device: every workload, and both verifies
for args in "--rw=randread" "--rw=write --iodepth=4" "--rw=append --iodepth=8" \
	"--rw=randrw --iodepth=8" "--rw=reset --iodepth=4" "--rw=write --iodepth=4 --verify" \
	"--rw=append --iodepth=8 --verify --zones=2" \
	"--rw=write --bs=64k --iodepth=2 --zones=3 --size=56m --zonesize=16m --verify" \
	"--rw=write --zrwa --iodepth=5 --zones=4 --zonesize=64m --verify"; do
	# (the last: zones left part written, each with its last blocks in the
	# ZRWA above the write pointer, less than a flush granule)
	"$zb" --engine=emu --runtime=0.2 --output-format=json $args > "$t/o.json" 2> "$t/err" ||
		{ bad "emu '$args' exited $?: $(cat "$t/err")"; continue; }
	tr -d '\n ' < "$t/o.json" | grep -q '"total_err":0,' || bad "emu '$args' reported errors"
	tr -d '\n ' < "$t/o.json" | grep -q '"verify_errors":0' || bad "emu '$args' verify mismatches"
	case "$args" in *--verify*)
		tr -d '\n ' < "$t/o.json" | grep -q '"verified":0,' && bad "emu '$args' verified nothing";;
	esac
	echo "ok: engine=emu $args"
done
# faulted FAULTS RW [OPTION...]: zns-bench on the emulator with those faults
# armed, 0.5 s at QD32 in 1 MiB zones, output in $t/o; says why if it exits
# non-zero
faulted() {
	f=$1 rw=$2
	shift 2
	ZNS_EMU_FAULTS=$f "$zb" --engine=emu --rw="$rw" --iodepth=32 --runtime=0.5 \
		--zonesize=1m "$@" > "$t/o" 2> "$t/err" ||
		bad "$rw with faults $f exited $?: $(cat "$t/err")"
}
# the counts of the last run, for the ok lines
counts() { grep -E 'errors|verify' "$t/o" | tr -s ' ' | tr '\n' ' '; }
# bare FAULTS RW: the faults fire on the bare commands (--raw) of the same
# workload, 2 path errors and 1 -EINTR among them: they do happen there
bare() {
	faulted "$1" "$2" --raw
	grep -q '^    0x371 .*: 2$' "$t/o" && grep -q '^    0xfffffffc .*: 1$' "$t/o" ||
		bad "the faults did not fire on bare $2 commands: $(cat "$t/o")"
}

# faults under the zone layer: a write command that lands but reports
# -EINTR (no error: the report and the data prove it), one that fails with
# a path error and one the device runs after reporting a path error (both
# sent again: no error), no Zone Invalid Write, every block where its
# completion said, none reported failed but written
f3='ambiguous:op=1:nth=5:status=-4,fail:op=1:nth=10:status=0x371,late:op=1:nth=15:status=0x371:after=2'
faulted "$f3" write --verify
grep -q '^  errors: 0$' "$t/o" && ! grep -q '0x41bc' "$t/o" &&
	grep -q ' 0 mismatches, 0 duplicated by the device, 0 reported failed but written' "$t/o" ||
	bad "layer under faults: $(cat "$t/o")"
echo "ok: zone layer under faults: $(counts)"
bare "$f3" write
# the same with a ZRWA (the emulator given QEMU configuration c's: 64 KiB,
# 16 KiB granules): several writes in flight per zone, each failed one sent
# again to its own LBAs; no error, every block where its completion said
faulted "$f3" write --verify --zrwa
grep -q '^  errors: 0$' "$t/o" && ! grep -q '0x41bc' "$t/o" &&
	grep -q ' 0 mismatches, 0 duplicated by the device, 0 reported failed but written' "$t/o" ||
	bad "layer with a ZRWA under faults: $(cat "$t/o")"
echo "ok: zone layer with a ZRWA under faults: $(counts)"
# a path error that stays through the layer's three tries: errors only for
# the writes that command carried (merged: at most the iodepth), none after
# it, every block where its completion said
faulted 'fail:op=1:nth=2:count=4:status=0x371:zslba=0' write --verify
nerr=$(sed -n 's/^  errors: \([0-9]*\)$/\1/p' "$t/o")
[ -n "$nerr" ] && [ "$nerr" -ge 1 ] && [ "$nerr" -le 32 ] &&
	grep -q '^    0x371 .*: '"$nerr"'$' "$t/o" && ! grep -q '0x41bc' "$t/o" &&
	grep -q ' 0 mismatches' "$t/o" ||
	bad "layer under a lasting fault: $(cat "$t/o")"
echo "ok: zone layer under a lasting fault: $(counts)"
# the same for appends: the one that landed while reporting -EINTR is found
# where it went, the lost one and the late one are found nowhere by the
# report and written at the write pointer (the late copy then lands before
# or after it): no error, every block where its completion said
f3='ambiguous:op=0x7d:nth=100:status=-4,fail:op=0x7d:nth=300:status=0x371,late:op=0x7d:nth=400:status=0x371:after=40'
faulted "$f3" append --verify
grep -q '^  errors: 0$' "$t/o" && grep -q ' 0 mismatches' "$t/o" ||
	bad "appends under faults: $(cat "$t/o")"
echo "ok: zone layer, appends under faults: $(counts)"
bare "$f3" append
# a piece lost, and its three writes at the write pointer refused: that
# piece is the only error
faulted 'fail:op=0x7d:nth=2:status=0x371:zslba=0,fail:op=1:count=3:status=0x371:zslba=0' \
	append --verify
grep -q '^  errors: 1$' "$t/o" && grep -q '^    0x371 .*: 1$' "$t/o" &&
	grep -q ' 0 mismatches' "$t/o" ||
	bad "appends under a lasting fault: $(cat "$t/o")"
echo "ok: zone layer, appends under a lasting fault: $(counts)"
# a zone reset that fails when the zones are refilled (the sixth: the first
# of the second round): tried again, so the zone is verified as this run
# wrote it; that reset is the only error
faulted 'fail:op=0x79:nth=6:status=0x6' append --verify --zones=4
grep -q '^  errors: 1$' "$t/o" && grep -q '^    0x6 .*: 1$' "$t/o" &&
	grep -q ' 0 mismatches, 0 duplicated by the device, 0 reported failed but written' "$t/o" &&
	! grep -q 'could not be reset' "$t/err" ||
	bad "a failed zone reset: $(cat "$t/o" "$t/err")"
echo "ok: zone layer, a zone reset failed once: $(counts)"
"$zb" --engine=emu --rw=write --raw --iodepth=4 --runtime=0.1 > "$t/o" 2> "$t/err" ||
	bad "--raw write exited $?"

"$zb" --engine=emu --dev=/dev/null --runtime=0.1 > "$t/o" 2> "$t/err"
[ $? = 2 ] || bad "--engine=emu with --dev was not refused"

# randrw does both directions
"$zb" --engine=null --rw=randrw --rwmixread=50 --iodepth=8 --runtime=0.2 > "$t/o" &&
	grep -q 'read :' "$t/o" && grep -q 'write:' "$t/o" || bad "randrw did not both read and write"

# --size: exactly that many bytes (the last reap may add a few IOs)
"$zb" --engine=null --rw=randread --size=64m --iodepth=8 --output-format=json > "$t/o.json" ||
	bad "--size exited $?"
ios=$(tr -d '\n ' < "$t/o.json" | grep -o '"total_ios":[0-9]*' | head -n 1 | cut -d: -f2)
[ "${ios:-0}" -ge 16384 ] && [ "${ios:-0}" -lt 16400 ] || bad "--size=64m did $ios IOs of 4 KiB, not 16384"
echo "ok: --size=64m, $ios IOs"

# the sleeping mode with batched reaping
"$zb" --engine=null --idle=sleep --iodepth_batch_complete_min=8 --runtime=0.2 > "$t/o" ||
	bad "--iodepth_batch_complete_min exited $?"
# sleeping after a spin (the queue's spin_us), on the emulator's io_uring queue
"$zb" --engine=emu --idle=spin:50 --iodepth=8 --runtime=0.2 > "$t/o" 2> "$t/err" &&
	grep -q 'errors: 0' "$t/o" || bad "--idle=spin:50 exited $? or had errors: $(cat "$t/err")"
"$zb" --engine=emu --no_defer --iodepth=8 --runtime=0.2 > "$t/o" 2> "$t/err" &&
	grep -q 'errors: 0' "$t/o" || bad "--no_defer exited $? or had errors: $(cat "$t/err")"

# bad options: exit 2 and say why
for args in "--bs=1000" "--bs=4q" "--iodepth=0" "--rw=scan" "--engine=spdk" \
	"--iodepth_batch_complete_min=64 --iodepth=32" \
	"--rw=write --raw --iodepth=4 --max_open_zones=2" "--rw=write --raw --iodepth=100 --numjobs=2" \
	"--verify --rw=write --iodepth=2" "--zones=20000" "--idle=spin:0" "--idle=spin" "--idle=nap"; do
	"$zb" --engine=null --runtime=0.1 $args > "$t/o" 2> "$t/err"
	st=$?
	[ $st = 2 ] || bad "'$args' exited $st, not 2"
	[ -s "$t/err" ] || bad "'$args' said nothing on stderr"
	echo "ok: '$args' refused: $(head -n 1 "$t/err")"
done

# a device that is not there: exit 1, with the path and what to do
"$zb" --dev=/dev/ng99n99 --runtime=0.1 > "$t/o" 2> "$t/err"
st=$?
[ $st = 1 ] && grep -q '/dev/ng99n99' "$t/err" || bad "missing device: exit $st, '$(cat "$t/err")'"
echo "ok: missing device: $(cat "$t/err")"
exit $fail
