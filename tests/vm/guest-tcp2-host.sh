#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-tcp2-host.sh BUILDDIR DIR: the host machine of the two-guest
# NVMe/TCP run (tests/vm/run-tcp2). Connects to the other guest's target
# (10.9.0.1:4420) with nvme-cli, then runs on the remote namespace what the
# one-guest TCP configuration f runs: the integration suites (zns-itest),
# the options' suite, zns-bench's workloads; then counts
# completions while the target's port goes away for 3 s and comes back
# (zns-fault-itest, commands held: each completes exactly once, none
# -EINVAL, none left held). Says "done" in DIR at the end.
b=${1:?usage: guest-tcp2-host.sh BUILDDIR DIR}
d=${2:?}
here=$(cd "$(dirname "$0")" && pwd)
nqn=nqn.2026-11.dev.libzns:remote
fail=0
finish() { echo "== two guests: done${t0:+ after $(( $(date +%s) - t0 )) s}"; touch "$d/done"; exit $fail; }
i=0
while [ ! -e "$d/ready" ] && [ $i -lt 1800 ]; do
	[ -e "$d/target-failed" ] && { echo "FAIL: the target guest: $(cat "$d/target-failed")"; fail=1; finish; }
	i=$((i+1)); sleep 0.1
done
[ -e "$d/ready" ] || { echo "FAIL: the target guest did not get ready in 3 minutes"; fail=1; finish; }
i=0
until nvme connect -t tcp -a 10.9.0.1 -s 4420 -n $nqn --reconnect-delay=1 \
	--ctrl-loss-tmo=60 >/dev/null 2>&1; do
	i=$((i+1)); [ $i -lt 30 ] || { echo "FAIL: nvme connect to 10.9.0.1:4420 failed"; fail=1; finish; }
	sleep 1
done
dev=
i=0
while [ -z "$dev" ] && [ $i -lt 300 ]; do
	eval "$(sh "$here/guest-devs.sh")"
	dev=${ZNS_DEV_F:-}
	i=$((i+1)); sleep 0.1
done
[ -n "$dev" ] && [ -c "$dev" ] || { echo "FAIL: no remote namespace appeared"; fail=1; finish; }
kver=$(uname -r)
t0=$(date +%s)
el() { echo "$(( $(date +%s) - t0 )) s"; }
echo "== two guests: the remote namespace $dev ($(cat /sys/class/nvme/$(basename "$ZNS_CTRL_F")/address 2>/dev/null))"
echo "== zns-itest: kernel $kver, remote NVMe/TCP ($dev)"
ZNS_TEST_DEV=$dev ZNS_TEST_KIND=f "$b/tests/integration/zns-itest" || fail=1
echo "== zns-opts-itest: kernel $kver, remote NVMe/TCP ($dev), at $(el)"
ZNS_TEST_DEV=$dev ZNS_TEST_KIND=f "$b/tests/integration/zns-opts-itest" || fail=1
for rw in randread append write; do
	if "$b/bench/zns-bench" --dev="$dev" --rw=$rw --bs=4k --iodepth=32 --zones=4 \
		--runtime=2 > /tmp/zb.out 2>&1; then
		echo "ok: zns-bench $rw on the remote namespace: $(grep -o 'IOPS=[0-9]*' /tmp/zb.out | head -n 1)"
	else
		echo "FAIL: zns-bench $rw on the remote namespace: $(tail -n 3 /tmp/zb.out)"
		fail=1
	fi
done
echo "== zns-fault-itest: kernel $kver, remote NVMe/TCP, the target's port gone 3 s, at $(el)"
ZNS_TEST_DEV=$dev ZNS_FAULT_NAME="remote target's port gone 3 s, held" ZNS_FAULT_SECS=12 \
	ZNS_FAULT_HELD=1 "$b/tests/integration/zns-fault-itest" &
pid=$!
sleep 4
touch "$d/fault"
wait $pid || { echo "FAIL: zns-fault-itest exited with $?"; fail=1; }
[ -e "$d/fault-done" ] || { echo "FAIL: the target did not take its port away"; fail=1; }
finish
