package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Denali's fairness promise: a VM spinning forever delays every other VM by
 * at most one quantum per round, so sleepers wake within one round of their
 * deadlines. The clock is driven by hand: each step advances it by the
 * instructions the step ran, one nanosecond each.
 */
class SchedulerFairnessTest {
    private static final long QUANTUM = 100_000;

    @Test
    void thousandSleepersWakeWithinOneRoundBesideASpinner() {
        TestVms.Clock clock = new TestVms.Clock();
        List<Vm> ended = new ArrayList<>();
        Scheduler s = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(QUANTUM), clock::now, ended::add);
        ElfImage spinImage = TestVms.image(TestVms.SPINNER);
        ElfImage sleepImage = TestVms.image(TestVms.sleeperCode());
        Vm spinner = TestVms.vm(0, spinImage, clock);
        s.admit(spinner);
        List<Vm> sleepers = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            Vm v = TestVms.vm(i, sleepImage, clock);
            // staggered periods from 50 µs to 5 ms, so deadlines fall all over the run
            v.memory().write32(TestVms.sleeperData() + 8, 50_000 * (1 + i % 100));
            sleepers.add(v);
            s.admit(v);
        }
        SchedulerThread t = s.thread(0);
        // a round: the spinner's quantum plus one short quantum of every sleeper (under 20 instructions each)
        long round = QUANTUM + 1000 * 20;
        for (int step = 0; step < 200_000 && ended.size() < 1000; step++) {
            long before = t.insns();
            t.doWork();
            clock.nowNs += Math.max(1, t.insns() - before);
        }
        assertEquals(1000, ended.size(), "every sleeper woke and terminated");
        for (Vm v : sleepers) {
            assertEquals(VmState.TERMINATED, v.state());
        }
        assertEquals(VmState.RUNNABLE, spinner.state(), "the spinner is still spinning");
        for (Vm v : sleepers) {
            assertEquals(1, v.wakes(), v.idString() + " woke once");
        }
        assertTrue(spinner.quanta() > 10, "the spinner kept running: " + spinner.quanta());
        assertEquals(0, t.queueFull());
        assertLateness(sleepers, round);
    }

    /** How long after its deadline each sleeper started running again, as the scheduler measured it. */
    private static void assertLateness(List<Vm> sleepers, long round) {
        for (Vm v : sleepers) {
            long late = v.lastWakeLatenessNs();
            assertTrue(late >= 0 && late <= round, v.idString() + " woke " + late + " ns after its deadline; a round is " + round);
        }
    }
}
