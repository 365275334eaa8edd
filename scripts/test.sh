#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build libzns and run every test: the unit suites on the host, then the
# integration suites in QEMU guests (Debian's 6.1 and 6.12 kernels, four
# emulated ZNS/NVM controllers, the kernel's NVMe target over loop and TCP).
# Installs what it needs on Debian 12 when run as root. Builds in ./build.
set -e
src=$(cd "$(dirname "$0")/.." && pwd)
sh "$src/scripts/deps.sh"
cd "$src"
./autogen.sh >/dev/null
mkdir -p build
cd build
# --with-vm: the guest suites are required here; a missing kernel or QEMU,
# or a guest that does not boot, fails the run.
"$src/configure" --enable-werror --with-vm -q
make -j"$(nproc)" -s
st=0
make -j1 check || st=$?
# The Check totals of every suite, per kernel and device configuration.
echo "== Check totals"
p=0; f=0
for log in tests/unit/*.log tests/vm/logs/suites-*.log; do
	[ -f "$log" ] || continue
	tr -d '\r' < "$log" | grep -E '^(== zns-itest|Running suite|[0-9]+%: Checks)' | sed "s|^|$(basename "$log" .log): |"
	eval "$(tr -d '\r' < "$log" | sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/c=\1 x=\2 e=\3; p=$((p + c - x - e)); f=$((f + x + e))/p')"
done
# The differential runs: each seed that agreed is a check passed.
for log in tests/vm/logs/suites-*.log; do
	[ -f "$log" ] || continue
	eval "$(tr -d '\r' < "$log" | sed -n 's/^zns-diff: .*: \([0-9]*\) seeds x .* identical.*/p=$((p + \1))/p')"
	eval "$(tr -d '\r' < "$log" | sed -n 's/^zns-diff: FAIL.*/f=$((f + 1))/p')"
	tr -d '\r' < "$log" | grep -E '^zns-diff: ' | sed "s|^|$(basename "$log" .log): |"
done
[ -f test-suite.log ] && grep -E '^# (TOTAL|PASS|FAIL|ERROR)' test-suite.log || true
[ "$st" = 0 ] || { echo "make check failed; see build/test-suite.log and build/tests/vm/logs/"; cat test-suite.log 2>/dev/null | tail -60; }
echo "$p passed, $f failed"
[ "$st" = 0 ] && [ "$f" = 0 ]
