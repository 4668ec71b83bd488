package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import denali.isa.spec.DenaliAbi;
import yakima.vm.TinyElf;
import yakima.vm.Vm;

/**
 * When the scheduler reads the clock: once per step, except that after a
 * short quantum the next may start from the same reading (a few times in a
 * row, see {@link SchedulerThread#CLOCK_REUSES}). A VM's clock never goes
 * back because of it.
 */
class SchedulerClockTest {
    /** mov $HC_YIELD,%eax ; hcall ; jmp to the start: three instructions a quantum. */
    private static final byte[] YIELDER = loop(TinyElf.concat(TinyElf.movEax(DenaliAbi.HC_YIELD), TinyElf.op(DenaliAbi.OP_HCALL)));
    /**
     * Forever: note TIME_NS (low word) at data, make a zero-length console write (the clock is
     * refreshed after it), note TIME_NS at data+4, YIELD. The code is 46 bytes, so data follows it.
     */
    private static final int WRITER_DATA = TinyElf.BASE + 46;
    private static final byte[] WRITER = loop(TinyElf.concat(
            TestVms.hex("a1 10 00 00 00"), TinyElf.concat(new byte[] {(byte) 0xA3}, TestVms.le(WRITER_DATA)),
            TinyElf.movEax(DenaliAbi.HC_CONSOLE_WRITE), TinyElf.movEbx(0x1000), TinyElf.movEcx(0), TinyElf.op(DenaliAbi.OP_HCALL),
            TestVms.hex("a1 10 00 00 00"), TinyElf.concat(new byte[] {(byte) 0xA3}, TestVms.le(WRITER_DATA + 4)),
            TinyElf.movEax(DenaliAbi.HC_YIELD), TinyElf.op(DenaliAbi.OP_HCALL)));

    /** {@code body} then a short JMP back to its start. */
    private static byte[] loop(byte[] body) {
        return TinyElf.concat(body, new byte[] {(byte) 0xEB, (byte) -(body.length + 2)});
    }

    /** A clock that moves 1 µs at every reading, and counts them. */
    private static final class CountingClock {
        long reads;
        long nowNs;

        long read() {
            reads++;
            return nowNs += 1_000;
        }
    }

    private static SchedulerThread thread(CountingClock clock, Vm... vms) {
        Scheduler s = new Scheduler(SchedulerConfig.defaults().withThreads(1), clock::read, vm -> { });
        for (Vm vm : vms) {
            assertTrue(s.admit(vm));
        }
        return s.thread(0);
    }

    private static Vm[] vms(byte[] code, int n) {
        TestVms.Clock boot = new TestVms.Clock();
        Vm[] vms = new Vm[n];
        for (int i = 0; i < n; i++) {
            vms[i] = TestVms.vm(i, TestVms.image(code), boot);
        }
        return vms;
    }

    @Test
    void shortQuantaShareOneReadingAFewAtATime() {
        CountingClock clock = new CountingClock();
        SchedulerThread t = thread(clock, vms(YIELDER, 4));
        for (int i = 0; i < 8; i++) {
            t.doWork(); // first quanta: each VM runs up to its first YIELD
        }
        long reads = clock.reads;
        int steps = 400;
        for (int i = 0; i < steps; i++) {
            t.doWork();
        }
        assertEquals(3.0, (double) (t.insns()) / t.quanta(), 0.1, "yielders: three instructions a quantum");
        assertEquals(steps / (SchedulerThread.CLOCK_REUSES + 1), clock.reads - reads,
                "one reading serves " + (SchedulerThread.CLOCK_REUSES + 1) + " short quanta");
    }

    @Test
    void aLongQuantumIsFollowedByAFreshReading() {
        CountingClock clock = new CountingClock();
        SchedulerThread t = thread(clock, vms(TestVms.SPINNER, 1));
        t.doWork();
        long reads = clock.reads;
        for (int i = 0; i < 50; i++) {
            t.doWork();
        }
        assertEquals(50, clock.reads - reads, "every quantum of a spinner is long: every step reads the clock");
    }

    @Test
    void aVmsClockNeverGoesBackAfterAQuantumThatReadItItself() {
        CountingClock clock = new CountingClock();
        assertEquals(46, WRITER.length);
        Vm vm = vms(WRITER, 1)[0];
        SchedulerThread t = thread(clock, vm);
        t.doWork();
        for (int i = 0; i < 200; i++) {
            int seenAfterWrite = vm.memory().read32(WRITER_DATA + 4);
            t.doWork();
            int seenAtStart = vm.memory().read32(WRITER_DATA);
            assertTrue(seenAtStart >= seenAfterWrite,
                    "the guest saw TIME_NS " + seenAfterWrite + " after its write, then " + seenAtStart + " as its next quantum began");
        }
        assertTrue(vm.hypercallCount() >= 200, "the guest wrote and yielded: " + vm.hypercallCount());
    }
}
