package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.swap.TestImages.assertSameImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import yakima.swap.VmImage.Counters;
import yakima.swap.VmImage.Disk;

/**
 * The encapsulation record as a format: what is written reads back the
 * same, field by field; a record cut short or with any one bit wrong is
 * refused with a {@link RecordException} (and nothing else); and the
 * header's version and magic are checked with a message that says so.
 */
class RecordFormatTest {

    /** A small VM with something in every section: 16 pages, three private, two frames, a disk, a name. */
    static VmImage full() {
        Random r = new Random(42);
        int[] vregs = new int[VmImage.PAGE_WORDS];
        vregs[0] = 1;
        vregs[100] = 0xCAFEBABE;
        int[][] pages = {TestImages.page(new Random(1)), new int[VmImage.PAGE_WORDS], sparse(r)};
        byte[] arp = new byte[42];
        byte[] jumbo = new byte[Descriptor.MAX_FRAME_BYTES];
        r.nextBytes(arp);
        r.nextBytes(jumbo);
        return new VmImage(7, "web-1", "httpd", TestImages.DIGEST, 64 << 10, 0x02_00_00_00_00_07L, 0x0A000008,
                new int[] {1, 2, 3, 4, 0xFFF0, 6, 7, 8}, 0x1234, 0x246, 123_456_789L, true, 5_000_000_000L,
                6_000_000_000L, 0b101, new Counters(10, 2, 3, 40), vregs, new int[] {1, 5, 15}, pages,
                List.of(arp, jumbo), new Disk("/var/yakima/web-1.overlay", 0, "/var/yakima/base.disk", 17),
                "httpd: listening on port 80\n".getBytes());
    }

    private static int[] sparse(Random r) {
        int[] words = new int[VmImage.PAGE_WORDS];
        for (int i = 0; i < 10; i++) {
            words[r.nextInt(words.length)] = r.nextInt();
        }
        return words;
    }

    static VmImage roundTrip(VmImage image) throws RecordException {
        byte[] record = RecordWriter.write(image);
        VmImage back = RecordReader.read(record);
        assertSameImage(image, back);
        return back;
    }

    static String refused(byte[] record) {
        return assertThrows(RecordException.class, () -> RecordReader.read(record)).getMessage();
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void theLeastAVmCanBeRoundTripsInAFewHundredBytesWithOnlyTheRequiredSections() throws Exception {
        VmImage image = TestImages.minimal();
        byte[] record = RecordWriter.write(image);
        roundTrip(image);
        List<Integer> types = HandRecord.parse(record).sections.stream().map(s -> s.type).toList();
        assertEquals(List.of(Descriptor.META, Descriptor.CPU, Descriptor.SCHED, Descriptor.VREGS), types);
        assertTrue(record.length < 400, "a record of " + record.length + " bytes");
    }

    @Test
    void everySectionRoundTrips() throws Exception {
        VmImage image = full();
        roundTrip(image);
        List<Integer> types = HandRecord.parse(RecordWriter.write(image)).sections.stream().map(s -> s.type).toList();
        assertEquals(List.of(Descriptor.META, Descriptor.CPU, Descriptor.SCHED, Descriptor.VREGS, Descriptor.PAGES,
                Descriptor.NIC_RX, Descriptor.DISK, Descriptor.CONSOLE), types);
    }

    @Test
    void extremeValuesRoundTrip() throws Exception {
        VmImage f = full();
        int[] allOnes = new int[VmImage.PAGE_WORDS];
        Arrays.fill(allOnes, -1);
        byte[] console = new byte[Descriptor.MAX_CONSOLE_BYTES];
        Arrays.fill(console, (byte) 0xFF);
        String longest = "é".repeat(Descriptor.MAX_STRING_BYTES / 2); // 4096 bytes of UTF-8
        VmImage image = new VmImage(Integer.MIN_VALUE, "", longest, f.imageDigest(), Descriptor.MAX_MEM_SIZE_BYTES,
                0xFFFF_FFFF_FFFFL, -1, new int[] {-1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, -1, -1, -1}, -1, -1,
                Long.MAX_VALUE, false, Long.MAX_VALUE, -1, -1,
                new Counters(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE), allOnes,
                new int[] {1, Descriptor.MAX_MEM_SIZE_BYTES / 4096 - 1}, new int[][] {allOnes, allOnes},
                List.of(new byte[Descriptor.MIN_FRAME_BYTES]), new Disk("😀", Long.MAX_VALUE, null, Integer.MIN_VALUE),
                console);
        roundTrip(image);
    }

    @Test
    void aVmWithThousandsOfRandomPagesRoundTrips() throws Exception {
        Random r = new Random(2);
        int pageCount = (16 << 20) / 4096;
        int[] numbers = new int[3000];
        int[][] pages = new int[numbers.length][];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = 1 + i + i / 3; // gaps
            pages[i] = r.ints(VmImage.PAGE_WORDS).toArray();
        }
        VmImage f = full();
        VmImage image = new VmImage(3, null, "kv", f.imageDigest(), pageCount * 4096, 1, 2, f.regs(), 0, 0, 9, false,
                1, -1, 0, Counters.ZERO, f.vregs(), numbers, pages, List.of(), null, new byte[0]);
        byte[] record = RecordWriter.write(image);
        assertSameImage(image, RecordReader.read(record));
        // random words do not compress: the record is the pages and a little more
        assertTrue(record.length < numbers.length * 4096 * 1.01, record.length + " bytes");
    }

