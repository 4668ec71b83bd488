/*
 * tests/int64.c - 64-bit integer arithmetic on a 32-bit machine: add/sub
 * carries, multiply, the libgcc-style division helpers (__udivdi3 & co),
 * shifts by every distance, comparisons and conversions, over edge values.
 * Every case avoids undefined behaviour (no signed overflow, no division by
 * zero, no INT64_MIN / -1, no shift >= 64).
 */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

/* Globals, so the compiler cannot fold the operations away. */
uint64_t uvals[] = {
    0, 1, 2, 3, 7, 10, 255, 0x7FFFFFFFull, 0x80000000ull, 0xFFFFFFFFull,
    0x100000000ull, 0x100000001ull, 0x123456789ABCDEFull, 0x7FFFFFFFFFFFFFFFull,
    0x8000000000000000ull, 0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull,
    1000000007ull, 0xDEADBEEFCAFEBABEull, 12345678901234567ull,
};
int64_t svals[] = {
    0, 1, -1, 2, -2, 7, -7, 100, -100, INT32_MAX, INT32_MIN,
    (int64_t)INT32_MAX + 1, (int64_t)INT32_MIN - 1, 0x123456789ABCLL,
    -0x123456789ABCLL, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
    -1000000007LL,
};
#define NU (sizeof uvals / sizeof uvals[0])
#define NS (sizeof svals / sizeof svals[0])

uint32_t hash;

void mix(uint64_t v)
{
    hash = (hash ^ (uint32_t)v) * 16777619u;
    hash = (hash ^ (uint32_t)(v >> 32)) * 16777619u;
}

int main(void)
{
    unsigned i, j;
    int s;

    printf("unsigned add/sub/mul:\n");
    for (i = 0; i < NU; i += 3)
        for (j = 1; j < NU; j += 4) {
            uint64_t a = uvals[i], b = uvals[j];
            printf("  %llx %llx: + %llx - %llx * %llx\n",
                   (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)(a + b), (unsigned long long)(a - b),
                   (unsigned long long)(a * b));
        }

    printf("unsigned div/mod:\n");
    for (i = 0; i < NU; i++)
        for (j = 1; j < NU; j++) {
            uint64_t a = uvals[i], b = uvals[j];
            if (i % 3 == 0 && j % 2 == 1)
                printf("  %llu / %llu = %llu rem %llu\n",
                       (unsigned long long)a, (unsigned long long)b,
                       (unsigned long long)(a / b), (unsigned long long)(a % b));
            mix(a / b);
            mix(a % b);
            if (a / b * b + a % b != a)
                printf("  BAD identity %llx %llx\n", (unsigned long long)a,
                       (unsigned long long)b);
        }
    printf("  hash %08x\n", hash);

    printf("signed div/mod:\n");
    hash = 2166136261u;
    for (i = 0; i < NS; i++)
        for (j = 0; j < NS; j++) {
            int64_t a = svals[i], b = svals[j];
            if (b == 0 || (a == INT64_MIN && b == -1))
                continue;
            if (i % 4 == 0 && j % 3 == 2)
                printf("  %lld / %lld = %lld rem %lld\n", (long long)a,
                       (long long)b, (long long)(a / b), (long long)(a % b));
            mix((uint64_t)(a / b));
            mix((uint64_t)(a % b));
        }
    printf("  hash %08x\n", hash);

    printf("signed mul (wrapping via unsigned):\n");
    for (i = 0; i < NS; i += 2) {
        int64_t a = svals[i], b = svals[(i * 7 + 3) % NS];
        printf("  %lld * %lld = %lld\n", (long long)a, (long long)b,
               (long long)(int64_t)((uint64_t)a * (uint64_t)b));
    }

    printf("32x32->64 widening multiply:\n");
    for (i = 0; i < NS; i += 3) {
        int32_t a = (int32_t)svals[i], b = (int32_t)svals[(i + 5) % NS];
        uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
        printf("  %d * %d = %lld; %u * %u = %llu\n", a, b, (long long)a * b,
               ua, ub, (unsigned long long)ua * ub);
    }

    printf("shifts:\n");
    hash = 2166136261u;
    for (s = 0; s < 64; s++) {
        uint64_t u = uvals[12];
        int64_t neg = svals[14], pos = svals[13];
        mix(u << s);
        mix(u >> s);
        mix((uint64_t)(neg >> s));
        mix((uint64_t)(pos >> s));
        if (s % 7 == 0 || s == 31 || s == 32 || s == 33 || s == 63)
            printf("  s=%2d: %016llx %016llx %016llx %016llx\n", s,
                   (unsigned long long)(u << s), (unsigned long long)(u >> s),
                   (unsigned long long)(neg >> s), (unsigned long long)(pos >> s));
    }
    printf("  hash %08x\n", hash);

    printf("comparisons:\n");
    for (i = 0; i < NS; i += 2) {
        int64_t a = svals[i], b = svals[(i + 3) % NS];
        uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
        printf("  %lld vs %lld: lt=%d le=%d gt=%d ge=%d eq=%d ne=%d ult=%d ugt=%d\n",
               (long long)a, (long long)b, a < b, a <= b, a > b, a >= b, a == b,
               a != b, ua < ub, ua > ub);
    }

    printf("conversions:\n");
    for (i = 0; i < NS; i += 2) {
        int64_t a = svals[i];
        int32_t lo = (int32_t)a;
        int16_t h = (int16_t)a;
        int8_t c = (int8_t)a;
        uint32_t ulo = (uint32_t)a;
        printf("  %lld -> i32 %d u32 %u i16 %d i8 %d -> i64 %lld u64 %llu\n",
               (long long)a, lo, ulo, h, c, (long long)lo, (unsigned long long)ulo);
    }

    printf("negation and abs:\n");
    for (i = 0; i < NS; i += 3) {
        int64_t a = svals[i];
        if (a == INT64_MIN)
            continue;
        printf("  -(%lld) = %lld, abs = %lld\n", (long long)a, (long long)-a,
               (long long)(a < 0 ? -a : a));
    }

    printf("bitwise:\n");
    for (i = 0; i < NU; i += 4) {
        uint64_t a = uvals[i], b = uvals[(i + 9) % NU];
        printf("  %016llx %016llx & %016llx | %016llx ^ %016llx ~ %016llx\n",
               (unsigned long long)a, (unsigned long long)b,
               (unsigned long long)(a & b), (unsigned long long)(a | b),
               (unsigned long long)(a ^ b), (unsigned long long)~a);
    }

    printf("accumulate:\n");
    {
        uint64_t acc = 1, x = 0x9E3779B97F4A7C15ull;
        int64_t sacc = 0;
        for (i = 0; i < 1000; i++) {
            acc = acc * 6364136223846793005ull + 1442695040888963407ull;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sacc += (int64_t)(x % 2001) - 1000;
            if (acc % 97 == 0)
                sacc /= 3;
        }
        printf("  lcg %016llx xorshift %016llx sum %lld\n",
               (unsigned long long)acc, (unsigned long long)x, (long long)sacc);
    }
    return 0;
}
