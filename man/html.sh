#!/bin/sh
# SPDX-License-Identifier: MIT
#
# html.sh SRCDIR OUTDIR: every man page of SRCDIR/man rendered to HTML with
# mandoc (cross-references as links; a page that is another's alias, a .so
# line, becomes a page that sends the reader on), a stylesheet, and an
# index that groups the functions and types by the header that declares
# them. `make html` runs it; `make install-html` installs OUTDIR.
set -e
src=${1:?usage: html.sh SRCDIR OUTDIR}
out=${2:?usage: html.sh SRCDIR OUTDIR}
command -v mandoc > /dev/null || { echo "html.sh: mandoc is needed (apt-get install mandoc)" >&2; exit 2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mkdir -p "$out" "$t/man1" "$t/man3" "$t/man7"
out=$(cd "$out" && pwd)
src=$(cd "$src" && pwd)
for p in "$src"/man/*.[137]; do
	cp "$p" "$t/man${p##*.}/"
done
cp "$src/man/html.css" "$out/libzns.css"

# the one-line description of a page (its NAME section); an alias page
# (.so) has its target's, and says where it is described
desc() {
	to=$(sed -n '1s/^\.so man[0-9]\/\(.*\)\.[0-9]$/\1/p' "$1")
	if [ -n "$to" ]; then
		printf '%s (in <a href="%s.html">%s</a>)' "$(desc "$(dirname "$1")/$to.3")" "$to" "$to"
		return
	fi
	sed -n '/^\.SH NAME/,/^\.SH SYNOPSIS/p' "$1" | grep -v '^\.' | tr '\n' ' ' |
		sed 's/^.* \\- //; s/ *$//; s/\\-/-/g; s/\\e/\\/g; s/&/\&amp;/g; s/</\&lt;/g'
}

cd "$t"
for p in man1/*.1 man3/*.3 man7/*.7; do
	n=$(basename "$p"); n=${n%.*}
	target=$(sed -n '1s/^\.so man[0-9]\/\(.*\)\.[0-9]$/\1/p' "$p")
	if [ -n "$target" ]; then
		cat > "$out/$n.html" <<EOT
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<meta http-equiv="refresh" content="0; url=$target.html"/>
<link rel="stylesheet" href="libzns.css" type="text/css"/>
<title>$n(3)</title>
</head>
<body>
<p>$n is described in <a href="$target.html">$target(3)</a>.</p>
</body>
</html>
EOT
		continue
	fi
	mandoc -Thtml -Ostyle=libzns.css,man=%N.html "$p" > "$out/$n.html"
done
# a reference to a page libzns does not ship (signal(2), ...) stays text
for f in "$out"/*.html; do
	for h in $(grep -o 'href="[A-Za-z0-9_.-]*\.html"' "$f" | sed 's/href="\(.*\)"/\1/' | sort -u); do
		[ -f "$out/$h" ] && continue
		sed -i "s|<a class=\"Xr\" href=\"$h\">\([^<]*\)</a>|<span class=\"Xr\">\1</span>|g" "$f"
	done
done

# the index: what each header declares
{
	cat <<EOT
<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1.0"/>
<link rel="stylesheet" href="libzns.css" type="text/css"/>
<title>libzns reference</title>
</head>
<body>
<div class="manual-text">
<h1>libzns reference</h1>
<p>An io_uring-based ZNS command library with the libnvme ZNS API, and a zone
layer for storage engines. Start with <a href="libzns.html">libzns(7)</a>:
its layers, errors, threads and guarantees.</p>
EOT
	seen=" "
	for h in "$src"/include/libzns/*.h; do
		hb=$(basename "$h")
		rows=""
		for p in man3/*.3; do
			n=$(basename "$p" .3)
			case "$seen" in *" $n "*) continue ;; esac
			# declared here: a prototype or inline at the line's
			# start, a struct, enum or callback type
			if grep -qE "^[a-z_].*[ *]$n\(|^(struct|enum) $n \{|\(\*$n\)\(" "$h"; then
				seen="$seen$n "
				kind=function
				grep -qE "^(struct|enum) $n \{|\(\*$n\)\(" "$h" && kind=type
				rows="$rows<tr><td class=\"$kind\"><a href=\"$n.html\">$n</a></td><td>$(desc "$p")</td></tr>
"
			fi
		done
		[ -n "$rows" ] || continue
		echo "<h2 class=\"hdr\">&lt;libzns/$hb&gt;</h2>"
		echo "<table class=\"index\">"
		printf '%s' "$rows"
		echo "</table>"
	done
	echo "<h2 class=\"hdr\">Overview and tools</h2>"
	echo "<table class=\"index\">"
	for p in man7/*.7 man1/*.1; do
		n=$(basename "$p"); s=${n##*.}; n=${n%.*}
		echo "<tr><td><a href=\"$n.html\">$n($s)</a></td><td>$(desc "$p")</td></tr>"
	done
	echo "</table>"
	echo "</div>"
	echo "</body>"
	echo "</html>"
} > "$out/index.html"
echo "html.sh: $(ls "$out"/*.html | wc -l) pages in $out (index.html)"
