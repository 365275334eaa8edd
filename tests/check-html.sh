#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The HTML manual (`make html`): every man page has its HTML page and the
# index links it (and check-exports.sh has every exported function and
# public type a man page), every local link resolves, and every page is
# well-formed (each element closed, in order). SKIP (77) without mandoc.
: "${top_builddir:?}" "${top_srcdir:?}"
command -v mandoc > /dev/null || { echo "SKIP: mandoc is not installed (apt-get install mandoc)"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed (it checks the pages are well-formed)"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
sh "$top_srcdir/man/html.sh" "$top_srcdir" "$t" > /dev/null || { echo "FAIL: man/html.sh failed"; exit 1; }
fail=0
n=0
for p in "$top_srcdir"/man/*.[137]; do
	b=$(basename "$p"); b=${b%.*}
	n=$((n + 1))
	[ -f "$t/$b.html" ] || { echo "FAIL: $b has no HTML page"; fail=1; }
	grep -q "href=\"$b.html\"" "$t/index.html" || { echo "FAIL: the index does not link $b"; fail=1; }
done
for f in "$t"/*.html; do
	for h in $(grep -o 'href="[^"#]*"' "$f" | sed 's/href="\(.*\)"/\1/' | sort -u); do
		case "$h" in http*|mailto:*) continue ;; esac
		[ -f "$t/$h" ] || { echo "FAIL: $(basename "$f") links $h, which does not exist"; fail=1; }
	done
done
python3 - "$t" <<'PY' || fail=1
import sys, glob, os
from html.parser import HTMLParser
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link',
        'meta', 'source', 'track', 'wbr'}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []
    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f'</{tag}> at line {self.getpos()[0]} closes {self.stack[-1][0] if self.stack else "nothing"}')
            return
        self.stack.pop()
bad = 0
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.html'))):
    p = P()
    p.feed(open(f, encoding='utf-8').read())
    p.close()
    errs = p.errors + [f'<{t}> from line {pos[0]} never closed' for t, pos in p.stack]
    if errs:
        bad = 1
        print(f'FAIL: {os.path.basename(f)} is not well-formed: {errs[0]}')
sys.exit(bad)
PY
[ $fail = 0 ] && echo "1 passed, 0 failed: $n man pages, each with a well-formed HTML page linked from the index, every local link resolving"
exit $fail
