package yakima.gateway.tcp;

import yakima.net.EthernetFrame;
import yakima.net.Ipv4Address;

/**
 * Descriptor of the IPv4 header as the endpoint reads and writes it: offsets
 * within a frame (the header starts at {@link #START}, right after the
 * Ethernet header) and static accessors. Options are never sent and a
 * datagram carrying them is dropped, so the header is always 20 bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |    DSCP/ECN   |          Total Length         |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|     Fragment Offset     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Time to Live |    Protocol   |        Header Checksum        |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Source Address                          | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Destination Address                        | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Flags: bit 0 reserved, DF (0x4000 of the 16-bit word), MF (0x2000);
 *  Fragment Offset: the low 13 bits, in 8-byte units.
 * </pre>
 *
 * Any thread; nothing here allocates. Callers check lengths first.
 */
final class Ipv4Header {
    /** Frame offset of the IPv4 header. */
    static final int START = EthernetFrame.HEADER_LENGTH;
    static final int LENGTH = 20;
    /** Frame offset of the transport header (TCP, UDP). */
    static final int PAYLOAD = START + LENGTH;

    static final int VERSION_IHL = 0;
    static final int TOTAL_LENGTH = 2;
    static final int IDENTIFICATION = 4;
    static final int FLAGS_FRAGMENT = 6;
    static final int TTL = 8;
    static final int PROTOCOL = 9;
    static final int CHECKSUM = 10;
    static final int SOURCE = 12;
    static final int DESTINATION = 16;

    static final int PROTOCOL_ICMP = 1;
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;
    static final int FLAG_DF = 0x4000;
    static final int FLAG_MF = 0x2000;
    static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    static final int DEFAULT_TTL = 64;
    /** Largest payload in one frame: the 1500-byte MTU less this header. */
    static final int MAX_PAYLOAD = EthernetFrame.MAX_LENGTH - PAYLOAD;

    private Ipv4Header() {
    }

    static int version(byte[] f) {
        return (f[START + VERSION_IHL] & 0xFF) >>> 4;
    }

    /** Header length in bytes (IHL times four). */
    static int headerLength(byte[] f) {
        return (f[START + VERSION_IHL] & 0x0F) * 4;
    }

    static int totalLength(byte[] f) {
        return u16(f, START + TOTAL_LENGTH);
    }

    static int flagsFragment(byte[] f) {
        return u16(f, START + FLAGS_FRAGMENT);
    }

    static int protocol(byte[] f) {
        return f[START + PROTOCOL] & 0xFF;
    }

    static int source(byte[] f) {
        return Ipv4Address.readFrom(f, START + SOURCE);
    }

    static int destination(byte[] f) {
        return Ipv4Address.readFrom(f, START + DESTINATION);
    }

    /** True when the 20-byte header's checksum is right. */
    static boolean checksumOk(byte[] f) {
        return Checksum.finish(Checksum.add(0, f, START, LENGTH)) == 0;
    }

    /** Writes a 20-byte header (DF set, no options) with its checksum. */
    static void write(byte[] f, int protocol, int source, int destination, int payloadLength, int identification) {
        int total = LENGTH + payloadLength;
        f[START + VERSION_IHL] = 0x45;
        f[START + 1] = 0;
        put16(f, START + TOTAL_LENGTH, total);
        put16(f, START + IDENTIFICATION, identification);
        put16(f, START + FLAGS_FRAGMENT, FLAG_DF);
        f[START + TTL] = DEFAULT_TTL;
        f[START + PROTOCOL] = (byte) protocol;
        put16(f, START + CHECKSUM, 0);
        Ipv4Address.writeTo(f, START + SOURCE, source);
        Ipv4Address.writeTo(f, START + DESTINATION, destination);
        put16(f, START + CHECKSUM, Checksum.finish(Checksum.add(0, f, START, LENGTH)));
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
