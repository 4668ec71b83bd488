/*
 * tests/malloc.c - the allocator (libc/malloc.c): many small blocks, large
 * ones, realloc growing and shrinking, calloc zeroing and overflow, reuse of
 * the lowest free block, fragmentation healed by coalescing, running out of
 * memory and carrying on.  Addresses differ between the guest and the
 * native build, so only relations are printed ("reused lowest block: yes"),
 * plus sizes relative to the heap's start (ilwaco_heap_top), which do not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <ilwaco.h>

static const char *yn(int c) { return c ? "yes" : "no"; }

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31 + i * 7);
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed * 31 + i * 7))
            return 0;
    return 1;
}

static void check(const char *phase)
{
    printf("%s: heap check %d, heap top %u\n", phase, ilwaco_heap_check(), (unsigned)ilwaco_heap_top());
}

#define NSMALL 600
static unsigned char *small[NSMALL];
static size_t small_len[NSMALL];

static void many_small(void)
{
    unsigned seed = 7;
    int i, aligned = 1, ok = 1, order[NSMALL];

    for (i = 0; i < NSMALL; i++) {
        small_len[i] = (size_t)(rand_r(&seed) % 200);
        small[i] = malloc(small_len[i]);
        if (small[i] == NULL)
            ok = 0;
        aligned &= ((uintptr_t)small[i] & 15) == 0;
        fill(small[i], small_len[i], (unsigned)i);
        order[i] = i;
    }
    for (i = 0; i < NSMALL; i++)
        ok &= intact(small[i], small_len[i], (unsigned)i);
    printf("small: %d blocks, all non-null and intact: %s, 16-aligned: %s\n", NSMALL, yn(ok), yn(aligned));
    check("small allocated");
    for (i = NSMALL - 1; i > 0; i--) {          /* free in a shuffled order */
        int j = rand_r(&seed) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (i = 0; i < NSMALL; i++) {
        if (i == NSMALL / 2)
            check("small half freed");
        free(small[order[i]]);
    }
    check("small freed");
}

static void large(void)
{
    unsigned char *a = malloc(300000), *b = malloc(5000);
    int ok = a && b;

    fill(a, 300000, 1);
    fill(b, 5000, 2);
    ok = ok && intact(a, 300000, 1) && intact(b, 5000, 2);
    printf("large: 300000 and 5000 bytes intact: %s, second above first: %s\n", yn(ok), yn(b > a));
    free(a);
    free(b);
    check("large freed");
}

static void reallocs(void)
{
    unsigned char *p = NULL, *q, *r, *s, *t;
    size_t n;
    int ok = 1, moved = 0;

    for (n = 16; n <= 65536; n *= 2) {          /* alone in the heap: grows in place */
        q = realloc(p, n);
        ok &= q != NULL && (p == NULL || intact(q, n / 2, 3));
        moved += p != NULL && q != p;
        fill(q, n, 3);
        p = q;
    }
    printf("realloc doubling to 65536: contents kept %s, moved %d times\n", yn(ok), moved);
    q = realloc(p, 100);
    printf("realloc shrink: same block %s, contents kept %s\n", yn(q == p), yn(intact(q, 100, 3)));
    check("after shrink");
    free(q);

    /* growing into a freed neighbour above, then past it (must move) */
    p = malloc(100);
    q = malloc(100);
    r = malloc(100);
    fill(p, 100, 4);
    free(q);
    s = realloc(p, 200);
    printf("realloc into free neighbour: same block %s, kept %s\n", yn(s == p), yn(intact(s, 100, 4)));
    fill(s, 200, 5);
    t = realloc(s, 1000);
    printf("realloc past a used neighbour: moved %s, kept %s, above it %s\n",
           yn(t != s), yn(intact(t, 200, 5)), yn(t > r));
    q = malloc(50);
    printf("old block reused first: %s\n", yn(q == s));
    free(q);
    free(r);
    free(t);
    p = realloc(NULL, 40);
    printf("realloc(NULL, 40) works: %s\n", yn(p != NULL));
    errno = 0;
    q = realloc(p, 0);
    printf("realloc(p, 0): %s\n", q == NULL ? "NULL (freed)" : "a block");
    check("reallocs done");
}

static void callocs(void)
{
    unsigned char *p = malloc(4000), *q;
    size_t i;
    int zero = 1;

    memset(p, 0xAB, 4000);
    free(p);
    q = calloc(1000, 4);
    for (i = 0; i < 4000; i++)
        zero &= q[i] == 0;
    printf("calloc over a dirty freed block: same block %s, all zero %s\n", yn(q == p), yn(zero));
    free(q);
    q = calloc(3, 100000);                       /* mostly fresh memory */
    zero = 1;
    for (i = 0; i < 300000; i++)
        zero &= q[i] == 0;
    printf("calloc 300000 fresh bytes: all zero %s\n", yn(zero));
    free(q);
    errno = 0;
    q = calloc(0x10000, 0x10001);
    printf("calloc overflow: %s, errno ENOMEM %s\n", q ? "a block" : "NULL", yn(errno == ENOMEM));
    errno = 0;
    q = calloc(SIZE_MAX, SIZE_MAX);
    printf("calloc SIZE_MAX*SIZE_MAX: %s, errno ENOMEM %s\n", q ? "a block" : "NULL", yn(errno == ENOMEM));
    q = calloc(0, 10);
    printf("calloc(0, 10) non-null: %s\n", yn(q != NULL));
    free(q);
    check("callocs done");
}

