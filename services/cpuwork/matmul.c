/*
 * services/cpuwork/matmul.c - dense integer matrix multiply C = A x B
 * (48 x 48, i-k-j loop order), repeated with B replaced by C mod a prime.
 * Multiply-heavy (imul) with sequential loads.
 */
#include "cpuwork.h"

#define MM_N 48
#define MM_ROUNDS 40

static int32_t A[MM_N][MM_N], B[MM_N][MM_N], C[MM_N][MM_N];

static void multiply(void)
{
    int i, j, k;

    for (i = 0; i < MM_N; i++) {
        for (j = 0; j < MM_N; j++)
            C[i][j] = 0;
        for (k = 0; k < MM_N; k++) {
            int32_t aik = A[i][k];
            for (j = 0; j < MM_N; j++)
                C[i][j] += aik * B[k][j];
        }
    }
}

uint32_t kernel_matmul(void)
{
    uint32_t seed = 0xBEEFu, sum = 0;
    int i, j, r;

    for (i = 0; i < MM_N; i++)
        for (j = 0; j < MM_N; j++) {
            A[i][j] = (int32_t)(cw_next(&seed) % 201) - 100;
            B[i][j] = (int32_t)(cw_next(&seed) % 201) - 100;
        }
    for (r = 0; r < MM_ROUNDS; r++) {
        multiply();
        for (i = 0; i < MM_N; i++)
            for (j = 0; j < MM_N; j++) {
                sum = sum * 33 + (uint32_t)C[i][j];
                B[i][j] = C[i][j] % 1009;    /* keep values small: no overflow */
            }
    }
    return sum;
}
