package yakima.swap;

import java.util.Locale;

/**
 * How a record's bulky sections (VREGS, PAGES, NIC_RX) are stored: the one
 * knob of the swap record's encoding a host may turn ({@code yakima host
 * --swap-compression}). Every reader reads every choice: the codec is in
 * each section's table entry ({@link Descriptor}).
 *
 * <ul>
 *   <li>{@link #FAST}, the default: deflate at zlib's fastest level, chosen
 *       by measurement (docs/swap-record.md): an idle httpd's 7 private
 *       pages become about 2.8 KB.</li>
 *   <li>{@link #SMALL}: deflate at the highest level, a few percent smaller,
 *       several times slower to write.</li>
 *   <li>{@link #NONE}: stored as they are, 4 KiB a page: no compression work
 *       on either side, the most bytes to write and read.</li>
 * </ul>
 * The {@code swap-block} experiment ({@code ./yakima loadgen experiment swap-block})
 * measures where each puts the out-of-core cliff.
 */
public enum RecordCompression {
    NONE(-1),
    FAST(Descriptor.DEFLATE_LEVEL),
    SMALL(9);

    private final int deflateLevel;

    RecordCompression(int deflateLevel) {
        this.deflateLevel = deflateLevel;
    }

    /** The deflate level, or -1 for {@link #NONE}. */
    public int deflateLevel() {
        return deflateLevel;
    }

    /** The name on the command line: none, fast, small. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The compression a command-line word names (none, fast, small; any case). */
    public static RecordCompression parse(String word) {
        for (RecordCompression c : values()) {
            if (c.label().equalsIgnoreCase(word.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("swap compression must be none, fast or small, not '" + word + "'");
    }
}
