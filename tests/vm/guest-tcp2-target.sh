#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-tcp2-target.sh DIR: the target machine of the two-guest NVMe/TCP
# run (tests/vm/run-tcp2). Exports a zoned null_blk through the kernel's
# NVMe target on 10.9.0.1:4420 over the guests' own network, says "ready"
# in DIR (a directory both guests share with the host), takes the port away
# for 3 s when the other guest asks ("fault" in DIR), and ends when the
# other guest is done ("done" in DIR) or after 20 minutes.
d=${1:?usage: guest-tcp2-target.sh DIR}
nqn=nqn.2026-11.dev.libzns:remote
cfs=/sys/kernel/config
say() { echo "tcp2 target: $*"; }
fail() { say "FAIL: $*"; echo "$*" > "$d/target-failed"; exit 1; }
mountpoint -q $cfs || mount -t configfs none $cfs
nb=$cfs/nullb/rz0
mkdir $nb
echo 1 > $nb/zoned; echo 64 > $nb/zone_size; echo 0 > $nb/zone_nr_conv
echo 8 > $nb/zone_max_open; echo 8 > $nb/zone_max_active
echo 4096 > $nb/blocksize; echo 1024 > $nb/size; echo 1 > $nb/memory_backed
echo 1 > $nb/power || fail "null_blk did not power on"
i=0
while [ ! -b /dev/rz0 ]; do i=$((i+1)); [ $i -lt 200 ] || fail "/dev/rz0 did not appear"; sleep 0.1; done
sub=$cfs/nvmet/subsystems/$nqn
mkdir $sub
echo 1 > $sub/attr_allow_any_host
mkdir $sub/namespaces/1
echo /dev/rz0 > $sub/namespaces/1/device_path
echo 1 > $sub/namespaces/1/enable || fail "the namespace could not be enabled"
port=$cfs/nvmet/ports/1
mkdir $port
echo tcp > $port/addr_trtype; echo ipv4 > $port/addr_adrfam
echo 10.9.0.1 > $port/addr_traddr; echo 4420 > $port/addr_trsvcid
ln -s $sub $port/subsystems/$nqn || fail "the port could not be linked"
say "exporting $nqn on 10.9.0.1:4420"
touch "$d/ready"
i=0
while [ ! -e "$d/done" ] && [ $i -lt 12000 ]; do
	if [ -e "$d/fault" ] && [ ! -e "$d/fault-done" ]; then
		say "port gone for 3 s"
		rm $port/subsystems/$nqn
		sleep 3
		ln -s $sub $port/subsystems/$nqn
		say "port back"
		touch "$d/fault-done"
	fi
	i=$((i+1)); sleep 0.1
done
[ -e "$d/done" ] || fail "the other guest never said done"
say "done"
