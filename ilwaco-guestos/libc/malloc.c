/*
 * libc/malloc.c - malloc, free, calloc, realloc: a compact heap.
 *
 * Why compact: the VMM gives a VM a private host page the first time the
 * guest writes to it, and Denali found that allocators which scatter
 * buffers over the address space inflate every VM's working set.  So this
 * allocator touches as few pages as it can:
 *
 *   - The heap is [arch_heap_start(), arch_heap_limit()): on Denali from
 *     _end up to the memory size minus a stack reserve.  It is used from the
 *     bottom up through a break (`brk`); memory above the break is never
 *     written, never pre-initialised, and reads zero (arch.h), which calloc
 *     exploits: it clears only the part of a block that was ever used.
 *   - Free blocks are kept in one doubly-linked list in address order, and
 *     malloc takes the first (lowest) block that fits, splitting off the low
 *     end; only when none fits does the break move up.  Freed neighbours are
 *     merged at once (boundary tags), and a free block that ends at the break
 *     is given back to it, so no free block ever touches the break.
 *   - All metadata lives in the blocks: no tables, no bins, no side arrays.
 *
 * Block layout (sizes are multiples of 16; payloads are 16-byte aligned, so
 * a header sits at an address that is 12 mod 16):
 *
 *   in use:  [ head | payload ...                            ]
 *   free:    [ head | prev | next | ... unused ...  | foot ]
 *             4 B    4 B    4 B                        4 B    (min 16 B)
 *
 *   head = size | INUSE | PREV_INUSE      foot = size (free blocks only)
 *
 * PREV_INUSE says whether the block just below is in use, so an in-use block
 * needs no footer: the overhead of an allocation is 4 bytes plus rounding to
 * 16 (malloc(1) .. malloc(12) use 16 bytes, malloc(28) uses 32).
 *
 * Costs: malloc is first fit over the free list, O(free blocks); free is
 * O(1) when it merges with a free neighbour, else O(free blocks) to find its
 * place in address order.  Guest heaps are small and the list holds only the
 * holes, which coalescing keeps few; if this ever shows in a profile,
 * segregated lists per size class (each still address ordered, falling back
 * to the lowest block) are the next step.
 *
 * Checks: free and realloc refuse (abort with one line) a pointer that is
 * not 16-byte aligned, lies outside the heap, whose header is not marked in
 * use (double free), or whose size disagrees with the next block's
 * PREV_INUSE bit (a corrupted header).  Out of memory returns NULL with
 * errno = ENOMEM and leaves the heap usable.
 *
 * Threads: every entry point masks interrupts (arch_intr_save/restore)
 * around its work on the heap.  One CPU, so that is the lock: a thread
 * cannot be preempted, nor an interrupt handler run, in the middle of a heap
 * operation, and malloc never blocks, so masking costs two register writes.
 * Long copies run unmasked: calloc clears, and realloc copies to a new block,
 * after the lock is dropped (the block is the caller's by then), so a big
 * calloc does not hold up preemption.  Handlers and timer callbacks may
 * therefore call malloc and free too.
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <errno.h>
#include <ilwaco.h>
#include "../arch/arch.h"

#define ALIGN       16u
#define HEAD_BYTES  4u
#define MIN_BLOCK   16u
#define INUSE       1u
#define PREV_INUSE  2u
#define FLAGS       (ALIGN - 1)

struct block {
    size_t head;
    struct block *prev, *next;   /* only while free */
};

static uintptr_t heap_lo;        /* first block's header */
static uintptr_t heap_brk;       /* one past the last block; [brk, limit) untouched */
static uintptr_t heap_limit;     /* the break never passes this */
static uintptr_t heap_hwm;       /* highest break so far: bytes above it read zero */
static struct block *free_head;  /* lowest free block */
static int heap_ready;

static inline size_t bsize(const struct block *b) { return b->head & ~(size_t)FLAGS; }
static inline struct block *at(uintptr_t a) { return (struct block *)a; }
static inline struct block *next_of(struct block *b) { return at((uintptr_t)b + bsize(b)); }
static inline void *payload(struct block *b) { return (char *)b + HEAD_BYTES; }
static inline struct block *block_of(void *p) { return at((uintptr_t)p - HEAD_BYTES); }
static inline void set_foot(struct block *b)
{
    *(size_t *)((uintptr_t)b + bsize(b) - 4) = bsize(b);
}

