/*
 * services/cpuwork - integer CPU work: CRC-32, quicksort, matrix multiply,
 * string search and 64-bit arithmetic, about 200 million x86 instructions at
 * -O2.  Prints one checksum line per kernel and a final "checksum: 0x..."
 * line; the output is identical in the Denali guest and the native build.
 * Memory: about 130 KiB of .bss plus a few KiB of stack.
 */
#include <stdio.h>
#include "cpuwork.h"

struct kernel {
    const char *name;
    uint32_t (*run)(void);
};

static const struct kernel kernels[] = {
    { "crc32", kernel_crc32 },
    { "qsort", kernel_sort },
    { "matmul", kernel_matmul },
    { "search", kernel_search },
    { "arith64", kernel_arith64 },
};

int main(void)
{
    uint32_t total = 0;
    unsigned i;

    for (i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        uint32_t sum = kernels[i].run();
        printf("%s: 0x%08x\n", kernels[i].name, sum);
        total = (total << 5 | total >> 27) ^ sum;
    }
    printf("checksum: 0x%08x\n", total);
    return 0;
}
