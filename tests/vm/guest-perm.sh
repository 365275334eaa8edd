#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-perm.sh BUILDDIR DEV KIND: inside a zns-vm guest, run as a user
# without privileges (nobody): first with the namespace device DEV not
# writable for it, then writable (the controller device stays root's).
# zns-perm-itest checks each call against what this kernel allows; where
# the kernel allows IO commands (6.2 and later), the option and zone-layer
# suites run unprivileged too. The device's mode is put back.
b=${1:?usage: guest-perm.sh BUILDDIR DEV KIND}
dev=${2:?}
kind=${3:?}
kver=$(uname -r)
fail=0
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
mode=$(stat -c %a "$dev")
echo "== zns-perm-itest: kernel $kver, configuration $kind ($dev), as nobody, device mode 600"
chmod 600 "$dev"
as_nobody env ZNS_TEST_DEV="$dev" ZNS_PERM=closed "$b/tests/integration/zns-perm-itest" || fail=1
echo "== zns-perm-itest: kernel $kver, configuration $kind ($dev), as nobody, device mode 666"
chmod 666 "$dev"
as_nobody env ZNS_TEST_DEV="$dev" ZNS_PERM=open "$b/tests/integration/zns-perm-itest" || fail=1
case "$kver" in
6.1.*) echo "ok: Linux $kver: passthrough needs CAP_SYS_ADMIN; the suites need root here" ;;
*)
	for t in zns-opts-itest zns-zoned-itest; do
		echo "== $t: kernel $kver, configuration $kind ($dev), as nobody"
		as_nobody env ZNS_TEST_DEV="$dev" ZNS_TEST_KIND="$kind" "$b/tests/integration/$t" || fail=1
	done ;;
esac
chmod "$mode" "$dev"
exit $fail
