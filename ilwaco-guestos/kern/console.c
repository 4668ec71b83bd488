/*
 * kern/console.c - buffered console output.
 *
 * Every byte printed by stdio lands in one buffer.  The buffer goes to the
 * platform (a DENALI_HC_CONSOLE_WRITE hypercall in a VM) when it fills, at
 * the end of an output operation that wrote a newline (console_end), and on
 * console_flush() - which exit() calls.  So printf costs one hypercall per
 * line at most, not one per character.
 *
 * The VMM may accept fewer bytes than offered (rate limiting); we offer the
 * rest again, and give up on the buffer only if it accepts nothing, so a
 * refusing console can never hang the guest.
 *
 * Threads: every function here masks interrupts while it touches the buffer
 * (so a preempted thread never leaves it half-updated), and console_lock()
 * lets a caller keep a whole line together (stdio's printf and puts do).
 */
#include <ilwaco.h>
#include <string.h>
#include "../arch/arch.h"

#define CONSOLE_BUF_SIZE 1024

static char buf[CONSOLE_BUF_SIZE];
static size_t used;
static int newline_pending;

uint32_t console_lock(void)
{
    return arch_intr_save();
}

void console_unlock(uint32_t saved)
{
    arch_intr_restore(saved);
}

void console_flush(void)
{
    uint32_t lock = arch_intr_save();
    size_t off = 0;

    while (off < used) {
        int32_t n = arch_console_write(buf + off, used - off);
        if (n <= 0)
            break;              /* refused: drop what is left */
        off += (size_t)n;
    }
    used = 0;
    newline_pending = 0;
    arch_intr_restore(lock);
}

void console_put(const char *s, size_t len)
{
    uint32_t lock = arch_intr_save();

    while (len > 0) {
        size_t room = CONSOLE_BUF_SIZE - used;
        size_t n = len < room ? len : room;

        memcpy(buf + used, s, n);
        if (!newline_pending && memchr(s, '\n', n))
            newline_pending = 1;
        used += n;
        s += n;
        len -= n;
        if (used == CONSOLE_BUF_SIZE)
            console_flush();
    }
    arch_intr_restore(lock);
}

void console_end(void)
{
    uint32_t lock = arch_intr_save();

    if (newline_pending)
        console_flush();
    arch_intr_restore(lock);
}

void console_write(const char *s, size_t len)
{
    uint32_t lock = arch_intr_save();

    console_put(s, len);
    console_end();
    arch_intr_restore(lock);
}
