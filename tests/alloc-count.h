/* SPDX-License-Identifier: MIT */
#ifndef ZNS_TEST_ALLOC_COUNT_H
#define ZNS_TEST_ALLOC_COUNT_H
/* Allocations made through malloc, calloc, realloc, posix_memalign and
 * aligned_alloc by statically linked code since the program started. */
extern unsigned long zns_test_allocs;
#endif
