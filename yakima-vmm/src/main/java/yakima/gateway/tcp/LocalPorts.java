package yakima.gateway.tcp;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * Chooses the gateway's side of a new connection: a local port from the
 * ephemeral range (RFC 6335: 49152..65535), rotating through the range so a
 * port comes back as late as possible, and never one that a connection to
 * the same guest address and port still holds (TIME_WAIT included); and the
 * initial sequence number, from the clock (one tick each 4 us, RFC 9293
 * 3.4.1) and always above the previous one, so a guest still holding an old
 * incarnation of the same four-tuple in TIME_WAIT accepts the new SYN.
 * Owner thread only.
 */
final class LocalPorts {
    static final int FIRST = 49152;
    static final int LAST = 65535;
    private static final int RANGE = LAST - FIRST + 1;

    private int next = FIRST;
    private int lastIss;
    private boolean issGiven;

    /** A free port toward {@code guestIp:guestPort}, or -1 when all are in use. */
    int allocate(Long2ObjectHashMap<GuestConnection> connections, int guestIp, int guestPort) {
        for (int i = 0; i < RANGE; i++) {
            int port = next;
            next = port == LAST ? FIRST : port + 1;
            if (!connections.containsKey(GatewayEndpoint.key(guestIp, guestPort, port))) {
                return port;
            }
        }
        return -1;
    }

    /** The next initial sequence number. */
    int nextIss(long nowNs) {
        int iss = (int) (nowNs / 4_000L);
        if (issGiven && TcpSegment.leq(iss, lastIss)) {
            iss = lastIss + 1;
        }
        issGiven = true;
        lastIss = iss;
        return iss;
    }
}
