package yakima.gateway.tcp;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones'
 * complement sum of 16-bit big-endian words. Static and allocation-free; any
 * thread.
 */
final class Checksum {
    private Checksum() {
    }

    /** Adds {@code bytes[offset..offset+length)} as big-endian words (an odd last byte padded with zero) to {@code sum}. */
    static int add(int sum, byte[] bytes, int offset, int length) {
        long s = sum & 0xFFFF_FFFFL;
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            s += (bytes[i] & 0xFF) << 8 | bytes[i + 1] & 0xFF;
        }
        if (i < end) {
            s += (bytes[i] & 0xFF) << 8;
        }
        return fold(s);
    }

    /** The sum of the TCP/UDP pseudo-header: source, destination, protocol and transport length. */
    static int pseudoHeader(int source, int destination, int protocol, int length) {
        long s = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
        return fold(s);
    }

    /** The checksum field's value for a running sum: its ones' complement, 16 bits. */
    static int finish(int sum) {
        return ~fold(sum & 0xFFFF_FFFFL) & 0xFFFF;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
