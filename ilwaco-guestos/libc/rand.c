/*
 * libc/rand.c - the deterministic generator of the C standard's example:
 * next = next * 1103515245 + 12345, result = bits 16..30.  The same seed
 * gives the same sequence in every build, guest or native.
 */
#include <stdlib.h>

static unsigned next = 1;

int rand_r(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (int)((*state >> 16) & RAND_MAX);
}

int rand(void)
{
    return rand_r(&next);
}

void srand(unsigned seed)
{
    next = seed;
}
