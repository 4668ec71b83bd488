package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import denali.isa.spec.DenaliAbi;
import yakima.vm.TinyElf;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * The two idle modes Denali compared: with the timeout, a VM idling until a
 * deadline leaves the run queue until it is due; without it ({@code --idle
 * yield}), the same VM stays runnable and spins, turn after turn, until its
 * deadline passes. An IDLE without a deadline sleeps until an interrupt in
 * both modes.
 */
class IdleModeTest {
    /** IDLE until far in the future, then IDLE forever, each in a loop: a VM with a timer pending, then with none. */
    private static byte[] idler(boolean withDeadline) {
        byte[] deadline = withDeadline
                ? TinyElf.concat(TinyElf.movEax(0x7FFF_FFFF), TinyElf.movEdx(0)) // EDX:EAX = ~2.1 s
                : TinyElf.concat(TinyElf.movEax(DenaliAbi.IDLE_FOREVER_LO), TinyElf.movEdx(-1));
        byte[] loop = TinyElf.concat(deadline, TinyElf.op(DenaliAbi.OP_IDLE));
        // jmp back to the start of the loop
        return TinyElf.concat(loop, new byte[] {(byte) 0xEB, (byte) -(loop.length + 2)});
    }

    private static Vm runSteps(SchedulerConfig.IdleMode mode, boolean withDeadline, int steps) {
        TestVms.Clock clock = new TestVms.Clock();
        Scheduler s = new Scheduler(SchedulerConfig.defaults().withThreads(1).withIdle(mode), clock::now, vm -> { });
        Vm vm = TestVms.vm(1, TestVms.image(idler(withDeadline)), clock);
        s.admit(vm);
        for (int i = 0; i < steps; i++) {
            s.thread(0).doWork();
            clock.nowNs += 1_000; // 1 µs a step: the deadline is never reached
        }
        return vm;
    }

    @Test
    void withTheTimeoutAVmWithATimerPendingSleepsUntilItIsDue() {
        Vm vm = runSteps(SchedulerConfig.IdleMode.TIMEOUT, true, 50);
        assertEquals(VmState.IDLE, vm.state());
        assertTrue(vm.quanta() <= 2, "ran " + vm.quanta() + " quanta");
    }

    @Test
    void withoutTheTimeoutAVmWithATimerPendingSpinsEveryTurn() {
        Vm vm = runSteps(SchedulerConfig.IdleMode.YIELD_ONLY, true, 50);
        assertEquals(VmState.RUNNABLE, vm.state());
        assertTrue(vm.quanta() >= 40, "ran " + vm.quanta() + " quanta");
    }

    @Test
    void withoutTheTimeoutAVmWithNoTimerStillSleepsUntilAnInterrupt() {
        Vm vm = runSteps(SchedulerConfig.IdleMode.YIELD_ONLY, false, 50);
        assertEquals(VmState.IDLE, vm.state());
        assertTrue(vm.quanta() <= 2, "ran " + vm.quanta() + " quanta");
    }
}
