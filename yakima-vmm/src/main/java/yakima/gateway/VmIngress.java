package yakima.gateway;

import yakima.net.Counters;

/**
 * What the gateway keeps per VM: its client connections, its ingress token
 * buckets (bytes, and frames counted as segments of at most one MSS), and its
 * counters. One abusive client can use up only its own VM's buckets and
 * connection slots, never another VM's.
 *
 * <p>The gateway's event loop owns everything here but the counters, which any
 * thread may read (the admin API).
 */
final class VmIngress {
    /** The bytes one frame carries at most, for charging the frame bucket. */
    static final int SEGMENT_BYTES = 1460;

    /** Per-VM counters, shown in the VM's admin view as {@code gateway...}. */
    enum Counter {
        CONNECTIONS, REFUSED_VM_LIMIT, RATE_LIMITED_PAUSES, BYTES_IN, BYTES_OUT, UDP_DROPPED_RATE_LIMIT
    }

    private final TokenBucket bytes;
    private final TokenBucket frames;
    private final Counters counters = new Counters(Counter.values().length);
    private int connections;

    VmIngress(GatewayConfig config, long nowNs) {
        bytes = new TokenBucket(config.vmBytesPerSecond(), config.vmBurstBytes(), nowNs);
        frames = new TokenBucket(config.vmFramesPerSecond(), config.vmBurstFrames(), nowNs);
    }

    int connections() {
        return connections;
    }

    /** Takes a connection slot if fewer than {@code max} are in use; a refusal is counted. */
    boolean openConnection(int max) {
        if (connections >= max) {
            count(Counter.REFUSED_VM_LIMIT, 1);
            return false;
        }
        connections++;
        count(Counter.CONNECTIONS, 1);
        return true;
    }

    void closeConnection() {
        connections--;
    }

    /**
     * How many of {@code wanted} stream bytes may go into the VM now, paid for
     * from both buckets (a segment's frame for every started {@link #SEGMENT_BYTES}).
     */
    int grantStream(int wanted, long nowNs) {
        long frameTokens = frames.available(nowNs); // Long.MAX_VALUE when unlimited: the product must not wrap
        long byFrames = frameTokens > Long.MAX_VALUE / SEGMENT_BYTES ? Long.MAX_VALUE : frameTokens * SEGMENT_BYTES;
        long n = Math.min(wanted, Math.min(bytes.available(nowNs), byFrames));
        if (n <= 0) {
            return 0;
        }
        bytes.takeUpTo(n, nowNs);
        frames.takeUpTo((n + SEGMENT_BYTES - 1) / SEGMENT_BYTES, nowNs);
        return (int) n;
    }

    /** Nanoseconds until at least one segment's worth may go in. */
    long nanosUntilGrant(long nowNs) {
        return Math.max(bytes.nanosUntil(1, nowNs), frames.nanosUntil(1, nowNs));
    }

    /** Pays for one datagram of {@code length} bytes; false (nothing paid) if either bucket is short. */
    boolean grantDatagram(int length, long nowNs) {
        if (bytes.available(nowNs) < length || frames.available(nowNs) < 1) {
            return false;
        }
        bytes.tryTake(length, nowNs);
        frames.tryTake(1, nowNs);
        return true;
    }

    void count(Counter c, long n) {
        counters.add(c.ordinal(), n);
    }

    /** A counter's value. Any thread. */
    long get(Counter c) {
        return counters.get(c.ordinal());
    }
}