static void heap_init(void)
{
    uintptr_t lo = (uintptr_t)arch_heap_start();
    uintptr_t hi = (uintptr_t)arch_heap_limit();

    /* headers at 12 mod 16 so that payloads are 16-aligned */
    lo = ((lo + HEAD_BYTES + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1)) - HEAD_BYTES;
    if (hi > HEAD_BYTES)
        hi = ((hi + HEAD_BYTES) & ~(uintptr_t)(ALIGN - 1)) - HEAD_BYTES;
    if (hi < lo)
        hi = lo;                  /* no room: every malloc fails cleanly */
    heap_lo = heap_brk = heap_hwm = lo;
    heap_limit = hi;
    free_head = NULL;
    heap_ready = 1;
}

/* Block size for a request of n bytes, or 0 when it can never fit. */
static size_t request_size(size_t n)
{
    if (n > (size_t)(heap_limit - heap_lo))
        return 0;
    n = (n + HEAD_BYTES + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return n < MIN_BLOCK ? MIN_BLOCK : n;
}

static void *out_of_memory(void)
{
    errno = ENOMEM;
    return NULL;
}

static __attribute__((noreturn)) void heap_abort(const char *what)
{
    console_write("ilwaco: ", 8);
    console_write(what, strlen(what));
    console_write("\n", 1);
    abort();
}

/* The block of a pointer handed to free/realloc, checked cheaply. */
static struct block *checked_block(void *p, const char *who)
{
    uintptr_t a = (uintptr_t)p;
    struct block *b;
    uintptr_t end;

    if ((a & (ALIGN - 1)) != 0 || a < heap_lo + HEAD_BYTES || a > heap_limit)
        heap_abort(who[0] == 'f' ? "free(): invalid pointer" : "realloc(): invalid pointer");
    if (a >= heap_brk)            /* a freed top block went back to the break */
        heap_abort(who[0] == 'f' ? "free(): double free (above the break)"
                                 : "realloc(): pointer already freed (above the break)");
    b = block_of(p);
    if (!(b->head & INUSE))
        heap_abort(who[0] == 'f' ? "free(): double free" : "realloc(): pointer already freed");
    end = a - HEAD_BYTES + bsize(b);
    if (bsize(b) < MIN_BLOCK || end > heap_brk || end < a
        || (end < heap_brk && !(at(end)->head & PREV_INUSE)))
        heap_abort(who[0] == 'f' ? "free(): corrupted heap block" : "realloc(): corrupted heap block");
    return b;
}

/* Replace free block old with nb in the list (nb takes old's place in address order). */
static void list_replace(struct block *old, struct block *nb)
{
    nb->prev = old->prev;
    nb->next = old->next;
    if (nb->prev) nb->prev->next = nb; else free_head = nb;
    if (nb->next) nb->next->prev = nb;
}

static void list_remove(struct block *b)
{
    if (b->prev) b->prev->next = b->next; else free_head = b->next;
    if (b->next) b->next->prev = b->prev;
}

static void list_insert_ordered(struct block *b)
{
    struct block *prev = NULL, *cur = free_head;

    while (cur && cur < b) {
        prev = cur;
        cur = cur->next;
    }
    b->prev = prev;
    b->next = cur;
    if (prev) prev->next = b; else free_head = b;
    if (cur) cur->prev = b;
}

/*
 * Turn the listed free block b into an in-use block of `need` bytes (its low
 * end); the rest, if it can hold a block, stays free in b's place in the list.
 */
static void take(struct block *b, size_t need)
{
    size_t size = bsize(b);
    size_t prev_flag = b->head & PREV_INUSE;

    if (size - need >= MIN_BLOCK) {
        struct block *rest = at((uintptr_t)b + need);
        rest->head = (size - need) | PREV_INUSE;
        set_foot(rest);
        list_replace(b, rest);
        b->head = need | INUSE | prev_flag;
    } else {
        list_remove(b);
        b->head = size | INUSE | prev_flag;
        next_of(b)->head |= PREV_INUSE;   /* a free block never ends at the break */
    }
}

/* Free an in-use block: merge with free neighbours, give the top back to the break. */
static void release(struct block *b)
{
    size_t size = bsize(b);
    struct block *next = at((uintptr_t)b + size);
    int next_free = (uintptr_t)next < heap_brk && !(next->head & INUSE);
    int placed = 0;

    if (next_free) {
        size += bsize(next);
        list_replace(next, b);
        placed = 1;
    }
    if (!(b->head & PREV_INUSE)) {
        size_t prev_size = *(size_t *)((uintptr_t)b - 4);
        struct block *prev = at((uintptr_t)b - prev_size);
        size += prev_size;
        if (placed)
            list_remove(b);
        b = prev;                 /* prev is in the list already, at the right place */
        placed = 1;
    }
    if ((uintptr_t)b + size == heap_brk) {
        if (placed)
            list_remove(b);
        heap_brk = (uintptr_t)b;  /* the block below b is in use (or b is the first) */
        return;
    }
    b->head = size | PREV_INUSE;  /* a free block's lower neighbour is never free */
    set_foot(b);
    next_of(b)->head &= ~(size_t)PREV_INUSE;
    if (!placed)
        list_insert_ordered(b);
}

/*
 * How far the break may rise now.  arch_heap_limit() can move down while the
 * program runs (on Denali, thread stacks take pages from the top of the range
 * the heap shares with them), so it is asked again whenever the break would
 * rise; it never moves below what the heap has used (heap_hwm).
 */
static uintptr_t ceiling(void)
{
    uintptr_t hi = (uintptr_t)arch_heap_limit();

    if (hi > HEAD_BYTES)
        hi = ((hi + HEAD_BYTES) & ~(uintptr_t)(ALIGN - 1)) - HEAD_BYTES;
    if (hi < heap_brk)
        hi = heap_brk;
    if (hi < heap_limit)
        heap_limit = hi;
    return heap_limit;
}

/* A new block of `need` bytes at the break, or NULL when the heap is full. */
static struct block *grow(size_t need)
{
    struct block *b;

    if (ceiling() - heap_brk < need)
        return NULL;
    b = at(heap_brk);
    b->head = need | INUSE | PREV_INUSE;
    heap_brk += need;
    if (heap_brk > heap_hwm)
        heap_hwm = heap_brk;
    return b;
}

/* ---- the heap operations, interrupts masked ------------------------------ */

static void *malloc_masked(size_t n)
{
    size_t need;
    struct block *b;

    if (!heap_ready)
        heap_init();
    need = request_size(n);
    if (need == 0)
        return out_of_memory();
    for (b = free_head; b; b = b->next) {
        if (bsize(b) >= need) {
            take(b, need);
            return payload(b);
        }
    }
    b = grow(need);
    return b ? payload(b) : out_of_memory();
}

static void free_masked(void *p)
{
    if (!heap_ready)
        heap_abort("free(): invalid pointer");
    release(checked_block(p, "free"));
}

/* realloc without the move: p resized in place (returned), or NULL with
 * *moved set to a new block of n bytes (NULL: out of memory) and *old_bytes
 * to the payload to copy into it; then the caller copies and frees p. */
static void *realloc_masked(void *p, size_t n, void **moved, size_t *old_bytes)
{
    struct block *b, *next;
    size_t size, need;

    *moved = NULL;
    if (!heap_ready)
        heap_abort("realloc(): invalid pointer");
    b = checked_block(p, "realloc");
    if (n == 0) {
        release(b);
        return NULL;
    }
    need = request_size(n);
    if (need == 0)
        return out_of_memory();
    size = bsize(b);
    if (need <= size) {
        if (size - need >= MIN_BLOCK) {      /* shrink: the tail becomes free */
            struct block *tail = at((uintptr_t)b + need);
            tail->head = (size - need) | INUSE | PREV_INUSE;
            b->head = need | (b->head & FLAGS);
            release(tail);
        }
        return p;
    }
    next = at((uintptr_t)b + size);
    if ((uintptr_t)next == heap_brk) {       /* the last block: move the break */
        if (ceiling() - (uintptr_t)b >= need) {
            b->head = need | (b->head & FLAGS);
            heap_brk = (uintptr_t)b + need;
            if (heap_brk > heap_hwm)
                heap_hwm = heap_brk;
            return p;
        }
    } else if (!(next->head & INUSE) && size + bsize(next) >= need) {
        /* grow into the free block above; what is left of it stays free in
         * its place in the list (b's payload must not be used as list links) */
        size_t total = size + bsize(next);
        size_t prev_flag = b->head & PREV_INUSE;
        if (total - need >= MIN_BLOCK) {
            struct block *rest = at((uintptr_t)b + need);
            rest->head = (total - need) | PREV_INUSE;
            set_foot(rest);
            list_replace(next, rest);
            b->head = need | INUSE | prev_flag;
        } else {
            list_remove(next);
            b->head = total | INUSE | prev_flag;
            next_of(b)->head |= PREV_INUSE;
        }
        return p;
    }
    *moved = malloc_masked(n);            /* NULL: errno set; p is still valid */
    *old_bytes = size - HEAD_BYTES;
    return NULL;
}

/* ---- the public entry points: each masks interrupts around its heap work --- */

void *malloc(size_t n)
{
    uint32_t s = arch_intr_save();
    void *p = malloc_masked(n);

    arch_intr_restore(s);
    return p;
}

void free(void *p)
{
    uint32_t s;

    if (p == NULL)
        return;
    s = arch_intr_save();
    free_masked(p);
    arch_intr_restore(s);
}

void *calloc(size_t count, size_t each)
{
    size_t n;
    uintptr_t zero_from;
    char *p;
    uint32_t s;

    if (each != 0 && count > SIZE_MAX / each)
        return out_of_memory();
    n = count * each;
    s = arch_intr_save();
    if (!heap_ready)
        heap_init();
    zero_from = heap_hwm;         /* memory at and above it was never written */
    p = malloc_masked(n);
    arch_intr_restore(s);
    /* the block is ours: clear the part below zero_from without the lock */
    if (p && (uintptr_t)p < zero_from) {
        uintptr_t end = (uintptr_t)p + n;
        memset(p, 0, (end < zero_from ? end : zero_from) - (uintptr_t)p);
    }
    return p;
}

void *realloc(void *p, size_t n)
{
    void *q, *moved;
    size_t old_bytes = 0;
    uint32_t s;

    if (p == NULL)
        return malloc(n);
    s = arch_intr_save();
    q = realloc_masked(p, n, &moved, &old_bytes);
    arch_intr_restore(s);
    if (q || !moved)
        return q;                   /* in place; or freed (n == 0); or out of memory */
    /* both blocks are the caller's until p is freed: copy without the lock */
    memcpy(moved, p, old_bytes);
    free(p);
    return moved;
}

/* ---- Ilwaco extensions (ilwaco.h) ------------------------------------- */

uintptr_t ilwaco_heap_end(void)
{
    /* no heap_init() here: the platform's limit may ask kern/pages.c, which asks
     * this; no masking either: its callers (kern/pages.c) mask already */
    return heap_ready ? heap_hwm : (uintptr_t)arch_heap_start();
}

size_t ilwaco_heap_top(void)
{
    uint32_t s = arch_intr_save();
    size_t top;

    if (!heap_ready)
        heap_init();
    top = heap_brk - heap_lo;
    arch_intr_restore(s);
    return top;
}

/* Walk every block and the free list; 0 when all invariants hold. */
static int heap_check_masked(void)
{
    uintptr_t a;
    int prev_used = 1;
    size_t free_blocks = 0, listed = 0;
    struct block *f, *last = NULL;

    if (!heap_ready)
        heap_init();
    for (a = heap_lo; a < heap_brk; a += bsize(at(a))) {
        struct block *b = at(a);
        if (bsize(b) < MIN_BLOCK || bsize(b) % ALIGN || a + bsize(b) > heap_brk)
            return 1;
        if (!!(b->head & PREV_INUSE) != prev_used)
            return 2;
        if (!(b->head & INUSE)) {
            if (!prev_used)
                return 3;                    /* two free neighbours: not merged */
            if (*(size_t *)(a + bsize(b) - 4) != bsize(b))
                return 4;
            if (a + bsize(b) == heap_brk)
                return 5;                    /* a free block touching the break */
            free_blocks++;
        }
        prev_used = b->head & INUSE;
    }
    if (a != heap_brk)
        return 6;
    for (f = free_head; f; last = f, f = f->next) {
        if (f->prev != last || (last && last >= f) || (f->head & INUSE))
            return 7;
        listed++;
    }
    return listed == free_blocks ? 0 : 8;
}

int ilwaco_heap_check(void)
{
    uint32_t s = arch_intr_save();
    int r = heap_check_masked();

    arch_intr_restore(s);
    return r;
}
