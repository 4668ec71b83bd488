/*
 * services/hello-sleeper - hello, then sleep: prints one line, then idles
 * with a timeout forever, waking once a second (virtual time). It is the
 * guest `yakima host` boots by the thousand to show what an idle VM costs.
 */
#include <stdint.h>
#include <stdio.h>
#include <denali/hcall.h>
#include <denali/vregs.h>

#define WAKE_EVERY_NS 1000000000ull

int main(void)
{
    printf("hello from denali\n");
    for (;;) {
        denali_idle(denali_vreg_time_ns() + WAKE_EVERY_NS);
    }
}
