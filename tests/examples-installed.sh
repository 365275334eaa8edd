#!/bin/sh
# SPDX-License-Identifier: MIT
# The example a user copies, built the way a user builds it: against the
# installed headers and library (make install into a scratch DESTDIR,
# pkg-config for the flags), then run.
: "${top_builddir:?}" "${top_srcdir:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
make -s -C "$top_builddir" install DESTDIR="$t" > "$t/install.log" 2>&1 ||
	{ echo "FAIL: make install: $(tail -5 "$t/install.log")"; exit 1; }
pc=$(find "$t" -name libzns.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: libzns.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --define-prefix --cflags --libs libzns) ||
	{ echo "FAIL: pkg-config libzns"; exit 1; }
libdir=$(pkg-config --define-prefix --variable=libdir libzns)
# only the installed headers: nothing from the source tree
${CC:-cc} -Wall -Wextra -Werror -o "$t/emu-test" "$top_srcdir/examples/emu-test.c" \
	$flags -Wl,-rpath,"$libdir" || { echo "FAIL: the example does not build"; exit 1; }
"$t/emu-test" || exit 1
echo "1 passed, 0 failed: examples/emu-test.c built from the installed headers and run"
