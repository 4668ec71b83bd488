/*
 * arch/denali/platform.c - kern/'s platform hooks inside a Denali VM.
 *
 * Console: hypercall DENALI_HC_CONSOLE_WRITE (EBX = buffer, ECX = length,
 * EAX = bytes accepted).  Clock: the DENALI_VREG_TIME_NS virtual register.
 * Exit: the TERM instruction with the code in EBX.  Heap: from _end (end of
 * .bss, ilwaco.ld) to the DENALI_VREG_MEM_SIZE virtual register minus
 * ARCH_STACK_RESERVE for the main stack, which starts at the top of memory.
 */
#include "../arch.h"
#include <denali/hcall.h>
#include <denali/vregs.h>

/* Bytes below the top of memory kept for the main stack (ESP starts at the
 * memory size): the heap never grows into them.  A program whose stack goes
 * deeper than this can overwrite heap blocks near the limit. */
#define ARCH_STACK_RESERVE (64u << 10)

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

    if (mem < ARCH_STACK_RESERVE || mem - ARCH_STACK_RESERVE < start)
        return _end;              /* no room: an empty heap */
    return (void *)(uintptr_t)(mem - ARCH_STACK_RESERVE);
}
