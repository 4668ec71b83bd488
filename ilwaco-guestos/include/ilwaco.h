/*
 * ilwaco.h - the Ilwaco runtime's own interface (beyond standard C).
 *
 * Console: output is buffered; it reaches the VMM (hypercall
 * DENALI_HC_CONSOLE_WRITE) when the buffer fills, at the end of any write
 * that contained a newline, on console_flush() and at exit.
 * Clock: denali_time_ns() is the VM's monotonic virtual time in ns, read from
 * the virtual-registers page (CLOCK_MONOTONIC in the native build).
 */
#ifndef ILWACO_H
#define ILWACO_H

#include <stddef.h>
#include <stdint.h>

/* kern/console.c */
void console_put(const char *buf, size_t len);   /* append; no newline flush */
void console_end(void);                          /* flush if a newline was put */
void console_write(const char *buf, size_t len); /* put + end */
void console_flush(void);                        /* write out everything now */
uint32_t console_lock(void);                     /* keep output together: masks interrupts */
void console_unlock(uint32_t saved);             /* (no other thread runs in between) */

/* kern/clock.c */
uint64_t denali_time_ns(void);

/* libc/malloc.c: bytes between the heap's start and its break (how far it
 * has grown), and a full walk of the heap: 0 when every invariant holds. */
size_t ilwaco_heap_top(void);
int ilwaco_heap_check(void);
/* One past the highest address the heap has ever used: thread stacks
 * (kern/pages.c) stay above it where the two share a range. */
uintptr_t ilwaco_heap_end(void);

/* kern/exit.c (exit, atexit, _Exit are declared in stdlib.h) */

/* 1 in the native Linux build, 0 inside a Denali VM. */
#ifdef ILWACO_NATIVE
#define ILWACO_IS_NATIVE 1
#else
#define ILWACO_IS_NATIVE 0
#endif

#endif /* ILWACO_H */
