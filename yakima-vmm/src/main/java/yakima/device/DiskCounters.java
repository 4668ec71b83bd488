package yakima.device;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One {@link DiskDevice}'s {@link DiskCounter}s.
 *
 * <p>Threading: single writer, many readers. Only the device's VM owner thread
 * changes them (submits and completions both happen there), so an update is a
 * plain read and a release store, not a CAS. Any thread may read them at any
 * time; each value is a 64-bit atomic read, never torn. A snapshot of several
 * counters is not taken at one instant.
 */
public final class DiskCounters {
    private final AtomicLongArray values = new AtomicLongArray(DiskCounter.values().length);

    /** The counter's current value; any thread. */
    public long get(DiskCounter counter) {
        return values.get(counter.ordinal());
    }

    /** Every counter, in declaration order; any thread. */
    public Map<DiskCounter, Long> snapshot() {
        Map<DiskCounter, Long> m = new EnumMap<>(DiskCounter.class);
        for (DiskCounter c : DiskCounter.values()) {
            m.put(c, get(c));
        }
        return m;
    }

    /** Adds {@code delta} (may be negative for the gauge). Owner thread only. */
    void add(DiskCounter counter, long delta) {
        int i = counter.ordinal();
        values.setRelease(i, values.getPlain(i) + delta);
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
