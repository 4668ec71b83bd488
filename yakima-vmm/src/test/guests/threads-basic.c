/*
 * threads-basic: threads created and joined with results, and a
 * mutex-protected counter incremented by threads that the timer tick
 * preempts (no yields: each thread holds the CPU until a quantum ends).
 *   -DWORKERS=n  -DROUNDS=n   counter threads and increments each
 */
#include <stdio.h>
#include <ilwaco/thread.h>

#ifndef WORKERS
#define WORKERS 4
#endif
#ifndef ROUNDS
#define ROUNDS 20000
#endif

static void *triple(void *arg)
{
    return (void *)((intptr_t)arg * 3);
}

static mutex_t lock = MUTEX_INITIALIZER;
static volatile long counter;
static volatile long unlocked;          /* incremented without the lock: shows preemption mid-update */

static void *count(void *arg)
{
    for (int i = 0; i < ROUNDS; i++) {
        mutex_lock(&lock);
        long v = counter;
        for (volatile int k = 0; k < 10; k++)   /* widen the window a preemption can hit */
            ;
        counter = v + 1;
        mutex_unlock(&lock);
        long u = unlocked;
        for (volatile int k = 0; k < 10; k++)
            ;
        unlocked = u + 1;
    }
    return 0;
}

int main(void)
{
    thread_t *t[WORKERS > 5 ? WORKERS : 5];
    void *r;

    for (int i = 0; i < 5; i++)
        thread_create(&t[i], triple, (void *)(intptr_t)(i + 1));
    for (int i = 0; i < 5; i++) {
        thread_join(t[i], &r);
        printf("thread %d returned %d\n", thread_id(t[i]), (int)(intptr_t)r);
    }
    for (int i = 0; i < WORKERS; i++)
        thread_create(&t[i], count, 0);
    for (int i = 0; i < WORKERS; i++)
        thread_join(t[i], 0);
    printf("counter %ld\n", counter);
    printf("unlocked counter lost updates: %s\n", unlocked < (long)WORKERS * ROUNDS ? "yes" : "no");
    return 7;
}
