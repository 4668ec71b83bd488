/*
 * services/cpuwork/search.c - string search over generated text: naive
 * scanning and Knuth-Morris-Pratt, counting every match of several
 * patterns.  Both must agree; the counts feed the checksum.  Byte loads
 * and unpredictable branches.
 */
#include <string.h>
#include "cpuwork.h"

#define TEXT_SIZE (32 * 1024)
#define SEARCH_ROUNDS 6

static char text[TEXT_SIZE + 1];

static const char *const patterns[] = {
    "abab", "denali", "aaaa", "cabbage", "bad", "ilwaco", "acacac", "e",
};
#define NPAT (sizeof patterns / sizeof patterns[0])

static uint32_t count_naive(const char *t, uint32_t n, const char *p, uint32_t m)
{
    uint32_t i, j, count = 0;

    for (i = 0; i + m <= n; i++) {
        for (j = 0; j < m && t[i + j] == p[j]; j++)
            ;
        if (j == m)
            count++;
    }
    return count;
}

static uint32_t count_kmp(const char *t, uint32_t n, const char *p, uint32_t m)
{
    int fail[16];
    uint32_t i, count = 0;
    int k = -1;

    fail[0] = -1;
    for (i = 1; i < m; i++) {           /* failure function */
        while (k >= 0 && p[k + 1] != p[i])
            k = fail[k];
        if (p[k + 1] == p[i])
            k++;
        fail[i] = k;
    }
    k = -1;
    for (i = 0; i < n; i++) {
        while (k >= 0 && p[k + 1] != t[i])
            k = fail[k];
        if (p[k + 1] == t[i])
            k++;
        if (k == (int)m - 1) {
            count++;
            k = fail[k];
        }
    }
    return count;
}

uint32_t kernel_search(void)
{
    static const char alphabet[] = "abcdeilnw";   /* letters of the patterns */
    uint32_t seed = 0xD3A11u, sum = 0, i, r;

    for (r = 0; r < SEARCH_ROUNDS; r++) {
        for (i = 0; i < TEXT_SIZE; i++)
            text[i] = alphabet[(cw_next(&seed) >> 8) % (sizeof alphabet - 1)];
        text[TEXT_SIZE] = '\0';
        for (i = 0; i < NPAT; i++) {
            uint32_t m = (uint32_t)strlen(patterns[i]);
            uint32_t a = count_naive(text, TEXT_SIZE, patterns[i], m);
            uint32_t b = count_kmp(text, TEXT_SIZE, patterns[i], m);
            if (a != b)
                return 0xBAD5EA7u;
            sum = sum * 131 + a;
        }
    }
    return sum;
}
