package yakima.net;

/**
 * IPv4 addresses as plain ints: the address read as a big-endian number, so
 * {@code 10.0.0.2} is {@code 0x0A000002}, which is also how its four bytes appear
 * on the wire (network byte order). Static helpers only; any thread may call them.
 */
public final class Ipv4Address {
    /** Octets in an address. */
    public static final int LENGTH_BYTES = 4;

    private Ipv4Address() {
    }

    /**
     * Parses dotted-quad text such as {@code "10.0.0.2"}: four decimal octets 0..255.
     * A leading zero ({@code "010"}) is refused, because some tools read it as octal.
     */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != LENGTH_BYTES) {
            throw notAnAddress(text);
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw notAnAddress(text);
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                int digit = Character.digit(part.charAt(i), 10);
                if (digit < 0) {
                    throw notAnAddress(text);
                }
                octet = octet * 10 + digit;
            }
            if (octet > 255) {
                throw notAnAddress(text);
            }
            address = address << 8 | octet;
        }
        return address;
    }

    private static IllegalArgumentException notAnAddress(String text) {
        return new IllegalArgumentException("'" + text + "' is not an IPv4 address: use four decimal octets like 10.0.0.2");
    }

    /** Dotted-quad text: {@code 0x0A000002} is {@code "10.0.0.2"}. */
    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }

    /** Reads four bytes in network order at {@code offset}. */
    public static int readFrom(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) << 24 | (bytes[offset + 1] & 0xFF) << 16
            | (bytes[offset + 2] & 0xFF) << 8 | bytes[offset + 3] & 0xFF;
    }

    /** Writes four bytes in network order at {@code offset}. */
    public static void writeTo(byte[] bytes, int offset, int address) {
        bytes[offset] = (byte) (address >>> 24);
        bytes[offset + 1] = (byte) (address >>> 16);
        bytes[offset + 2] = (byte) (address >>> 8);
        bytes[offset + 3] = (byte) address;
    }
}
