/*
 * libc/mem.c - memcpy, memmove, memset, memcmp, memchr.
 *
 * gcc calls these on its own (struct copies, zeroing, large initialisers),
 * even in freestanding code.  memcpy and memset use the i386 string
 * instructions (rep movsl / rep stosl for the words, then the odd bytes):
 * that is a handful of guest instructions per call however long the block,
 * which matters when the CPU is an interpreter.  memmove copies backwards in
 * C when the blocks overlap that way, so DF is never changed.
 * This file is built with -fno-tree-loop-distribute-patterns so gcc cannot
 * turn these loops back into calls to themselves.
 */
#include <string.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint32_t c, d, s;

    __asm__ volatile("rep movsl\n\t"
                     "movl %4, %%ecx\n\t"
                     "rep movsb"
                     : "=&c"(c), "=&D"(d), "=&S"(s)
                     : "0"(n >> 2), "g"(n & 3), "1"(dst), "2"(src)
                     : "memory");
    return dst;
}

void *memset(void *dst, int ch, size_t n)
{
    uint32_t c, d;
    uint32_t v = (uint8_t)ch * 0x01010101u;

    __asm__ volatile("rep stosl\n\t"
                     "movl %4, %%ecx\n\t"
                     "rep stosb"
                     : "=&c"(c), "=&D"(d)
                     : "0"(n >> 2), "a"(v), "g"(n & 3), "1"(dst)
                     : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)        /* forward copy is safe */
        return memcpy(dst, src, n);

    /* dst overlaps the tail of src: copy from the end. */
    d += n;
    s += n;
    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        while (n >= 4) {
            d -= 4;
            s -= 4;
            *(uint32_t *)d = *(const uint32_t *)s;
            n -= 4;
        }
    }
    while (n > 0) {
        *--d = *--s;
        n--;
    }
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n > 0; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (; n > 0; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}
