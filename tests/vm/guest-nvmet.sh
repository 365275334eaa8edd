#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-nvmet.sh: inside a zns-vm guest (kernel 6.12+), export a zoned
# null_blk through the kernel's NVMe target and connect to it over loop (e)
# and over NVMe/TCP on 127.0.0.1:4420 (f).
#
# Usage: guest-nvmet.sh [memory_backed]   (default 1)
# Prints nothing on success; exits non-zero with a message on failure.
set -e
mb=${1:-1}
nqn=nqn.2026-11.dev.libzns:zns-nullb
cfs=/sys/kernel/config
fail() { echo "guest-nvmet: $*" >&2; exit 1; }

[ -d /sys/module/nvme_loop ] || fail "nvme-loop is not loaded (needs a kernel with CONFIG_NVME_TARGET_LOOP, e.g. Debian's 6.12)"
mountpoint -q $cfs || mount -t configfs none $cfs
[ -d $cfs/nullb ] || fail "null_blk configfs is missing"

# mknullb NAME: a 1 GiB zoned null_blk, 64 MiB zones, max open/active 8
mknullb() {
	nb=$cfs/nullb/$1
	mkdir $nb
	echo 1 > $nb/zoned
	echo 64 > $nb/zone_size
	echo 0 > $nb/zone_nr_conv
	echo 8 > $nb/zone_max_open
	echo 8 > $nb/zone_max_active
	echo 4096 > $nb/blocksize
	echo 1024 > $nb/size
	echo "$mb" > $nb/memory_backed
	echo 1 > $nb/power
	i=0
	while [ ! -b /dev/$1 ]; do i=$((i+1)); [ $i -lt 200 ] || fail "/dev/$1 did not appear"; sleep 0.1; done
}

# export NAME DEVICE PORT: one subsystem per transport, so each is its own
# controller and namespace head
export_sub() {
	sub=$cfs/nvmet/subsystems/$1
	mkdir $sub
	echo 1 > $sub/attr_allow_any_host
	mkdir $sub/namespaces/1
	echo "$2" > $sub/namespaces/1/device_path
	echo 1 > $sub/namespaces/1/enable
	ln -s $sub $cfs/nvmet/ports/$3/subsystems/$1
}

mknullb nz0
mknullb nz1
mkdir $cfs/nvmet/ports/1
echo loop > $cfs/nvmet/ports/1/addr_trtype
ip link set lo up
mkdir $cfs/nvmet/ports/2
echo tcp > $cfs/nvmet/ports/2/addr_trtype
echo ipv4 > $cfs/nvmet/ports/2/addr_adrfam
echo 127.0.0.1 > $cfs/nvmet/ports/2/addr_traddr
echo 4420 > $cfs/nvmet/ports/2/addr_trsvcid
export_sub $nqn-loop /dev/nz0 1
export_sub $nqn-tcp /dev/nz1 2

before=$(ls /dev/ng*n* 2>/dev/null | wc -l)
nvme connect -t loop -n $nqn-loop >/dev/null || fail "nvme connect -t loop failed"
# reconnect every second for up to 60 s when the path goes away (the
# guests take the port away mid-run: guest-bench.sh)
nvme connect -t tcp -a 127.0.0.1 -s 4420 -n $nqn-tcp --reconnect-delay=1 \
	--ctrl-loss-tmo=60 >/dev/null || fail "nvme connect -t tcp failed"
# the two new namespaces beside those that were there before
i=0
while [ "$(ls /dev/ng*n* | wc -l)" -lt $((before + 2)) ]; do i=$((i+1)); [ $i -lt 300 ] || fail "nvmet namespaces did not appear"; sleep 0.1; done
