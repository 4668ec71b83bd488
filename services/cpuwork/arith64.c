/*
 * services/cpuwork/arith64.c - 64-bit integer arithmetic on a 32-bit CPU:
 * multiply (mul/imul pairs), unsigned and signed divide and modulo (the
 * __udivdi3 / __divdi3 helpers), shifts and rotates by variable counts,
 * and a modular exponentiation built from them.
 */
#include "cpuwork.h"

#define ARITH_ITERS 100000

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m)
{
    /* a, b < m < 2^32: the product fits in 64 bits */
    return a * b % m;
}

static uint64_t powmod(uint64_t base, uint32_t exp, uint64_t m)
{
    uint64_t r = 1;

    base %= m;
    while (exp) {
        if (exp & 1)
            r = mulmod(r, base, m);
        base = mulmod(base, base, m);
        exp >>= 1;
    }
    return r;
}

uint32_t kernel_arith64(void)
{
    uint64_t x = 0x0123456789ABCDEFull, acc = 0;
    int64_t s = -0x0FEDCBA987654321ll;
    uint64_t sacc = 0;                  /* wraps freely: unsigned */
    uint32_t seed = 0xA5A5A5u, i;

    for (i = 0; i < ARITH_ITERS; i++) {
        uint32_t r = cw_next(&seed);
        uint64_t d = ((uint64_t)(r | 1) << (r % 29)) | 3;       /* 2..61-bit divisor */
        int64_t sd = (int64_t)(r % 100003) - 50001;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        acc += x / d;
        acc ^= x % d;
        acc += (x >> (r % 64)) | (x << ((64 - r % 64) % 64));    /* rotate */
        if (sd != 0) {
            s = s * 3 + (int64_t)(r % 1000) - 500;
            if (s > 0x3FFFFFFFFFFFFFFll || s < -0x3FFFFFFFFFFFFFFll)
                s /= 1024;
            sacc += (uint64_t)(s / sd);
            sacc ^= (uint64_t)(s % sd);
        }
        sacc += ((uint64_t)s >> 7) - (uint64_t)(s >> 9);        /* shr vs sar */
    }
    acc ^= powmod(3, 1000000006u, 1000000007u);                 /* Fermat: 1 */
    acc += powmod(x | 2, 0xFFFFFFFFu, 4294967291u);
    return (uint32_t)acc ^ (uint32_t)(acc >> 32) ^ (uint32_t)sacc ^ (uint32_t)(sacc >> 32);
}
