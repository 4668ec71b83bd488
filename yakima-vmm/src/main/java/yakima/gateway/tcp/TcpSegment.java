package yakima.gateway.tcp;

import yakima.net.Ipv4Address;

/**
 * Descriptor of the TCP header (RFC 9293 3.1) and, as an instance, the
 * parsed fields of the one segment being processed: the endpoint keeps a
 * single instance and refills it for every segment, so input allocates
 * nothing. The header starts at frame offset {@link Ipv4Header#PAYLOAD}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             | 12
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Options (MSS: kind 2, length 4, 16-bit value) ...   | data   | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Owner thread only (the instance); the static parts any thread.
 */
final class TcpSegment {
    static final int SOURCE_PORT = 0;
    static final int DESTINATION_PORT = 2;
    static final int SEQUENCE = 4;
    static final int ACKNOWLEDGMENT = 8;
    static final int DATA_OFFSET = 12;
    static final int FLAGS = 13;
    static final int WINDOW = 14;
    static final int CHECKSUM = 16;
    static final int URGENT = 18;
    static final int HEADER_LENGTH = 20;
    /** The MSS option: kind 2, length 4, value. The only option the endpoint sends (on SYN). */
    static final int OPTION_MSS = 2;
    static final int OPTION_MSS_LENGTH = 4;

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    // ---- the segment being processed (frame offsets resolved) ----
    byte[] frame;
    int sourceIp;
    int sourcePort;
    int destinationPort;
    int seq;
    int ack;
    int flags;
    int window;
    /** The MSS option of a SYN, or 0. */
    int mss;
    /** Frame offset of the first data byte. */
    int dataOffset;
    /** Data bytes (after trimming: what is left of them). */
    int length;

    /**
     * Parses the TCP header at frame offset {@code start} of a segment of
     * {@code tcpLength} bytes (header and data) from {@code sourceIp}.
     *
     * @return false if the header is malformed (data offset out of range)
     */
    boolean parse(byte[] f, int start, int tcpLength, int fromIp) {
        if (tcpLength < HEADER_LENGTH) {
            return false;
        }
        int headerLength = ((f[start + DATA_OFFSET] & 0xFF) >>> 4) * 4;
        if (headerLength < HEADER_LENGTH || headerLength > tcpLength) {
            return false;
        }
        frame = f;
        sourceIp = fromIp;
        sourcePort = Ipv4Header.u16(f, start + SOURCE_PORT);
        destinationPort = Ipv4Header.u16(f, start + DESTINATION_PORT);
        seq = Ipv4Address.readFrom(f, start + SEQUENCE);
        ack = Ipv4Address.readFrom(f, start + ACKNOWLEDGMENT);
        flags = f[start + FLAGS] & 0x3F;
        window = Ipv4Header.u16(f, start + WINDOW);
        mss = (flags & SYN) != 0 ? parseMss(f, start + HEADER_LENGTH, headerLength - HEADER_LENGTH) : 0;
        dataOffset = start + headerLength;
        length = tcpLength - headerLength;
        return true;
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: data, plus one each for SYN and FIN. */
    int sequenceLength() {
        return length + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
    }

    private static int parseMss(byte[] f, int at, int n) {
        int i = 0;
        while (i < n) {
            int kind = f[at + i] & 0xFF;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= n) {
                break;
            }
            int len = f[at + i + 1] & 0xFF;
            if (len < 2 || i + len > n) {
                break;
            }
            if (kind == OPTION_MSS && len == OPTION_MSS_LENGTH) {
                return Ipv4Header.u16(f, at + i + 2);
            }
            i += len;
        }
        return 0;
    }

    // ---- sequence arithmetic (RFC 9293 3.4: modulo 2^32) ----

    static boolean lt(int a, int b) {
        return a - b < 0;
    }

    static boolean leq(int a, int b) {
        return a - b <= 0;
    }

    static boolean gt(int a, int b) {
        return a - b > 0;
    }

    static boolean geq(int a, int b) {
        return a - b >= 0;
    }
}
