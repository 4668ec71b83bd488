package yakima.net;

/**
 * Descriptor of the bytes of an Ethernet II frame that the virtual switch reads:
 * offsets, lengths and static accessors over a {@code byte[]} holding one frame
 * from its destination address on (no preamble, no FCS). Nothing here allocates.
 *
 * <pre>
 * Ethernet II header (every frame)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              destination MAC, bytes 0..5                      |  0
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                  source MAC, bytes 6..11                      |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   ethertype, bytes 12..13     |  payload from byte 14 ...       12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IPv4 (ethertype 0x0800): the fields the switch reads, frame offsets
 *   14       version (high nibble, must be 4) | IHL
 *   26..29   source address        (checked against the sender's IP)
 *   30..33   destination address
 *   34       first byte after a minimal 20-byte header
 *
 * ARP for IPv4 over Ethernet (ethertype 0x0806), frame offsets
 *   14..15   hardware type = 1     16..17  protocol type = 0x0800
 *   18       hardware length = 6   19      protocol length = 4
 *   20..21   operation (1 request, 2 reply)
 *   22..27   sender MAC            (checked against the sender's MAC)
 *   28..31   sender IP             (checked against the sender's IP)
 *   32..37   target MAC            38..41  target IP
 *   42       end of the ARP packet
 * </pre>
 *
 * <p>Multi-byte fields are big-endian (network order). Static methods only; any
 * thread may call them. Callers check the frame is long enough first.
 */
public final class EthernetFrame {
    public static final int DESTINATION_MAC_OFFSET = 0;
    public static final int SOURCE_MAC_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;

    /** Shortest frame the LAN carries: a bare header (the virtual wire needs no 60-byte padding). */
    public static final int MIN_LENGTH = HEADER_LENGTH;
    /** Longest frame the LAN carries: a 1500-byte MTU payload plus the header (no VLAN tag, no FCS). */
    public static final int MAX_LENGTH = 1514;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;

    public static final int IPV4_VERSION_IHL_OFFSET = 14;
    public static final int IPV4_SOURCE_OFFSET = 26;
    public static final int IPV4_DESTINATION_OFFSET = 30;
    /** Shortest IPv4 frame: Ethernet header plus a 20-byte IPv4 header. */
    public static final int IPV4_MIN_LENGTH = 34;

    public static final int ARP_HARDWARE_TYPE_OFFSET = 14;
    public static final int ARP_PROTOCOL_TYPE_OFFSET = 16;
    public static final int ARP_HARDWARE_LENGTH_OFFSET = 18;
    public static final int ARP_PROTOCOL_LENGTH_OFFSET = 19;
    public static final int ARP_OPERATION_OFFSET = 20;
    public static final int ARP_SENDER_MAC_OFFSET = 22;
    public static final int ARP_SENDER_IP_OFFSET = 28;
    public static final int ARP_TARGET_MAC_OFFSET = 32;
    public static final int ARP_TARGET_IP_OFFSET = 38;
    /** Length of an ARP frame for IPv4 over Ethernet: header plus the 28-byte ARP packet. */
    public static final int ARP_LENGTH = 42;
    public static final int ARP_HARDWARE_TYPE_ETHERNET = 1;
    public static final int ARP_REQUEST = 1;
    public static final int ARP_REPLY = 2;

    private EthernetFrame() {
    }

    public static long destinationMac(byte[] frame) {
        return readMac(frame, DESTINATION_MAC_OFFSET);
    }

    public static long sourceMac(byte[] frame) {
        return readMac(frame, SOURCE_MAC_OFFSET);
    }

    public static int etherType(byte[] frame) {
        return readU16(frame, ETHERTYPE_OFFSET);
    }

    /** The IP version nibble of an IPv4 frame (4 for a well-formed one). */
    public static int ipv4Version(byte[] frame) {
        return (frame[IPV4_VERSION_IHL_OFFSET] & 0xFF) >>> 4;
    }

    public static int ipv4Source(byte[] frame) {
        return Ipv4Address.readFrom(frame, IPV4_SOURCE_OFFSET);
    }

    public static int ipv4Destination(byte[] frame) {
        return Ipv4Address.readFrom(frame, IPV4_DESTINATION_OFFSET);
    }

    /**
     * True when an ARP frame describes IPv4 over Ethernet (hardware type 1, protocol
     * 0x0800, lengths 6 and 4): only then do the sender fields sit at the offsets
     * above. The frame must be at least {@link #ARP_LENGTH} long.
     */
    public static boolean isArpIpv4OverEthernet(byte[] frame) {
        return readU16(frame, ARP_HARDWARE_TYPE_OFFSET) == ARP_HARDWARE_TYPE_ETHERNET
            && readU16(frame, ARP_PROTOCOL_TYPE_OFFSET) == ETHERTYPE_IPV4
            && frame[ARP_HARDWARE_LENGTH_OFFSET] == MacAddress.LENGTH_BYTES
            && frame[ARP_PROTOCOL_LENGTH_OFFSET] == Ipv4Address.LENGTH_BYTES;
    }

    public static int arpOperation(byte[] frame) {
        return readU16(frame, ARP_OPERATION_OFFSET);
    }

    public static long arpSenderMac(byte[] frame) {
        return readMac(frame, ARP_SENDER_MAC_OFFSET);
    }

    public static int arpSenderIp(byte[] frame) {
        return Ipv4Address.readFrom(frame, ARP_SENDER_IP_OFFSET);
    }

    public static int arpTargetIp(byte[] frame) {
        return Ipv4Address.readFrom(frame, ARP_TARGET_IP_OFFSET);
    }

    /** Six octets at {@code offset} as the low 48 bits of a long (see {@link MacAddress#bits()}). */
    public static long readMac(byte[] bytes, int offset) {
        return (long) readU16(bytes, offset) << 32 | Integer.toUnsignedLong(Ipv4Address.readFrom(bytes, offset + 2));
    }

    private static int readU16(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
    }
}
