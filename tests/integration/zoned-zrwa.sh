#!/bin/sh
# SPDX-License-Identifier: MIT
# zns-zoned-itest's ZRWA part on the in-process device shaped like QEMU
# configuration c (8 ZRWAs of 16 blocks, flush granularity 4); the guests
# run the same part on configuration c itself.
: "${top_builddir:?}"
ZNS_TEST_ZRWA=1 exec "$top_builddir/tests/integration/zns-zoned-itest"
