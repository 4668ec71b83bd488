package yakima.swap;

import static yakima.swap.Descriptor.CODEC_DEFLATE;
import static yakima.swap.Descriptor.CODEC_NONE;
import static yakima.swap.Descriptor.ENTRY_BYTES;
import static yakima.swap.Descriptor.HEADER_BYTES;
import static yakima.swap.Descriptor.MAX_SECTIONS;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;
import java.util.zip.Inflater;

import yakima.swap.VmImage.Counters;
import yakima.swap.VmImage.Disk;

/**
 * Reads an encapsulation record (layout in {@link Descriptor}) back into a
 * {@link VmImage}. The record is untrusted: it may be truncated, damaged,
 * or written by someone who wants the VMM to fall over. So every length,
 * offset and count is checked before it is used, in this order:
 * <ol>
 *   <li>the header: long enough, the magic, {@link Descriptor#VERSION}, a
 *       section count of at most {@link Descriptor#MAX_SECTIONS}, a table
 *       inside the record, the header CRC, no flags, and a record length
 *       equal to the bytes given;</li>
 *   <li>the table: sections back to back from the table's end to the
 *       record's end (none overlapping the header, another section, or the
 *       end), each one's CRC, known codecs, unknown types only if marked
 *       {@link Descriptor#MAY_SKIP}, each known type at most once and the
 *       required ones present, and raw lengths no larger than such a
 *       section can be;</li>
 *   <li>the sections, META first since the memory size bounds PAGES: every
 *       field as {@link SectionInput} hands it out, against
 *       {@link ImageLimits}.</li>
 * </ol>
 * What it allocates is bounded by what the record really decodes to (see
 * {@link SectionInput}), and any problem is a {@link RecordException} with
 * a one-line reason; no other exception escapes, whatever the bytes.
 *
 * <p>Any thread; it keeps no state between calls.
 */
