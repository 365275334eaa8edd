#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run.sh [SECONDS]: build libzns's fuzz targets with clang's libFuzzer,
# AddressSanitizer and UBSan, and run each for SECONDS (default 15) from
# its corpus in tests/fuzz/corpus (seeded from data captured from QEMU's
# ZNS SSD). Then plant an out-of-bounds read in the report decoder and
# check that the report target finds it: a fuzzer that cannot find a
# planted bug proves nothing. Exit 0, 1 (a finding, or the planted bug
# missed), or 77 (no clang with libFuzzer here: SKIP, saying so).
secs=${1:-${ZNS_FUZZ_SECONDS:-15}}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
b=$(pwd)/tests/fuzz
clang=${CLANG:-clang}
mkdir -p "$b"
if ! command -v "$clang" > /dev/null ||
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
	"$clang" -x c -fsanitize=fuzzer - -o "$b/probe" 2> /dev/null; then
	echo "SKIP: no clang with libFuzzer (apt-get install clang)"
	exit 77
fi
# config.h of this build (make check runs from the build directory)
[ -f config.h ] || { echo "run.sh: run it from the build directory"; exit 1; }
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-I$src/include -I$src/lib -I$src/bench -I. $(pkg-config --cflags liburing)"
lib="$src/lib/ioctl.c $src/lib/emu.c $src/lib/sysfs.c $src/lib/decode.c
	$src/lib/device.c $src/lib/sync.c $src/lib/status.c"
fail=0

build() {	# build NAME EXTRA-FLAGS SOURCES...
	name=$1; extra=$2; shift 2
	# shellcheck disable=SC2086
	"$clang" $flags $extra "$@" -o "$b/$name" 2> "$b/$name.build" ||
		{ echo "FAIL: building $name: $(head -c 600 "$b/$name.build")"; fail=1; return 1; }
}
run() {		# run NAME: its corpus grows in the build tree
	name=$1
	mkdir -p "$b/corpus-$name"
	[ -d "$here/corpus/$name" ] && cp -n "$here/corpus/$name"/* "$b/corpus-$name/" 2>/dev/null
	if "$b/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$b/$name-" "$b/corpus-$name" > "$b/$name.log" 2>&1; then
		echo "ok: $name: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$b/$name.log" |
			sed 's/.*: //') runs in ${secs} s, 0 findings"
	else
		echo "FAIL: $name: $(grep -m1 -E 'ERROR|runtime error|deadly' "$b/$name.log")"
		echo "      (log and reproducer: $b/$name.log, $b/$name-*)"
		fail=1
	fi
}

build fuzz-report "" "$here/fuzz-report.c" $lib && run fuzz-report
build fuzz-identify "" "$here/fuzz-identify.c" $lib && run fuzz-identify
build fuzz-status "" "$here/fuzz-status.c" $lib && run fuzz-status
build fuzz-emu "" "$here/fuzz-emu.c" $lib && run fuzz-emu
build fuzz-opts "" "$here/fuzz-opts.c" "$src/bench/opts.c" && run fuzz-opts

# the planted bug: one descriptor read past the end of the buffer
if build fuzz-report-planted "-DZNS_FUZZ_PLANT" "$here/fuzz-report.c" $lib; then
	if "$b/fuzz-report-planted" -max_total_time=60 -timeout=10 \
		-artifact_prefix="$b/planted-" "$b/corpus-fuzz-report" > "$b/planted.log" 2>&1; then
		echo "FAIL: the out-of-bounds read planted in zns_parse_report() was not found in 60 s"
		fail=1
	else
		echo "ok: the out-of-bounds read planted in zns_parse_report() was found: $(grep -m1 -o 'heap-buffer-overflow[^ ]*' "$b/planted.log")"
	fi
fi
exit $fail
