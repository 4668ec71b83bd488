package yakima.gateway.tcp;

/**
 * What the gateway's endpoint counts: traffic, and every frame or segment it
 * drops or refuses. Read with {@link GatewayEndpoint#counter}, from any thread.
 */
public enum EndpointCounter {
    SEGMENTS_SENT,
    SEGMENTS_RECEIVED,
    /** Segments sent again: after a timeout, a fast retransmit, or a NewReno partial ACK. */
    RETRANSMITS,
    /** Of {@link #RETRANSMITS}: those three duplicate ACKs (or a partial ACK in recovery) called for. */
    FAST_RETRANSMITS,
    /** Retransmission timeouts that fired (each may resend one segment). */
    RETRANSMIT_TIMEOUTS,
    /** Zero-window probes sent. */
    PERSIST_PROBES,
    CONNECTIONS_OPENED,
    /** Connections that completed the handshake. */
    CONNECTIONS_ESTABLISHED,
    /** connect() refused: no free local port or too many connections. */
    CONNECT_REFUSED_LIMIT,
    /** Connections that ended with {@link GuestConnection.CloseReason#TIMEOUT}. */
    CONNECTIONS_TIMED_OUT,
    /** Connections the guest reset or refused. */
    CONNECTIONS_RESET,
    /** A segment for no connection: answered with RST. */
    RST_SENT_NO_CONNECTION,
    /** A RST for no connection: dropped (a RST is never answered with a RST). */
    DROPPED_RST_NO_CONNECTION,
    /** A frame the endpoint could not use (malformed, truncated, not IPv4/ARP of the supported kind). */
    DROPPED_MALFORMED,
    DROPPED_BAD_CHECKSUM,
    /** An IPv4 datagram or ARP request addressed to someone else. */
    DROPPED_NOT_FOR_US,
    /** An IPv4 fragment (the endpoint does not reassemble). */
    DROPPED_IP_FRAGMENT,
    /** An IPv4 header with options. */
    DROPPED_IP_OPTIONS,
    /** An IPv4 protocol other than TCP and UDP (ICMP included). */
    DROPPED_UNSUPPORTED_PROTOCOL,
    /** A TCP segment outside the receive window, or data beyond the out-of-order store. */
    DROPPED_OUT_OF_WINDOW,
    /** Data or a SYN/FIN already received: dropped and acknowledged again. */
    DROPPED_DUPLICATE,
    /** A segment that is acceptable by sequence but unusable in its state (no ACK flag, data after FIN, an ACK for data never sent...). */
    DROPPED_TCP_STATE,
    /** A RST whose sequence number was in the window but not exact: answered with a challenge ACK (RFC 5961). */
    CHALLENGE_ACKS_SENT,
    /** Out-of-order data held until the gap before it fills. */
    OUT_OF_ORDER_HELD,
    /** Window updates sent because the application consumed bytes. */
    WINDOW_UPDATES_SENT,
    /** A frame the NIC's full TX queue refused. */
    TX_QUEUE_FULL,
    UDP_SENT,
    UDP_RECEIVED,
    /** A datagram sendUdp refused (too long, NIC queue full, ARP queue full). */
    UDP_SEND_FAILED,
    /** A datagram to a gateway port nobody bound. */
    UDP_NO_PORT,
    ARP_REQUESTS_SENT,
    ARP_REPLIES_SENT,
    /** ARP replies and requests that taught the endpoint a guest's MAC. */
    ARP_LEARNED,
    /** Frames held for an address ARP could not resolve (or beyond the per-address hold), dropped. */
    ARP_UNRESOLVED_DROPS
}
