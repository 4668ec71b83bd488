package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import denali.isa.spec.DenaliAbi;
import yakima.vm.ConsoleSink;
import yakima.vm.TinyElf;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Interrupts raised from outside a VM: batched (the bit waits for the VM's
 * turn, then one upcall), synchronous (the running quantum is cut short and
 * the VM switched in at once), held while the guest has them disabled, and
 * waking an idle VM.
 */
class InterruptDeliveryTest {
    private static final long QUANTUM = 50_000;
    private static final long SLICE = 1_000;
    private static final int HANDLER = TinyElf.BASE + 0x16;

    /** Sets INT_HANDLER, writes {@code enable} to INT_ENABLE, spins; the handler counts upcalls at DATA and clears INT_PENDING. */
    private static byte[] handlerGuest(int enable, int data) {
        return TinyElf.concat(
                TestVms.concat(new byte[] {(byte) 0xC7, 0x05, 0x28, 0, 0, 0}, TestVms.le(HANDLER)),
                TestVms.concat(new byte[] {(byte) 0xC7, 0x05, 0x20, 0, 0, 0}, TestVms.le(enable)),
                TestVms.SPINNER,
                TestVms.concat(new byte[] {(byte) 0xFF, 0x05}, TestVms.le(data)), // handler: incl DATA
                TestVms.concat(new byte[] {(byte) 0xC7, 0x05, 0x24, 0, 0, 0}, TestVms.le(0)), // movl $0, INT_PENDING
                TinyElf.op(0x36)); // VIRET
    }

    /** Writes one byte to the console (HCALL CONSOLE_WRITE), then spins. */
    private static final byte[] WRITER = TinyElf.concat(TinyElf.movEax(DenaliAbi.HC_CONSOLE_WRITE), TinyElf.movEbx(TinyElf.BASE),
            TinyElf.movEcx(1), TinyElf.op(0x04), TestVms.SPINNER);
    private static final long WRITER_PROLOGUE = 4;

    /**
     * A target VM with an interrupt handler (admitted first), and a writer VM
     * whose console output raises NIC_RX for the target: so the interrupt is
     * raised in the middle of the writer's quantum, as one from another thread would be.
     */
    private static final class Setup {
        final TestVms.Clock clock = new TestVms.Clock();
        final Scheduler s;
        final Vm target;
        final Vm writer;
        final int data;

        Setup(SchedulerConfig.Delivery delivery, int enable) {
            s = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(QUANTUM).withSyncSlice(SLICE).withDelivery(delivery),
                    clock::now, vm -> { });
            data = TinyElf.dataAddress(handlerGuest(enable, 0));
            target = TestVms.vm(1, TestVms.image(handlerGuest(enable, data)), clock);
            writer = TestVms.vm(2, TestVms.image(WRITER), clock, new ConsoleSink() {
                @Override
                public void write(byte[] bytes, int offset, int length) {
                    s.raise(target, DenaliAbi.INT_NIC_RX);
                }

                @Override
                public void flush() {
                }
            });
            s.admit(target);
            s.admit(writer);
        }

        void step() {
            s.thread(0).doWork();
        }

        int upcalls() {
            return target.memory().read32(data);
        }
    }

    @Test
    void batchedDeliveryWaitsForTheVmsTurnThenMakesOneUpcall() {
        Setup t = new Setup(SchedulerConfig.Delivery.BATCHED, 1);
        t.step(); // target: sets its handler, enables, spins
        t.step(); // writer: raises NIC_RX for the target and runs its whole quantum
        assertEquals(QUANTUM, t.writer.insns(), "the running VM was not interrupted");
        assertEquals(0, t.upcalls());
        assertEquals(VmState.RUNNABLE, t.target.state());
        t.step(); // the target's turn: one upcall
        assertEquals(1, t.upcalls());
        assertEquals(0, t.target.memory().read32(DenaliAbi.VREG_INT_PENDING), "the handler cleared what it handled");
        assertEquals(0, t.s.thread(0).preemptions());
    }

    @Test
    void synchronousDeliverySwitchesToTheVmAtOnce() {
        Setup t = new Setup(SchedulerConfig.Delivery.SYNCHRONOUS, 1);
        t.step(); // target
        t.step(); // writer: raises, and its quantum is cut short after the slice in progress
        assertEquals(WRITER_PROLOGUE + SLICE, t.writer.insns(), "the running quantum ended after one slice");
        assertEquals(1, t.s.thread(0).preemptions());
        t.step(); // the target runs at once and takes the interrupt
        assertEquals(1, t.upcalls());
        t.step(); // then the preempted writer resumes
        assertEquals(WRITER_PROLOGUE + SLICE + QUANTUM, t.writer.insns());
    }

    @Test
    void interruptsDisabledInTheGuestAreHeldUntilEnabled() {
        Setup t = new Setup(SchedulerConfig.Delivery.BATCHED, 0);
        t.step(); // target: handler set, interrupts left disabled
        t.step(); // writer raises
        t.step(); // target's turn: the bit is pending, nothing delivered
        assertEquals(0, t.upcalls());
        assertEquals(DenaliAbi.INT_NIC_RX, t.target.memory().read32(DenaliAbi.VREG_INT_PENDING));
        t.target.memory().write32(DenaliAbi.VREG_INT_ENABLE, 1); // as the guest would (the field is guest-writable)
        t.step(); // writer
        t.step(); // target's next turn: delivered
        assertEquals(1, t.upcalls());
        assertEquals(0, t.target.memory().read32(DenaliAbi.VREG_INT_PENDING));
    }

    @Test
    void anInterruptWakesAVmIdlingWithoutDeadline() {
        TestVms.Clock clock = new TestVms.Clock();
        Scheduler s = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(QUANTUM), clock::now, vm -> { });
        // edx:eax = all ones (no deadline); IDLE; TERM 7
        byte[] code = TinyElf.concat(TinyElf.movEax(-1), TinyElf.movEdx(-1), TinyElf.op(0x0A), TinyElf.movEbx(7), TinyElf.op(0x0C));
        Vm vm = TestVms.vm(1, TestVms.image(code), clock);
        s.admit(vm);
        s.thread(0).doWork();
        assertEquals(VmState.IDLE, vm.state());
        clock.nowNs += 10_000_000_000L;
        s.thread(0).doWork();
        assertEquals(VmState.IDLE, vm.state(), "no deadline: time alone does not wake it");
        s.raise(vm, DenaliAbi.INT_NIC_RX);
        s.thread(0).doWork();
        assertEquals(VmState.TERMINATED, vm.state());
        assertEquals(7, vm.exitCode());
        assertEquals(1, vm.wakes());
    }
}
