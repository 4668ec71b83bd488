/*
 * services/cpuwork/sort.c - quicksort (median of three, insertion sort for
 * short ranges, recursion on the smaller half) of pseudo-random ints.
 * Branch- and compare-heavy.
 */
#include "cpuwork.h"

#define SORT_N 8192
#define SORT_ROUNDS 24

static int32_t a[SORT_N];

static void insertion(int32_t *v, int n)
{
    int i, j;

    for (i = 1; i < n; i++) {
        int32_t x = v[i];
        for (j = i; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

static void swap(int32_t *x, int32_t *y)
{
    int32_t t = *x;
    *x = *y;
    *y = t;
}

static void quicksort(int32_t *v, int n)
{
    while (n > 16) {
        int mid = n / 2, i = 0, j = n - 1;
        int32_t pivot;

        if (v[mid] < v[0]) swap(&v[mid], &v[0]);
        if (v[n - 1] < v[0]) swap(&v[n - 1], &v[0]);
        if (v[n - 1] < v[mid]) swap(&v[n - 1], &v[mid]);
        pivot = v[mid];
        for (;;) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i >= j) break;
            swap(&v[i], &v[j]);
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j+1, n) ; recurse into the smaller part */
        if (j + 1 < n - (j + 1)) {
            quicksort(v, j + 1);
            v += j + 1;
            n -= j + 1;
        } else {
            quicksort(v + j + 1, n - (j + 1));
            n = j + 1;
        }
    }
    insertion(v, n);
}

uint32_t kernel_sort(void)
{
    uint32_t seed = 0xC0FFEEu, sum = 0;
    int r, i;

    for (r = 0; r < SORT_ROUNDS; r++) {
        for (i = 0; i < SORT_N; i++)
            a[i] = (int32_t)cw_next(&seed) >> (r % 8);  /* varying ranges, duplicates */
        quicksort(a, SORT_N);
        for (i = 1; i < SORT_N; i++)
            if (a[i - 1] > a[i])
                return 0xBAD50B7u;                       /* not sorted */
        for (i = 0; i < SORT_N; i += 97)
            sum = sum * 31 + (uint32_t)a[i];
    }
    return sum;
}
