#!/bin/sh
# SPDX-License-Identifier: MIT
# Install what building, testing and benchmarking libzns need (Debian 12, root).
set -e
pkgs="build-essential autoconf automake libtool pkg-config liburing-dev check
	qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static
	nvme-cli fio kmod xz-utils cpio valgrind clang mandoc python3 gnuplot-nox
	libnvme-dev libjson-c-dev libssl-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root (apt-get install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
