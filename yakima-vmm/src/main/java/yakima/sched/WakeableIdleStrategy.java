package yakima.sched;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of the host's own threads (scheduler threads, the
 * switch, the swap threads): like Agrona's {@code BackoffIdleStrategy} it
 * spins, then yields, then parks for growing periods up to
 * {@code maxParkNs}; unlike it, a producer that has just handed the thread
 * work can {@link #wake} it out of its park at once. Without that, every hop
 * of a frame (gateway → switch → VM → switch → gateway) could wait up to a
 * whole park period on a quiet host.
 *
 * <p><b>Yielding for a while.</b> The yield phase lasts {@code yieldNs} of
 * wall time rather than a number of yields. On a virtual machine a parked
 * thread's core is halted, and waking it again costs tens of microseconds
 * (an interrupt to a halted virtual CPU); in the hand-offs of one request
 * the next piece of work usually comes within that time, so the thread
 * stays ready for it. A yield gives the core away to any other runnable
 * thread, so the phase costs only otherwise idle time; an idle host parks
 * after {@code yieldNs} and stays parked.
 *
 * <p><b>No lost wake-up.</b> {@link #idle} is called by the one thread that
 * runs the agent; {@link #wake} by any thread, after it has made the work
 * visible. Before parking the thread publishes itself and then reads the
 * wake flag; {@link #wake} sets the flag and then reads the published
 * thread; all four accesses are volatile, so at least one side sees the other: either the
 * thread skips its park and looks for work again, or the producer unparks it
 * (a permit, if it has not parked yet).
 */
public final class WakeableIdleStrategy implements IdleStrategy {
    private final int maxSpins;
    private final long yieldNs;
    private final long minParkNs;
    private final long maxParkNs;
    private volatile Thread parkedThread;
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private int spins;
    private long yieldingSinceNs = -1;
    private long parkNs;

    /**
     * @param maxSpins  busy spins after the last work
     * @param yieldNs   then yields for this long (0: none)
     * @param minParkNs then parks, the first time for this long
     * @param maxParkNs doubling each time up to this
     */
    public WakeableIdleStrategy(int maxSpins, long yieldNs, long minParkNs, long maxParkNs) {
        if (maxSpins < 0 || yieldNs < 0 || minParkNs < 1 || maxParkNs < minParkNs) {
            throw new IllegalArgumentException("bad backoff: spins " + maxSpins + ", yield " + yieldNs
                    + " ns, park " + minParkNs + ".." + maxParkNs + " ns");
        }
        this.maxSpins = maxSpins;
        this.yieldNs = yieldNs;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /** The host's default: 10 spins, yields for 50 µs, parks of 1 µs growing to 1 ms. */
    public static WakeableIdleStrategy hostDefault() {
        return new WakeableIdleStrategy(10, 50_000, 1_000, 1_000_000);
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    @Override
    public void idle() {
        if (spins < maxSpins) {
            spins++;
            Thread.onSpinWait();
            return;
        }
        if (yieldNs > 0) {
            long now = System.nanoTime();
            if (yieldingSinceNs < 0) {
                yieldingSinceNs = now;
            }
            if (now - yieldingSinceNs < yieldNs) {
                Thread.yield();
                return;
            }
        }
        parkedThread = Thread.currentThread();
        if (!wakeRequested.get()) { // read after the store above: see the class comment
            LockSupport.parkNanos(this, parkNs);
        }
        parkedThread = null;
        wakeRequested.getAndSet(false); // the caller looks for work next, so a wake seen here is not lost
        parkNs = Math.min(parkNs << 1, maxParkNs);
    }

    @Override
    public void reset() {
        spins = 0;
        yieldingSinceNs = -1;
        parkNs = minParkNs;
    }

    /** Wakes the thread if it is parked in {@link #idle}, or keeps it from parking. Any thread. */
    public void wake() {
        wakeRequested.set(true);
        Thread t = parkedThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public String alias() {
        return "wakeable-backoff";
    }
}
