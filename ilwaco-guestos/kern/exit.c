/*
 * kern/exit.c - ending the program.
 *
 * exit(code) runs atexit handlers (last registered first), flushes the
 * console and terminates: TERM with EBX = code in a VM, exit_group natively.
 * crt0 calls exit() with main's return value.  _Exit skips handlers but
 * still flushes, since console output is the VM's only trace.
 */
#include <stdlib.h>
#include <ilwaco.h>
#include "../arch/arch.h"

#define ATEXIT_MAX 32

static void (*handlers[ATEXIT_MAX])(void);
static int nhandlers;

int atexit(void (*fn)(void))
{
    if (nhandlers == ATEXIT_MAX)
        return -1;
    handlers[nhandlers++] = fn;
    return 0;
}

void exit(int code)
{
    while (nhandlers > 0)
        handlers[--nhandlers]();
    console_flush();
    arch_terminate(code);
}

void _Exit(int code)
{
    console_flush();
    arch_terminate(code);
}
