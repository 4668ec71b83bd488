package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import yakima.swap.VmImage.Counters;
import yakima.swap.VmImage.Disk;

/** VM images for the record tests, and a field-by-field comparison (a record's equals compares arrays by identity). */
final class TestImages {
    static final byte[] DIGEST = digest(7);

    private TestImages() {
    }

    /** The least a VM can be: 64 KiB, no name, no pages besides page 0, no frames, no disk, nothing printed. */
    static VmImage minimal() {
        return new VmImage(1, null, "hello", DIGEST, 64 << 10, 0x02_00_00_00_00_01L, 0x0A000002, new int[8], 0x1000,
                0x202, 0, false, 0, -1, 0, Counters.ZERO, new int[VmImage.PAGE_WORDS], new int[0], new int[0][],
                List.of(), null, new byte[0]);
    }

    /**
     * A random image that a record can hold: memory from 64 KiB to 16 MiB,
     * some pages private (zero, sparse, or random), maybe a name, frames, a
     * disk and a console tail; registers and counters anywhere in range.
     */
    static VmImage random(Random r) {
        int memSize = (16 + r.nextInt(4096 - 16 + 1)) * 4096;
        int pageCount = memSize / 4096;
        int[] numbers = r.ints(1, pageCount).distinct().limit(r.nextInt(Math.min(pageCount - 1, 40) + 1)).sorted()
                .toArray();
        int[][] pages = new int[numbers.length][];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = page(r);
        }
        List<byte[]> frames = new ArrayList<>();
        for (int i = r.nextInt(4) == 0 ? r.nextInt(20) : 0; i > 0; i--) {
            byte[] f = new byte[Descriptor.MIN_FRAME_BYTES
                    + r.nextInt(Descriptor.MAX_FRAME_BYTES - Descriptor.MIN_FRAME_BYTES + 1)];
            r.nextBytes(f);
            frames.add(f);
        }
        Disk disk = r.nextBoolean() ? null
                : new Disk(string(r, 1 + r.nextInt(60)), r.nextInt(1 << 20), r.nextBoolean() ? null : string(r, 30),
                        r.nextInt());
        byte[] console = new byte[r.nextInt(Descriptor.MAX_CONSOLE_BYTES + 1)];
        r.nextBytes(console);
        int[] regs = r.ints(8).toArray();
        boolean idle = r.nextBoolean();
        return new VmImage(r.nextInt(), r.nextBoolean() ? null : string(r, r.nextInt(40)), string(r, 1 + r.nextInt(80)),
                digest(r.nextInt()), memSize, r.nextLong() >>> 16, r.nextInt(), regs, r.nextInt(), r.nextInt(),
                r.nextLong() >>> 1, idle, r.nextLong() >>> 1, idle && r.nextBoolean() ? r.nextLong() >>> 1 : -1,
                r.nextInt(), new Counters(r.nextLong() >>> 1, r.nextInt() >>> 1, r.nextInt(1000), r.nextLong() >>> 2),
                page(r), numbers, pages, frames, disk, console);
    }

    /** A page as VMs have them: all zero, sparse (a few words set), or random throughout. */
    static int[] page(Random r) {
        int[] words = new int[VmImage.PAGE_WORDS];
        switch (r.nextInt(3)) {
            case 0 -> { }
            case 1 -> {
                for (int i = r.nextInt(64); i > 0; i--) {
                    words[r.nextInt(words.length)] = r.nextInt();
                }
            }
            default -> {
                for (int i = 0; i < words.length; i++) {
                    words[i] = r.nextInt();
                }
            }
        }
        return words;
    }

    /** {@code length} characters, some outside ASCII (two, three and four bytes of UTF-8). */
    static String string(Random r, int length) {
        StringBuilder b = new StringBuilder();
        String[] alphabet = {"a", "z", "-", "/", ".", "0", "é", "ß", "☃", "語", "😀"};
        while (b.length() < length) {
            b.append(alphabet[r.nextInt(alphabet.length)]);
        }
        return b.toString();
    }

    static byte[] digest(int seed) {
        byte[] d = new byte[VmImage.DIGEST_BYTES];
        new Random(seed).nextBytes(d);
        return d;
    }

    /** Every field equal, arrays by content. */
    static void assertSameImage(VmImage expected, VmImage actual) {
        assertNotNull(actual);
        assertEquals(expected.id(), actual.id(), "id");
        assertEquals(expected.name(), actual.name(), "name");
        assertEquals(expected.imageName(), actual.imageName(), "imageName");
        assertArrayEquals(expected.imageDigest(), actual.imageDigest(), "imageDigest");
        assertEquals(expected.memSizeBytes(), actual.memSizeBytes(), "memSizeBytes");
        assertEquals(expected.mac(), actual.mac(), "mac");
        assertEquals(expected.ipv4(), actual.ipv4(), "ipv4");
        assertArrayEquals(expected.regs(), actual.regs(), "regs");
        assertEquals(expected.eip(), actual.eip(), "eip");
        assertEquals(expected.flags(), actual.flags(), "flags");
        assertEquals(expected.insns(), actual.insns(), "insns");
        assertEquals(expected.idle(), actual.idle(), "idle");
        assertEquals(expected.vmTimeNs(), actual.vmTimeNs(), "vmTimeNs");
        assertEquals(expected.idleDeadlineVmNs(), actual.idleDeadlineVmNs(), "idleDeadlineVmNs");
        assertEquals(expected.raised(), actual.raised(), "raised");
        assertEquals(expected.counters(), actual.counters(), "counters");
        assertArrayEquals(expected.vregs(), actual.vregs(), "vregs");
        assertArrayEquals(expected.pageNumbers(), actual.pageNumbers(), "pageNumbers");
        assertEquals(expected.pages().length, actual.pages().length, "pages");
        for (int i = 0; i < expected.pages().length; i++) {
            assertArrayEquals(expected.pages()[i], actual.pages()[i], "page " + expected.pageNumbers()[i]);
        }
        assertEquals(expected.rxFrames().size(), actual.rxFrames().size(), "rxFrames");
        for (int i = 0; i < expected.rxFrames().size(); i++) {
            assertArrayEquals(expected.rxFrames().get(i), actual.rxFrames().get(i), "frame " + i);
        }
        assertEquals(expected.disk(), actual.disk(), "disk");
        assertArrayEquals(expected.consoleTail(), actual.consoleTail(), "consoleTail");
    }
}
