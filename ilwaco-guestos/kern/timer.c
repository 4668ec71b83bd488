/*
 * kern/timer.c - callbacks at absolute deadlines.
 *
 * One list of armed timers, earliest first (equal deadlines in arming
 * order).  Arming is O(armed timers); a kernel with thousands of timers
 * would want a wheel, a VM's worth of TCP connections does not yet.
 *
 * Who runs them: timer_run_due(now), with interrupts masked, from the
 * interrupt dispatcher (kern/intr.c) at each preemption tick and from the
 * scheduler's idle loop (kern/thread.c), which idles until
 * timer_next_deadline().  Arming a timer arms the tick, so a busy VM checks
 * its timers at the start of every quantum.
 */
#include <ilwaco/timer.h>
#include "../arch/arch.h"
#include "kern.h"

static struct timer *armed;

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
    t->deadline_ns = TIMER_NO_DEADLINE;
    t->fn = fn;
    t->arg = arg;
    t->next = 0;
    t->armed = 0;
}

static void unlink(struct timer *t)
{
    for (struct timer **p = &armed; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = 0;
    t->armed = 0;
}

void timer_arm(struct timer *t, uint64_t deadline_ns)
{
    struct timer **p;
    uint32_t s;

    sched_start();      /* the tick needs the upcall entry and interrupts on */
    s = arch_intr_save();
    if (t->armed)
        unlink(t);
    t->deadline_ns = deadline_ns;
    for (p = &armed; *p && (*p)->deadline_ns <= deadline_ns; p = &(*p)->next)
        ;
    t->next = *p;
    *p = t;
    t->armed = 1;
    arch_tick_arm();
    arch_intr_restore(s);
}

int timer_cancel(struct timer *t)
{
    uint32_t s = arch_intr_save();
    int was = t->armed;

    if (was)
        unlink(t);
    arch_intr_restore(s);
    return was;
}

int timer_is_armed(const struct timer *t)
{
    return t->armed;
}

uint64_t timer_next_deadline(void)
{
    struct timer *t = armed;
    return t ? t->deadline_ns : TIMER_NO_DEADLINE;
}

int timer_run_due(uint64_t now_ns)
{
    int n = 0;

    while (armed && armed->deadline_ns <= now_ns) {
        struct timer *t = armed;
        armed = t->next;
        t->next = 0;
        t->armed = 0;
        t->fn(t, t->arg);       /* may re-arm t */
        n++;
    }
    return n;
}
