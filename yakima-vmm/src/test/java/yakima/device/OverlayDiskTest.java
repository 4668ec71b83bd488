package yakima.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.device.DiskTesting.BS;
import static yakima.device.DiskTesting.baseBlock;
import static yakima.device.DiskTesting.fileBytes;
import static yakima.device.DiskTesting.makeBase;
import static yakima.device.DiskTesting.pattern;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayDiskTest {
    private static final int BLOCKS = 16;

    @TempDir
    Path tmp;
    private Path basePath;
    private VirtualDisk base;
    private byte[] baseFile;

    @BeforeEach
    void aSharedBase() throws IOException {
        basePath = tmp.resolve("base.img");
        base = makeBase(basePath, BLOCKS);
        baseFile = fileBytes(basePath);
    }

    @AfterEach
    void theBaseIsNeverWritten() throws IOException {
        base.close();
        assertArrayEquals(baseFile, fileBytes(basePath));
    }

    private static byte[] read(BlockStore d, long block, int blockCount) throws IOException {
        byte[] b = new byte[blockCount * BS];
        d.readBlocks(block, blockCount, b, 0);
        return b;
    }

    /** What blocks [first, first + count) should read: the base's, except blocks replaced by {@code written}. */
    private static byte[] expected(int first, int count, int writtenFirst, byte[] written) {
        byte[] want = new byte[count * BS];
        for (int i = 0; i < count; i++) {
            System.arraycopy(baseBlock(first + i), 0, want, i * BS, BS);
        }
        int writtenBlocks = written.length / BS;
        for (int i = 0; i < writtenBlocks; i++) {
            int at = writtenFirst + i - first;
            if (at >= 0 && at < count) {
                System.arraycopy(written, i * BS, want, at * BS, BS);
            }
        }
        return want;
    }

    @Test
    void unwrittenBlocksReadFromTheBase() throws IOException {
        try (OverlayDisk o = OverlayDisk.create(tmp.resolve("vm.ovl"), base)) {
            assertEquals(BLOCKS, o.sizeBlocks());
            assertEquals(0, o.presentBlocks());
            assertArrayEquals(expected(0, BLOCKS, 0, new byte[0]), read(o, 0, BLOCKS));
        }
    }

    @Test
    void writesGoToTheOverlayOnly() throws IOException {
        Path ovl = tmp.resolve("vm.ovl");
        try (OverlayDisk o = OverlayDisk.create(ovl, base)) {
            o.writeBlocks(5, 3, pattern(1, 3), 0);
            assertEquals(3, o.presentBlocks());
            assertTrue(o.isPresent(5) && o.isPresent(7));
            assertFalse(o.isPresent(4) || o.isPresent(8));
            // One read spanning base, overlay and base again.
            assertArrayEquals(expected(3, 7, 5, pattern(1, 3)), read(o, 3, 7));
            // Writing a block again does not count it twice.
            o.writeBlocks(7, 2, pattern(2, 2), 0);
            assertEquals(4, o.presentBlocks());
        }
        assertArrayEquals(baseBlock(5), read(base, 5, 1));
        // The overlay is sparse in layout: header, one bitmap block, then block n at file block 2 + n.
        assertEquals((2L + BLOCKS) * BS, Files.size(ovl));
        byte[] file = fileBytes(ovl);
        assertArrayEquals(pattern(1, 1), Arrays.copyOfRange(file, (2 + 5) * BS, (2 + 6) * BS));
        assertEquals((byte) 0b1110_0000, file[BS]);
        assertEquals(1, file[BS + 1]);
    }

    @Test
    void twoOverlaysOfOneBaseAreIndependent() throws IOException {
        try (OverlayDisk a = OverlayDisk.create(tmp.resolve("a.ovl"), base);
                OverlayDisk b = OverlayDisk.create(tmp.resolve("b.ovl"), base)) {
            a.writeBlocks(0, 2, pattern(10, 2), 0);
            b.writeBlocks(1, 2, pattern(20, 2), 0);
            assertArrayEquals(expected(0, 4, 0, pattern(10, 2)), read(a, 0, 4));
            assertArrayEquals(expected(0, 4, 1, pattern(20, 2)), read(b, 0, 4));
        }
    }

    @Test
    void aReopenedOverlayKeepsItsBlocks() throws IOException {
        Path ovl = tmp.resolve("vm.ovl");
        try (OverlayDisk o = OverlayDisk.create(ovl, base)) {
            o.writeBlocks(9, 4, pattern(3, 4), 0);
        }
        try (OverlayDisk o = OverlayDisk.open(ovl, base)) {
            assertEquals(4, o.presentBlocks());
            assertArrayEquals(expected(0, BLOCKS, 9, pattern(3, 4)), read(o, 0, BLOCKS));
            o.writeBlocks(15, 1, pattern(4, 1), 0);
        }
        try (OverlayDisk o = OverlayDisk.open(ovl, base)) {
            assertEquals(5, o.presentBlocks());
            assertArrayEquals(pattern(4, 1), read(o, 15, 1));
        }
    }

    @Test
    void aBigDiskKeepsItsBitmapInSeveralBlocks() throws IOException {
        long big = 3L * BS * 8 + 5; // needs four bitmap blocks
        Path bigBase = tmp.resolve("big.img");
        VirtualDisk.create(bigBase, big).close();
        Path ovl = tmp.resolve("big.ovl");
        try (VirtualDisk b = VirtualDisk.openReadOnly(bigBase)) {
            try (OverlayDisk o = OverlayDisk.create(ovl, b)) {
                o.writeBlocks(big - 1, 1, pattern(5, 1), 0);
            }
            assertEquals((1 + 4 + big) * BS, Files.size(ovl));
            try (OverlayDisk o = OverlayDisk.open(ovl, b)) {
                assertEquals(1, o.presentBlocks());
                assertArrayEquals(pattern(5, 1), read(o, big - 1, 1));
                assertArrayEquals(new byte[BS], read(o, big - 2, 1));
            }
        }
    }

    @Test
    void theBaseMustBeOpenReadOnly() throws IOException {
        try (VirtualDisk writable = VirtualDisk.create(tmp.resolve("w.img"), 4)) {
            assertThrows(IllegalArgumentException.class, () -> OverlayDisk.create(tmp.resolve("x.ovl"), writable));
            assertThrows(IllegalArgumentException.class, () -> OverlayDisk.open(tmp.resolve("x.ovl"), writable));
        }
        assertFalse(Files.exists(tmp.resolve("x.ovl")));
    }

    @Test
    void createRefusesAnExistingFileAndLeavesItAlone() throws IOException {
        Path p = tmp.resolve("taken.ovl");
        Files.write(p, pattern(6, 1));
        assertEquals("disk file " + p + " already exists; refusing to overwrite it",
                assertThrows(DiskException.class, () -> OverlayDisk.create(p, base)).getMessage());
        assertArrayEquals(pattern(6, 1), fileBytes(p));
    }

    @Test
    void anOverlayOpenTwiceIsRefused() throws IOException {
        Path ovl = tmp.resolve("vm.ovl");
        try (OverlayDisk o = OverlayDisk.create(ovl, base)) {
            assertTrue(assertThrows(DiskException.class, () -> OverlayDisk.open(ovl, base)).getMessage()
                    .contains("already open in this process"));
        }
    }

    /** Damages a fresh overlay with {@code damage}, then checks open refuses it with {@code message} and changes nothing. */
    private void refused(String message, FileDamage damage) throws IOException {
        Path ovl = tmp.resolve("damaged.ovl");
        try (OverlayDisk o = OverlayDisk.create(ovl, base)) {
            o.writeBlocks(2, 1, pattern(8, 1), 0);
        }
        damage.apply(ovl);
        byte[] damaged = fileBytes(ovl);
        DiskException e = assertThrows(DiskException.class, () -> OverlayDisk.open(ovl, base));
        assertEquals(message.replace("$F", ovl.toString()).replace("$B", basePath.toString()), e.getMessage());
        assertArrayEquals(damaged, fileBytes(ovl));
        Files.delete(ovl); // the refusal let go of the file
    }

    @FunctionalInterface
    private interface FileDamage {
        void apply(Path p) throws IOException;
    }

    private static FileDamage flip(int offset, int mask) {
        return p -> {
            byte[] b = Files.readAllBytes(p);
            b[offset] ^= (byte) mask;
            Files.write(p, b);
        };
    }

    @Test
    void aCorruptHeaderIsRefusedClearlyAndTheFileLeftUnchanged() throws IOException {
        refused("overlay file $F is not a Yakima overlay (bad magic)", flip(OverlayHeader.MAGIC_OFFSET + 3, 0x20));
        refused("overlay file $F is overlay format version 3; this Yakima reads version 1",
                flip(OverlayHeader.VERSION_OFFSET, 0x02));
        refused("overlay file $F has a corrupt header (checksum mismatch)", flip(OverlayHeader.SIZE_BLOCKS_OFFSET, 0x01));
        refused("overlay file $F has a corrupt header (checksum mismatch)", flip(OverlayHeader.HEADER_CRC_OFFSET, 0x80));
        refused("overlay file $F has a corrupt bitmap (bits set past the last block)", flip(BS + 2, 0x01));
        refused("overlay file $F has a corrupt bitmap (bits set past the last block)", flip(2 * BS - 1, 0x80));
        refused("overlay file $F is " + (BLOCKS + 1) * BS + " bytes; an overlay of 16 blocks is " + (BLOCKS + 2) * BS
                + " (truncated or damaged)", p -> {
                    try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate((BLOCKS + 1L) * BS);
                    }
                });
        refused("overlay file $F is 100 bytes, too short to hold an overlay header",
                p -> Files.write(p, Arrays.copyOf(Files.readAllBytes(p), 100)));
    }

    @Test
    void anOverlayOverTheWrongBaseIsRefused() throws IOException {
        Path ovl = tmp.resolve("vm.ovl");
        OverlayDisk.create(ovl, base).close();
        byte[] before = fileBytes(ovl);

        Path smallPath = tmp.resolve("small.img");
        try (VirtualDisk small = makeBase(smallPath, 8)) {
            assertEquals("overlay file " + ovl + " is for a base of 16 blocks, but base " + smallPath + " has 8",
                    assertThrows(DiskException.class, () -> OverlayDisk.open(ovl, small)).getMessage());
        }
        Path otherPath = tmp.resolve("other.img");
        VirtualDisk.create(otherPath, BLOCKS).close(); // same size, different contents
        try (VirtualDisk other = VirtualDisk.openReadOnly(otherPath)) {
            assertEquals("overlay file " + ovl + " was made over a different base than " + otherPath + " (block 0 differs)",
                    assertThrows(DiskException.class, () -> OverlayDisk.open(ovl, other)).getMessage());
        }
        assertArrayEquals(before, fileBytes(ovl));
        OverlayDisk.open(ovl, base).close();
    }

    @Test
    void bitsPastTheLastBlockInTheLastBitmapByteAreRefused() throws IOException {
        Path oddBase = tmp.resolve("odd.img");
        Path ovl = tmp.resolve("odd.ovl");
        try (VirtualDisk b = makeBase(oddBase, 13)) {
            try (OverlayDisk o = OverlayDisk.create(ovl, b)) {
                o.writeBlocks(12, 1, pattern(1, 1), 0);
            }
            flip(BS + 1, 0x20).apply(ovl); // block 13 does not exist
            byte[] damaged = fileBytes(ovl);
            assertEquals("overlay file " + ovl + " has a corrupt bitmap (bits set past the last block)",
                    assertThrows(DiskException.class, () -> OverlayDisk.open(ovl, b)).getMessage());
            assertArrayEquals(damaged, fileBytes(ovl));
            flip(BS + 1, 0x20).apply(ovl);
            try (OverlayDisk o = OverlayDisk.open(ovl, b)) {
                assertEquals(1, o.presentBlocks());
                assertArrayEquals(pattern(1, 1), read(o, 12, 1));
            }
        }
    }

    @Test
    void closingAnOverlayLeavesTheSharedBaseOpen() throws IOException {
        OverlayDisk.create(tmp.resolve("a.ovl"), base).close();
        assertArrayEquals(baseBlock(1), read(base, 1, 1));
    }
}
