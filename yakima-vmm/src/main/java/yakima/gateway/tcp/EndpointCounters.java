package yakima.gateway.tcp;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The endpoint's {@link EndpointCounter}s. Written only by the owner thread
 * (a plain read and an opaque write: no CAS, no fence), read by any thread
 * without tearing.
 */
final class EndpointCounters {
    private final AtomicLongArray values = new AtomicLongArray(EndpointCounter.values().length);

    /** Owner thread only. */
    void increment(EndpointCounter counter) {
        int i = counter.ordinal();
        values.setOpaque(i, values.getPlain(i) + 1);
    }

    /** Owner thread only. */
    void add(EndpointCounter counter, long amount) {
        int i = counter.ordinal();
        values.setOpaque(i, values.getPlain(i) + amount);
    }

    /** Any thread. */
    long get(EndpointCounter counter) {
        return values.getOpaque(counter.ordinal());
    }
}
