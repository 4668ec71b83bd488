/*
 * ilwaco/pages.h - a page-granular allocator for thread stacks (kern/pages.c).
 *
 * Pages come from the region the platform names (arch_page_region): in a
 * Denali VM, from MEM_SIZE - ILWACO_MAIN_STACK_BYTES downwards, towards
 * __heap_start.  A heap growing up from __heap_start must stay below
 * pages_lowest().  Freed runs are kept on a list and reused (first fit).
 */
#ifndef ILWACO_PAGES_H
#define ILWACO_PAGES_H

#include <stddef.h>
#include <stdint.h>

#define ILWACO_PAGE_BYTES 4096

void *pages_alloc(size_t npages);         /* page-aligned, or NULL */
void pages_free(void *p, size_t npages);
uintptr_t pages_lowest(void);            /* lowest address handed out yet (the region's top if none) */

#endif /* ILWACO_PAGES_H */
