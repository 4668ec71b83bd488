/*
 * arch/denali/platform.c - kern/'s platform hooks inside a Denali VM.
 *
 * Console: hypercall DENALI_HC_CONSOLE_WRITE (EBX = buffer, ECX = length,
 * EAX = bytes accepted).  Clock: the DENALI_VREG_TIME_NS virtual register.
 * Exit: the TERM instruction with the code in EBX.  Heap and thread stacks
 * share one range, from _end (end of .bss, ilwaco.ld) to the
 * DENALI_VREG_MEM_SIZE virtual register minus the main stack's reserve (the
 * main stack starts at the top of memory): the heap grows up from its
 * bottom, kern/pages.c hands out stack pages down from its top, and each
 * stops where the other has got to.  Interrupts: the
 * INT_ENABLE / INT_PENDING / INT_HANDLER virtual registers (docs/denali-isa.md
 * section 9); idling: the IDLE instruction.
 */
#include "../arch.h"
#include <denali/hcall.h>
#include <denali/vregs.h>
#include <ilwaco.h>
#include <ilwaco/pages.h>
#include <ilwaco/param.h>

/* Bytes below the top of memory kept for the main stack (ESP starts at the
 * memory size): the heap never grows into them.  A program whose stack goes
 * deeper than this can overwrite heap blocks near the limit. */
#define ARCH_STACK_RESERVE ILWACO_MAIN_STACK_BYTES

extern char _end[];

int32_t arch_console_write(const char *buf, size_t len)
{
    return denali_hc_console_write(buf, (uint32_t)len);
}

uint64_t arch_time_ns(void)
{
    return denali_vreg_time_ns();
}

void arch_terminate(int code)
{
    denali_term(code);
}

void *arch_heap_start(void)
{
    return _end;
}

void *arch_heap_limit(void)
{
    uint32_t mem = denali_mem_size();
    uint32_t start = (uint32_t)(uintptr_t)_end;
    uint32_t limit, stacks;

    if (mem < ARCH_STACK_RESERVE || mem - ARCH_STACK_RESERVE < start)
        return _end;              /* no room: an empty heap */
    limit = mem - ARCH_STACK_RESERVE;
    stacks = (uint32_t)pages_lowest();   /* thread stacks come down from the top */
    if (stacks < limit)
        limit = stacks < start ? start : stacks;
    return (void *)(uintptr_t)limit;
}

/* ---- interrupts ----------------------------------------------------------- */

extern char intr_entry[];       /* arch/denali/intr.S */

void arch_intr_init(void)
{
    denali_vreg_write32(DENALI_VREG_INT_HANDLER, (uint32_t)(uintptr_t)intr_entry);
}

uint32_t arch_intr_save(void)
{
    uint32_t old = denali_vreg32(DENALI_VREG_INT_ENABLE);
    denali_vreg_write32(DENALI_VREG_INT_ENABLE, 0);
    return old;
}

void arch_intr_restore(uint32_t saved)
{
    denali_vreg_write32(DENALI_VREG_INT_ENABLE, saved);
}

uint32_t arch_intr_take(void)
{
    uint32_t bits = 0;
    __asm__ volatile("xchgl %0, %c1" : "+r"(bits) : "i"(DENALI_VREG_INT_PENDING) : "memory");
    return bits;
}

void arch_tick_arm(void)
{
    __asm__ volatile("orl %0, %c1" : : "i"(DENALI_INT_TIMER), "i"(DENALI_VREG_INT_PENDING) : "memory", "cc");
}

void arch_tick_disarm(void)
{
    __asm__ volatile("andl %0, %c1" : : "i"(~DENALI_INT_TIMER), "i"(DENALI_VREG_INT_PENDING) : "memory", "cc");
}

void arch_idle(uint64_t deadline_ns)
{
    denali_idle(deadline_ns);   /* ARCH_NO_DEADLINE is all ones: no deadline */
}

/* ---- thread stacks ---------------------------------------------------------- */

extern char __heap_start[];     /* ilwaco.ld */

void arch_page_region(uintptr_t *lo, uintptr_t *hi)
{
    uintptr_t top = denali_mem_size();
    uintptr_t heap = ilwaco_heap_end();  /* the heap comes up from the bottom */

    *lo = heap > (uintptr_t)__heap_start ? heap : (uintptr_t)__heap_start;
    *hi = top > ILWACO_MAIN_STACK_BYTES ? (top - ILWACO_MAIN_STACK_BYTES) & ~(uintptr_t)(DENALI_PAGE_SIZE - 1) : 0;
}
