package yakima.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of event counters, each written by exactly one thread at a time
 * and readable from any thread (the admin API, metrics) without tearing.
 *
 * <p>Because each counter has a single writer, an increment is a plain read of
 * the writer's own last value and an opaque write: no compare-and-set, no fence
 * on the data path. Opaque accesses to a long are atomic, so a reader on another
 * thread sees some value the counter really had, never half of one. If the
 * writing role moves to another thread, the hand-over must be a happens-before
 * edge (thread start, a volatile write and read), as it already must be for the
 * SPSC queues the same threads use.
 */
public final class Counters {
    private final AtomicLongArray values;

    public Counters(int size) {
        values = new AtomicLongArray(size);
    }

    /** Writer thread of counter {@code index} only. */
    public void increment(int index) {
        values.setOpaque(index, values.getPlain(index) + 1);
    }

    /** Writer thread of counter {@code index} only. */
    public void add(int index, long amount) {
        values.setOpaque(index, values.getPlain(index) + amount);
    }

    /** Any thread. */
    public long get(int index) {
        return values.getOpaque(index);
    }
}
