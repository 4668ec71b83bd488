/*
 * services/hello - the smallest Denali guest: print one line and exit 0.
 * Exercises crt0, the console hypercall and TERM.
 */
#include <stdio.h>

int main(void)
{
    printf("hello from denali\n");
    return 0;
}
