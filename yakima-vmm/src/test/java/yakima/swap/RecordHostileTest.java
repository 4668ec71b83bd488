package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.swap.RecordFormatTest.refused;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import yakima.swap.HandRecord.Section;

/**
 * Records whose checksums are all right but whose contents are not: what a
 * buggy or hostile writer could hand the reader. Each is built with
 * {@link HandRecord}, which recomputes the CRCs, so each reaches the check
 * behind them; each must be refused with a {@link RecordException} that
 * says what is wrong (and never with anything else, which
 * {@link RecordFormatTest#refused} asserts).
 *
 * <p>The image behind them is {@link RecordFormatTest#full()}: 64 KiB
 * (16 pages), private pages 1, 5 and 15, two frames, a disk.
 */
class RecordHostileTest {
    private static final int PAGES_IN_TABLE = 4;

    private static HandRecord full() {
        return HandRecord.parse(RecordWriter.write(RecordFormatTest.full()));
    }

    private static String refusedAfter(java.util.function.Consumer<HandRecord> change) {
        HandRecord h = full();
        change.accept(h);
        return refused(h.assemble());
    }

    private static ByteBuffer le(byte[] record) {
        return ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---------------------------------------------------------------- pages

    @Test
    void aPageBeyondTheVmsMemoryIsRefused() {
        assertEquals("section PAGES: page number 16 is outside 1..15",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(12, 16)));
        assertEquals("section PAGES: page number 4294967295 is outside 1..15",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(12, -1)));
    }

    @Test
    void pageZeroIsNotAPrivatePageOfPages() {
        assertEquals("section PAGES: page number 0 is outside 1..15",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(4, 0)));
    }

    @Test
    void pageNumbersRepeatedOrDescendingAreRefused() {
        assertEquals("section PAGES: page numbers not ascending: 1 after 1",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(8, 1)));
        assertEquals("section PAGES: page numbers not ascending: 3 after 5",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(12, 3)));
    }

    @Test
    void morePagesThanTheMemoryHoldsAreRefused() {
        assertEquals("section PAGES: 16 private pages besides page 0, more than a VM of 16 pages has",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(0, 16)));
    }

    @Test
    void aPageCountThatDoesNotMatchTheRawLengthIsRefused() {
        assertEquals("section PAGES: 2 pages are 8204 raw bytes, but it claims 12304",
                refusedAfter(h -> h.section(Descriptor.PAGES).le().putInt(0, 2)));
    }

    @Test
    void rawBytesClaimedButNotInTheCompressedDataAreRefused() {
        // a count of 4 and the raw length to match, but only 3 pages' worth of compressed data
        assertEquals("section PAGES: its compressed data ends after 12308 of the 16404 raw bytes it claims",
                refusedAfter(h -> {
                    Section p = h.section(Descriptor.PAGES);
                    ByteBuffer raw = ByteBuffer.allocate(4 + 4 * 4 + 3 * 4096).order(ByteOrder.LITTLE_ENDIAN);
                    raw.putInt(4).putInt(1).putInt(5).putInt(14).putInt(15);
                    p.raw = raw.array();
                    p.rawBytesClaimed = Descriptor.pagesRawBytes(4);
                }));
    }

    @Test
    void aSectionClaimingTwoGigabytesIsRefusedBeforeAnythingIsAllocated() {
        assertEquals("section PAGES claims 2147483648 raw bytes, more than such a section can hold (1074786304)",
                refusedAfter(h -> h.section(Descriptor.PAGES).rawBytesClaimed = 1L << 31));
    }

    @Test
    void pagesMoreThanTheVmsMemorySizePermitsAreRefusedBeforeDecoding() {
        assertEquals("section PAGES: claims 1000000 raw bytes, more than a VM of 16 pages can have (61504)",
                refusedAfter(h -> h.section(Descriptor.PAGES).rawBytesClaimed = 1_000_000L));
    }

    // ---------------------------------------------------------------- memory size, other fields

    @Test
    void aMemorySizeThatIsNotWholePagesOrIsTooLargeIsRefused() {
        assertEquals("section META: memory size 65540 is not a positive multiple of 4096 of at most 1 GiB",
                refusedAfter(h -> h.section(Descriptor.META).le().putInt(4, 65540)));
        assertEquals("section META: memory size 0 is not a positive multiple of 4096 of at most 1 GiB",
                refusedAfter(h -> h.section(Descriptor.META).le().putInt(4, 0)));
        assertEquals("section META: memory size 2147483648 is not a positive multiple of 4096 of at most 1 GiB",
                refusedAfter(h -> h.section(Descriptor.META).le().putInt(4, 1 << 31)));
        assertEquals("section META: memory size 4294963200 is not a positive multiple of 4096 of at most 1 GiB",
                refusedAfter(h -> h.section(Descriptor.META).le().putInt(4, -4096)));
    }

    @Test
    void aMacOfMoreThan48BitsIsRefused() {
        assertEquals("section META: MAC 0x10020000000007 has more than 48 bits",
                refusedAfter(h -> h.section(Descriptor.META).le().putShort(14, (short) 0x10)));
    }

    @Test
    void nonsenseInTheSchedulerStateIsRefused() {
        assertEquals("section SCHED: idle flag is 2, not 0 or 1",
                refusedAfter(h -> h.section(Descriptor.SCHED).raw[52] = 2));
        assertEquals("section SCHED: idle deadline -2 is neither -1 nor a VM time",
                refusedAfter(h -> h.section(Descriptor.SCHED).le().putLong(8, -2)));
        assertEquals("section SCHED: wakes is negative (-1)",
                refusedAfter(h -> h.section(Descriptor.SCHED).le().putLong(32, -1)));
        assertEquals("section CPU: instruction count is negative (-9223372036854775808)",
                refusedAfter(h -> h.section(Descriptor.CPU).le().putLong(40, Long.MIN_VALUE)));
    }

    // ---------------------------------------------------------------- frames

    @Test
    void framesTooLongOrTooShortForEthernetAreRefused() {
        // a frame's length is a u16: 65535 is the longest a record can even say
        assertEquals("section NIC_RX: a frame of 65535 bytes (frames are 14 to 1514)",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putShort(4, (short) 0xFFFF)));
        assertEquals("section NIC_RX: a frame of 1515 bytes (frames are 14 to 1514)",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putShort(4, (short) 1515)));
        assertEquals("section NIC_RX: a frame of 13 bytes (frames are 14 to 1514)",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putShort(4, (short) 13)));
    }

    @Test
    void moreFramesThanANicQueuesAreRefused() {
        assertEquals("section NIC_RX: 2147483648 frames, more than the 65536 a NIC can queue",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putInt(0, 1 << 31)));
        assertEquals("section NIC_RX: 65537 frames, more than the 65536 a NIC can queue",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putInt(0, 65537)));
    }

    @Test
    void moreFramesThanTheSectionHoldsAreRefused() {
        assertEquals("section NIC_RX: a field of 2 bytes at raw byte 1564 runs past its 1564 raw bytes",
                refusedAfter(h -> h.section(Descriptor.NIC_RX).le().putInt(0, 3)));
    }

    // ---------------------------------------------------------------- strings

    @Test
    void aStringLongerThanItsSectionIsRefused() {
        assertEquals("section META: a field of 4000 bytes at raw byte 54 runs past its 66 raw bytes",
                refusedAfter(h -> h.section(Descriptor.META).le().putShort(52, (short) 4000)));
    }

    @Test
    void aStringLongerThanAnyPathIsRefused() {
        assertEquals("section META: image name is 5000 bytes of UTF-8, more than 4096",
                refusedAfter(h -> h.section(Descriptor.META).le().putShort(52, (short) 5000)));
    }

    @Test
    void aStringThatIsNotUtf8IsRefused() {
        assertEquals("section META: image name is not valid UTF-8",
                refusedAfter(h -> h.section(Descriptor.META).raw[54] = (byte) 0xC3)); // "h" becomes a lone lead byte
        assertEquals("section DISK: disk path is not valid UTF-8", refusedAfter(h -> {
            Section d = h.section(Descriptor.DISK);
            d.raw[2] = (byte) 0xED; // "/va" becomes an encoded surrogate, U+D800, which UTF-8 forbids
            d.raw[3] = (byte) 0xA0;
            d.raw[4] = (byte) 0x80;
        }));
    }

    @Test
    void aMissingImageNameIsRefused() {
        assertEquals("section META: image name is missing", refusedAfter(h -> {
            Section m = h.section(Descriptor.META);
            byte[] raw = new byte[Descriptor.META_FIXED_BYTES + 4];
            System.arraycopy(m.raw, 0, raw, 0, Descriptor.META_FIXED_BYTES);
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).putShort(52, (short) Descriptor.NO_STRING)
                    .putShort(54, (short) Descriptor.NO_STRING);
            m.raw = raw;
        }));
    }

    // ---------------------------------------------------------------- sections and the table

    @Test
    void eachRequiredSectionMissingIsNamed() {
        for (int type : new int[] {Descriptor.META, Descriptor.CPU, Descriptor.SCHED, Descriptor.VREGS}) {
            assertEquals("no " + Descriptor.sectionName(type)
                    + " section (a record must have META, CPU, SCHED and VREGS)",
                    refusedAfter(h -> h.sections.remove(h.section(type))));
        }
    }

    @Test
    void aSectionTwiceIsRefused() {
        assertEquals("section CPU appears twice", refusedAfter(h -> h.sections.add(h.section(Descriptor.CPU))));
        assertEquals("section CONSOLE appears twice", refusedAfter(h -> h.sections.add(2,
                new Section(Descriptor.CONSOLE, Descriptor.CODEC_NONE, new byte[1]))));
    }

    @Test
    void aSectionWithANegativeOffsetOrLengthRunsPastTheEnd() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        int length = record.length;
        byte[] r1 = record.clone();
        le(r1).putInt(HandRecord.entry(1) + 4, -16);
        HandRecord.resign(r1);
        assertEquals("section CPU runs past the end of the record (offset 4294967280, length 48, record " + length
                + " bytes)", refused(r1));
        byte[] r2 = record.clone();
        le(r2).putInt(HandRecord.entry(PAGES_IN_TABLE) + 8, -1);
        HandRecord.resign(r2);
        String m = refused(r2);
        assertTrue(m.startsWith("section PAGES runs past the end of the record (offset ")
                && m.contains(", length 4294967295, record " + length + " bytes)"), m);
    }

    @Test
    void overlappingSectionsAreRefused() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        ByteBuffer b = le(record);
        int cpuAt = b.getInt(HandRecord.entry(1) + 4);
        b.putInt(HandRecord.entry(1) + 4, cpuAt - 8); // CPU starts inside META
        HandRecord.resign(record);
        assertEquals("section CPU at offset " + (cpuAt - 8) + " overlaps the section before it, which ends at " + cpuAt,
                refused(record));
    }

    @Test
    void aSectionOverTheHeaderOrTableIsRefused() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        le(record).putInt(HandRecord.entry(0) + 4, 0);
        HandRecord.resign(record);
        assertEquals("section META at offset 0 overlaps the header and section table, which end at 184",
                refused(record));
    }

    @Test
    void aGapBetweenSectionsIsRefusedSinceNoChecksumWouldCoverIt() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        ByteBuffer b = le(record);
        int meta = HandRecord.entry(0); // META 2 bytes shorter
        b.putInt(meta + 8, b.getInt(meta + 8) - 2).putInt(meta + 12, b.getInt(meta + 12) - 2);
        HandRecord.resign(record);
        assertEquals("2 bytes of gap before section CPU (sections follow one another with nothing between)",
                refused(record));
    }

    @Test
    void bytesAfterTheLastSectionAreRefused() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        ByteBuffer b = le(record);
        int console = HandRecord.entry(7);
        b.putInt(console + 8, b.getInt(console + 8) - 5).putInt(console + 12, b.getInt(console + 12) - 5);
        HandRecord.resign(record);
        assertEquals("5 bytes after the last section, which ends at " + (record.length - 5), refused(record));
    }

    @Test
    void tooManySectionsAreRefusedBeforeTheTableIsRead() {
        byte[] record = RecordWriter.write(RecordFormatTest.full());
        le(record).putInt(12, 33);
        assertEquals("the header claims 33 sections, more than 32", refused(record));
        le(record).putInt(12, -1);
        assertEquals("the header claims 4294967295 sections, more than 32", refused(record));
    }

    @Test
    void anUnknownCodecIsRefused() {
        assertEquals("section VREGS: unknown codec 7",
                refusedAfter(h -> h.section(Descriptor.VREGS).codec = 7));
    }

    @Test
    void aStoredSectionWhoseRawLengthDiffersIsRefused() {
        assertEquals("section CPU is stored as it is, but claims 40 raw bytes from 48 stored",
                refusedAfter(h -> h.section(Descriptor.CPU).rawBytesClaimed = 40L));
    }

    @Test
    void aFixedSectionOfTheWrongSizeIsRefused() {
        assertEquals("section CPU claims 56 raw bytes, more than such a section can hold (48)",
                refusedAfter(h -> h.section(Descriptor.CPU).raw = new byte[56]));
        assertEquals("section CPU: a field of 8 bytes at raw byte 40 runs past its 40 raw bytes",
                refusedAfter(h -> h.section(Descriptor.CPU).raw = new byte[40]));
        assertEquals("section CONSOLE claims 513 raw bytes, more than such a section can hold (512)",
                refusedAfter(h -> h.section(Descriptor.CONSOLE).raw = new byte[513]));
    }

    @Test
    void rawBytesNoFieldAccountsForAreRefused() {
        assertEquals("section META: 3 of its 69 raw bytes are not part of any field",
                refusedAfter(h -> h.section(Descriptor.META).raw = Arrays.copyOf(h.section(Descriptor.META).raw, 69)));
        assertEquals("section PAGES: 2 pages are 8204 raw bytes, but it claims 8206", refusedAfter(h -> {
            Section p = h.section(Descriptor.PAGES);
            p.raw = Arrays.copyOf(p.raw, 8206);
            p.le().putInt(0, 2);
        }));
    }

    @Test
    void corruptCompressedDataIsRefused() {
        byte[] record = withStoredVregs(new byte[] {0x07, 0, 0}); // a final block of the reserved type 3
        assertEquals("section VREGS: its compressed data is corrupt (invalid block type)", refused(record));
    }

    @Test
    void compressedDataThatStopsShortOrGoesOnIsRefused() {
        byte[] good = HandRecord.deflate(new byte[Descriptor.PAGE_BYTES]);
        String cut = refused(withStoredVregs(Arrays.copyOf(good, good.length - 1)));
        assertTrue(cut.startsWith("section VREGS: its compressed data is cut short"), cut);
        byte[] longer = HandRecord.deflate(new byte[Descriptor.PAGE_BYTES + 1]);
        assertEquals("section VREGS: its compressed data decodes to more than the 4096 raw bytes it claims",
                refused(withStoredVregs(longer)));
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertEquals("section VREGS: 3 stored bytes follow the end of its compressed data",
                refused(withStoredVregs(trailing)));
        byte[] shorter = HandRecord.deflate(new byte[100]);
        assertEquals("section VREGS: its compressed data ends after 100 of the 4096 raw bytes it claims",
                refused(withStoredVregs(shorter)));
    }

    /** The full record with VREGS's stored bytes replaced by {@code stored}, still claiming 4096 raw bytes. */
    private static byte[] withStoredVregs(byte[] stored) {
        HandRecord h = full();
        Section v = h.section(Descriptor.VREGS);
        v.codec = Descriptor.CODEC_NONE; // assembled as given...
        v.raw = stored;
        byte[] record = h.assemble();
        ByteBuffer b = le(record);
        int at = HandRecord.entry(h.sections.indexOf(v));
        b.putShort(at + 2, (short) Descriptor.CODEC_DEFLATE).putInt(at + 12, Descriptor.PAGE_BYTES); // ...then relabelled
        HandRecord.resign(record);
        return record;
    }
}
