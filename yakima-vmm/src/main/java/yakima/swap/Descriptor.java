package yakima.swap;

import java.util.zip.CRC32C;

/**
 * The layout of an encapsulation record, the bytes a swapped-out VM is
 * kept as (docs/swap-record.md says the same at more length). One record is
 * one VM: a fixed header, a table of sections, then the sections back to
 * back. Every integer is little-endian; "u32" fields are unsigned.
 *
 * <pre>
 *  0                   8       10      12              16              20              24
 *  +-------------------+-------+-------+---------------+---------------+---------------+
 *  | magic (8 bytes)   |version| flags | section count | record bytes  | header CRC32C |  header
 *  +-------------------+-------+-------+---------------+---------------+---------------+
 *  | type  | codec |    offset     | stored bytes  |   raw bytes   |  CRC32C       |  section table:
 *  +-------+-------+---------------+---------------+---------------+---------------+  20 bytes a section
 *  | ...                                                                            |
 *  +--------------------------------------------------------------------------------+
 *  | section 0's stored bytes | section 1's stored bytes | ...                        |  the sections, in
 *  +--------------------------------------------------------------------------------+  table order
 * </pre>
 *
 * <p><b>Header.</b> The magic is {@code 89 59 4B 52 0D 0A 1A 0A} (PNG's
 * trick: the high byte and the CR LF / LF pair show at once a file that a
 * text-mode transfer has mangled). The version is {@link #VERSION}; a reader
 * refuses any other, because a layout change is a version change. No flags
 * are defined (all must be 0). {@code record bytes} is the whole record's
 * length, so a truncated file is named as such rather than found as a bad
 * checksum. The header CRC32C covers the header's first 20 bytes and the
 * whole section table.
 *
 * <p><b>Sections.</b> Each table entry gives the section's type, its codec
 * ({@link #CODEC_NONE}: stored as is; {@link #CODEC_DEFLATE}: raw deflate,
 * RFC 1951, no zlib header), where its stored bytes are, how many bytes they
 * decode to, and the CRC32C of the stored bytes. Sections follow the table
 * back to back in table order with no gaps, so that every byte of a record
 * is under exactly one checksum. Types with {@link #MAY_SKIP} set are ones a
 * reader that does not know them may ignore; an unknown type without it is
 * refused. Each known type appears at most once; {@link #META},
 * {@link #CPU}, {@link #SCHED} and {@link #VREGS} must appear; an absent
 * {@link #PAGES}, {@link #NIC_RX}, {@link #DISK} or {@link #CONSOLE} means
 * none (the writer leaves out empty ones).
 *
 * <pre>
 *  META    (stored)  0 id u32 | 4 memSizeBytes u32 | 8 mac u64 (low 48 bits) | 16 ipv4 u32
 *                   20 image digest, SHA-256, 32 bytes | 52 image name: string | name: string or none
 *  CPU     (stored)  0 EAX ECX EDX EBX ESP EBP ESI EDI, u32 each | 32 eip u32 | 36 flags u32 | 40 insns u64
 *                    48 bytes
 *  SCHED   (stored)  0 vmTimeNs u64 | 8 idleDeadlineVmNs s64 (-1: none) | 16 quanta u64 | 24 yields u64
 *                   32 wakes u64 | 40 hypercalls u64 | 48 raised u32 | 52 idle u8 (0 or 1); 53 bytes
 *  VREGS   (deflate) page 0: 1024 words, 4096 bytes
 *  PAGES   (deflate) count u32 | count page numbers, u32, ascending | count pages of 4096 bytes
 *  NIC_RX  (deflate) count u32 | count frames: length u16, then the frame's bytes; oldest first
 *  DISK    (stored)  path: string | sizeBlocks u64 | base: string or none | lastRequestId u32
 *  CONSOLE (stored)  the console's last bytes, oldest first (at most 512)
 *
 *  string: length u16, then that many bytes of UTF-8; "or none": length {@link #NO_STRING} and no bytes
 *  a page's word i is its bytes 4i..4i+3, little-endian: the bytes the guest sees
 * </pre>
 *
 * <p><b>Codec, by measurement.</b> The private pages of an idle VM are
 * mostly zero: an {@code httpd} settled after boot holds 7 private pages
 * (page 0 included) with 520 non-zero bytes among their 28,672. Compressed
 * as one stream ({@code benchmarks/run-record-codecs.sh}: medians of 5,000
 * runs, one thread, on a shared 2-core AMD EPYC VM, JDK 25):
 *
 * <pre>
 *  codec                                  httpd idle after boot      httpd idle after serving httpget
 *                                         (7 pages)                  (12 pages, 19,498 non-zero bytes)
 *                                         bytes  encode  decode      bytes   encode  decode
 *  none, zero runs elided                 1,156    6.9 us  1.0 us    21,048   14.7 us  2.1 us
 *  lz4, lz4-java pure-Java safe             915   16.6    26.9        3,367   33.9    36.4
 *  zstd level 1, zstd-jni (native)          654    8.8     4.7        2,298   17.8     8.1
 *  zstd level 3, zstd-jni (native)          655    9.9     4.9        2,221   21.5     9.5
 *  deflate level 1, java.util.zip           844   20.6    11.5        2,947   45.6    22.7
 *  deflate level 6, java.util.zip           675  102.4    49.1        2,362  214.5    57.7
 *  deflate level 1, each page on its own    957   35.5    15.4        4,703  112.4    40.5
 *  the whole record, as written here      1,234   29.3    17.4        3,347   55.9    29.6
 * </pre>
 *
 * Deflate at level 1 as one stream: every candidate decodes in a small
 * fraction of the 1 ms swap-in budget, so size and risk decide. Eliding zero
 * runs alone is the fastest but leaves what a VM has written uncompressed
 * (21 KiB after one client, over the 16 KiB a record may take); zstd is a
 * fifth smaller and decodes two to three times as fast, but it is a native
 * library from outside the JDK that would parse untrusted bytes; deflate is
 * the JDK's own zlib, which it already trusts with every jar it opens.
 * Pages compressed one by one cost 13-60% more bytes and buy nothing, since
 * a restore needs every page.
 */
