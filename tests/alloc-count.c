// SPDX-License-Identifier: MIT
/*
 * Allocation counting for the test programs: they link libzns statically
 * with -Wl,--wrap for these functions (WRAP_ALLOC in Makefile.am), so every
 * allocation libzns makes passes through here.
 */
#include <stdlib.h>
#include "alloc-count.h"

unsigned long zns_test_allocs;

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
	zns_test_allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t a, size_t b)
{
	zns_test_allocs++;
	return __real_calloc(a, b);
}

void *__wrap_realloc(void *p, size_t n)
{
	zns_test_allocs++;
	return __real_realloc(p, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	zns_test_allocs++;
	return __real_posix_memalign(p, a, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	zns_test_allocs++;
	return __real_aligned_alloc(a, n);
}
