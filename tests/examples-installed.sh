#!/bin/sh
# SPDX-License-Identifier: MIT
# The examples a user copies (the emulator test, the zlog store), built the
# way a user builds them: against the installed headers and library (make
# install into a scratch DESTDIR, pkg-config for the flags), then run.
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
for ex in emu-test zlog; do
	${CC:-cc} -Wall -Wextra -Werror -o "$t/$ex" "$top_srcdir/examples/$ex.c" \
		$flags -Wl,-rpath,"$libdir" || { echo "FAIL: examples/$ex.c does not build"; exit 1; }
	"$t/$ex" || { echo "FAIL: examples/$ex"; exit 1; }
done
echo "2 passed, 0 failed: examples/emu-test.c and examples/zlog.c built from the installed headers and run"
