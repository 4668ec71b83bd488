/*
 * ilwaco/intr.h - virtual interrupts (kern/intr.c, arch/denali/intr.S).
 *
 * Masking is the INT_ENABLE virtual register: intr_save() masks and returns
 * the previous state, intr_restore() puts it back (sections nest).  While
 * interrupts are masked the running thread cannot be preempted.  The first
 * intr_save() of a program starts the thread scheduler (main becomes thread
 * 0, interrupts on) before it masks, as any thread call does.
 *
 * Device interrupts (DENALI_INT_NIC_RX, DENALI_INT_DISK): intr_set_handler()
 * names a function called, with interrupts masked, on the interrupted
 * thread's stack, with the bits that were pending; it must not block (it may
 * wake threads: cond_signal, and arm timers).  DENALI_INT_TIMER is the
 * kernel's own (timers and preemption).
 */
#ifndef ILWACO_INTR_H
#define ILWACO_INTR_H

#include <stdint.h>

typedef void (*intr_handler_fn)(uint32_t bits);

uint32_t intr_save(void);
void intr_restore(uint32_t saved);

/* bit: DENALI_INT_NIC_RX or DENALI_INT_DISK; fn NULL removes the handler. */
void intr_set_handler(uint32_t bit, intr_handler_fn fn);

#endif /* ILWACO_INTR_H */
