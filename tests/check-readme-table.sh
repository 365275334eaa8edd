#!/bin/sh
# SPDX-License-Identifier: MIT
# README's performance table is the one bench/RESULTS.md marks for it.
: "${top_srcdir:?}"
exec sh "$top_srcdir/bench/readme-table.sh" --check
