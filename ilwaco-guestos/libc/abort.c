/*
 * libc/abort.c - abort() and failed assertions.
 *
 * Both print a line on the console and end the program with exit code 134
 * (128 + SIGABRT, what a shell reports for an aborted Linux process), so a
 * failure looks the same in a VM and in the native build.
 */
#include <stdlib.h>
#include <stdio.h>
#include <ilwaco.h>
#include "../arch/arch.h"

#define ABORT_EXIT_CODE 134

void abort(void)
{
    console_write("ilwaco: abort()\n", 16);
    console_flush();
    arch_terminate(ABORT_EXIT_CODE);
}

void __assert_fail(const char *expr, const char *file, unsigned line, const char *func)
{
    printf("ilwaco: %s:%u: %s: assertion failed: %s\n", file, line, func, expr);
    abort();
}
