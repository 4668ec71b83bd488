/* libc/errno.c - errno.  One variable, but each thread has its own value:
 * kern/thread.c saves it when a thread is switched out and puts it back when
 * the thread runs again (a new thread starts with 0). */
#include <errno.h>

int errno;