public final class Descriptor {
    /** {@code 89 59 4B 52 0D 0A 1A 0A}: "\211YKR\r\n\032\n". */
    static final byte[] MAGIC = {(byte) 0x89, 'Y', 'K', 'R', '\r', '\n', 0x1A, '\n'};
    /** The only version this build writes and reads. */
    public static final int VERSION = 1;

    // ---------------------------------------------------------------- header

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int FLAGS_OFFSET = 10;
    static final int SECTION_COUNT_OFFSET = 12;
    static final int RECORD_BYTES_OFFSET = 16;
    static final int HEADER_CRC_OFFSET = 20;
    public static final int HEADER_BYTES = 24;

    // ---------------------------------------------------------------- a section table entry

    static final int ENTRY_TYPE_OFFSET = 0;
    static final int ENTRY_CODEC_OFFSET = 2;
    static final int ENTRY_OFFSET_OFFSET = 4;
    static final int ENTRY_STORED_BYTES_OFFSET = 8;
    static final int ENTRY_RAW_BYTES_OFFSET = 12;
    static final int ENTRY_CRC_OFFSET = 16;
    public static final int ENTRY_BYTES = 20;
    /** More than a record of this version has (8 types), with room for sections a later writer adds. */
    public static final int MAX_SECTIONS = 32;

    // ---------------------------------------------------------------- section types

