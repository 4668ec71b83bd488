/*
 * arch/denali/platform.c - kern/'s platform hooks inside a Denali VM.
 *
 * Console: hypercall DENALI_HC_CONSOLE_WRITE (EBX = buffer, ECX = length,
 * EAX = bytes accepted).  Clock: the DENALI_VREG_TIME_NS virtual register.
 * Exit: the TERM instruction with the code in EBX.
 */
#include "../arch.h"
#include <denali/hcall.h>
#include <denali/vregs.h>

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
