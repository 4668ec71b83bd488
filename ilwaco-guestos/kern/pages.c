/*
 * kern/pages.c - page-granular allocation of thread stacks.
 *
 * A bump allocator from the top of the platform's region downwards
 * (arch_page_region), plus a list of freed runs reused first-fit.  The
 * region's bottom is asked again at every bump: on Denali the heap grows up
 * into the same range, and the platform puts the bottom above it.  A run
 * larger than asked is split and its upper part handed out.  Freed runs are
 * not merged: stacks are mostly of one size.
 */
#include <ilwaco/pages.h>
#include "../arch/arch.h"

struct run {
    struct run *next;
    size_t npages;
};

static uintptr_t region_lo, low_water;
static int ready;
static struct run *free_runs;

static void init(void)
{
    uintptr_t hi;

    arch_page_region(&region_lo, &hi);
    region_lo = (region_lo + ILWACO_PAGE_BYTES - 1) & ~(uintptr_t)(ILWACO_PAGE_BYTES - 1);
    low_water = hi & ~(uintptr_t)(ILWACO_PAGE_BYTES - 1);
    ready = 1;
}

void *pages_alloc(size_t npages)
{
    uint32_t s = arch_intr_save();
    size_t bytes = npages * ILWACO_PAGE_BYTES;
    void *p = NULL;

    if (!ready)
        init();
    for (struct run **r = &free_runs; *r; r = &(*r)->next) {
        struct run *f = *r;
        if (f->npages == npages) {
            *r = f->next;
            p = f;
            break;
        }
        if (f->npages > npages) {
            f->npages -= npages;
            p = (char *)f + f->npages * ILWACO_PAGE_BYTES;
            break;
        }
    }
    if (!p && npages > 0) {
        uintptr_t hi;
        arch_page_region(&region_lo, &hi);
        region_lo = (region_lo + ILWACO_PAGE_BYTES - 1) & ~(uintptr_t)(ILWACO_PAGE_BYTES - 1);
    }
    if (!p && npages > 0 && low_water >= region_lo && low_water - region_lo >= bytes) {
        low_water -= bytes;
        p = (void *)low_water;
    }
    arch_intr_restore(s);
    return p;
}

void pages_free(void *p, size_t npages)
{
    uint32_t s;
    struct run *f = p;

    if (!p || npages == 0)
        return;
    s = arch_intr_save();
    f->npages = npages;
    f->next = free_runs;
    free_runs = f;
    arch_intr_restore(s);
}

uintptr_t pages_lowest(void)
{
    if (!ready)
        init();
    return low_water;
}
