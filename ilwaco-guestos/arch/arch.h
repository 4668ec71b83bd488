/*
 * arch/arch.h - what each platform under arch/ provides to kern/.
 *
 *   arch/denali/  inside a Denali VM: hypercalls, TERM, virtual registers
 *   arch/linux/   native static i386 Linux program: int 0x80 system calls
 *
 * Everything above this line (kern/, libc/) is the same code on both, which
 * is what lets the native build record the outputs a guest must produce.
 */
#ifndef ILWACO_ARCH_H
#define ILWACO_ARCH_H

#include <stddef.h>
#include <stdint.h>

/* Write up to len bytes to the console; returns bytes accepted (> 0), or
 * 0 / a negative error when nothing more can be written. */
int32_t arch_console_write(const char *buf, size_t len);

/* Monotonic time in nanoseconds. */
uint64_t arch_time_ns(void);

/* End the program with an exit code. */
__attribute__((noreturn)) void arch_terminate(int code);

#endif /* ILWACO_ARCH_H */
