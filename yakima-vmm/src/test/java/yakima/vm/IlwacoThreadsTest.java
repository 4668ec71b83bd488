package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import yakima.sched.Scheduler;
import yakima.sched.SchedulerConfig;
import yakima.sched.SchedulerThread;

/**
 * Ilwaco's threads (ilwaco-guestos/kern/thread.c) inside one Denali VM, run by
 * the real scheduler driven by hand with a clock the test moves: threads
 * joined with their results, a mutex keeping a counter exact while the timer
 * tick preempts its threads, condition variables, a thread spinning forever
 * that cannot starve another, and a VM whose threads all sleep waiting in
 * IDLE (almost no instructions) and waking on time.
 */
class IlwacoThreadsTest {
    private static final int MEM = 1 << 20;
    private static final long MS = 1_000_000;

    /** One VM on a one-thread scheduler with a hand-moved clock. */
    private static final class Run {
        long nowNs;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Vm> ended = new ArrayList<>();
        final Scheduler scheduler;
        final SchedulerThread thread;
        final Vm vm;

        Run(String guest, long quantumInsns, String... defines) throws Exception {
            ElfImage image = ElfImage.parse(Files.readAllBytes(TestGuests.build(guest, defines)), MEM);
            scheduler = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(quantumInsns), () -> nowNs, ended::add);
            thread = scheduler.thread(0);
            RateLimitedConsole console = new RateLimitedConsole(ConsoleSink.of(out), () -> nowNs, 1 << 30, 1 << 30);
            vm = new Vm(1, null, guest, image, MEM, 0x020000000001L, 0x0A000002, 100, nowNs, console);
            scheduler.admit(vm);
        }

        /** Steps until the VM ends, moving the clock by one ns per instruction; fails after maxSteps. */
        Run toEnd(int maxSteps) {
            for (int step = 0; step < maxSteps && ended.isEmpty(); step++) {
                long before = thread.insns();
                thread.doWork();
                nowNs += Math.max(1, thread.insns() - before);
            }
            assertEquals(List.of(vm), ended, "the VM ended; it printed:\n" + output());
            return this;
        }

        String output() {
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void yakimaRunPreemptsASpinningThreadToo() throws Exception {
        ElfImage image = ElfImage.parse(Files.readAllBytes(TestGuests.build("threads-spin")), MEM);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] now = {0};
        // the clock moves 1 ms per reading, and idling moves it to the deadline: no real time passes
        VmClock clock = () -> now[0] += MS;
        Idler idler = (c, deadline) -> now[0] = Math.max(now[0], deadline);
        RunResult r = new SingleVmRunner(image, RunOptions.defaults(MEM).withMaxInsns(200_000_000L), ConsoleSink.of(out), clock,
                idler, null).run();
        assertEquals(RunResult.Outcome.TERMINATED, r.outcome(), out.toString(StandardCharsets.ISO_8859_1));
        assertEquals(3, r.exitCode(), out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theHeapAndThreadStacksShareMemoryWithoutRunningIntoEachOther() throws Exception {
        Run r = new Run("threads-heap", 10_000).toEnd(1_000_000);
        String out = r.output();
        assertEquals(VmState.TERMINATED, r.vm.state(), r.vm.faultReason() + "\n" + out);
        assertEquals(0, r.vm.exitCode(), out);
        assertTrue(out.contains("heap blocks some\n"), out);
        assertTrue(out.contains("patterns intact\n"), out);
        assertTrue(out.contains("threads joined 4\n"), out);
    }

    @Test
    void threadsAreJoinedWithTheirResultsAndAMutexKeepsAPreemptedCounterExact() throws Exception {
        // a short prime quantum: thousands of ticks, falling at every point of the counting loop
        Run r = new Run("threads-basic", 997).toEnd(1_000_000);
        assertEquals(VmState.TERMINATED, r.vm.state(), r.vm.faultReason());
        assertEquals(7, r.vm.exitCode());
        String out = r.output();
        for (int i = 1; i <= 5; i++) {
            assertTrue(out.contains("thread " + i + " returned " + 3 * i + "\n"), out);
        }
        assertTrue(out.contains("counter 80000\n"), out);
        // the same loop without the mutex loses updates: the tick really preempted threads mid-update
        assertTrue(out.contains("unlocked counter lost updates: yes\n"), out);
    }

    @Test
    void producersAndConsumersMeetOnConditionVariables() throws Exception {
        Run r = new Run("threads-condvar", 10_000).toEnd(1_000_000);
        assertEquals(0, r.vm.exitCode(), r.output());
        String out = r.output();
        assertTrue(out.endsWith("total 500250500\n"), out); // (1 + ... + 500) + (1,000,001 + ... + 1,000,500)
        Matcher m = Pattern.compile("consumer took (\\d+) items\n").matcher(out);
        int consumers = 0;
        int items = 0;
        while (m.find()) {
            consumers++;
            items += Integer.parseInt(m.group(1));
        }
        assertEquals(3, consumers, out);
        assertEquals(1000, items, out);
    }

    @Test
    void aThreadSpinningForeverDoesNotStarveAnother() throws Exception {
        long quantum = 50_000;
        Run r = new Run("threads-spin", quantum).toEnd(10_000);
        assertEquals(VmState.TERMINATED, r.vm.state(), r.vm.faultReason());
        assertEquals(3, r.vm.exitCode(), "the worker ended the program with exit(3)");
        // 1 + ... + 200,000 modulo 2^32, and the spinner had the CPU before the worker
        assertEquals("worker done: sum 2820230816, spinner ran: yes\n", r.output());
        assertTrue(r.vm.quanta() > 3, "the worker needed several quanta beside the spinner: " + r.vm.quanta());
    }

    @Test
    void aVmWhoseThreadsAllSleepWaitsInIdleAndWakesOnTime() throws Exception {
        Run r = new Run("threads-sleep", 100_000);
        r.thread.doWork(); // boot: main starts three sleepers and a timer, every thread blocks
        assertEquals(VmState.IDLE, r.vm.state());
        long bootInsns = r.vm.insns();
        int quietSteps = 0;
        int steps = 0;
        for (; steps < 200 && r.ended.isEmpty(); steps++) {
            r.nowNs += MS / 4;
            long before = r.vm.insns();
            r.thread.doWork();
            r.thread.doWork(); // (a woken VM runs on the step after its deadline is seen)
            if (r.vm.insns() == before) {
                quietSteps++;
            }
        }
        assertEquals(VmState.TERMINATED, r.vm.state(), r.vm.faultReason() + "\n" + r.output());
        assertEquals(0, r.vm.exitCode());
        assertTrue(r.nowNs >= 30 * MS && r.nowNs <= 31 * MS, "ended soon after the last deadline: " + r.nowNs);
        assertEquals(4, r.vm.wakes(), "one wake per deadline (10, 20, 25, 30 ms), no more");
        assertTrue(quietSteps >= steps - 4, "the VM ran in " + (steps - quietSteps) + " of " + steps + " clock steps");
        long idleInsns = r.vm.insns() - bootInsns;
        assertTrue(idleInsns < 20_000, "30 ms asleep cost " + idleInsns + " instructions (boot took " + bootInsns + ")");
        String out = r.output();
        assertTrue(out.contains("sleeper 1 woke at 10 ms\nsleeper 2 woke at 20 ms\nsleeper 3 woke at 30 ms\n"), out);
        assertTrue(out.contains("timer fired at 25 ms\n"), out);
        assertTrue(out.contains("order 1 2 9 3\n"), out);
    }
}
