#!/bin/sh
# SPDX-License-Identifier: MIT
#
# html-shots.sh HTMLDIR: render the manual's index and one type page
# (nvme_zns_id_ns) to PNG with headless Chromium (Debian's chromium), so
# anyone can look at what a reader sees. Prints the paths of the images.
set -e
dir=$(cd "${1:?usage: html-shots.sh HTMLDIR}" && pwd)
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "html-shots.sh: chromium is needed (apt-get install chromium)" >&2; exit 2; }
for page in index nvme_zns_id_ns; do
	"$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size=1100,1500 --screenshot="$dir/$page.png" \
		"file://$dir/$page.html" > /dev/null 2>&1
	echo "$dir/$page.png"
done
