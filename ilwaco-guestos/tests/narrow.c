/*
 * tests/narrow.c - 8- and 16-bit arithmetic: integer promotion, movzx/movsx,
 * truncation on store, byte and word registers (al/ah, ax), wrap-around of
 * unsigned char/short counters, mixed signed/unsigned comparisons.
 */
#include <stdio.h>
#include <stdint.h>

int8_t s8[] = { 0, 1, -1, 127, -128, 64, -65, 100 };
uint8_t u8[] = { 0, 1, 255, 127, 128, 64, 191, 200 };
int16_t s16[] = { 0, 1, -1, 32767, -32768, 256, -257, 12345 };
uint16_t u16[] = { 0, 1, 65535, 32767, 32768, 256, 65279, 54321 };

uint8_t bytes[64];
uint16_t words[32];

int main(void)
{
    unsigned i, j;

    printf("promotion and extension:\n");
    for (i = 0; i < 8; i++)
        printf("  s8 %4d -> int %4d u32 %08x | u8 %3u -> int %3d | s16 %6d -> %08x | u16 %5u -> %08x\n",
               s8[i], (int)s8[i], (uint32_t)(int32_t)s8[i], u8[i], (int)u8[i], s16[i],
               (uint32_t)(int32_t)s16[i], u16[i], (uint32_t)u16[i]);

    printf("8-bit arithmetic (wrapping on store):\n");
    for (i = 0; i < 8; i++)
        for (j = 0; j < 8; j += 3) {
            uint8_t a = u8[i], b = u8[j];
            int8_t sa = s8[i], sb = s8[j];
            uint8_t sum = (uint8_t)(a + b), diff = (uint8_t)(a - b), prod = (uint8_t)(a * b);
            int8_t ssum = (int8_t)(sa + sb), sprod = (int8_t)(sa * sb);
            printf("  %3u,%3u: + %3u - %3u * %3u / %3u | %4d,%4d: + %4d * %4d cmp %d%d\n", a, b,
                   sum, diff, prod, b ? a / b : 0, sa, sb, ssum, sprod, sa < sb, a < b);
        }

    printf("16-bit arithmetic:\n");
    for (i = 0; i < 8; i++)
        for (j = 1; j < 8; j += 2) {
            uint16_t a = u16[i], b = u16[j];
            int16_t sa = s16[i], sb = s16[j];
            printf("  %5u,%5u: + %5u * %5u / %5u %% %5u | %6d,%6d: + %6d / %6d %% %6d sh %6d\n",
                   a, b, (uint16_t)(a + b), (uint16_t)((unsigned)a * b), a / b, a % b, sa, sb,
                   (int16_t)(sa + sb), sb ? sa / sb : 0, sb ? sa % sb : 0, (int16_t)(sa >> 3));
        }

    printf("counters that wrap:\n");
    {
        uint8_t c8 = 250;
        uint16_t c16 = 65530;
        int8_t sc8 = 120;
        for (i = 0; i < 10; i++) {
            printf("  %3u %5u %4d\n", c8, c16, sc8);
            c8++;
            c16 += 3;
            sc8 = (int8_t)(sc8 + 3);
        }
    }

    printf("byte and word arrays:\n");
    {
        uint32_t h = 0;
        for (i = 0; i < 64; i++)
            bytes[i] = (uint8_t)(i * 37 + 11);
        for (i = 0; i < 32; i++)
            words[i] = (uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
        for (i = 0; i < 64; i++) {
            bytes[i] = (uint8_t)(bytes[i] ^ (bytes[(i + 1) & 63] >> 1));
            h = h * 257 + bytes[i];
        }
        for (i = 0; i < 32; i++)
            h = h * 65599 + (uint32_t)(int16_t)words[i];
        printf("  bytes %02x %02x %02x words %04x %04x hash %08x\n", bytes[0], bytes[1],
               bytes[63], words[0], words[31], h);
    }

    printf("mixed signedness:\n");
    for (i = 0; i < 8; i++) {
        int x = s8[i];
        unsigned y = u8[i];
        printf("  %d vs %u: int< %d  (unsigned)< %d  char-as-index %d\n", x, y, x < (int)y,
               (unsigned)x < y, "0123456789abcdef"[u8[i] & 15]);
    }

    printf("char arithmetic:\n");
    {
        char text[] = "Hello, Denali! 0123 xyz";
        for (i = 0; text[i]; i++) {
            char c = text[i];
            if (c >= 'a' && c <= 'z')
                c = (char)((c - 'a' + 13) % 26 + 'a');
            else if (c >= 'A' && c <= 'Z')
                c = (char)((c - 'A' + 13) % 26 + 'A');
            else if (c >= '0' && c <= '9')
                c = (char)('9' - (c - '0'));
            text[i] = c;
        }
        printf("  %s\n", text);
    }
    return 0;
}
