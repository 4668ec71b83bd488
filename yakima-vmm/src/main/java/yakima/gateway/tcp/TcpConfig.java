package yakima.gateway.tcp;

/**
 * The gateway endpoint's TCP settings.
 *
 * @param sendBufferBytes    bytes each connection queues toward the guest (and keeps until acknowledged)
 * @param receiveWindowBytes bytes each connection holds for the application before its window closes (at most 65535)
 * @param maxConnections     connections the endpoint holds at once
 * @param minRtoNs           the retransmission timeout's floor
 * @param synTimeoutNs       how long a SYN may go unanswered before the connect fails with TIMEOUT
 */
public record TcpConfig(int sendBufferBytes, int receiveWindowBytes, int maxConnections, long minRtoNs, long synTimeoutNs) {
    public TcpConfig {
        if (sendBufferBytes < 1460 || receiveWindowBytes < 1460 || receiveWindowBytes > 65535) {
            throw new IllegalArgumentException("buffers must hold a segment; the window is at most 65535 bytes");
        }
        if (maxConnections < 1 || minRtoNs <= 0 || synTimeoutNs <= 0) {
            throw new IllegalArgumentException("limits and timeouts must be positive");
        }
    }

    /** 64 KiB each way, 65,536 connections, RTO floor 200 ms, SYN timeout 5 s. */
    public static TcpConfig defaults() {
        return new TcpConfig(64 * 1024, 65535, 65536, 200_000_000L, 5_000_000_000L);
    }
}
