/*
 * kern/clock.c - the VM's clock.
 *
 * denali_time_ns() is monotonic virtual time since boot in nanoseconds: the
 * DENALI_VREG_TIME_NS virtual register in a VM (read without trapping, see
 * denali/vregs.h), CLOCK_MONOTONIC in the native build.
 */
#include <ilwaco.h>
#include "../arch/arch.h"

uint64_t denali_time_ns(void)
{
    return arch_time_ns();
}
