/*
 * threads-sleep: three threads sleep (absolute deadlines 10, 20 and 30 ms
 * after start) while main waits in thread_join: every thread is blocked, so
 * the VM must sit in IDLE until the next deadline.  Each sleeper records
 * when it woke; main prints the wake times (ms since start, rounded down)
 * and the order, and a timer callback at 25 ms shows timers fire from idle.
 */
#include <stdio.h>
#include <ilwaco.h>
#include <ilwaco/thread.h>
#include <ilwaco/timer.h>

#define MS 1000000ull

static uint64_t start;
static uint64_t woke[3];
static int order[4], norder;

static void *sleeper(void *arg)
{
    int i = (int)(intptr_t)arg;
    thread_sleep_until(start + (uint64_t)(i + 1) * 10 * MS);
    woke[i] = denali_time_ns() - start;
    order[norder++] = i + 1;
    return 0;
}

static uint64_t fired_at;

static void on_timer(struct timer *t, void *arg)
{
    fired_at = denali_time_ns() - start;
    order[norder++] = 9;
}

int main(void)
{
    thread_t *t[3];
    struct timer tm;

    start = denali_time_ns();
    for (int i = 2; i >= 0; i--)
        thread_create(&t[i], sleeper, (void *)(intptr_t)i);
    timer_init(&tm, on_timer, 0);
    timer_arm(&tm, start + 25 * MS);
    for (int i = 0; i < 3; i++)
        thread_join(t[i], 0);
    for (int i = 0; i < 3; i++)
        printf("sleeper %d woke at %llu ms\n", i + 1, (unsigned long long)(woke[i] / MS));
    printf("timer fired at %llu ms\n", (unsigned long long)(fired_at / MS));
    printf("order %d %d %d %d\n", order[0], order[1], order[2], order[3]);
    return 0;
}
