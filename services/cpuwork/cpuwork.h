/*
 * services/cpuwork/cpuwork.h - integer CPU kernels for benchmarking the
 * Denali CPU against native execution.  Each kernel returns a 32-bit
 * checksum of its results; main.c prints them and a combined checksum.
 * The output is the same in the guest and the native build.
 */
#ifndef CPUWORK_H
#define CPUWORK_H

#include <stdint.h>

/* Deterministic xorshift32 generator for the kernels' input data. */
static inline uint32_t cw_next(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

uint32_t kernel_crc32(void);
uint32_t kernel_sort(void);
uint32_t kernel_matmul(void);
uint32_t kernel_search(void);
uint32_t kernel_arith64(void);

#endif /* CPUWORK_H */
