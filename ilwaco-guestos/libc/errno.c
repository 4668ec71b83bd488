/* libc/errno.c - the one errno (Ilwaco step 1 has a single thread). */
#include <errno.h>

int errno;
