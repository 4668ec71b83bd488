/*
 * threads-condvar: producers and consumers on a bounded buffer guarded by a
 * mutex and two condition variables; prints what the consumers took.
 */
#include <stdio.h>
#include <ilwaco/thread.h>

#define SLOTS 3
#define ITEMS 500           /* per producer */
#define PRODUCERS 2
#define CONSUMERS 3

static int buf[SLOTS], head, count;
static mutex_t m = MUTEX_INITIALIZER;
static cond_t not_full = COND_INITIALIZER, not_empty = COND_INITIALIZER;
static int producers_left = PRODUCERS;

static void *producer(void *arg)
{
    int base = (int)(intptr_t)arg;
    for (int i = 1; i <= ITEMS; i++) {
        mutex_lock(&m);
        while (count == SLOTS)
            cond_wait(&not_full, &m);
        buf[(head + count++) % SLOTS] = base + i;
        cond_signal(&not_empty);
        mutex_unlock(&m);
    }
    mutex_lock(&m);
    producers_left--;
    cond_broadcast(&not_empty);
    mutex_unlock(&m);
    return 0;
}

static void *consumer(void *arg)
{
    long sum = 0, n = 0;
    for (;;) {
        mutex_lock(&m);
        while (count == 0 && producers_left > 0)
            cond_wait(&not_empty, &m);
        if (count == 0) {
            mutex_unlock(&m);
            break;
        }
        sum += buf[head];
        head = (head + 1) % SLOTS;
        count--;
        n++;
        cond_signal(&not_full);
        mutex_unlock(&m);
    }
    printf("consumer took %ld items\n", n);
    return (void *)sum;
}

int main(void)
{
    thread_t *p[PRODUCERS], *c[CONSUMERS];
    long total = 0;
    void *r;

    for (int i = 0; i < CONSUMERS; i++)
        thread_create(&c[i], consumer, 0);
    for (int i = 0; i < PRODUCERS; i++)
        thread_create(&p[i], producer, (void *)(intptr_t)(i * 1000000));
    for (int i = 0; i < PRODUCERS; i++)
        thread_join(p[i], 0);
    for (int i = 0; i < CONSUMERS; i++) {
        thread_join(c[i], &r);
        total += (long)r;
    }
    printf("total %ld\n", total);
    return 0;
}
