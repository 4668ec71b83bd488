/*
 * tests/divconst.c - division and remainder by constants, which compilers
 * turn into multiply-high and shift sequences (and sar/shr fix-ups for
 * negative dividends), checked against division by a run-time divisor.
 */
#include <stdio.h>
#include <stdint.h>
#include <limits.h>

int32_t svals[] = { 0, 1, -1, 2, -2, 3, -3, 7, -7, 9, -9, 10, -10, 99, -99, 100, -100,
                    12345, -12345, 65536, -65536, 1000000007, -1000000007,
                    INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1 };
uint32_t uvals[] = { 0, 1, 2, 3, 9, 10, 99, 100, 255, 256, 65535, 65536, 1000000007,
                     0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu };
int32_t divisors[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 25, 100, 1000, 641, -1, -2, -3, -8, -10 };

#define NS (sizeof svals / sizeof svals[0])
#define NU (sizeof uvals / sizeof uvals[0])

#define SDIV(d) do { int32_t q = x / (d), r = x % (d); \
        if (q != x / divisors_rt(d) || r != x % divisors_rt(d)) bad++; \
        h = h * 31 + (uint32_t)q; h = h * 31 + (uint32_t)r; } while (0)

volatile int32_t rt_div;
int32_t divisors_rt(int32_t d) { rt_div = d; return rt_div; }

int main(void)
{
    unsigned i;
    int bad = 0;
    uint32_t h = 0;

    printf("signed by constants:\n");
    for (i = 0; i < NS; i++) {
        int32_t x = svals[i];
        printf("  %11d: /2 %11d /3 %11d %%3 %2d /7 %10d %%7 %2d /10 %10d %%10 %2d /-4 %10d %%-4 %2d /16 %9d\n",
               x, x / 2, x / 3, x % 3, x / 7, x % 7, x / 10, x % 10,
               x / -4, x % -4, x / 16);
        SDIV(2); SDIV(3); SDIV(5); SDIV(6); SDIV(7); SDIV(9); SDIV(10); SDIV(25);
        SDIV(100); SDIV(1000); SDIV(641); SDIV(-3); SDIV(-10);
        if (x != INT_MIN) {
            SDIV(-1);
            SDIV(-2);
            SDIV(-8);
        }
    }
    printf("  signed hash %08x mismatches %d\n", h, bad);

    printf("unsigned by constants:\n");
    h = 0;
    for (i = 0; i < NU; i++) {
        uint32_t x = uvals[i];
        printf("  %10u: /3 %10u %%3 %u /7 %9u %%7 %u /10 %9u %%10 %u /1000 %7u /641 %7u /0x80000001 %u\n",
               x, x / 3, x % 3, x / 7, x % 7, x / 10, x % 10, x / 1000, x / 641,
               x / 0x80000001u);
        h = h * 31 + x / 6 + x % 9 + x / 25 + x % 100 + x / 0xFFFFFFFFu;
    }
    printf("  unsigned hash %08x\n", h);

    printf("run-time divisors:\n");
    for (i = 0; i < sizeof divisors / sizeof divisors[0]; i++) {
        int32_t d = divisors[i];
        printf("  d=%5d: 1000000/d %8d -1000000/d %8d 12345%%d %5d -12345%%d %5d 0xFFFFFFFFu/d %10u\n",
               d, 1000000 / d, -1000000 / d, 12345 % d, -12345 % d, 0xFFFFFFFFu / (uint32_t)d);
    }

    printf("64-bit by constants:\n");
    {
        static const int64_t v64[] = { 0, 1, -1, 1000000000000LL, -1000000000000LL,
                                       INT64_MAX, INT64_MIN + 1, 0x123456789ABCDEFLL };
        for (i = 0; i < 8; i++) {
            int64_t x = v64[i];
            uint64_t u = (uint64_t)x;
            printf("  %20lld: /3 %19lld %%10 %2lld /1000 %16lld | u/7 %19llu u%%1000000007 %llu\n",
                   (long long)x, (long long)(x / 3), (long long)(x % 10),
                   (long long)(x / 1000), (unsigned long long)(u / 7),
                   (unsigned long long)(u % 1000000007u));
        }
    }

    printf("multiplication by constants:\n");
    for (i = 0; i < NS; i += 3) {
        uint32_t x = (uint32_t)svals[i];
        printf("  %08x: *3 %08x *5 %08x *9 %08x *10 %08x *24 %08x *-7 %08x *0x10001 %08x\n",
               x, x * 3, x * 5, x * 9, x * 10, x * 24, x * (uint32_t)-7, x * 0x10001u);
    }
    return 0;
}
