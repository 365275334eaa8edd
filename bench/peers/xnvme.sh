#!/bin/sh
# SPDX-License-Identifier: MIT
#
# xnvme.sh XNVME_SRC [BUILDDIR]: build the peer the benchmark compares
# against, xNVMe's xnvmeperf (tools/xnvmeperf) and its zoned append example
# (examples/zoned_io_async), from an xNVMe source tree you downloaded
# yourself: https://github.com/xnvme/xnvme (a release after v0.7.5, or its
# main branch: xnvmeperf is not in v0.7.5's tree). Nothing of xNVMe is kept in
# this repository.
#
# It builds with meson and ninja against the system's liburing (the
# io_uring_cmd backend) and libaio, without SPDK, libvfn, uPCIe, CUDA or HIP,
# so no network is needed. BUILDDIR defaults to bench/peers/xnvme inside the
# libzns build tree given as ZNS_BUILD (default ./build), where compare.sh
# looks for it; a guest sees it there because the build tree is shared.
# Prints the two programs' paths. As root on Debian it installs meson,
# ninja-build and libaio-dev when they are missing.
set -e
src=${1:?usage: xnvme.sh XNVME_SRC [BUILDDIR]  (XNVME_SRC: an xNVMe source tree)}
[ -f "$src/meson.build" ] && [ -d "$src/lib" ] ||
	{ echo "xnvme.sh: $src is not an xNVMe source tree (no meson.build and lib/)" >&2; exit 2; }
[ -f "$src/tools/xnvmeperf/xnvmeperf.c" ] ||
	{ echo "xnvme.sh: $src has no tools/xnvmeperf (added after v0.7.5): use a newer tree" >&2; exit 2; }
src=$(cd "$src" && pwd)
out=${2:-${ZNS_BUILD:-build}/bench/peers/xnvme}

missing=""
for p in meson ninja-build libaio-dev pkg-config liburing-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "xnvme.sh: missing packages:$missing; run as root (apt-get install)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ ! -f "$out/build.ninja" ]; then
	# every option that would reach for the network or a GPU is off
	meson setup "$out" "$src" --buildtype=release \
		-Dwith-spdk=disabled -Dwith-libvfn=disabled -Dwith-isal=disabled \
		-Dwith-cuda=disabled -Dwith-hip=disabled -Dbe_upcie=false \
		-Dbuild_subprojects=false -Dtests=false > "$out/setup.log" 2>&1 ||
		{ tail -n 20 "$out/setup.log" >&2; exit 1; }
fi
ninja -C "$out" tools/xnvmeperf/xnvmeperf examples/zoned_io_async > "$out/ninja.log" 2>&1 ||
	{ tail -n 20 "$out/ninja.log" >&2; exit 1; }
echo "$out/tools/xnvmeperf/xnvmeperf"
echo "$out/examples/zoned_io_async"
