#!/bin/sh
# SPDX-License-Identifier: MIT
#
# chart.sh RUN.tsv [OUT]: draw one compare.sh run as a chart, OUT.svg and
# OUT.png (OUT defaults to RUN without .tsv), with gnuplot; prints the two
# paths. Three panels, one group per workload:
#   IOPS of fio, zns-bench and (when it ran) xNVMe;
#   CPU per IO of each tool's process, in microseconds;
#   zns-bench's completion latency, median and 99th percentile, in
#   microseconds (left out when no row had latency clocks on).
# RUN.tsv is what compare.sh writes beside its table: a header line, then
# one line per row (the medians when it repeated rows), tab-separated:
#   workload fio_iops zns_iops xnvme_iops fio_cpu_ns zns_cpu_ns
#   xnvme_cpu_ns zns_p50_ns zns_p99_ns
# with "-" where a figure is missing. CHART_TITLE names the chart (default:
# the file name).
set -e
tsv=${1:?usage: chart.sh RUN.tsv [OUT]}
out=${2:-${tsv%.tsv}}
command -v gnuplot >/dev/null 2>&1 ||
	{ echo "chart.sh: gnuplot is not installed (Debian: gnuplot-nox)" >&2; exit 1; }
n=$(($(wc -l < "$tsv") - 1))
[ "$n" -gt 0 ] || { echo "chart.sh: $tsv has no rows" >&2; exit 1; }
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
# gnuplot reads "-" as missing; microseconds for the CPU and latency panels
awk -F'\t' 'NR > 1 {
	# short labels: the panels have room for them
	n = $1
	sub(/ 4k /, " ", n); sub(/ \(fio: block dev\)/, "", n); sub(/ \(library cost\)/, "", n)
	sub(/^nvmet-nullb /, "nvmet ", n); sub(/^qemu-zns /, "qemu ", n); sub(/null engine /, "null ", n)
	printf "\"%s\"", n
	for (i = 2; i <= 9; i++) {
		v = $i
		if (v == "-" || v == "") v = "NaN"
		else if (i >= 5) v = v / 1000
		printf " %s", v
	}
	printf "\n" }' "$tsv" > "$dat"
xn=$(awk -F'\t' 'NR > 1 && $4 != "-" && $4 != "" { x = 1 } END { print x + 0 }' "$tsv")
xc=$(awk -F'\t' 'NR > 1 && $7 != "-" && $7 != "" { x = 1 } END { print x + 0 }' "$tsv")
lat=$(awk -F'\t' 'NR > 1 && $8 != "-" && $8 != "" { x = 1 } END { print x + 0 }' "$tsv")
panels=$((2 + lat))
title=${CHART_TITLE:-$(basename "$out")}
for term in svg png; do
	if [ $term = svg ]; then
		t="set terminal svg size 1200,1400 dynamic font 'Helvetica,12' background '#ffffff'"
	else
		t="set terminal pngcairo size 1200,1400 font 'Sans,10'"
	fi
	gnuplot 2>&1 <<EOF | grep -v "no valid points" >&2 || :
$t
set output "$out.$term"
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key outside top center horizontal
set xtics rotate by 35 right scale 0 font ",9"
set lmargin 18
set bmargin 11
set multiplot layout $panels,1 title "libzns compare.sh: $title"
set title "IOPS (higher is better)"
set ylabel "IOPS"
set yrange [0:*]
plot "$dat" using 2:xtic(1) title "fio" lc rgb "#9e9e9e", \
     "" using 3 title "zns-bench" lc rgb "#1565c0"$( [ "$xn" = 1 ] && printf '%s' ', "" using 4 title "xNVMe" lc rgb "#ef6c00"')
set title "CPU per IO of the benchmark process (lower is better)"
set ylabel "us"
plot "$dat" using 5:xtic(1) title "fio" lc rgb "#9e9e9e", \
     "" using 6 title "zns-bench" lc rgb "#1565c0"$( [ "$xc" = 1 ] && printf '%s' ', "" using 7 title "xNVMe" lc rgb "#ef6c00"')
$( [ "$lat" = 1 ] && printf '%s\n' 'set title "zns-bench completion latency"' 'set ylabel "us"' \
	"plot \"$dat\" using 8:xtic(1) title \"median\" lc rgb \"#64b5f6\", \"\" using 9 title \"99th percentile\" lc rgb \"#0d47a1\"")
unset multiplot
EOF
done
echo "$out.svg"
echo "$out.png"