public final class RecordReader {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] record;
    /** The known sections by type; null where absent. */
    private final SectionEntry[] sections = new SectionEntry[Descriptor.CONSOLE + 1];
    /** Made for the first deflated section (a summary of a record whose META and SCHED are stored needs none). */
    private Inflater inflater;
    private byte[] staging;

    private RecordReader(byte[] record) {
        this.record = record;
    }

    /** The VM image {@code record} holds. */
    public static VmImage read(byte[] record) throws RecordException {
        Objects.requireNonNull(record, "record");
        RecordReader r = new RecordReader(record);
        try {
            r.checkTable(r.readHeader());
            return r.decode();
        } finally {
            r.endInflater();
        }
    }

    /**
     * Who the VM in {@code record} is and where its clock stood
     * ({@link RecordSummary}): the header, the table and every section's
     * CRC are checked as {@link #read} checks them, then META and SCHED are
     * decoded; the other sections are not decoded (no page is inflated), so
     * a record that passes here may still be refused by {@link #read}. For a
     * host adopting the records of its store after a restart: about as cheap
     * as checksumming the record.
     */
    public static RecordSummary summary(byte[] record) throws RecordException {
        Objects.requireNonNull(record, "record");
        RecordReader r = new RecordReader(record);
        try {
            r.checkTable(r.readHeader());
            Meta m = meta(r.input(Descriptor.META));
            Sched s = sched(r.input(Descriptor.SCHED));
            return new RecordSummary(m.id(), m.name(), m.imageName(), m.memSizeBytes(), s.idle(), s.vmTimeNs(),
                    s.idleDeadlineVmNs());
        } finally {
            r.endInflater();
        }
    }

    // ---------------------------------------------------------------- header and table

    /** Checks the header; returns the section table. */
    private List<SectionEntry> readHeader() throws RecordException {
        int length = record.length;
        if (length < HEADER_BYTES) {
            throw new RecordException("record truncated: " + length + " bytes, shorter than the " + HEADER_BYTES
                    + "-byte header");
        }
        if (!Arrays.equals(record, 0, Descriptor.MAGIC.length, Descriptor.MAGIC, 0, Descriptor.MAGIC.length)) {
            throw new RecordException("not an encapsulation record (bad magic)");
        }
        int version = u16(Descriptor.VERSION_OFFSET);
        if (version != Descriptor.VERSION) {
            throw new RecordException("unsupported record version " + version + " (this build reads version "
                    + Descriptor.VERSION + ")");
        }
        long count = u32(Descriptor.SECTION_COUNT_OFFSET);
        if (count > MAX_SECTIONS) {
            throw new RecordException("the header claims " + count + " sections, more than " + MAX_SECTIONS);
        }
        int tableEnd = HEADER_BYTES + (int) count * ENTRY_BYTES;
        if (tableEnd > length) {
            throw new RecordException("record truncated: " + length + " bytes, but its table of " + count
                    + " sections ends at " + tableEnd);
        }
        if (Descriptor.headerCrc(record, (int) count) != (int) INT.get(record, Descriptor.HEADER_CRC_OFFSET)) {
            throw new RecordException("bad header checksum (the header or the section table is damaged)");
        }
        int flags = u16(Descriptor.FLAGS_OFFSET);
        if (flags != 0) {
            throw new RecordException(String.format("unknown header flags 0x%04X (version 1 defines none)", flags));
        }
        long declared = u32(Descriptor.RECORD_BYTES_OFFSET);
        if (declared > length) {
            throw new RecordException("record truncated: " + length + " bytes of the " + declared
                    + " its header declares");
        }
        if (declared < length) {
            throw new RecordException((length - declared) + " bytes after the end of the record (its header declares "
                    + declared + " bytes)");
        }
        List<SectionEntry> table = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            int at = HEADER_BYTES + i * ENTRY_BYTES;
            table.add(new SectionEntry(u16(at + Descriptor.ENTRY_TYPE_OFFSET), u16(at + Descriptor.ENTRY_CODEC_OFFSET),
                    u32(at + Descriptor.ENTRY_OFFSET_OFFSET), u32(at + Descriptor.ENTRY_STORED_BYTES_OFFSET),
                    u32(at + Descriptor.ENTRY_RAW_BYTES_OFFSET), (int) INT.get(record, at + Descriptor.ENTRY_CRC_OFFSET)));
        }
        return table;
    }

    /** Checks where each section lies and what it is; fills {@link #sections}. */
    private void checkTable(List<SectionEntry> table) throws RecordException {
        long tableEnd = HEADER_BYTES + (long) table.size() * ENTRY_BYTES;
        long next = tableEnd;
        for (SectionEntry e : table) {
            placed(e, next, tableEnd);
            next = e.offset() + e.storedBytes();
            CRC32C crc = new CRC32C();
            crc.update(record, (int) e.offset(), (int) e.storedBytes());
            if ((int) crc.getValue() != e.crc()) {
                throw new RecordException("bad checksum in section " + e.name());
            }
            if (e.codec() != CODEC_NONE && e.codec() != CODEC_DEFLATE) {
                throw new RecordException("section " + e.name() + ": unknown codec " + e.codec());
            }
            if (e.codec() == CODEC_NONE && e.rawBytes() != e.storedBytes()) {
                throw new RecordException("section " + e.name() + " is stored as it is, but claims " + e.rawBytes()
                        + " raw bytes from " + e.storedBytes() + " stored");
            }
            if (Descriptor.isKnown(e.type())) {
                known(e);
            } else if ((e.type() & Descriptor.MAY_SKIP) == 0) {
                throw new RecordException("unknown section type " + e.name()
                        + " (not marked as one a reader may skip)");
            }
        }
        if (next != record.length) {
            throw new RecordException((record.length - next) + " bytes after the last section, which ends at " + next);
        }
        for (int type = Descriptor.META; type <= Descriptor.CONSOLE; type++) {
            if (Descriptor.isRequired(type) && sections[type] == null) {
                throw new RecordException("no " + Descriptor.sectionName(type)
                        + " section (a record must have META, CPU, SCHED and VREGS)");
            }
        }
    }

    /** Section {@code e} must end inside the record and start at {@code expected}, where the one before it ended. */
    private void placed(SectionEntry e, long expected, long tableEnd) throws RecordException {
        long offset = e.offset();
        if (offset + e.storedBytes() > record.length) {
            throw new RecordException("section " + e.name() + " runs past the end of the record (offset " + offset
                    + ", length " + e.storedBytes() + ", record " + record.length + " bytes)");
        }
        if (offset < tableEnd) {
            throw new RecordException("section " + e.name() + " at offset " + offset
                    + " overlaps the header and section table, which end at " + tableEnd);
        }
        if (offset < expected) {
            throw new RecordException("section " + e.name() + " at offset " + offset
                    + " overlaps the section before it, which ends at " + expected);
        }
        if (offset > expected) {
            throw new RecordException((offset - expected) + " bytes of gap before section " + e.name()
                    + " (sections follow one another with nothing between)");
        }
    }

    private void known(SectionEntry e) throws RecordException {
        if (sections[e.type()] != null) {
            throw new RecordException("section " + e.name() + " appears twice");
        }
        long max = Descriptor.maxRawBytes(e.type());
        if (e.rawBytes() > max) {
            throw new RecordException("section " + e.name() + " claims " + e.rawBytes()
                    + " raw bytes, more than such a section can hold (" + max + ")");
        }
        sections[e.type()] = e;
    }

    // ---------------------------------------------------------------- sections

    private record Meta(int id, String name, String imageName, byte[] digest, int memSizeBytes, long mac, int ipv4) {
    }

    private record Cpu(int[] regs, int eip, int flags, long insns) {
    }

    private record Sched(boolean idle, long vmTimeNs, long idleDeadlineVmNs, int raised, Counters counters) {
    }

    private record Pages(int[] numbers, int[][] pages) {
        static final Pages NONE = new Pages(new int[0], new int[0][]);
    }

    private VmImage decode() throws RecordException {
        Meta m = meta(input(Descriptor.META));
        Cpu c = cpu(input(Descriptor.CPU));
        Sched s = sched(input(Descriptor.SCHED));
        int[] vregs = vregs(input(Descriptor.VREGS));
        Pages p = sections[Descriptor.PAGES] == null ? Pages.NONE : pages(input(Descriptor.PAGES), m.memSizeBytes());
        List<byte[]> frames = sections[Descriptor.NIC_RX] == null ? List.of() : frames(input(Descriptor.NIC_RX));
        Disk disk = sections[Descriptor.DISK] == null ? null : disk(input(Descriptor.DISK));
        byte[] console = sections[Descriptor.CONSOLE] == null ? new byte[0] : console(input(Descriptor.CONSOLE));
        return new VmImage(m.id(), m.name(), m.imageName(), m.digest(), m.memSizeBytes(), m.mac(), m.ipv4(), c.regs(),
                c.eip(), c.flags(), c.insns(), s.idle(), s.vmTimeNs(), s.idleDeadlineVmNs(), s.raised(), s.counters(),
                vregs, p.numbers(), p.pages(), frames, disk, console);
    }

    private SectionInput input(int type) {
        SectionEntry e = sections[type];
        if (e.codec() != CODEC_NONE && inflater == null) {
            inflater = new Inflater(true);
            staging = new byte[SectionInput.STAGING_BYTES];
        }
        return new SectionInput(record, e, inflater, staging);
    }

    private void endInflater() {
        if (inflater != null) {
            inflater.end();
        }
    }

    private static Meta meta(SectionInput in) throws RecordException {
        int id = in.s32();
        long memSize = in.u32();
        in.check(ImageLimits.memSize(memSize));
        long mac = in.s64();
        in.check(ImageLimits.mac(mac));
        int ipv4 = in.s32();
        byte[] digest = in.bytes(VmImage.DIGEST_BYTES);
        String imageName = in.string("image name", false);
        String name = in.string("name", true);
        in.end();
        return new Meta(id, name, imageName, digest, (int) memSize, mac, ipv4);
    }

    private static Cpu cpu(SectionInput in) throws RecordException {
        int[] regs = new int[8];
        for (int i = 0; i < regs.length; i++) {
            regs[i] = in.s32();
        }
        int eip = in.s32();
        int flags = in.s32();
        long insns = in.s64();
        in.check(ImageLimits.notNegative("instruction count", insns));
        in.end();
        return new Cpu(regs, eip, flags, insns);
    }

    private static Sched sched(SectionInput in) throws RecordException {
        long vmTimeNs = in.s64();
        in.check(ImageLimits.notNegative("VM time", vmTimeNs));
        long deadline = in.s64();
        in.check(ImageLimits.deadline(deadline));
        long quanta = counter(in, "quanta");
        long yields = counter(in, "yields");
        long wakes = counter(in, "wakes");
        long hypercalls = counter(in, "hypercalls");
        int raised = in.s32();
        int idle = in.u8();
        if (idle > 1) {
            throw in.fail("idle flag is " + idle + ", not 0 or 1");
        }
        in.end();
        return new Sched(idle == 1, vmTimeNs, deadline, raised, new Counters(quanta, yields, wakes, hypercalls));
    }

    private static long counter(SectionInput in, String what) throws RecordException {
        long v = in.s64();
        in.check(ImageLimits.notNegative(what, v));
        return v;
    }

    private static int[] vregs(SectionInput in) throws RecordException {
        int[] words = new int[VmImage.PAGE_WORDS];
        in.words(words);
        in.end();
        return words;
    }

    private Pages pages(SectionInput in, int memSizeBytes) throws RecordException {
        int pageCount = memSizeBytes / Descriptor.PAGE_BYTES;
        long claimed = sections[Descriptor.PAGES].rawBytes();
        long max = Descriptor.pagesRawBytes(pageCount - 1);
        if (claimed > max) {
            throw in.fail("claims " + claimed + " raw bytes, more than a VM of " + pageCount + " pages can have ("
                    + max + ")");
        }
        long count = in.u32();
        in.check(ImageLimits.pageCount(count, pageCount));
        if (claimed != Descriptor.pagesRawBytes(count)) {
            throw in.fail(count + " pages are " + Descriptor.pagesRawBytes(count) + " raw bytes, but it claims "
                    + claimed);
        }
        // at most pageCount - 1 numbers; the pages themselves are allocated one at a time as they decode
        int[] numbers = new int[(int) count];
        long previous = 0;
        for (int i = 0; i < count; i++) {
            long n = in.u32();
            in.check(ImageLimits.pageNumber(n, previous, pageCount));
            numbers[i] = (int) n;
            previous = n;
        }
        int[][] pages = new int[(int) count][];
        for (int i = 0; i < count; i++) {
            pages[i] = new int[VmImage.PAGE_WORDS];
            in.words(pages[i]);
        }
        in.end();
        return new Pages(numbers, pages);
    }

    private static List<byte[]> frames(SectionInput in) throws RecordException {
        long count = in.u32();
        in.check(ImageLimits.frameCount(count));
        List<byte[]> frames = new ArrayList<>((int) Math.min(count, 64));
        for (long i = 0; i < count; i++) {
            int length = in.u16();
            in.check(ImageLimits.frameLength(length));
            frames.add(in.bytes(length));
        }
        in.end();
        return Collections.unmodifiableList(frames);
    }

    private static Disk disk(SectionInput in) throws RecordException {
        String path = in.string("disk path", false);
        long sizeBlocks = in.s64();
        in.check(ImageLimits.notNegative("disk size", sizeBlocks));
        String base = in.string("disk base", true);
        int lastRequestId = in.s32();
        in.end();
        return new Disk(path, sizeBlocks, base, lastRequestId);
    }

    private byte[] console(SectionInput in) throws RecordException {
        byte[] tail = in.bytes((int) sections[Descriptor.CONSOLE].rawBytes());
        in.end();
        return tail;
    }

    private int u16(int at) {
        return (short) SHORT.get(record, at) & 0xFFFF;
    }

    private long u32(int at) {
        return Integer.toUnsignedLong((int) INT.get(record, at));
    }
}
