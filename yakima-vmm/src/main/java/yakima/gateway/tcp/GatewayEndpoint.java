package yakima.gateway.tcp;

import java.util.function.LongSupplier;

import yakima.net.VirtualNic;

/**
 * The gateway's own TCP/IP endpoint on the virtual LAN: one MAC and IPv4
 * address ({@link yakima.host.Host#GATEWAY_IPV4}), ARP, IPv4, TCP toward guest
 * services, and UDP datagrams. It knows nothing of Netty or host sockets: bytes
 * in and out through {@link GuestConnection}, frames in and out through its
 * {@link VirtualNic}.
 *
 * <p>Owner thread only: the one thread that is the NIC's owner calls every
 * method, and every callback runs on it.
 */
public final class GatewayEndpoint {
    public GatewayEndpoint(VirtualNic nic, LongSupplier clockNs, TcpConfig config) {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * Opens a connection to {@code guestIp:guestPort} from a free local port.
     *
     * @return the connection (in SYN_SENT), or null if no local port is free for
     *         that guest or the endpoint holds {@link TcpConfig#maxConnections} (counted)
     */
    public GuestConnection connect(int guestIp, int guestPort, GuestConnection.Handler handler) {
        throw new UnsupportedOperationException("being written");
    }

    /** Datagrams to gateway port {@code localPort} go to {@code handler}; replaces any earlier one. */
    public void bindUdp(int localPort, UdpHandler handler) {
        throw new UnsupportedOperationException("being written");
    }

    public void unbindUdp(int localPort) {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * Sends one datagram from gateway port {@code localPort} to the guest.
     *
     * @return false (counted) if it could not go: too long, NIC queue full, guest address unresolved and its queue full
     */
    public boolean sendUdp(int localPort, int guestIp, int guestPort, byte[] data, int offset, int length) {
        throw new UnsupportedOperationException("being written");
    }

    /**
     * Takes up to {@code maxFrames} frames from the NIC's RX queue and processes
     * them (callbacks run here), then sends the ACKs and window updates they call for.
     *
     * @return frames taken
     */
    public int receive(int maxFrames) {
        throw new UnsupportedOperationException("being written");
    }

    /** Runs the timers that are due (retransmission, TIME_WAIT, ARP retries). */
    public void runTimers() {
        throw new UnsupportedOperationException("being written");
    }

    /** The clock time of the earliest timer, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextTimerNs() {
        throw new UnsupportedOperationException("being written");
    }

    /** Connections open now (every state but CLOSED). */
    public int connectionCount() {
        throw new UnsupportedOperationException("being written");
    }

    /** A counter's value. Any thread. */
    public long counter(EndpointCounter counter) {
        throw new UnsupportedOperationException("being written");
    }

    public VirtualNic nic() {
        throw new UnsupportedOperationException("being written");
    }
}
