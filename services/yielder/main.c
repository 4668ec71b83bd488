/*
 * services/yielder - gives up its quantum, forever: a loop around the YIELD
 * hypercall, a handful of guest instructions per turn. With many yielders on
 * one scheduler thread, each quantum costs what switching from one VM to the
 * next costs (benchmarks/VmSwitchBenchmark). It prints nothing.
 *
 * Like hello-sleeper, its native twin (target/native/yielder) is built but
 * not meant to run: hypercalls exist only inside a VM.
 */
#include <denali/hcall.h>

int main(void)
{
    for (;;) {
        denali_hc_yield();
    }
}
