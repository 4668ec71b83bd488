package yakima.swap;

/** Record bytes for the store's tests: opaque to the store, different for every seed. */
final class TestRecords {
    private TestRecords() {
    }

    /** {@code length} bytes that differ per seed and per position. */
    static byte[] record(int seed, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 37 + i * 11 + (i >>> 8));
        }
        return b;
    }
}
