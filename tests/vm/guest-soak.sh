#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-soak.sh BUILDDIR SECONDS: inside a zns-vm guest, the mixed workload
# of zns-soak-itest against its shadow model (the emulator) on QEMU's
# configuration b, and, where the guest has set up the kernel's NVMe target
# (configuration e, 6.12), on it for half as long with the target's
# departures accounted as zns-diff accounts them (ZNS_DIFF_NVMET: zone
# errors answered as Internal Error, open zones with nothing written closing
# to Empty, a write right after appends failing without landing and landing
# when sent again). The guest suites run it for a minute; `make soak` for
# ten (on QEMU only: that guest sets up no target).
b=${1:?usage: guest-soak.sh BUILDDIR SECONDS}
secs=${2:?}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
eval "$(sh "$here/guest-devs.sh")"
for k in B; do
	eval dev=\${ZNS_DEV_$k:-}
	[ -n "$dev" ] || { echo "FAIL: configuration b missing"; fail=1; continue; }
	ZNS_TEST_DEV=$dev ZNS_SOAK_SECS=$secs "$b/tests/integration/zns-soak-itest" || fail=1
done
if [ -n "${ZNS_DEV_E:-}" ]; then
	ZNS_DIFF_NVMET=1 ZNS_TEST_DEV=$ZNS_DEV_E ZNS_SOAK_SECS=$((secs / 2)) \
		"$b/tests/integration/zns-soak-itest" || fail=1
fi
exit $fail
