package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The host threads' idle strategy: a producer's {@link WakeableIdleStrategy#wake}
 * is never lost, whether it lands while the thread is parked or in the
 * instant before it parks. Parks here are an hour long, so a lost wake-up
 * shows as a timeout, not as a slow test.
 */
class WakeableIdleStrategyTest {
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private static WakeableIdleStrategy parkAtOnce() {
        return new WakeableIdleStrategy(0, 0, HOUR_NS, HOUR_NS);
    }

    @Test
    void aWakeBetweenTheLastLookForWorkAndTheParkSkipsThePark() {
        WakeableIdleStrategy idle = parkAtOnce();
        idle.wake(); // the agent found no work; before it parks, a producer queues some and wakes it
        assertTimeoutPreemptively(LIMIT, () -> idle.idle(0), "the thread parked anyway: the wake was lost");
    }

    @Test
    void aParkedThreadIsWokenAndTheNextIdleParksAgain() throws Exception {
        WakeableIdleStrategy idle = parkAtOnce();
        idle.wake();
        idle.idle(0); // the wake is used up here
        Thread agent = new Thread(() -> idle.idle(0), "agent");
        agent.start();
        assertTimeoutPreemptively(LIMIT, () -> {
            while (agent.getState() != Thread.State.TIMED_WAITING) { // it parks: the old wake is not sticky
                Thread.onSpinWait();
            }
            idle.wake();
            agent.join();
        }, "the parked thread was not woken");
        assertFalse(agent.isAlive());
    }

    @Test
    void aBadBackoffIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(-1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(0, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new WakeableIdleStrategy(0, 0, 10, 1));
    }
}
