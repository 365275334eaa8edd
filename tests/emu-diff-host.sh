#!/bin/sh
# SPDX-License-Identifier: MIT
# The differential harness on the host: emulators with QEMU configurations
# a's and b's geometry stand in for the devices, so every operation must
# agree with no accounted difference. The guests run it against QEMU.
: "${top_builddir:?}"
d=$top_builddir/tests/integration/zns-diff
[ -x "$d" ] || { echo "emu-diff-host: $d is not built"; exit 1; }
"$d" emu:a 20 500 && "$d" emu:b 20 500
