/*
 * arch/linux/platform.c - kern/'s platform hooks as i386 Linux system calls.
 *
 * Used only by the native build (ILWACO_NATIVE), which runs the same C
 * sources as a static 32-bit Linux program to record expected outputs and
 * measure native speed.  System calls go through int 0x80:
 * EAX = number, EBX ECX EDX = arguments, EAX = result or -errno.
 * Heap: a static ARCH_HEAP_BYTES arena in .bss (zero, like fresh guest
 * memory), so the native build needs no brk and prints what a guest prints.
 *
 * There are no interrupts natively: nothing is ever pending, so threads are
 * switched only when they block or yield (no preemption), and idling is
 * nanosleep until the next timer deadline.
 */
#include "../arch.h"
#include <ilwaco/param.h>

#define SYS_exit_group      252
#define SYS_write           4
#define SYS_clock_gettime   265   /* 32-bit time_t */
#define SYS_clock_gettime64 403   /* 64-bit time_t, Linux >= 5.1 */
#define SYS_nanosleep       162
#define CLOCK_MONOTONIC     1

/* About what a 1 MiB guest gets (memory minus image minus stack reserve). */
#define ARCH_HEAP_BYTES (1u << 20)

static char heap_arena[ARCH_HEAP_BYTES] __attribute__((aligned(4096)));

static inline int32_t sys3(int32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    int32_t r;
    __asm__ volatile("int $0x80"
                     : "=a"(r) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory", "cc");
    return r;
}

int32_t arch_console_write(const char *buf, size_t len)
{
    int32_t r;
    do
        r = sys3(SYS_write, 1, (uint32_t)(uintptr_t)buf, (uint32_t)len);
    while (r == -4 /* EINTR */);
    return r;
}

uint64_t arch_time_ns(void)
{
    struct { int64_t sec, nsec; } ts64;
    struct { int32_t sec, nsec; } ts32;

    if (sys3(SYS_clock_gettime64, CLOCK_MONOTONIC, (uint32_t)(uintptr_t)&ts64, 0) == 0)
        return (uint64_t)ts64.sec * 1000000000u + (uint64_t)ts64.nsec;
    if (sys3(SYS_clock_gettime, CLOCK_MONOTONIC, (uint32_t)(uintptr_t)&ts32, 0) == 0)
        return (uint64_t)(uint32_t)ts32.sec * 1000000000u + (uint32_t)ts32.nsec;
    return 0;
}

void arch_terminate(int code)
{
    for (;;)
        sys3(SYS_exit_group, (uint32_t)code, 0, 0);
}

void *arch_heap_start(void)
{
    return heap_arena;
}

void *arch_heap_limit(void)
{
    return heap_arena + sizeof heap_arena;
}

/* ---- interrupts: none natively ------------------------------------------ */

static uint32_t int_enable;

void arch_intr_init(void)
{
}

uint32_t arch_intr_save(void)
{
    uint32_t old = int_enable;
    int_enable = 0;
    return old;
}

void arch_intr_restore(uint32_t saved)
{
    int_enable = saved;
}

uint32_t arch_intr_take(void)
{
    return 0;
}

void arch_tick_arm(void)
{
}

void arch_tick_disarm(void)
{
}

void arch_idle(uint64_t deadline_ns)
{
    static const char msg[] = "ilwaco: every thread is blocked and no timer is pending\n";
    struct { int32_t sec, nsec; } ts;
    uint64_t now = arch_time_ns();

    if (deadline_ns == ARCH_NO_DEADLINE) {
        /* nothing can raise an interrupt here: the same "stuck" as yakima run */
        arch_console_write(msg, sizeof msg - 1);
        arch_terminate(124);
    }
    if (deadline_ns <= now)
        return;
    ts.sec = (int32_t)((deadline_ns - now) / 1000000000u);
    ts.nsec = (int32_t)((deadline_ns - now) % 1000000000u);
    sys3(SYS_nanosleep, (uint32_t)(uintptr_t)&ts, 0, 0);
}

/* ---- thread stacks: a static arena ---------------------------------------- */

#define NATIVE_ARENA_BYTES (ILWACO_THREAD_MAX * (ILWACO_THREAD_STACK_BYTES + 4096))

static char arena[NATIVE_ARENA_BYTES] __attribute__((aligned(4096)));

void arch_page_region(uintptr_t *lo, uintptr_t *hi)
{
    *lo = (uintptr_t)arena;
    *hi = (uintptr_t)arena + sizeof arena;
}
