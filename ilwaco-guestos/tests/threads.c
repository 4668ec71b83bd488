/*
 * threads: kern/thread.c and kern/timer.c, with output that does not depend
 * on how threads interleave (a guest may be preempted anywhere, the native
 * build never is): workers joined with their results, a mutex-protected
 * counter, a bounded buffer on two condition variables, timed waits that
 * time out and one that is signalled, sleeps, timer callbacks in deadline
 * order, a cancelled timer, detached threads, and stack reuse.
 */
#include <errno.h>
#include <stdio.h>
#include <ilwaco.h>
#include <ilwaco/thread.h>
#include <ilwaco/timer.h>

#define MS 1000000ull

static void *square(void *arg)
{
    int n = (int)(intptr_t)arg;
    thread_yield();
    return (void *)(intptr_t)(n * n);
}

static mutex_t lock = MUTEX_INITIALIZER;
static long counter;

static void *add(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        mutex_lock(&lock);
        long v = counter;
        if (i % 7 == 0)
            thread_yield();     /* hand the CPU over inside the critical section */
        counter = v + 1;
        mutex_unlock(&lock);
    }
    return 0;
}

#define SLOTS 4
static int buf[SLOTS], head, count;
static mutex_t bl = MUTEX_INITIALIZER;
static cond_t not_full = COND_INITIALIZER, not_empty = COND_INITIALIZER;

static void *producer(void *arg)
{
    for (int i = 1; i <= 100; i++) {
        mutex_lock(&bl);
        while (count == SLOTS)
            cond_wait(&not_full, &bl);
        buf[(head + count++) % SLOTS] = i;
        cond_signal(&not_empty);
        mutex_unlock(&bl);
    }
    return 0;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (int i = 0; i < 50; i++) {
        mutex_lock(&bl);
        while (count == 0)
            cond_wait(&not_empty, &bl);
        sum += buf[head];
        head = (head + 1) % SLOTS;
        count--;
        cond_signal(&not_full);
        mutex_unlock(&bl);
    }
    return (void *)sum;
}

static mutex_t tm = MUTEX_INITIALIZER;
static cond_t tc = COND_INITIALIZER;
static int flag;

static void *signaller(void *arg)
{
    thread_sleep_ns(1 * MS);
    mutex_lock(&tm);
    flag = 1;
    cond_signal(&tc);
    mutex_unlock(&tm);
    return 0;
}

static int fired[4], nfired;

static void record(struct timer *t, void *arg)
{
    fired[nfired++] = (int)(intptr_t)arg;
}

static void *errno_keeper(void *arg)
{
    int mine = (int)(intptr_t)arg;

    errno = mine;
    for (int i = 0; i < 3; i++)
        thread_yield();
    return (void *)(intptr_t)(errno == mine);
}

static int detached_done;

static void *detached(void *arg)
{
    detached_done++;
    return 0;
}

int main(void)
{
    thread_t *t[8];
    void *r;

    printf("main is thread %d\n", thread_id(thread_self()));

    for (int i = 0; i < 8; i++)
        thread_create(&t[i], square, (void *)(intptr_t)(i + 1));
    long squares = 0;
    for (int i = 0; i < 8; i++) {
        thread_join(t[i], &r);
        squares += (long)(intptr_t)r;
    }
    printf("sum of squares 1..8 = %ld\n", squares);
    printf("join self: %s\n", thread_join(thread_self(), 0) == EDEADLK ? "EDEADLK" : "?");

    for (int i = 0; i < 4; i++)
        thread_create(&t[i], add, 0);
    for (int i = 0; i < 4; i++)
        thread_join(t[i], 0);
    printf("counter = %ld (expected 8000)\n", counter);
    printf("trylock free: %d\n", mutex_trylock(&lock));
    printf("trylock held: %s\n", mutex_trylock(&lock) == EBUSY ? "EBUSY" : "?");
    mutex_unlock(&lock);

    thread_create(&t[0], producer, 0);
    thread_create(&t[1], consumer, 0);
    thread_create(&t[2], consumer, 0);
    long s1, s2;
    thread_join(t[0], 0);
    thread_join(t[1], &r);
    s1 = (long)r;
    thread_join(t[2], &r);
    s2 = (long)r;
    printf("consumed %ld (expected 5050)\n", s1 + s2);

    mutex_lock(&tm);
    uint64_t t0 = denali_time_ns();
    int rc = cond_timedwait(&tc, &tm, t0 + 2 * MS);
    uint64_t waited = denali_time_ns() - t0;
    mutex_unlock(&tm);
    printf("timedwait alone: %s, waited >= 2 ms: %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" : "?", waited >= 2 * MS ? "yes" : "no");

    thread_create(&t[0], signaller, 0);
    mutex_lock(&tm);
    rc = 0;
    while (!flag && rc == 0)
        rc = cond_timedwait(&tc, &tm, denali_time_ns() + 1000 * MS);
    mutex_unlock(&tm);
    thread_join(t[0], 0);
    printf("timedwait signalled: rc %d flag %d\n", rc, flag);

    t0 = denali_time_ns();
    thread_sleep_ns(3 * MS);
    printf("slept >= 3 ms: %s\n", denali_time_ns() - t0 >= 3 * MS ? "yes" : "no");

    struct timer a, b, c, d;
    timer_init(&a, record, (void *)1);
    timer_init(&b, record, (void *)2);
    timer_init(&c, record, (void *)3);
    timer_init(&d, record, (void *)4);
    t0 = denali_time_ns();
    timer_arm(&c, t0 + 3 * MS);
    timer_arm(&a, t0 + 1 * MS);
    timer_arm(&d, t0 + 2 * MS);
    timer_arm(&b, t0 + 2 * MS);
    int first = timer_cancel(&d);
    int again = timer_cancel(&d);
    printf("cancel d: %d, again: %d\n", first, again);
    printf("next deadline is a's: %s\n", timer_next_deadline() == t0 + 1 * MS ? "yes" : "no");
    thread_sleep_until(t0 + 4 * MS);
    printf("timers fired:");
    for (int i = 0; i < nfired; i++)
        printf(" %d", fired[i]);
    printf("\n");

    for (int round = 0; round < 100; round++) {
        thread_t *x;
        if (thread_create(&x, detached, 0) != 0) {
            printf("create failed in round %d\n", round);
            return 1;
        }
        thread_detach(x);
        thread_yield();
    }
    while (detached_done < 100)
        thread_yield();
    printf("detached threads ran: %d\n", detached_done);

    errno = 7;
    thread_create(&t[0], errno_keeper, (void *)(intptr_t)11);
    thread_create(&t[1], errno_keeper, (void *)(intptr_t)12);
    long kept = 0;
    for (int i = 0; i < 2; i++) {
        thread_join(t[i], &r);
        kept += (long)(intptr_t)r;
    }
    printf("each thread kept its errno: %ld of 2, main's still %d\n", kept, errno);
    return 0;
}
