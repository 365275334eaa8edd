#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The kernel-doc comment of every public function, inline and struct names
# exactly what its declaration has: each parameter of the prototype (each
# member of the struct) has an @line, and no @line names one it does not
# have; a function's comment has a Return: section unless it returns void.
# (The checks the kernel's scripts/kernel-doc makes with -Werror, which
# libnvme's build runs, done here without a kernel tree.)
: "${top_builddir:?}" "${top_srcdir:?}"
command -v python3 > /dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
exec python3 - "$top_srcdir"/include/libzns/*.h <<'PY'
import re, sys
bad = 0
n = 0
block = re.compile(r'/\*\*\n(.*?)\*/\n(.*?)(?=\n\n|\n/\*|\Z)', re.S)
for path in sys.argv[1:]:
    text = open(path).read()
    for m in block.finditer(text):
        doc, decl = m.group(1), m.group(2)
        first = doc.split('\n', 1)[0].lstrip(' *')
        params = re.findall(r'^ \* @(\w+):', doc, re.M)
        name = path.split('/')[-1] + ': ' + first.split(' - ')[0]
        fm = re.match(r'(\w+)\(\) - ', first)
        sm = re.match(r'struct (\w+) - ', first)
        if fm:
            fn = fm.group(1)
            d = re.search(r'\b' + fn + r'\s*\((.*?)\)\s*[;{]', decl, re.S)
            if not d:
                continue	# a typedef'd callback, a macro
            args = d.group(1).strip()
            have = [] if args in ('void', '') else \
                [re.sub(r'\[.*\]', '', a).strip().split()[-1].lstrip('*')
                 for a in args.split(',')]
            if 'Return:' not in doc and not re.match(r'(static inline )?void\s', decl.lstrip()):
                print(f'FAIL: {name}: no Return: section'); bad = 1
        elif sm:
            sn = sm.group(1)
            d = re.search(r'struct ' + sn + r' \{\n(.*?)\n\};', decl + '\n', re.S)
            if not d:
                continue
            have = []
            for line in d.group(1).split('\n'):
                line = re.sub(r'/\*.*?\*/', '', line).strip().rstrip(';')
                if not line or line.startswith('#'):
                    continue
                have.append(re.sub(r'\[.*\]', '', line).split()[-1].lstrip('*'))
        else:
            continue
        n += 1
        missing = [p for p in have if p not in params]
        extra = [p for p in params if p not in have]
        if missing or extra:
            bad = 1
            print(f'FAIL: {name}: ' + ', '.join(
                [f'@{p} not documented' for p in missing] +
                [f'@{p} documented but not declared' for p in extra]))
if not bad:
    print(f'1 passed, 0 failed: {n} kernel-doc comments name exactly the parameters and members they document')
sys.exit(bad)
PY