    @Test
    void aThousandRandomImagesRoundTrip() throws Exception {
        Random r = new Random(20_250_611);
        for (int i = 0; i < 1000; i++) {
            VmImage image = TestImages.random(r);
            try {
                roundTrip(image);
            } catch (AssertionError | RecordException e) {
                throw new AssertionError("random image " + i + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void everyCompressionRoundTripsAndNoneStoresThePagesAsTheyAre() throws Exception {
        VmImage image = full();
        int[] sizes = new int[RecordCompression.values().length];
        for (RecordCompression c : RecordCompression.values()) {
            byte[] record = RecordWriter.write(image, c);
            assertSameImage(image, RecordReader.read(record));
            HandRecord.Section pages = HandRecord.parse(record).sections.stream()
                    .filter(s -> s.type == Descriptor.PAGES).findFirst().orElseThrow();
            assertEquals(c == RecordCompression.NONE ? Descriptor.CODEC_NONE : Descriptor.CODEC_DEFLATE, pages.codec, c.label());
            sizes[c.ordinal()] = record.length;
        }
        int pageBytes = image.pages().length * 4096;
        assertTrue(sizes[RecordCompression.NONE.ordinal()] > pageBytes, "raw pages: " + sizes[0] + " bytes");
        assertTrue(sizes[RecordCompression.FAST.ordinal()] < pageBytes / 4, "deflated sparse pages: " + sizes[1]);
        assertTrue(sizes[RecordCompression.SMALL.ordinal()] <= sizes[RecordCompression.FAST.ordinal()],
                "the best level is no bigger: " + Arrays.toString(sizes));
        assertArrayEquals(RecordWriter.write(image), RecordWriter.write(image, RecordCompression.FAST), "fast is the default");
    }

    @Test
    void theSameImageAlwaysGivesTheSameBytes() {
        assertArrayEquals(RecordWriter.write(full()), RecordWriter.write(full()));
    }

    @Test
    void sectionsMayComeInAnyOrderInTheTable() throws Exception {
        HandRecord h = HandRecord.parse(RecordWriter.write(full()));
        java.util.Collections.reverse(h.sections);
        assertSameImage(full(), RecordReader.read(h.assemble()));
    }

    @Test
    void aSectionOfAnUnknownTypeMarkedMaySkipIsIgnored() throws Exception {
        HandRecord h = HandRecord.parse(RecordWriter.write(full()));
        h.sections.add(2, new HandRecord.Section(Descriptor.MAY_SKIP | 0x42, Descriptor.CODEC_DEFLATE,
                "a later writer's notes".getBytes()));
        h.sections.add(new HandRecord.Section(Descriptor.MAY_SKIP | 0x43, Descriptor.CODEC_NONE, new byte[0]));
        assertSameImage(full(), RecordReader.read(h.assemble()));
    }

    @Test
    void aSectionOfAnUnknownTypeNotMarkedMaySkipIsRefused() {
        HandRecord h = HandRecord.parse(RecordWriter.write(full()));
        h.sections.add(new HandRecord.Section(0x42, Descriptor.CODEC_NONE, new byte[8]));
        assertEquals("unknown section type 0x0042 (not marked as one a reader may skip)", refused(h.assemble()));
    }

    // ---------------------------------------------------------------- damage

    @Test
    void aRecordCutShortAtAnyLengthIsRefused() {
        byte[] record = RecordWriter.write(full());
        for (int n = 0; n < record.length; n++) {
            String m = refused(Arrays.copyOf(record, n));
            assertTrue(m.startsWith("record truncated: " + n + " bytes"), "at " + n + ": " + m);
        }
    }

    @Test
    void aBigRecordCutShortAnywhereIsRefused() {
        byte[] record = RecordWriter.write(TestImages.random(new Random(5)));
        Random r = new Random(6);
        for (int i = 0; i < 500; i++) {
            int n = r.nextInt(record.length);
            assertTrue(refused(Arrays.copyOf(record, n)).startsWith("record truncated"), "at " + n);
        }
    }

    @Test
    void bytesAfterTheEndOfTheRecordAreRefused() {
        byte[] record = RecordWriter.write(full());
        assertEquals("3 bytes after the end of the record (its header declares " + record.length + " bytes)",
                refused(Arrays.copyOf(record, record.length + 3)));
    }

    @Test
    void everySingleBitFlippedIsCaught() {
        byte[] record = RecordWriter.write(full());
        for (int bit = 0; bit < record.length * 8; bit++) {
            byte[] damaged = record.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            refused(damaged);
        }
    }

    @Test
    void bitFlipsInABigRecordAreCaughtAndNamed() {
        Random r = new Random(7);
        VmImage image = TestImages.random(r);
        byte[] record = RecordWriter.write(image);
        int headerAndTable = Descriptor.HEADER_BYTES + HandRecord.parse(record).sections.size() * Descriptor.ENTRY_BYTES;
        for (int i = 0; i < 2000; i++) {
            int bit = r.nextInt(record.length * 8);
            byte[] damaged = record.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            String m = refused(damaged);
            if (bit / 8 >= headerAndTable) {
                assertTrue(m.startsWith("bad checksum in section "), m);
            }
        }
    }

    @Test
    void aDamagedSectionIsNamed() {
        byte[] record = RecordWriter.write(full());
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        int cpuAt = b.getInt(HandRecord.entry(1) + 4);
        record[cpuAt + 3] ^= 0x10;
        assertEquals("bad checksum in section CPU", refused(record));
    }

    @Test
    void aDamagedTableIsCaughtByTheHeaderChecksum() {
        byte[] record = RecordWriter.write(full());
        record[HandRecord.entry(4) + 12] ^= 1; // PAGES' raw length
        assertEquals("bad header checksum (the header or the section table is damaged)", refused(record));
    }

    @Test
    void somethingThatIsNotARecordIsRefusedByItsMagic() {
        byte[] record = RecordWriter.write(full());
        record[1] = 'X';
        assertEquals("not an encapsulation record (bad magic)", refused(record));
        byte[] text = "#!/bin/sh\necho this is not a record of a VM\n".getBytes();
        assertEquals("not an encapsulation record (bad magic)", refused(text));
    }

    @Test
    void anotherVersionIsRefusedNamingBoth() {
        HandRecord h = HandRecord.parse(RecordWriter.write(full()));
        h.version = 3;
        assertEquals("unsupported record version 3 (this build reads version 1)", refused(h.assemble()));
        h.version = 0;
        assertEquals("unsupported record version 0 (this build reads version 1)", refused(h.assemble()));
    }

    @Test
    void headerFlagsAreRefusedSinceVersion1DefinesNone() {
        HandRecord h = HandRecord.parse(RecordWriter.write(full()));
        h.flags = 4;
        assertEquals("unknown header flags 0x0004 (version 1 defines none)", refused(h.assemble()));
    }

    // ---------------------------------------------------------------- the writer's own checks

    @Test
    void theWriterRefusesAnImageNoReaderWouldTake() {
        VmImage f = full();
        assertWriterRefuses("page numbers not ascending: 5 after 15", with(f, new int[] {1, 15, 5}));
        assertWriterRefuses("page number 16 is outside 1..15", with(f, new int[] {1, 5, 16}));
        assertWriterRefuses("page number 0 is outside 1..15", with(f, new int[] {0, 5, 15}));
        assertWriterRefuses("a frame of 13 bytes (frames are 14 to 1514)", new VmImage(f.id(), f.name(),
                f.imageName(), f.imageDigest(), f.memSizeBytes(), f.mac(), f.ipv4(), f.regs(), f.eip(), f.flags(),
                f.insns(), f.idle(), f.vmTimeNs(), f.idleDeadlineVmNs(), f.raised(), f.counters(), f.vregs(),
                f.pageNumbers(), f.pages(), List.of(new byte[13]), f.disk(), f.consoleTail()));
        assertWriterRefuses("memory size 65537 is not a positive multiple of 4096 of at most 1 GiB",
                new VmImage(f.id(), f.name(), f.imageName(), f.imageDigest(), 65537, f.mac(), f.ipv4(), f.regs(),
                        f.eip(), f.flags(), f.insns(), f.idle(), f.vmTimeNs(), f.idleDeadlineVmNs(), f.raised(),
                        f.counters(), f.vregs(), f.pageNumbers(), f.pages(), f.rxFrames(), f.disk(), f.consoleTail()));
        assertWriterRefuses("its name is not valid Unicode", new VmImage(f.id(), "bad\uD800", f.imageName(),
                f.imageDigest(), f.memSizeBytes(), f.mac(), f.ipv4(), f.regs(), f.eip(), f.flags(), f.insns(),
                f.idle(), f.vmTimeNs(), f.idleDeadlineVmNs(), f.raised(), f.counters(), f.vregs(), f.pageNumbers(),
                f.pages(), f.rxFrames(), f.disk(), f.consoleTail()));
        assertWriterRefuses("console tail of 513 bytes, more than 512", new VmImage(f.id(), f.name(), f.imageName(),
                f.imageDigest(), f.memSizeBytes(), f.mac(), f.ipv4(), f.regs(), f.eip(), f.flags(), f.insns(),
                f.idle(), f.vmTimeNs(), f.idleDeadlineVmNs(), f.raised(), f.counters(), f.vregs(), f.pageNumbers(),
                f.pages(), f.rxFrames(), f.disk(), new byte[513]));
    }

    private static VmImage with(VmImage f, int[] pageNumbers) {
        return new VmImage(f.id(), f.name(), f.imageName(), f.imageDigest(), f.memSizeBytes(), f.mac(), f.ipv4(),
                f.regs(), f.eip(), f.flags(), f.insns(), f.idle(), f.vmTimeNs(), f.idleDeadlineVmNs(), f.raised(),
                f.counters(), f.vregs(), pageNumbers, f.pages(), f.rxFrames(), f.disk(), f.consoleTail());
    }

    private static void assertWriterRefuses(String problem, VmImage image) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordWriter.write(image));
        assertTrue(e.getMessage().endsWith(problem), e.getMessage());
    }
}
