#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-suites.sh BUILDDIR: inside a zns-vm guest, run the integration suites
# on every device configuration this kernel offers. A missing device is a
# failure, never a skip.
b=${1:?usage: guest-suites.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
itest=$b/tests/integration/zns-itest
kver=$(uname -r)
fail=0
kinds="A B C D"
[ -x "$itest" ] || { echo "FAIL: $itest is not built"; exit 1; }

case "$kver" in
6.1.*) ;;
*)
	if sh "$here/guest-nvmet.sh" 1; then
		kinds="$kinds E F"
	else
		echo "FAIL: nvmet ZNS target could not be set up on $kver"
		fail=1
	fi ;;
esac

eval "$(sh "$here/guest-devs.sh")"

# config K: set dev and kind for configuration K; a missing device fails
config() {
	eval dev=\$ZNS_DEV_$1
	kind=$(echo "$1" | tr A-I a-i)
	[ -n "$dev" ] && [ -c "$dev" ] && return 0
	echo "FAIL: device configuration $kind missing on $kver"
	fail=1
	return 1
}

for k in $kinds; do
	config $k || continue
	# one queue over two devices: a with b beside it, e with f
	case $k in A) dev2=$ZNS_DEV_B ;; E) dev2=${ZNS_DEV_F:-} ;; *) dev2= ;; esac
	echo "== zns-itest: kernel $kver, configuration $kind ($dev)"
	if [ -n "$dev2" ]; then
		ZNS_TEST_DEV=$dev ZNS_TEST_DEV2=$dev2 ZNS_TEST_KIND=$kind "$itest" || fail=1
	else
		ZNS_TEST_DEV=$dev ZNS_TEST_KIND=$kind "$itest" || fail=1
	fi
done

# Command options (struct zns_io_opts) and vectors: FUA, LR, a directive
# and vectors on a (and on nvmet, e); metadata and protection information
# on g (separate, 16-bit guard) and h (interleaved, 64-bit guard); a
# timeout that fires on i (a backend throttled to 1 IO a second).
for k in A E G H I; do
	case $k in E) case " $kinds " in *" E "*) ;; *) continue ;; esac ;; esac
	config $k || continue
	echo "== zns-opts-itest: kernel $kver, configuration $kind ($dev)"
	ZNS_TEST_DEV=$dev ZNS_TEST_KIND=$kind "$b/tests/integration/zns-opts-itest" || fail=1
done

# As a user without privileges: what this kernel allows works, what it
# refuses says so (configuration a).
config A && { sh "$here/guest-perm.sh" "$b" "$dev" a || fail=1; }

# The suites once more under AddressSanitizer/UBSan (leaks included).
asan=$b/tests/integration/zns-itest-asan
for k in A E; do
	case " $kinds " in *" $k "*) ;; *) continue ;; esac
	eval dev=\$ZNS_DEV_$k
	kind=$(echo "$k" | tr A-F a-f)
	echo "== zns-itest-asan: kernel $kver, configuration $kind ($dev)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		ZNS_TEST_DEV=$dev ZNS_TEST_KIND=$kind "$asan" || fail=1
done

# The emulator against QEMU's ZNS, operation for operation: 20 seeds x 500
# operations on configurations a (4 KiB, limits 14, extensions) and b (512 B,
# no limits), with QEMU's departures from the spec accounted (zns-diff.c).
for k in A B; do
	eval dev=\$ZNS_DEV_$k
	echo "== zns-diff: kernel $kver, configuration $(echo $k | tr AB ab) ($dev)"
	"$b/tests/integration/zns-diff" "$dev" 20 500 || fail=1
done
# ...and against the kernel's NVMe target over a zoned null_blk (e, 6.12),
# with its own departures accounted (ZNS_DIFF_NVMET, zns-diff.c).
case " $kinds " in *" E "*)
	echo "== zns-diff: kernel $kver, configuration e ($ZNS_DEV_E)"
	ZNS_DIFF_NVMET=1 "$b/tests/integration/zns-diff" "$ZNS_DEV_E" 20 500 || fail=1 ;;
esac

# A libnvme 1.x program, built against libnvme and against libzns-nvme.
eval dev=\$ZNS_DEV_A
sh "$here/guest-compat.sh" "$b" "$dev" 1 4096 || fail=1

# The example store on the zone layer: puts, reopen, recovery (4 KiB
# blocks: configuration a).
eval dev=\$ZNS_DEV_A
echo "== zlog: kernel $kver, configuration a ($dev)"
if "$b/examples/zlog" "$dev" > /tmp/zlog.out 2>&1; then
	echo "ok: $(tr '\n' ' ' < /tmp/zlog.out)"
else
	echo "FAIL: zlog on $dev: $(cat /tmp/zlog.out)"
	fail=1
fi

# The zone layer's promises: 4 threads at QD32 into 8 zones, appends tiling
# their zones, 20 streams under the active limit; QEMU's namespace and the
# kernel's target over loop and over TCP; on QEMU's ZRWA namespace (c),
# writes several at once within the ZRWA.
for k in A C E F; do
	case " $kinds " in *" $k "*) ;; *) continue ;; esac
	eval dev=\$ZNS_DEV_$k
	echo "== zns-zoned-itest: kernel $kver, configuration $(echo $k | tr ACEF acef) ($dev)"
	ZNS_TEST_DEV=$dev "$b/tests/integration/zns-zoned-itest" || fail=1
done

# zns-bench's workloads and the fio twins, briefly, on the same namespaces.
sh "$here/guest-bench.sh" "$b" || fail=1

# Real fallback: a kernel with io_uring disabled (sysctl since Linux 6.6).
if [ -e /proc/sys/kernel/io_uring_disabled ]; then
	eval dev=\$ZNS_DEV_A
	echo 2 > /proc/sys/kernel/io_uring_disabled
	echo "== zns-itest: kernel $kver, configuration a ($dev), io_uring_disabled=2"
	ZNS_TEST_DEV=$dev ZNS_TEST_KIND=a ZNS_TEST_FALLBACK=1 "$itest" || fail=1
	echo 0 > /proc/sys/kernel/io_uring_disabled
fi

# The mixed workload against its shadow model, a minute on each device
# (`make soak`: ten).
sh "$here/guest-soak.sh" "$b" 60 || fail=1

# Exactly once through faults: controller resets (a), and on 6.12 a
# namespace disabled, a TCP port gone (held, and NOPATH_FAIL), a controller
# deleted (last: it takes configuration e away).
sh "$here/guest-faults.sh" "$b" || fail=1
exit $fail