    /** Set in a type that a reader which does not know it may skip. */
    public static final int MAY_SKIP = 0x8000;
    public static final int META = 1;
    public static final int CPU = 2;
    public static final int SCHED = 3;
    public static final int VREGS = 4;
    public static final int PAGES = 5;
    public static final int NIC_RX = 6;
    public static final int DISK = 7;
    public static final int CONSOLE = 8;
    private static final String[] NAMES = {null, "META", "CPU", "SCHED", "VREGS", "PAGES", "NIC_RX", "DISK", "CONSOLE"};

    // ---------------------------------------------------------------- codecs

    public static final int CODEC_NONE = 0;
    public static final int CODEC_DEFLATE = 1;
    /** zlib's fastest level: see the measurement above. */
    public static final int DEFLATE_LEVEL = 1;

    // ---------------------------------------------------------------- section contents

    public static final int PAGE_BYTES = 4096;
    public static final int CPU_BYTES = 48;
    public static final int SCHED_BYTES = 53;
    /** META's fixed part, before the two strings. */
    static final int META_FIXED_BYTES = 52;
    /** A string's length field when there is no string (a VM with no name, a disk with no base). */
    public static final int NO_STRING = 0xFFFF;

    // ---------------------------------------------------------------- limits

    /** The largest VM memory a record may describe (the ABI allows less; a restore checks that). */
    public static final int MAX_MEM_SIZE_BYTES = 1 << 30;
    /** A name, image name, or disk path: PATH_MAX bytes of UTF-8. */
    public static final int MAX_STRING_BYTES = 4096;
    /** An Ethernet header and no payload. */
    public static final int MIN_FRAME_BYTES = 14;
    /** An Ethernet header and a 1500-byte payload. */
    public static final int MAX_FRAME_BYTES = 1514;
    /** A NIC's largest receive queue. */
    public static final int MAX_RX_FRAMES = 1 << 16;
    /** What a VM's console keeps (RateLimitedConsole's tail). */
    public static final int MAX_CONSOLE_BYTES = 512;

    private Descriptor() {
    }

    /** The type's name as messages show it: "PAGES", or "0x8009" for one this build does not know. */
    public static String sectionName(int type) {
        return type > 0 && type < NAMES.length ? NAMES[type] : String.format("0x%04X", type);
    }

    /** True for the types this build knows. */
    static boolean isKnown(int type) {
        return type > 0 && type < NAMES.length;
    }

    /** True for the types a record must have. */
    static boolean isRequired(int type) {
        return type == META || type == CPU || type == SCHED || type == VREGS;
    }

    /**
     * The most raw (decoded) bytes a section of {@code type} can have in any
     * record; PAGES is bounded again, more tightly, by the VM's memory size
     * once META is read.
     */
    static long maxRawBytes(int type) {
        return switch (type) {
            case META -> META_FIXED_BYTES + 2L * (2 + MAX_STRING_BYTES);
            case CPU -> CPU_BYTES;
            case SCHED -> SCHED_BYTES;
            case VREGS -> PAGE_BYTES;
            case PAGES -> pagesRawBytes(MAX_MEM_SIZE_BYTES / PAGE_BYTES - 1);
            case NIC_RX -> 4 + (long) MAX_RX_FRAMES * (2 + MAX_FRAME_BYTES);
            case DISK -> 2 + MAX_STRING_BYTES + 8 + 2 + MAX_STRING_BYTES + 4;
            case CONSOLE -> MAX_CONSOLE_BYTES;
            default -> throw new IllegalArgumentException("unknown section type " + type);
        };
    }

    /** The header CRC: CRC32C of the header's first 20 bytes and the section table of {@code sections} entries. */
    static int headerCrc(byte[] record, int sections) {
        CRC32C crc = new CRC32C();
        crc.update(record, 0, HEADER_CRC_OFFSET);
        crc.update(record, HEADER_BYTES, sections * ENTRY_BYTES);
        return (int) crc.getValue();
    }

    /** The raw bytes of a PAGES section of {@code count} pages. */
    static long pagesRawBytes(long count) {
        return 4 + count * (4 + PAGE_BYTES);
    }
}
