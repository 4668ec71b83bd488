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

/* ---- Heap (libc/malloc.c) ---------------------------------------------
 * The heap is [arch_heap_start(), arch_heap_limit()).  malloc uses it from
 * the bottom up and never writes above its break, so the platform must
 * guarantee only that the range is free for it and reads zero until the
 * heap first writes it (calloc relies on that to skip clearing fresh
 * memory).  Denali: _end up to MEM_SIZE minus a stack reserve; guest memory
 * outside the image is zero at boot (docs/denali-isa.md).  Linux: a static
 * arena in .bss. */
void *arch_heap_start(void);
void *arch_heap_limit(void);

#endif /* ILWACO_ARCH_H */
