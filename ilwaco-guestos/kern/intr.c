/*
 * kern/intr.c - virtual interrupt dispatch.
 *
 * The upcall path: the VMM delivers pending interrupts at the start of a
 * quantum (INT_ENABLE != 0, INT_PENDING != 0, INT_HANDLER set);
 * arch/denali/intr.S saves the registers and calls intr_dispatch(), which
 *
 *   1. takes and clears INT_PENDING (one xchg) until it reads 0, calling the
 *      handlers of device bits (NIC_RX, DISK);
 *   2. runs due timers (a TIMER bit means "check the clock", whether the VMM
 *      raised it at an IDLE deadline or the kernel armed it as the tick);
 *   3. preempts the interrupted thread if another is ready (it may switch
 *      threads here and come back much later);
 *   4. tells the stub whether to re-arm the tick (a thread is ready or a
 *      timer is armed): the stub then sets DENALI_INT_TIMER again and returns
 *      without VIRET, so the next upcall comes at the next quantum.
 */
#include <denali/abi.h>
#include <ilwaco/intr.h>
#include "../arch/arch.h"
#include "kern.h"

uint32_t intr_rearm_tick;

static intr_handler_fn handlers[3];     /* by bit number: TIMER (unused), NIC_RX, DISK */

/* The first masked section of a program starts the scheduler (which turns
 * interrupts on) before it masks, so the section's restore leaves them on:
 * otherwise a section begun before any thread call would end with the
 * boot-time state, masked, and preemption would be dead for good. */
uint32_t intr_save(void)
{
    sched_start();
    return arch_intr_save();
}

void intr_restore(uint32_t saved)
{
    arch_intr_restore(saved);
}

void intr_set_handler(uint32_t bit, intr_handler_fn fn)
{
    uint32_t s;

    sched_start();
    s = arch_intr_save();
    if (bit == DENALI_INT_NIC_RX)
        handlers[1] = fn;
    else if (bit == DENALI_INT_DISK)
        handlers[2] = fn;
    arch_intr_restore(s);
}

void intr_poll(void)
{
    uint32_t bits;

    while ((bits = arch_intr_take()) != 0) {
        if ((bits & DENALI_INT_NIC_RX) && handlers[1])
            handlers[1](bits);
        if ((bits & DENALI_INT_DISK) && handlers[2])
            handlers[2](bits);
    }
}

void intr_dispatch(void)
{
    intr_poll();
    timer_run_due(arch_time_ns());
    sched_preempt();
    intr_rearm_tick = (uint32_t)sched_tick_needed();
    if (!intr_rearm_tick)
        arch_tick_disarm();
}
