/*
 * tests/bitops.c - shifts and rotates written as C idioms (gcc turns them
 * into rol/ror/shld/shrd), variable and constant shift counts, bit tricks,
 * the bit-counting builtins (bsf/bsr or __popcountsi2 & co), byte swaps,
 * and flag-producing operations (setcc, adc/sbb idioms).
 */
#include <stdio.h>
#include <stdint.h>

uint32_t vals[] = { 0, 1, 2, 3, 0x80000000u, 0x7FFFFFFFu, 0xFFFFFFFFu, 0x12345678u,
                    0xDEADBEEFu, 0x00F000F0u, 0x55555555u, 0xAAAAAAAAu, 0x00010000u };
#define NV (sizeof vals / sizeof vals[0])

uint32_t rotl32(uint32_t x, unsigned n) { return (x << (n & 31)) | (x >> (-n & 31)); }
uint32_t rotr32(uint32_t x, unsigned n) { return (x >> (n & 31)) | (x << (-n & 31)); }
uint16_t rotl16(uint16_t x, unsigned n) { return (uint16_t)((x << (n & 15)) | (x >> (-n & 15))); }
uint8_t rotl8(uint8_t x, unsigned n) { return (uint8_t)((x << (n & 7)) | (x >> (-n & 7))); }
uint64_t rotl64(uint64_t x, unsigned n) { return (x << (n & 63)) | (x >> (-n & 63)); }

/* Portable reference implementations, to check the builtins against. */
int ref_popcount(uint32_t x) { int n = 0; while (x) { n += x & 1; x >>= 1; } return n; }
int ref_clz(uint32_t x) { int n = 0; while (!(x & 0x80000000u)) { n++; x <<= 1; } return n; }
int ref_ctz(uint32_t x) { int n = 0; while (!(x & 1)) { n++; x >>= 1; } return n; }

uint32_t reverse_bits(uint32_t x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    return (x >> 16) | (x << 16);
}

uint32_t next_pow2(uint32_t x)
{
    x--;
    x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16;
    return x + 1;
}

int main(void)
{
    unsigned i, n;

    printf("rotates:\n");
    for (i = 0; i < NV; i += 2)
        for (n = 0; n < 33; n += 4)
            printf("  %08x rol %2u = %08x ror = %08x rol16 %04x rol8 %02x\n", vals[i], n,
                   rotl32(vals[i], n), rotr32(vals[i], n), rotl16((uint16_t)vals[i], n),
                   rotl8((uint8_t)vals[i], n));
    printf("  rotl64: %016llx %016llx %016llx\n",
           (unsigned long long)rotl64(0x0123456789ABCDEFull, 4),
           (unsigned long long)rotl64(0x0123456789ABCDEFull, 36),
           (unsigned long long)rotl64(0x8000000000000001ull, 63));

    printf("constant shifts:\n");
    for (i = 0; i < NV; i++) {
        int32_t s = (int32_t)vals[i];
        printf("  %08x: <<1 %08x <<31 %08x >>1 %08x >>31 %08x sar1 %08x sar31 %08x sar16 %08x\n",
               vals[i], vals[i] << 1, vals[i] << 31, vals[i] >> 1, vals[i] >> 31,
               (uint32_t)(s >> 1), (uint32_t)(s >> 31), (uint32_t)(s >> 16));
    }

    printf("variable shifts:\n");
    {
        uint32_t h = 0;
        for (i = 0; i < NV; i++)
            for (n = 0; n < 32; n++) {
                int32_t s = (int32_t)vals[i];
                h = h * 31 + (vals[i] << n);
                h = h * 31 + (vals[i] >> n);
                h = h * 31 + (uint32_t)(s >> n);
            }
        printf("  hash %08x\n", h);
    }

    printf("bit counting:\n");
    for (i = 0; i < NV; i++) {
        uint32_t x = vals[i];
        printf("  %08x pop %2d/%2d parity %d", x, __builtin_popcount(x), ref_popcount(x),
               __builtin_parity(x));
        if (x)
            printf(" clz %2d/%2d ctz %2d/%2d ffs %2d", __builtin_clz(x), ref_clz(x),
                   __builtin_ctz(x), ref_ctz(x), __builtin_ffs((int)x));
        printf(" clrsb %2d\n", __builtin_clrsb((int)x));
    }
    {
        static const uint64_t w[] = { 1, 0x8000000000000000ull, 0x0000000100000000ull,
                                      0xFFFFFFFFFFFFFFFFull, 0x00F0000000000F00ull };
        for (i = 0; i < 5; i++)
            printf("  64-bit %016llx pop %d clz %d ctz %d ffs %d parity %d clrsb %d\n",
                   (unsigned long long)w[i], __builtin_popcountll(w[i]),
                   __builtin_clzll(w[i]), __builtin_ctzll(w[i]),
                   __builtin_ffsll((long long)w[i]), __builtin_parityll(w[i]),
                   __builtin_clrsbll((long long)w[i]));
    }

    printf("byte swaps and bit tricks:\n");
    for (i = 0; i < NV; i += 2) {
        uint32_t x = vals[i];
        printf("  %08x bswap %08x bswap16 %04x rev %08x lowbit %08x clearlow %08x pow2 %08x\n",
               x, __builtin_bswap32(x), __builtin_bswap16((uint16_t)x), reverse_bits(x),
               x & -x, x & (x - 1), next_pow2(x));
    }
    printf("  bswap64 %016llx\n", (unsigned long long)__builtin_bswap64(0x0102030405060708ull));

    printf("comparisons producing flags:\n");
    for (i = 0; i + 1 < NV; i++) {
        uint32_t a = vals[i], b = vals[i + 1];
        int32_t sa = (int32_t)a, sb = (int32_t)b;
        uint32_t sum = a + b;
        unsigned carry = sum < a;              /* add + setc / adc idiom */
        unsigned borrow = a < b;
        int32_t smin = sa < sb ? sa : sb;
        uint32_t umax = a > b ? a : b;
        printf("  %08x %08x: carry %u borrow %u ult %d slt %d smin %d umax %08x sel %08x\n",
               a, b, carry, borrow, a < b, sa < sb, smin, umax,
               (a & 1) ? a ^ b : a | b);
    }

    printf("bit fields by hand:\n");
    {
        uint32_t reg = 0;
        for (i = 0; i < 8; i++) {
            reg = (reg & ~(0xFu << (i * 4))) | ((i * 3 & 0xFu) << (i * 4));
            reg ^= 1u << (31 - i);
        }
        printf("  reg %08x field3 %u bit28 %u\n", reg, (reg >> 12) & 0xF, (reg >> 28) & 1);
    }
    return 0;
}
