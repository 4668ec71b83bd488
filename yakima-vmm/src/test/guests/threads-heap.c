/*
 * threads-heap.c - the heap and thread stacks share one range of a VM's
 * memory (the heap grows up from the end of the image, stacks come down
 * from below the main stack); neither may run into the other.
 *
 * Four threads are created, then main allocates 4 KiB blocks until malloc
 * says ENOMEM, filling each with a pattern. The threads then run (deep-ish
 * recursion on their stacks) and return; a fifth thread must still get a
 * stack or a clean failure. Every block's pattern must be intact, and no
 * stack check may fire. Prints "heap blocks N" (N > 0), "patterns intact",
 * "threads joined 4", and exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ilwaco/thread.h>

#define BLOCK 4096
#define MAX_BLOCKS 1024

static unsigned char *blocks[MAX_BLOCKS];

static unsigned depth(unsigned n, volatile unsigned char *scratch)
{
    unsigned char local[256];
    memset(local, (int)n, sizeof local);
    scratch[n % 16] = local[n % 256];
    return n == 0 ? local[0] : depth(n - 1, scratch) + local[1];
}

static void *work(void *arg)
{
    volatile unsigned char scratch[16];
    unsigned n = (unsigned)(uintptr_t)arg;
    return (void *)(uintptr_t)depth(8 + n, scratch);
}

int main(void)
{
    thread_t *t[4];
    int n = 0;

    for (int i = 0; i < 4; i++) {
        if (thread_create(&t[i], work, (void *)(uintptr_t)i) != 0) {
            printf("thread_create %d failed\n", i);
            return 1;
        }
    }
    while (n < MAX_BLOCKS) {
        unsigned char *b = malloc(BLOCK);
        if (!b) {
            if (errno != ENOMEM) {
                printf("malloc failed without ENOMEM\n");
                return 2;
            }
            break;
        }
        memset(b, n & 0xFF, BLOCK);
        blocks[n++] = b;
    }
    printf("heap blocks %s\n", n > 0 ? "some" : "none");
    int joined = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        if (thread_join(t[i], &r) == 0)
            joined++;
    }
    thread_t *late;
    int rc = thread_create(&late, work, (void *)0);
    if (rc == 0)
        thread_join(late, NULL);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < BLOCK; k++) {
            if (blocks[i][k] != (unsigned char)(i & 0xFF)) {
                printf("block %d byte %d overwritten\n", i, k);
                return 3;
            }
        }
    }
    printf("patterns intact\n");
    printf("threads joined %d\n", joined);
    printf("late thread: %s\n", rc == 0 ? "ran" : "refused cleanly");
    return 0;
}
