/*
 * ilwaco/timer.h - callbacks at absolute deadlines (kern/timer.c).
 *
 * Deadlines are on the VM's clock, denali_time_ns().  The caller owns the
 * struct timer (embed it in the object it times, e.g. a TCP connection);
 * nothing is allocated.  A callback runs once, with interrupts masked, from
 * the timer interrupt or from the scheduler's idle loop, on whatever thread
 * stack is current: it must not block, but may wake threads (cond_signal),
 * re-arm its own or other timers, and cancel timers.
 *
 * Timers are checked at the start of every VMM quantum while one is armed
 * (the preemption tick, see README "Threads and timers"), and a VM whose
 * threads all wait sleeps in IDLE until the earliest deadline.  So a
 * callback runs at most about one quantum late while threads are busy.
 */
#ifndef ILWACO_TIMER_H
#define ILWACO_TIMER_H

#include <stdint.h>

#define TIMER_NO_DEADLINE UINT64_MAX

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
    uint64_t deadline_ns;
    timer_fn fn;
    void *arg;
    struct timer *next;     /* in the armed list, earliest first */
    int armed;
};

void timer_init(struct timer *t, timer_fn fn, void *arg);
/* Arm (or move) t to fire at deadline_ns; a deadline already past fires at
 * the next check, not inside this call. */
void timer_arm(struct timer *t, uint64_t deadline_ns);
/* Disarm; returns 1 if it was armed (so its callback will not run), else 0. */
int timer_cancel(struct timer *t);
int timer_is_armed(const struct timer *t);
/* The earliest armed deadline, or TIMER_NO_DEADLINE. */
uint64_t timer_next_deadline(void);

#endif /* ILWACO_TIMER_H */
