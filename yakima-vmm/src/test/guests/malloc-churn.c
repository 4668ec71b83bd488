/*
 * malloc-churn: a working set of SLOTS small buffers (16..1024 bytes, at most
 * about 16 KiB live) replaced CYCLES times in random order: free one, malloc
 * another of a random size, write all of it.  Prints the heap's extent and
 * idles forever, so the test can count the VM's private pages while it still
 * exists.  -DCYCLES=0 touches no heap at all (the baseline to compare with).
 * -DDOUBLE_FREE frees one buffer twice instead, which must abort.
 * -DDOUBLE_FREE_TOP frees the top block twice: it went back to the break.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ilwaco.h>
#include <denali/hcall.h>

#ifndef CYCLES
#define CYCLES 10000
#endif
#define SLOTS 16

static unsigned char *slot[SLOTS];

int main(void)
{
    unsigned seed = 42, sum = 0;
    long i;

#ifdef DOUBLE_FREE
    void *p = malloc(100), *q = malloc(100), *r = malloc(100);
    free(p);
    free(q);
    free(p);  /* caught by its header: not in use */
    (void)r;
    printf("double free not caught\n");
    return 1;
#endif
#ifdef DOUBLE_FREE_TOP
    void *t = malloc(100);
    free(t);
    free(t);
    printf("double free not caught\n");
    return 1;
#endif
    for (i = 0; i < CYCLES; i++) {
        int k = rand_r(&seed) % SLOTS;
        size_t n = 16 + (size_t)(rand_r(&seed) % 1009);
        free(slot[k]);
        slot[k] = malloc(n);
        if (slot[k] == NULL) {
            printf("malloc(%u) failed at cycle %ld\n", (unsigned)n, i);
            return 1;
        }
        memset(slot[k], (int)i, n);
        sum += slot[k][n - 1];
    }
    printf("churn: %d cycles, heap top %u bytes, check %d, sum %u\n", CYCLES,
           (unsigned)ilwaco_heap_top(), ilwaco_heap_check(), sum);
    console_flush();
    denali_idle(~0ull); /* stay alive: the test counts pages, then destroys the VM */
    return 0;
}
