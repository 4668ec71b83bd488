/*
 * libc/bits.c - bit-counting helpers the compiler calls for __builtin_popcount,
 * __builtin_ctzll, __builtin_ffsll, __builtin_clrsb, __builtin_parity and
 * __builtin_bswap on i386 (libgcc's __popcountsi2 etc.).  Written without
 * builtins, which could otherwise compile into calls to these very functions.
 */
#include <stdint.h>

int __popcountsi2(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int)((x * 0x01010101u) >> 24);
}

int __popcountdi2(uint64_t x)
{
    return __popcountsi2((uint32_t)x) + __popcountsi2((uint32_t)(x >> 32));
}

int __paritysi2(uint32_t x)
{
    return __popcountsi2(x) & 1;
}

int __paritydi2(uint64_t x)
{
    return __paritysi2((uint32_t)x ^ (uint32_t)(x >> 32));
}

int __clzsi2(uint32_t x)                /* undefined for 0; returns 32 */
{
    int n = 0;

    if (x == 0) return 32;
    if (!(x & 0xFFFF0000u)) { n += 16; x <<= 16; }
    if (!(x & 0xFF000000u)) { n += 8;  x <<= 8; }
    if (!(x & 0xF0000000u)) { n += 4;  x <<= 4; }
    if (!(x & 0xC0000000u)) { n += 2;  x <<= 2; }
    if (!(x & 0x80000000u)) { n += 1; }
    return n;
}

int __clzdi2(uint64_t x)
{
    uint32_t hi = (uint32_t)(x >> 32);

    return hi ? __clzsi2(hi) : 32 + __clzsi2((uint32_t)x);
}

int __ctzsi2(uint32_t x)                /* undefined for 0; returns 32 */
{
    int n = 0;

    if (x == 0) return 32;
    if (!(x & 0x0000FFFFu)) { n += 16; x >>= 16; }
    if (!(x & 0x000000FFu)) { n += 8;  x >>= 8; }
    if (!(x & 0x0000000Fu)) { n += 4;  x >>= 4; }
    if (!(x & 0x00000003u)) { n += 2;  x >>= 2; }
    if (!(x & 0x00000001u)) { n += 1; }
    return n;
}

int __ctzdi2(uint64_t x)
{
    uint32_t lo = (uint32_t)x;

    return lo ? __ctzsi2(lo) : 32 + __ctzsi2((uint32_t)(x >> 32));
}

int __ffssi2(uint32_t x)
{
    return x ? __ctzsi2(x) + 1 : 0;
}

int __ffsdi2(uint64_t x)
{
    return x ? __ctzdi2(x) + 1 : 0;
}

int __clrsbsi2(int32_t x)               /* redundant sign bits */
{
    uint32_t u = (uint32_t)(x < 0 ? ~x : x);

    return __clzsi2(u) - 1;
}

int __clrsbdi2(int64_t x)
{
    uint64_t u = (uint64_t)(x < 0 ? ~x : x);

    return __clzdi2(u) - 1;
}

uint32_t __bswapsi2(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xFF00u) | ((x << 8) & 0xFF0000u) | (x << 24);
}

uint64_t __bswapdi2(uint64_t x)
{
    return ((uint64_t)__bswapsi2((uint32_t)x) << 32) | __bswapsi2((uint32_t)(x >> 32));
}
