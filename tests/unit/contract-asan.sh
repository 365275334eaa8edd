#!/bin/sh
# SPDX-License-Identifier: MIT
# The queue contract suite built with AddressSanitizer and UBSan (leaks
# included), every mode.
: "${top_builddir:?}"
t=$top_builddir/tests/unit/test-contract-asan
[ -x "$t" ] || { echo "contract-asan: $t is not built"; exit 1; }
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	exec "$t"
