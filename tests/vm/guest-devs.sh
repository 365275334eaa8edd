#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-devs.sh: print shell assignments that name the generic char device and
# controller of each test configuration, found by serial number or transport:
#   ZNS_DEV_A=/dev/ngXnY ZNS_CTRL_A=/dev/nvmeX ... (A-D, G-I: QEMU; E: loop; F: tcp)
for c in /sys/class/nvme/nvme*; do
	[ -e "$c/serial" ] || continue
	ctrl=$(basename "$c")
	serial=$(tr -d ' ' < "$c/serial")
	trans=$(cat "$c/transport" 2>/dev/null)
	case "$serial:$trans" in
	znsa0001:*) k=A ;;
	znsb0001:*) k=B ;;
	znsc0001:*) k=C ;;
	nvmd0001:*) k=D ;;
	znsg0001:*) k=G ;;
	znsh0001:*) k=H ;;
	znsi0001:*) k=I ;;
	*:loop) k=E ;;
	*:tcp) k=F ;;
	*) continue ;;
	esac
	ng=""
	for n in "$c"/ng*n*; do [ -e "$n" ] && ng=/dev/$(basename "$n") && break; done
	if [ -z "$ng" ]; then
		# multipath: the namespace head (ngXnY) sits under the subsystem
		for sub in /sys/class/nvme-subsystem/*; do
			[ -e "$sub/$ctrl" ] || continue
			for n in "$sub"/ng*n*; do [ -e "$n" ] && ng=/dev/$(basename "$n") && break; done
		done
	fi
	echo "ZNS_DEV_$k=$ng ZNS_CTRL_$k=/dev/$ctrl"
done
