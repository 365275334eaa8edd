#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The main job: zns-bench against fio's io_uring_cmd engine, side by side.
#   scripts/bench.sh                 boot a QEMU guest with an emulated ZNS SSD
#                                    (and, on Linux 6.12, the kernel's NVMe
#                                    target over zoned null_blk) and compare
#   scripts/bench.sh /dev/ngXnY      compare on that device (DESTRUCTIVE)
# RUNTIME=S sets seconds per run (default 5). Installs what it needs on
# Debian 12 when run as root; builds in ./build.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
rt=${RUNTIME:-5}
sh "$src/scripts/deps.sh"
cd "$src"
[ -x build/bench/zns-bench ] || {
	./autogen.sh >/dev/null
	mkdir -p build
	(cd build && "$src/configure" -q && make -j"$(nproc)" -s)
}
(cd build && make -s bench/zns-bench)
# library cost per IO: the null engines, on the host
sh "$src/bench/compare.sh" "$src/build" "$rt" null
if [ -n "$1" ]; then
	ZNS_BENCH_DEV=$1 exec sh "$src/bench/compare.sh" "$src/build" "$rt" devices
fi
k=$(cd /boot && ls vmlinuz-6.12.* 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
[ -n "$k" ] || k=$(cd /boot && ls vmlinuz-* | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
# the settings compare.sh reads from the environment go into the guest
set --
for v in ZNS_BENCH_REPEAT ZNS_BENCH_RAMP ZNS_BENCH_SPIN ZNS_BENCH_PLAIN ZNS_BENCH_IOPOLL \
	ZNS_BENCH_WORKLOADS ZNS_BENCH_TARGETS ZNS_BENCH_CHARTS XNVMEPERF; do
	eval "isset=\${$v+x}"
	[ -n "$isset" ] && eval "set -- \"\$@\" \"$v=\${$v}\""
done
exec "$src/tests/vm/zns-vm" --kernel "$k" --builddir "$src/build" --srcdir "$src" \
	--timeout 3000 -- env "$@" sh "$src/bench/compare.sh" "$src/build" "$rt" devices
