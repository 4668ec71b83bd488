/*
 * services/cpuwork/crc32.c - table-driven CRC-32 (IEEE 802.3, reflected,
 * polynomial 0xEDB88320) over a generated 32 KiB buffer, many passes.
 * Load-heavy: one table lookup, shift and xor per byte.
 */
#include "cpuwork.h"

#define CRC_BUF_SIZE (32 * 1024)
#define CRC_PASSES 200

static uint32_t table[256];
static uint8_t buf[CRC_BUF_SIZE];

static void make_table(void)
{
    uint32_t i, k, c;

    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, uint32_t n)
{
    crc = ~crc;
    while (n-- > 0)
        crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint32_t kernel_crc32(void)
{
    uint32_t seed = 0x1234567u, sum = 0, i;

    make_table();
    for (i = 0; i < CRC_BUF_SIZE; i++)
        buf[i] = (uint8_t)cw_next(&seed);
    for (i = 0; i < CRC_PASSES; i++) {
        uint32_t c = crc32(sum, buf, CRC_BUF_SIZE);
        buf[i % CRC_BUF_SIZE] ^= (uint8_t)c;     /* each pass sees new data */
        sum ^= c + i;
    }
    return sum ^ crc32(0, (const uint8_t *)"123456789", 9);   /* 0xCBF43926 */
}
