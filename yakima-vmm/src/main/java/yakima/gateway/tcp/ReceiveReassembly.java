package yakima.gateway.tcp;

/**
 * Out-of-order data a connection holds until the gap before it fills
 * (RFC 9293 3.10.7.4, "seventh"). The bytes sit in a 64 KiB ring at the
 * place their sequence number says ({@code seq & 0xFFFF}): the receive
 * window is at most 65,535 bytes, so two held bytes never collide. Which
 * ranges are held is a short sorted list of at most {@link #MAX_RANGES}
 * disjoint ranges; data that would need more is dropped (the guest sends it
 * again). The ring is allocated at the first out-of-order segment and kept
 * for the connection's life. Owner thread only.
 */
final class ReceiveReassembly {
    static final int RING = 1 << 16;
    static final int MAX_RANGES = 8;

    private byte[] ring;
    private final int[] start = new int[MAX_RANGES];
    private final int[] end = new int[MAX_RANGES];
    private int ranges;

    boolean isEmpty() {
        return ranges == 0;
    }

    byte[] ring() {
        return ring;
    }

    /**
     * Holds {@code [seq, seq+n)} from {@code src}.
     *
     * @return 0 held, 1 all of it was held already, -1 no room for another range
     */
    int add(int seq, byte[] src, int offset, int n) {
        int s = seq;
        int e = seq + n;
        int i = 0;
        while (i < ranges && TcpSegment.lt(end[i], s)) {
            i++;
        }
        if (i < ranges && TcpSegment.leq(start[i], s) && TcpSegment.geq(end[i], e)) {
            return 1;
        }
        int j = i;
        while (j < ranges && TcpSegment.leq(start[j], e)) {
            if (TcpSegment.lt(start[j], s)) {
                s = start[j];
            }
            if (TcpSegment.gt(end[j], e)) {
                e = end[j];
            }
            j++;
        }
        if (j == i) {
            if (ranges == MAX_RANGES) {
                return -1;
            }
            System.arraycopy(start, i, start, i + 1, ranges - i);
            System.arraycopy(end, i, end, i + 1, ranges - i);
            ranges++;
        } else {
            int merged = j - i;
            System.arraycopy(start, j, start, i + 1, ranges - j);
            System.arraycopy(end, j, end, i + 1, ranges - j);
            ranges -= merged - 1;
        }
        start[i] = s;
        end[i] = e;
        if (ring == null) {
            ring = new byte[RING];
        }
        int at = seq & (RING - 1);
        int first = Math.min(n, RING - at);
        System.arraycopy(src, offset, ring, at, first);
        System.arraycopy(src, offset + first, ring, 0, n - first);
        return 0;
    }

    /**
     * Takes every held range that now starts at or before {@code rcvNxt}.
     *
     * @return the new end of in-order data: greater than {@code rcvNxt} when held
     *         bytes {@code [rcvNxt, result)} (in the ring) are now in order
     */
    int take(int rcvNxt) {
        int next = rcvNxt;
        int i = 0;
        while (i < ranges && TcpSegment.leq(start[i], next)) {
            if (TcpSegment.gt(end[i], next)) {
                next = end[i];
            }
            i++;
        }
        if (i > 0) {
            System.arraycopy(start, i, start, 0, ranges - i);
            System.arraycopy(end, i, end, 0, ranges - i);
            ranges -= i;
        }
        return next;
    }

    void clear() {
        ranges = 0;
    }

    void release() {
        ranges = 0;
        ring = null;
    }
}
