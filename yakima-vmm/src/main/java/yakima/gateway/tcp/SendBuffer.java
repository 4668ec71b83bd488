package yakima.gateway.tcp;

/**
 * A connection's bytes toward the guest, from the first unacknowledged byte
 * on: a ring that starts small and doubles up to its limit as the
 * application queues more, so an idle connection holds little. Offsets are
 * from the oldest byte (sequence number {@code sbSeq} of the connection).
 * Owner thread only.
 */
final class SendBuffer {
    private static final int INITIAL = 4096;

    private final int limit;
    private byte[] ring;
    private int head;
    private int length;

    SendBuffer(int limit) {
        this.limit = limit;
    }

    int length() {
        return length;
    }

    int space() {
        return limit - length;
    }

    /** Appends up to {@link #space} bytes. @return bytes taken */
    int write(byte[] src, int offset, int n) {
        n = Math.min(n, space());
        if (n <= 0) {
            return 0;
        }
        ensure(length + n);
        int tail = (head + length) % ring.length;
        int first = Math.min(n, ring.length - tail);
        System.arraycopy(src, offset, ring, tail, first);
        System.arraycopy(src, offset + first, ring, 0, n - first);
        length += n;
        return n;
    }

    /** Copies {@code n} bytes starting {@code from} bytes after the oldest into {@code dst}. */
    void read(int from, byte[] dst, int dstOffset, int n) {
        int at = (head + from) % ring.length;
        int first = Math.min(n, ring.length - at);
        System.arraycopy(ring, at, dst, dstOffset, first);
        System.arraycopy(ring, 0, dst, dstOffset + first, n - first);
    }

    /** Forgets the oldest {@code n} bytes (the guest acknowledged them). */
    void drop(int n) {
        length -= n;
        head = length == 0 ? 0 : (head + n) % ring.length;
    }

    /** Lets go of the ring (the connection is gone). */
    void release() {
        ring = null;
        head = 0;
        length = 0;
    }

    private void ensure(int needed) {
        if (ring != null && ring.length >= needed) {
            return;
        }
        int size = ring == null ? Math.min(INITIAL, limit) : ring.length;
        while (size < needed) {
            size = Math.min(size * 2, limit);
        }
        byte[] bigger = new byte[size];
        if (ring != null && length > 0) {
            read(0, bigger, 0, length);
        }
        ring = bigger;
        head = 0;
    }
}
