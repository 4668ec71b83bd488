package yakima.net;

/**
 * A 48-bit Ethernet MAC address held in the low 48 bits of a long, first octet
 * most significant: {@code 02:00:00:00:00:01} is {@code 0x0200_0000_0001L}.
 *
 * <p>An immutable value; any thread may use it. The switch compares addresses as
 * raw longs ({@link #bits()}, {@link EthernetFrame#destinationMac}) so the data
 * path never allocates one.
 */
public record MacAddress(long bits) {
    /** {@code ff:ff:ff:ff:ff:ff}: every port of the virtual LAN except the sender. */
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    /** The broadcast address as raw bits, for comparisons on the data path. */
    public static final long BROADCAST_BITS = 0xFFFF_FFFF_FFFFL;
    /** Octets in an address. */
    public static final int LENGTH_BYTES = 6;

    // The group bit is the least significant bit of the first octet (IEEE 802).
    private static final long GROUP_BIT = 1L << 40;
    // The locally administered bit is the next one: addresses Yakima makes up set it.
    private static final long LOCAL_BIT = 1L << 41;

    public MacAddress {
        if ((bits >>> 48) != 0) {
            throw new IllegalArgumentException("MAC address 0x" + Long.toHexString(bits) + " has more than 48 bits");
        }
    }

    /** Parses {@code "02:00:00:00:00:01"}: six two-digit hex octets separated by colons, either case. */
    public static MacAddress parse(String text) {
        if (text.length() != 17) {
            throw notAMac(text);
        }
        long bits = 0;
        for (int octet = 0; octet < LENGTH_BYTES; octet++) {
            int at = octet * 3;
            if (octet > 0 && text.charAt(at - 1) != ':') {
                throw notAMac(text);
            }
            int hi = Character.digit(text.charAt(at), 16);
            int lo = Character.digit(text.charAt(at + 1), 16);
            if (hi < 0 || lo < 0) {
                throw notAMac(text);
            }
            bits = bits << 8 | hi << 4 | lo;
        }
        return new MacAddress(bits);
    }

    private static IllegalArgumentException notAMac(String text) {
        return new IllegalArgumentException("'" + text + "' is not a MAC address: use six hex octets like 02:00:00:00:00:01");
    }

    /** Reads six octets at {@code offset}. */
    public static MacAddress readFrom(byte[] bytes, int offset) {
        return new MacAddress(EthernetFrame.readMac(bytes, offset));
    }

    /** Writes the six octets at {@code offset}. */
    public void writeTo(byte[] bytes, int offset) {
        for (int i = 0; i < LENGTH_BYTES; i++) {
            bytes[offset + i] = (byte) (bits >>> (40 - 8 * i));
        }
    }

    /** True for {@code ff:ff:ff:ff:ff:ff}. */
    public boolean isBroadcast() {
        return bits == BROADCAST_BITS;
    }

    /** True for a group address (broadcast included): one a NIC may send to but never send from. */
    public boolean isMulticast() {
        return (bits & GROUP_BIT) != 0;
    }

    /** True when the address was made up by an administrator (or Yakima), not burned in by a vendor. */
    public boolean isLocallyAdministered() {
        return (bits & LOCAL_BIT) != 0;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < LENGTH_BYTES; i++) {
            if (i > 0) {
                text.append(':');
            }
            int octet = (int) (bits >>> (40 - 8 * i)) & 0xFF;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return text.toString();
    }
}
