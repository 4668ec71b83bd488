package yakima.gateway.tcp;

/** What the gateway's endpoint counts: traffic, and every frame or segment it drops or refuses. */
public enum EndpointCounter {
    SEGMENTS_SENT,
    SEGMENTS_RECEIVED,
    RETRANSMITS,
    CONNECTIONS_OPENED,
    /** connect() refused: no free local port or too many connections. */
    CONNECT_REFUSED_LIMIT,
    /** A segment for no connection: answered with RST. */
    RST_SENT_NO_CONNECTION,
    /** A frame the endpoint could not use (malformed, bad checksum, not for us, unsupported protocol). */
    DROPPED_MALFORMED,
    DROPPED_BAD_CHECKSUM,
    DROPPED_NOT_FOR_US,
    /** A TCP segment outside the receive window, or data beyond the out-of-order store. */
    DROPPED_OUT_OF_WINDOW,
    /** A frame the NIC's full TX queue refused. */
    TX_QUEUE_FULL,
    UDP_SENT,
    UDP_RECEIVED,
    /** A datagram to a gateway port nobody bound. */
    UDP_NO_PORT,
    ARP_REQUESTS_SENT,
    ARP_REPLIES_SENT,
    /** Frames held for an address ARP could not resolve, dropped. */
    ARP_UNRESOLVED_DROPS
}
