#!/bin/sh
# SPDX-License-Identifier: MIT
# The queue contract suite under valgrind's memcheck, every mode: any
# invalid read or write, use of uninitialised memory or leak fails it.
# Without valgrind on the machine it is skipped, saying so.
: "${top_builddir:?}"
t=$top_builddir/tests/unit/test-contract
command -v valgrind >/dev/null 2>&1 ||
	{ echo "SKIP: valgrind is not installed (apt-get install valgrind)"; exit 77; }
[ -x "$t" ] || { echo "contract-valgrind: $t is not built"; exit 1; }
# one process (no fork per test), so every error ends in the exit status
exec env CK_FORK=no valgrind -q \
	--error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite \
	"$t"
