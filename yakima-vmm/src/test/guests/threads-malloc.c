/*
 * threads-malloc: malloc, calloc, realloc and free from several threads at
 * once while the tick preempts them (run with a short quantum), so that
 * preemptions fall inside heap operations.
 *
 * WORKERS threads (default 4) each keep SLOTS blocks and do ROUNDS random
 * operations on them: malloc or calloc into an empty slot (a calloc must
 * read zero), realloc (the old contents must survive) or free of a full one.
 * Each block is filled with a byte of its owner's and checked before it is
 * changed, so a block handed out twice or overwritten by the heap shows.
 * Every CHECK_EVERY operations a thread runs ilwaco_heap_check(), which must
 * say 0.  Threads also note when the previous operation was another
 * thread's, to show that they really interleaved.
 *
 * Prints "heap checks failed 0", "blocks damaged 0", "out of memory 0",
 * "interleaved yes", "heap check 0", "heap top 0" and exits 0 when all hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ilwaco.h>
#include <ilwaco/thread.h>

#ifndef WORKERS
#define WORKERS 4
#endif
#ifndef ROUNDS
#define ROUNDS 3000
#endif
#define SLOTS 16
#define CHECK_EVERY 64

struct slot {
    unsigned char *p;
    size_t n;
};

static volatile int checks_failed, damaged, out_of_memory, switches;
static volatile int last_worker = -1;

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

static size_t random_size(unsigned *seed)
{
    unsigned r = next_rand(seed);
    /* mostly small, sometimes up to 2 KiB */
    return (r & 7) == 0 ? 1 + r % 2048 : 1 + r % 200;
}

static int intact(const struct slot *s, unsigned char tag)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i] != tag)
            return 0;
    return 1;
}

static void note(int me)
{
    if (last_worker != me) {
        last_worker = me;
        switches++;
    }
}

static void step(struct slot *s, unsigned char tag, unsigned *seed)
{
    unsigned op = next_rand(seed) % 4;

    if (!s->p) {
        size_t n = random_size(seed);
        if (op & 1) {
            s->p = calloc(1, n);
            if (s->p) {
                s->n = n;
                for (size_t i = 0; i < n; i++)
                    if (s->p[i] != 0) {
                        damaged++;
                        break;
                    }
            }
        } else {
            s->p = malloc(n);
            s->n = n;
        }
        if (!s->p) {
            out_of_memory++;
            return;
        }
        memset(s->p, tag, n);
        return;
    }
    if (!intact(s, tag))
        damaged++;
    if (op == 0) {
        size_t n = random_size(seed);
        unsigned char *q = realloc(s->p, n);
        if (!q) {
            out_of_memory++;
            return;                         /* s->p is still ours */
        }
        s->p = q;
        s->n = n < s->n ? n : s->n;
        if (!intact(s, tag))                /* the prefix survived the move */
            damaged++;
        s->n = n;
        memset(s->p, tag, n);
    } else {
        free(s->p);
        s->p = 0;
        s->n = 0;
    }
}

static void *worker(void *arg)
{
    int me = (int)(uintptr_t)arg;
    unsigned char tag = (unsigned char)(0x11 * (me + 1));
    unsigned seed = 1234u + 977u * (unsigned)me;
    struct slot slots[SLOTS];

    memset(slots, 0, sizeof slots);
    for (int r = 0; r < ROUNDS; r++) {
        step(&slots[next_rand(&seed) % SLOTS], tag, &seed);
        note(me);
        if (r % CHECK_EVERY == 0 && ilwaco_heap_check() != 0)
            checks_failed++;
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p && !intact(&slots[i], tag))
            damaged++;
        free(slots[i].p);
    }
    return 0;
}

int main(void)
{
    thread_t *t[WORKERS];

    for (int i = 0; i < WORKERS; i++) {
        if (thread_create(&t[i], worker, (void *)(uintptr_t)i) != 0) {
            printf("thread_create %d failed\n", i);
            return 1;
        }
    }
    for (int i = 0; i < WORKERS; i++)
        thread_join(t[i], 0);
    int check = ilwaco_heap_check();
    size_t top = ilwaco_heap_top();
    printf("heap checks failed %d\n", checks_failed);
    printf("blocks damaged %d\n", damaged);
    printf("out of memory %d\n", out_of_memory);
    printf("interleaved %s\n", switches > 2 * WORKERS ? "yes" : "no");
    printf("heap check %d\n", check);
    printf("heap top %u\n", (unsigned)top);
    return checks_failed || damaged || out_of_memory || check || top || switches <= 2 * WORKERS;
}
