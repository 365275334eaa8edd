#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-faults.sh BUILDDIR: inside a zns-vm guest, count completions
# through faults (zns-fault-itest: 64 commands in flight, reads, writes and
# appends over 6 zones; each command must complete exactly once, the queue
# must drain and work afterwards, and no command may come back -EINVAL):
#   a  QEMU: the controller reset three times (reset_controller)
#   e  nvmet over loop: the namespace disabled for 2 s, then enabled: the
#      host drops the namespace and finds it again as a new device, so the
#      open one is dead (-ENODEV); the test opens the new one and reads it
#      through the same queue
#   f  nvmet over TCP: the port gone for 3 s, commands held (the default),
#      then again with ZNS_QUEUE_NOPATH_FAIL (-ENOLINK at once)
#   e  last: the controller deleted (delete_controller) mid-run; the queue
#      must still drain and close (the device is gone for good)
# Needs guest-devs.sh's devices (and guest-nvmet.sh's, on 6.12).
b=${1:?usage: guest-faults.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
fi_bin=$b/tests/integration/zns-fault-itest
kver=$(uname -r)
fail=0
cfs=/sys/kernel/config/nvmet
eval "$(sh "$here/guest-devs.sh")"

ctrl_live() {	# CTRL: wait up to 30 s for the controller to be live
	i=0
	while [ "$(cat "/sys/class/nvme/$1/state" 2>/dev/null)" != live ] && [ $i -lt 300 ]; do
		i=$((i + 1)); sleep 0.1
	done
}

# run NAME DEV [VAR=VALUE...] -- FAULT...: zns-fault-itest in the
# background for 12 s, the fault commands meanwhile
run() {
	name=$1 dev=$2
	shift 2
	envs=
	while [ "$1" != -- ]; do envs="$envs $1"; shift; done
	shift
	echo "== zns-fault-itest: kernel $kver, $name ($dev)"
	env ZNS_TEST_DEV="$dev" ZNS_FAULT_NAME="$name" ZNS_FAULT_SECS=12 $envs "$fi_bin" &
	pid=$!
	"$@"
	wait $pid
	st=$?
	[ $st = 0 ] || { echo "FAIL: zns-fault-itest ($name) exited with $st"; fail=1; }
}

resets() {	# CTRL: three resets, 3 s apart
	for n in 1 2 3; do
		sleep 3
		echo 1 > "/sys/class/nvme/$1/reset_controller"
		ctrl_live "$1"
	done
}
ns_off() {	# SUBSYSTEM: its namespace disabled for 2 s
	sleep 4
	echo 0 > "$cfs/subsystems/$1/namespaces/1/enable"
	sleep 2
	echo 1 > "$cfs/subsystems/$1/namespaces/1/enable"
}
port_off() {	# LINK: the port's link to the subsystem gone for 3 s
	sleep 4
	sub=$(basename "$1")
	rm "$1"
	sleep 3
	ln -s "$cfs/subsystems/$sub" "$1"
}
delete() {	# CTRL: deleted
	sleep 4
	echo 1 > "/sys/class/nvme/$1/delete_controller"
}

if [ -n "${ZNS_DEV_A:-}" ]; then
	c=$(basename "$ZNS_CTRL_A")
	ctrl_live "$c"
	run "QEMU controller reset x3" "$ZNS_DEV_A" -- resets "$c"
fi
if [ -n "${ZNS_DEV_E:-}" ] && [ -n "${ZNS_DEV_F:-}" ]; then
	loop=$(ls -d $cfs/subsystems/*-loop | head -n 1)
	tcp=$(ls -d $cfs/ports/2/subsystems/*-tcp | head -n 1)
	cf=$(basename "$ZNS_CTRL_F")
	run "nvmet namespace disabled 2 s" "$ZNS_DEV_E" ZNS_FAULT_GONE=1 ZNS_FAULT_REOPEN=1 -- \
		ns_off "$(basename "$loop")"
	i=0	# the namespace back, as a new device
	while { eval "$(sh "$here/guest-devs.sh")"; [ ! -c "${ZNS_DEV_E:-/nonexistent}" ]; } && [ $i -lt 100 ]; do
		i=$((i + 1)); sleep 0.1
	done
	ctrl_live "$cf"
	run "NVMe/TCP port gone 3 s, held" "$ZNS_DEV_F" ZNS_FAULT_HELD=1 -- port_off "$tcp"
	ctrl_live "$cf"
	run "NVMe/TCP port gone 3 s, NOPATH_FAIL" "$ZNS_DEV_F" ZNS_FAULT_NOPATH_FAIL=1 -- port_off "$tcp"
	ctrl_live "$cf"
	run "nvmet loop controller deleted" "$ZNS_DEV_E" ZNS_FAULT_GONE=1 -- delete "$(basename "$ZNS_CTRL_E")"
elif [ "${kver#6.1.}" = "$kver" ]; then
	echo "FAIL: the nvmet configurations e and f are missing on $kver"
	fail=1
fi
exit $fail
