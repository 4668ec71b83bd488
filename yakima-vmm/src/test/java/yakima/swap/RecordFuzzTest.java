package yakima.swap;

import static org.junit.jupiter.api.Assertions.fail;
import static yakima.swap.TestImages.assertSameImage;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import yakima.swap.HandRecord.Section;

/**
 * Random damage behind good checksums, many thousand times with fixed
 * seeds: the reader either refuses with a {@link RecordException} or reads
 * an image, never throws anything else; and an image it reads is one the
 * writer writes again and reads back the same (so a reader cannot accept
 * what the writer would call a broken image).
 */
class RecordFuzzTest {

    @Test
    void bytesChangedAnywhereAndResignedAreRefusedOrReadNeverAnythingElse() {
        Random r = new Random(11);
        byte[] good = RecordWriter.write(RecordFormatTest.full());
        for (int i = 0; i < 20_000; i++) {
            byte[] record = HandRecord.damagedAndResigned(good, r);
            readOrRefuse(record, "bytes, run " + i);
        }
    }

    @Test
    void sectionContentsChangedAndReassembledAreRefusedOrReadNeverAnythingElse() {
        Random r = new Random(12);
        byte[] good = RecordWriter.write(RecordFormatTest.full());
        for (int i = 0; i < 20_000; i++) {
            HandRecord h = HandRecord.parse(good);
            Section s = h.sections.get(r.nextInt(h.sections.size()));
            switch (r.nextInt(4)) {
                case 0 -> s.raw[r.nextInt(s.raw.length)] = (byte) r.nextInt(256);
                case 1 -> s.le().putInt(r.nextInt(Math.max(1, s.raw.length - 3)) & ~1, r.nextInt(70_000));
                case 2 -> s.raw = Arrays.copyOf(s.raw, Math.max(0, s.raw.length + r.nextInt(9) - 4));
                default -> s.rawBytesClaimed = (long) r.nextInt(70_000);
            }
            readOrRefuse(h.assemble(), "section " + Descriptor.sectionName(s.type) + ", run " + i);
        }
    }

    private static void readOrRefuse(byte[] record, String what) {
        VmImage image;
        try {
            image = RecordReader.read(record);
        } catch (RecordException e) {
            return;
        } catch (Throwable t) {
            fail(what + ": the reader threw " + t, t);
            return;
        }
        try {
            assertSameImage(image, RecordReader.read(RecordWriter.write(image)));
        } catch (RecordException | RuntimeException e) {
            fail(what + ": the reader took an image the writer does not round-trip: " + e, e);
        }
    }
}
