/*
 * libc/int64.c - the 64-bit integer helpers gcc and clang call on i386
 * (normally libgcc / compiler-rt, which guests do not have).
 *
 *   __udivmoddi4 __udivdi3 __umoddi3     unsigned divide / remainder
 *   __divmoddi4  __divdi3  __moddi3      signed (C semantics: truncate
 *                                        toward zero, remainder has the
 *                                        dividend's sign)
 *   __muldi3 __ashldi3 __ashrdi3 __lshrdi3 __negdi2 __cmpdi2 __ucmpdi2
 *   __mulodi4 __mulosi4                  multiply with overflow flag
 *
 * Division uses the hardware 64/32 `divl` (one or two of them) when the
 * divisor fits in 32 bits, and Hacker's Delight's normalised estimate
 * (divlu2, one divl and a correction) when it does not.  A zero divisor
 * executes divl by zero, so it faults exactly as 32-bit division does.
 * Nothing here may use 64-bit '/' or '%' (that would call itself), and no
 * __builtin_clz etc. (those may become calls to bits.c on some compilers).
 */
#include <stdint.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;

/* (hi:lo) / d with hi < d: quotient fits in 32 bits. */
static inline u32 divl(u32 hi, u32 lo, u32 d, u32 *rem)
{
    u32 q, r;

    __asm__("divl %4" : "=a"(q), "=d"(r) : "0"(lo), "1"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
}

int __clzsi2(u32 x);                    /* libc/bits.c; dhi != 0 here */

u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
    u32 nhi = (u32)(n >> 32), nlo = (u32)n;
    u32 dhi = (u32)(d >> 32), dlo = (u32)d;
    u32 r;
    u64 q;

    if (dhi == 0) {
        if (nhi < dlo) {                 /* dlo == 0 faults in nhi / dlo */
            q = divl(nhi, nlo, dlo, &r);
        } else {
            u32 qhi = nhi / dlo;
            u32 qlo = divl(nhi % dlo, nlo, dlo, &r);
            q = ((u64)qhi << 32) | qlo;
        }
        if (rem)
            *rem = r;
        return q;
    }

    if (n < d) {
        q = 0;
    } else {
        int s = __clzsi2(dhi);               /* 0..31 */
        u32 v1 = (u32)((d << s) >> 32);   /* top bit set */
        u64 n1 = n >> 1;                  /* n1 >> 32 < 2^31 <= v1 */
        u32 q1 = divl((u32)(n1 >> 32), (u32)n1, v1, &r);

        q = ((u64)q1 << s) >> 31;
        if (q != 0)
            q--;
        if (n - q * d >= d)
            q++;
    }
    if (rem)
        *rem = n - q * d;
    return q;
}

u64 __udivdi3(u64 n, u64 d)
{
    return __udivmoddi4(n, d, 0);
}

u64 __umoddi3(u64 n, u64 d)
{
    u64 r;

    __udivmoddi4(n, d, &r);
    return r;
}

static inline u64 magnitude(s64 x)
{
    return x < 0 ? 0 - (u64)x : (u64)x;
}

s64 __divmoddi4(s64 a, s64 b, s64 *rem)
{
    u64 r;
    u64 q = __udivmoddi4(magnitude(a), magnitude(b), &r);

    if (rem)
        *rem = a < 0 ? (s64)(0 - r) : (s64)r;
    return (a < 0) != (b < 0) ? (s64)(0 - q) : (s64)q;
}

s64 __divdi3(s64 a, s64 b)
{
    return __divmoddi4(a, b, 0);
}

s64 __moddi3(s64 a, s64 b)
{
    s64 r;

    __divmoddi4(a, b, &r);
    return r;
}

u64 __muldi3(u64 a, u64 b)
{
    u32 alo = (u32)a, ahi = (u32)(a >> 32), blo = (u32)b, bhi = (u32)(b >> 32);
    u64 lo = (u64)alo * blo;            /* one 32x32->64 mull */

    return lo + ((u64)(alo * bhi + ahi * blo) << 32);
}

u64 __ashldi3(u64 a, int b)
{
    u32 lo = (u32)a, hi = (u32)(a >> 32);

    if (b == 0)
        return a;
    if (b >= 32)
        return (u64)(lo << (b - 32)) << 32;
    return ((u64)((hi << b) | (lo >> (32 - b))) << 32) | (u32)(lo << b);
}

u64 __lshrdi3(u64 a, int b)
{
    u32 lo = (u32)a, hi = (u32)(a >> 32);

    if (b == 0)
        return a;
    if (b >= 32)
        return hi >> (b - 32);
    return ((u64)(hi >> b) << 32) | ((lo >> b) | (hi << (32 - b)));
}

s64 __ashrdi3(s64 a, int b)
{
    u32 lo = (u32)a;
    int32_t hi = (int32_t)((u64)a >> 32);

    if (b == 0)
        return a;
    if (b >= 32)
        return (s64)(((u64)(u32)(hi >> 31) << 32) | (u32)(hi >> (b - 32)));
    return (s64)(((u64)(u32)(hi >> b) << 32) | ((lo >> b) | ((u32)hi << (32 - b))));
}

s64 __negdi2(s64 a)
{
    return (s64)(0 - (u64)a);
}

int __cmpdi2(s64 a, s64 b)
{
    return a < b ? 0 : a == b ? 1 : 2;
}

int __ucmpdi2(u64 a, u64 b)
{
    return a < b ? 0 : a == b ? 1 : 2;
}

s64 __mulodi4(s64 a, s64 b, int *overflow)
{
    u64 ua = magnitude(a), ub = magnitude(b);
    u64 limit = ((a < 0) != (b < 0)) ? (u64)1 << 63 : ((u64)1 << 63) - 1;

    *overflow = ua != 0 && (ub > __udivdi3(UINT64_MAX, ua) || ua * ub > limit);
    return (s64)((u64)a * (u64)b);
}

int32_t __mulosi4(int32_t a, int32_t b, int *overflow)
{
    s64 p = (s64)a * b;

    *overflow = p < INT32_MIN || p > INT32_MAX;
    return (int32_t)(u32)p;
}
