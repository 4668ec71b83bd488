package yakima.sched;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of the host's own threads (scheduler threads, the
 * switch): like Agrona's {@code BackoffIdleStrategy} it spins, then yields,
 * then parks for growing periods up to {@code maxParkNs}; unlike it, a
 * producer that has just handed the thread work can {@link #wake} it out of
 * its park at once. Without that, every hop of a frame (gateway → switch →
 * VM → switch → gateway) could wait up to a whole park period on a quiet host.
 *
 * <p>{@link #idle} is called by the one thread that runs the agent;
 * {@link #wake} by any thread, after it has made the work visible. The flag
 * is set before parking and read after the work is published, so a wake can
 * be missed only in the instant between the agent's last look for work and
 * its park; then the park period (at most {@code maxParkNs}) bounds the delay.
 */
public final class WakeableIdleStrategy implements IdleStrategy {
    private final int maxSpins;
    private final int maxYields;
    private final long minParkNs;
    private final long maxParkNs;
    private volatile Thread parkedThread;
    private int spins;
    private int yields;
    private long parkNs;

    public WakeableIdleStrategy(int maxSpins, int maxYields, long minParkNs, long maxParkNs) {
        if (maxSpins < 0 || maxYields < 0 || minParkNs < 1 || maxParkNs < minParkNs) {
            throw new IllegalArgumentException("bad backoff: spins " + maxSpins + ", yields " + maxYields
                    + ", park " + minParkNs + ".." + maxParkNs + " ns");
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /** The host's default: 10 spins, 20 yields, parks of 1 µs growing to 1 ms. */
    public static WakeableIdleStrategy hostDefault() {
        return new WakeableIdleStrategy(10, 20, 1_000, 1_000_000);
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
        } else if (yields < maxYields) {
            yields++;
            Thread.yield();
        } else {
            parkedThread = Thread.currentThread();
            LockSupport.parkNanos(this, parkNs);
            parkedThread = null;
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset() {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }

    /** Unparks the thread if it is parked in {@link #idle}. Any thread; costs a volatile read when it is not. */
    public void wake() {
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
