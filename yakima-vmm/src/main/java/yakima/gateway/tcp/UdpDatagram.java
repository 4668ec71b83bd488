package yakima.gateway.tcp;

/**
 * Descriptor of the UDP header (RFC 768), at frame offset
 * {@link Ipv4Header#PAYLOAD}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Length (header + data)      |  Checksum (0: none computed)  |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          data ...                              |  8
 * </pre>
 *
 * Static only; any thread.
 */
final class UdpDatagram {
    static final int SOURCE_PORT = 0;
    static final int DESTINATION_PORT = 2;
    static final int LENGTH = 4;
    static final int CHECKSUM = 6;
    static final int HEADER_LENGTH = 8;
    /** Largest payload that fits one frame unfragmented: 1472 bytes. */
    static final int MAX_PAYLOAD = Ipv4Header.MAX_PAYLOAD - HEADER_LENGTH;

    private UdpDatagram() {
    }
}
