package yakima.gateway.tcp;

/**
 * The gateway endpoint's TCP settings.
 *
 * @param sendBufferBytes    bytes each connection queues toward the guest (and keeps until acknowledged)
 * @param receiveWindowBytes bytes each connection holds for the application before its window closes (at most 65535)
 * @param maxConnections     connections the endpoint holds at once
 * @param minRtoNs           the retransmission timeout's floor
 * @param synTimeoutNs       how long a SYN may go unanswered before the connect fails with TIMEOUT
 * @param timeWaitNs         how long a connection the gateway closed first lingers in TIME_WAIT (its port
 *                           stays in use meanwhile; fresh ports are chosen anyway, so this can be short)
 */
public record TcpConfig(int sendBufferBytes, int receiveWindowBytes, int maxConnections, long minRtoNs, long synTimeoutNs,
        long timeWaitNs) {
    /** Two seconds of TIME_WAIT. */
    public static final long DEFAULT_TIME_WAIT_NS = 2_000_000_000L;

    public TcpConfig {
        if (sendBufferBytes < 1460 || receiveWindowBytes < 1460 || receiveWindowBytes > 65535) {
            throw new IllegalArgumentException("buffers must hold a segment; the window is at most 65535 bytes");
        }
        if (maxConnections < 1 || minRtoNs <= 0 || synTimeoutNs <= 0 || timeWaitNs <= 0) {
            throw new IllegalArgumentException("limits and timeouts must be positive");
        }
    }

    /** The settings with {@link #DEFAULT_TIME_WAIT_NS}. */
    public TcpConfig(int sendBufferBytes, int receiveWindowBytes, int maxConnections, long minRtoNs, long synTimeoutNs) {
        this(sendBufferBytes, receiveWindowBytes, maxConnections, minRtoNs, synTimeoutNs, DEFAULT_TIME_WAIT_NS);
    }

    /** 64 KiB each way, 65,536 connections, RTO floor 200 ms, SYN timeout 5 s, TIME_WAIT 2 s. */
    public static TcpConfig defaults() {
        return new TcpConfig(64 * 1024, 65535, 65536, 200_000_000L, 5_000_000_000L);
    }

    public TcpConfig withSendBufferBytes(int bytes) {
        return new TcpConfig(bytes, receiveWindowBytes, maxConnections, minRtoNs, synTimeoutNs, timeWaitNs);
    }

    public TcpConfig withReceiveWindowBytes(int bytes) {
        return new TcpConfig(sendBufferBytes, bytes, maxConnections, minRtoNs, synTimeoutNs, timeWaitNs);
    }

    public TcpConfig withMaxConnections(int connections) {
        return new TcpConfig(sendBufferBytes, receiveWindowBytes, connections, minRtoNs, synTimeoutNs, timeWaitNs);
    }

    public TcpConfig withTimeWaitNs(long ns) {
        return new TcpConfig(sendBufferBytes, receiveWindowBytes, maxConnections, minRtoNs, synTimeoutNs, ns);
    }
}
