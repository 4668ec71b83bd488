/*
 * kern/kern.h - what kern/ files tell each other (not a public interface).
 */
#ifndef ILWACO_KERN_H
#define ILWACO_KERN_H

#include <stdint.h>

/* kern/thread.c */
void sched_start(void);          /* make main thread 0, install the upcall entry, enable interrupts */
void sched_preempt(void);        /* from the upcall: let a ready thread run */
int sched_tick_needed(void);     /* a thread is ready or a timer armed: keep the tick armed */

/* kern/timer.c; interrupts masked */
int timer_run_due(uint64_t now_ns);

/* kern/intr.c; interrupts masked */
void intr_poll(void);            /* take INT_PENDING, run device handlers */
void intr_dispatch(void);        /* called by arch/denali/intr.S */
extern uint32_t intr_rearm_tick; /* read by arch/denali/intr.S as it returns */

#endif /* ILWACO_KERN_H */
