package yakima.vm;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits, on behalf of an idle VM, until its virtual clock reaches a deadline.
 * The foreground runner parks the thread; tests advance a fake clock instead.
 */
@FunctionalInterface
public interface Idler {
    /** Returns once {@code clock} reads at least {@code deadlineNs}, or early if the thread is interrupted. */
    void idleUntil(VmClock clock, long deadlineNs);

    /** Parks the calling thread; only for a thread that owns nothing else (the single-VM foreground runner). */
    static Idler parking() {
        return (clock, deadlineNs) -> {
            long now;
            while ((now = clock.nowNs()) < deadlineNs && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(deadlineNs - now);
            }
        };
    }
}