static void reuse_low(void)
{
    void *a = malloc(64), *b = malloc(64), *c = malloc(64), *d, *e, *z1, *z2;

    free(a);
    d = malloc(32);
    printf("reused lowest block: %s\n", yn(d == a));
    free(c);                                     /* c is the top: goes back to the break */
    e = malloc(64);
    printf("top block reused: %s\n", yn(e == c));
    free(d);
    free(b);                                     /* merges with a's hole */
    d = malloc(120);
    printf("merged hole below reused: %s\n", yn(d == a));
    z1 = malloc(0);
    z2 = malloc(0);
    printf("malloc(0): non-null %s, distinct %s\n", yn(z1 && z2), yn(z1 != z2));
    free(z1);
    free(z2);
    free(d);
    free(e);
    free(NULL);
    check("reuse done");
}

#define NFRAG 100
static void fragmentation(void)
{
    unsigned char *blk[NFRAG], *big, *huge;
    int i, ok = 1;

    for (i = 0; i < NFRAG; i++)
        blk[i] = malloc(1000);
    unsigned char *guard = malloc(16);           /* keeps the blocks off the break */
    for (i = 0; i < NFRAG; i += 2)
        free(blk[i]);
    check("every other block freed");
    big = malloc(50000);                         /* no hole is big enough */
    printf("50000 bytes with 1000-byte holes: placed above %s\n", yn(big > blk[NFRAG - 1]));
    for (i = 1; i < NFRAG; i += 2) {
        fill(blk[i], 1000, (unsigned)i);
        ok &= intact(blk[i], 1000, (unsigned)i);
        free(blk[i]);
    }
    check("all freed, holes merged");
    huge = malloc(90000);
    printf("90000 bytes after coalescing: at the lowest address %s\n", yn(huge == blk[0]));
    free(huge);
    free(big);
    free(guard);
    check("fragmentation done");
}

#define NCHUNK 64
static void out_of_memory(void)
{
    void *chunk[NCHUNK], *p;
    int n = 0, i, full;

    errno = 0;
    p = malloc(SIZE_MAX);
    printf("malloc(SIZE_MAX): %s, errno ENOMEM %s\n", p ? "a block" : "NULL", yn(errno == ENOMEM));
    errno = 0;
    p = malloc(0x7ffffff0);
    printf("malloc(2 GiB): %s, errno ENOMEM %s\n", p ? "a block" : "NULL", yn(errno == ENOMEM));
    errno = 0;
    while (n < NCHUNK && (chunk[n] = malloc(60000)) != NULL)
        n++;
    full = n < NCHUNK;
    printf("60000-byte chunks until full: ran out %s, more than 8 %s, errno ENOMEM %s\n",
           yn(full), yn(n > 8), yn(errno == ENOMEM));
    errno = 0;
    p = malloc(16);
    printf("a small block still fits: %s\n", yn(p != NULL));
    free(p);
    fill(chunk[0], 60000, 9);
    errno = 0;
    p = realloc(chunk[0], 100000000);
    printf("realloc beyond the heap: %s, errno ENOMEM %s, old block intact %s\n",
           p ? "a block" : "NULL", yn(errno == ENOMEM), yn(intact(chunk[0], 60000, 9)));
    printf("full heap: heap check %d\n", ilwaco_heap_check());   /* its top depends on the memory size */
    for (i = 0; i < n; i++)
        free(chunk[i]);
    check("all chunks freed");
    p = malloc(100);
    printf("after OOM, allocator works: %s, lowest address %s\n", yn(p != NULL), yn(p == chunk[0]));
    free(p);
}

/* Random malloc / calloc / realloc / free over 64 slots, contents checked. */
#define NSLOT 64
#define NOPS 6000
static void stress(void)
{
    unsigned char *slot[NSLOT] = { 0 };
    size_t len[NSLOT] = { 0 };
    unsigned seed = 2024, tag[NSLOT] = { 0 };
    int op, i, ok = 1, bad_check = 0;

    for (op = 0; op < NOPS; op++) {
        int k = rand_r(&seed) % NSLOT, what = rand_r(&seed) % 4;
        size_t n = (size_t)(rand_r(&seed) % (what == 3 ? 6000 : 700));
        if (slot[k]) {
            ok &= intact(slot[k], len[k], tag[k]);
            if (what == 0) {
                unsigned char *q = realloc(slot[k], n + 1);
                ok &= q != NULL && intact(q, len[k] < n + 1 ? len[k] : n + 1, tag[k]);
                slot[k] = q;
                len[k] = n + 1;
            } else {
                free(slot[k]);
                slot[k] = NULL;
                continue;
            }
        } else if (what == 1) {
            size_t j;
            slot[k] = calloc(n, 1);
            for (j = 0; j < n; j++)
                ok &= slot[k][j] == 0;
            len[k] = n;
        } else {
            slot[k] = malloc(n);
            len[k] = n;
        }
        ok &= slot[k] != NULL;
        tag[k] = (unsigned)op;
        fill(slot[k], len[k], tag[k]);
        if (op % 500 == 0 && ilwaco_heap_check() != 0)
            bad_check = 1;
    }
    for (i = 0; i < NSLOT; i++) {
        if (slot[i])
            ok &= intact(slot[i], len[i], tag[i]);
        free(slot[i]);
    }
    printf("stress: %d random operations, contents intact %s, heap checks passed %s\n",
           NOPS, yn(ok), yn(!bad_check));
    check("stress done");
}

int main(void)
{
    check("start");
    many_small();
    large();
    reallocs();
    callocs();
    reuse_low();
    fragmentation();
    stress();
    out_of_memory();
    check("end");
    return 0;
}
