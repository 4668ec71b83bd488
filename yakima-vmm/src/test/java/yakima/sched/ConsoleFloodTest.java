package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import denali.isa.interp.CpuState;
import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import denali.isa.spec.DenaliAbi;
import yakima.vm.ConsoleSink;
import yakima.vm.RateLimitedConsole;
import yakima.vm.TinyElf;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * A guest that writes to its console as fast as it can (HC_CONSOLE_WRITE in
 * a tight loop) cannot flood the host: its rate-limited console passes at
 * most burst + rate x elapsed bytes, the rest are dropped and counted (for
 * the host and, in CONSOLE_DROPPED, for the guest), and a sleeper VM on the
 * same scheduler thread keeps waking on time.
 *
 * <p>The clock is driven by hand: each step advances it by the instructions
 * the step ran, 5 µs each, so a flooder's quantum takes 250 ms of fake time.
 */
class ConsoleFloodTest {
    private static final long QUANTUM = 50_000;
    private static final long NS_PER_INSN = 5_000;
    /** 4000 B/s is 250 µs a byte: the limiter's arithmetic is exact, so the bounds below are too. */
    private static final long RATE = 4000;
    private static final long BURST = 16 << 10;
    private static final int CALLS = 200_000;
    private static final int LENGTH = 64;
    private static final int BUFFER = 0x1100;

    /**
     * Makes CALLS console writes of LENGTH bytes from BUFFER, adding the
     * results (bytes accepted) in ESI and counting the calls in EDI, then
     * idles with no deadline (so its registers and memory stay for the test).
     */
    private static final byte[] FLOODER = Arrays.copyOf(TestVms.concat(TestVms.concat(TestVms.hex("bd"), TestVms.le(CALLS)), TestVms.hex("""
            b8 01 00 00 00
            bb 00 11 00 00
            b9 40 00 00 00
            0f 04
            01 c6
            47
            4d
            75 e9
            b8 ff ff ff ff
            ba ff ff ff ff
            0f 0a
            eb fe
            """)), BUFFER - TinyElf.BASE);
    //       mov $CALLS,%ebp
    // top:  mov $1,%eax (CONSOLE_WRITE); mov $0x1100,%ebx; mov $64,%ecx; HCALL
    //       add %eax,%esi; inc %edi; dec %ebp; jnz top
    //       mov $-1,%eax; mov $-1,%edx; IDLE (no deadline); jmp .

    /** Sleeps 1 s (TIME_NS + 1e9) five times, then terminates with 0. */
    private static final byte[] SLEEPER = TestVms.hex("""
            bf 05 00 00 00
            a1 10 00 00 00
            8b 15 14 00 00 00
            05 00 ca 9a 3b
            83 d2 00
            0f 0a
            4f
            75 e8
            bb 00 00 00 00
            0f 0c
            """);
    //       mov $5,%edi
    // top:  mov 0x10,%eax; mov 0x14,%edx (TIME_NS); add $1000000000,%eax; adc $0,%edx; IDLE
    //       dec %edi; jnz top; mov $0,%ebx; TERM
    private static final int SLEEPS = 5;

    @Test
    void aFloodingGuestGetsItsRateAndNoMoreWhileItsNeighbourKeepsWakingOnTime() throws LoadException {
        TestVms.Clock clock = new TestVms.Clock();
        Scheduler s = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(QUANTUM).withMaxVmsPerThread(16), clock::now, vm -> { });
        byte[] line = "flood flood flood flood flood flood flood flood flood flood ...\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(LENGTH, line.length);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        RateLimitedConsole console = new RateLimitedConsole(ConsoleSink.of(sink), clock::now, RATE, BURST);
        Vm flooder = new Vm(1, "flooder", "flooder", ElfImage.parse(TinyElf.of(FLOODER, line), TestVms.MEM), TestVms.MEM,
                0x020000000001L, 0x0A000001, 100, clock.now(), console);
        Vm sleeper = TestVms.vm(2, TestVms.image(SLEEPER), clock);
        s.admit(flooder);
        s.admit(sleeper);

        SchedulerThread t = s.thread(0);
        long lastDropNs = -1; // when the last step that dropped bytes began
        VmState flooderWhenSleeperEnded = null;
        long droppedWhenSleeperEnded = -1;
        for (int step = 0; step < 10_000 && !(flooder.state() == VmState.IDLE && sleeper.state() == VmState.TERMINATED); step++) {
            long before = t.insns();
            long droppedBefore = console.droppedBytes();
            long now = clock.nowNs;
            t.doWork();
            if (console.droppedBytes() > droppedBefore) {
                lastDropNs = now;
            }
            if (flooderWhenSleeperEnded == null && sleeper.state() == VmState.TERMINATED) {
                flooderWhenSleeperEnded = flooder.state();
                droppedWhenSleeperEnded = console.droppedBytes();
            }
            clock.nowNs += Math.max(1, t.insns() - before) * NS_PER_INSN;
        }
        long elapsedNs = clock.nowNs;

        // the flood
        assertEquals(VmState.IDLE, flooder.state(), "the flooder made all its calls");
        assertEquals(CALLS, flooder.reg(CpuState.EDI));
        long accepted = console.acceptedBytes();
        long dropped = console.droppedBytes();
        assertEquals(accepted, sink.size(), "what was accepted is what reached the sink");
        assertTrue(accepted <= BURST + RATE * elapsedNs / 1_000_000_000L,
                accepted + " bytes passed in " + elapsedNs + " ns: more than the burst plus the rate");
        // bytes are dropped only once the guest has had every byte it earned up to then
        assertTrue(accepted >= BURST + RATE * lastDropNs / 1_000_000_000L,
                accepted + " bytes passed: the limiter dropped bytes the guest had earned by " + lastDropNs + " ns");
        assertEquals((long) CALLS * LENGTH, accepted + dropped, "every byte offered was either passed or counted as dropped");
        assertEquals(accepted, Integer.toUnsignedLong(flooder.reg(CpuState.ESI)), "the hypercall told the guest how many bytes were taken");
        assertEquals((int) dropped, flooder.memory().read32(DenaliAbi.VREG_CONSOLE_DROPPED), "the guest sees the drops in CONSOLE_DROPPED");
        String out = sink.toString(StandardCharsets.US_ASCII);
        assertTrue(out.startsWith(new String(line, StandardCharsets.US_ASCII).repeat((int) (BURST / LENGTH))), "the burst passed whole");

        // the neighbour
        assertEquals(VmState.TERMINATED, sleeper.state());
        assertEquals(VmState.RUNNABLE, flooderWhenSleeperEnded, "the sleeper finished while the flood went on");
        assertTrue(console.droppedBytes() > droppedWhenSleeperEnded, "and the flooder was still being dropped after");
        assertEquals(SLEEPS, sleeper.wakes());
        long round = (QUANTUM + 100) * NS_PER_INSN; // the flooder's quantum and the sleeper's few instructions
        assertTrue(sleeper.maxWakeLatenessNs() <= round,
                "the sleeper woke " + sleeper.maxWakeLatenessNs() + " ns after a deadline; a round is " + round + " ns");
        assertEquals(0, t.queueFull());
    }
}
