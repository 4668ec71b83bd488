package yakima.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.device.DiskTesting.BS;
import static yakima.device.DiskTesting.fileBytes;
import static yakima.device.DiskTesting.pattern;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VirtualDiskTest {
    @TempDir
    Path tmp;

    @Test
    void aNewDiskIsAZeroFilledFileOfExactlyItsBlocks() throws IOException {
        Path p = tmp.resolve("d.img");
        try (VirtualDisk d = VirtualDisk.create(p, 8)) {
            assertEquals(8, d.sizeBlocks());
            assertEquals(8L * BS, d.sizeBytes());
            assertEquals(8L * BS, Files.size(p));
            byte[] b = pattern(1, 8);
            d.readBlocks(0, 8, b, 0);
            assertArrayEquals(new byte[8 * BS], b);
            assertFalse(d.isReadOnly());
        }
    }

    @Test
    void blocksWrittenReadBackAndSurviveCloseAndReopen() throws IOException {
        Path p = tmp.resolve("d.img");
        try (VirtualDisk d = VirtualDisk.create(p, 8)) {
            d.writeBlocks(2, 3, pattern(7, 3), 0);
            byte[] back = new byte[3 * BS];
            d.readBlocks(2, 3, back, 0);
            assertArrayEquals(pattern(7, 3), back);
        }
        try (VirtualDisk d = VirtualDisk.open(p)) {
            byte[] back = new byte[5 * BS];
            d.readBlocks(1, 5, back, 0);
            byte[] want = new byte[5 * BS];
            System.arraycopy(pattern(7, 3), 0, want, BS, 3 * BS);
            assertArrayEquals(want, back);
        }
        // Block n is bytes [n * 4096, (n + 1) * 4096) of the file.
        byte[] file = fileBytes(p);
        assertArrayEquals(pattern(7, 3), java.util.Arrays.copyOfRange(file, 2 * BS, 5 * BS));
    }

    @Test
    void readsAndWritesHonourTheBufferOffset() throws IOException {
        try (VirtualDisk d = VirtualDisk.create(tmp.resolve("d.img"), 4)) {
            byte[] src = new byte[BS + 10];
            System.arraycopy(pattern(3, 1), 0, src, 10, BS);
            d.writeBlocks(1, 1, src, 10);
            byte[] dst = new byte[BS + 5];
            d.readBlocks(1, 1, dst, 5);
            assertArrayEquals(pattern(3, 1), java.util.Arrays.copyOfRange(dst, 5, 5 + BS));
        }
    }

    @Test
    void requestsOutsideTheDiskOrBufferAreBugsAndThrow() throws IOException {
        try (VirtualDisk d = VirtualDisk.create(tmp.resolve("d.img"), 4)) {
            assertThrows(IndexOutOfBoundsException.class, () -> d.readBlocks(3, 2, new byte[2 * BS], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> d.writeBlocks(-1, 1, new byte[BS], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> d.readBlocks(0, 2, new byte[2 * BS - 1], 0));
        }
    }

    @Test
    void createRefusesAnExistingFileAndLeavesItAlone() throws IOException {
        Path p = tmp.resolve("precious.img");
        byte[] contents = "not a disk, but someone's data".getBytes(StandardCharsets.US_ASCII);
        Files.write(p, contents);
        DiskException e = assertThrows(DiskException.class, () -> VirtualDisk.create(p, 4));
        assertEquals("disk file " + p + " already exists; refusing to overwrite it", e.getMessage());
        assertArrayEquals(contents, fileBytes(p));
    }

    @Test
    void createInAMissingDirectoryFailsClearlyAndLeavesNothing() {
        Path p = tmp.resolve("no/such/dir/d.img");
        DiskException e = assertThrows(DiskException.class, () -> VirtualDisk.create(p, 4));
        assertEquals("cannot create disk file " + p + ": its directory does not exist", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("no")));
    }

    @Test
    void createRefusesSizesAGuestCannotAddress() {
        assertThrows(IllegalArgumentException.class, () -> VirtualDisk.create(tmp.resolve("a"), 0));
        assertThrows(IllegalArgumentException.class, () -> VirtualDisk.create(tmp.resolve("b"), BlockStore.MAX_SIZE_BLOCKS + 1));
        assertFalse(Files.exists(tmp.resolve("a")));
        assertFalse(Files.exists(tmp.resolve("b")));
    }

    @Test
    void openRefusesAFileThatIsNotWholeBlocksAndLeavesItUnchanged() throws IOException {
        Path p = tmp.resolve("odd.img");
        byte[] contents = pattern(9, 2);
        byte[] odd = java.util.Arrays.copyOf(contents, 5000);
        Files.write(p, odd);
        DiskException e = assertThrows(DiskException.class, () -> VirtualDisk.open(p));
        assertEquals("disk file " + p + " is 5000 bytes, not a whole number of 4096-byte blocks", e.getMessage());
        assertArrayEquals(odd, fileBytes(p));
        // The refusal released the file: trying again gives the same answer, not "already open".
        assertEquals(e.getMessage(), assertThrows(DiskException.class, () -> VirtualDisk.open(p)).getMessage());

        Path empty = tmp.resolve("empty.img");
        Files.write(empty, new byte[0]);
        assertEquals("disk file " + empty + " is 0 bytes, not a whole number of 4096-byte blocks",
                assertThrows(DiskException.class, () -> VirtualDisk.open(empty)).getMessage());
        assertEquals(0, Files.size(empty));
    }

    @Test
    void openRefusesAMissingFileOrADirectory() throws IOException {
        Path p = tmp.resolve("missing.img");
        assertEquals("disk file " + p + " does not exist",
                assertThrows(DiskException.class, () -> VirtualDisk.open(p)).getMessage());
        assertFalse(Files.exists(p));
        Path dir = Files.createDirectory(tmp.resolve("dir.img"));
        assertEquals("disk file " + dir + " is not a regular file",
                assertThrows(DiskException.class, () -> VirtualDisk.open(dir)).getMessage());
    }

    @Test
    void aSecondOpenOfAnOpenDiskFailsNamingTheFile() throws IOException {
        Path p = tmp.resolve("d.img");
        VirtualDisk first = VirtualDisk.create(p, 4);
        String inUse = "disk file " + p + " is already open in this process (by another VM, or as a base)";
        assertEquals(inUse, assertThrows(DiskException.class, () -> VirtualDisk.open(p)).getMessage());
        assertEquals(inUse, assertThrows(DiskException.class, () -> VirtualDisk.openReadOnly(p)).getMessage());
        // Another name for the same file is the same disk.
        Path link = Files.createLink(tmp.resolve("link.img"), p);
        assertTrue(assertThrows(DiskException.class, () -> VirtualDisk.open(link)).getMessage().contains("already open"));
        first.close();
        try (VirtualDisk again = VirtualDisk.open(p)) {
            assertEquals(4, again.sizeBlocks());
        }
    }

    @Test
    void anotherProcessCannotOpenADiskThisOneHasOpenEvenAfterARefusedSecondOpenHere() throws Exception {
        Path p = tmp.resolve("d.img");
        try (VirtualDisk d = VirtualDisk.create(p, 4)) {
            // A refused second open in this process must not drop the operating-system lock.
            assertThrows(DiskException.class, () -> VirtualDisk.open(p));
            ProbeResult r = probe(p);
            assertEquals(3, r.exitCode, r.output);
            assertEquals("disk file " + p + " is in use by another process (it holds a lock on the file)", r.output);
        }
        ProbeResult r = probe(p);
        assertEquals(0, r.exitCode, r.output);
        assertEquals("opened 4", r.output);
    }

    private record ProbeResult(int exitCode, String output) {
    }

    /** Runs {@link LockProbe} in a child JVM: another Yakima process opening the disk. */
    private static ProbeResult probe(Path disk) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockProbe.class.getName(), disk.toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new ProbeResult(child.exitValue(), out);
    }

    @Test
    void aReadOnlyBaseRefusesWritesAndASecondOpenInThisProcess() throws IOException {
        Path p = tmp.resolve("base.img");
        try (VirtualDisk d = VirtualDisk.create(p, 2)) {
            d.writeBlocks(0, 2, pattern(4, 2), 0);
        }
        byte[] before = fileBytes(p);
        try (VirtualDisk base = VirtualDisk.openReadOnly(p)) {
            assertTrue(base.isReadOnly());
            IOException e = assertThrows(IOException.class, () -> base.writeBlocks(0, 1, new byte[BS], 0));
            assertEquals("disk file " + p + " is a read-only base", e.getMessage());
            assertThrows(DiskException.class, () -> VirtualDisk.openReadOnly(p));
            assertThrows(DiskException.class, () -> VirtualDisk.open(p));
            byte[] b = new byte[2 * BS];
            base.readBlocks(0, 2, b, 0);
            assertArrayEquals(pattern(4, 2), b);
        }
        assertArrayEquals(before, fileBytes(p));
    }

    @Test
    void aFileShortenedBehindTheDisksBackIsAnIoErrorNotZeros() throws IOException {
        Path p = tmp.resolve("d.img");
        try (VirtualDisk d = VirtualDisk.create(p, 4)) {
            try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(2L * BS);
            }
            IOException e = assertThrows(IOException.class, () -> d.readBlocks(3, 1, new byte[BS], 0));
            assertTrue(e.getMessage().contains("ends at byte 8192"), e.getMessage());
        }
    }
}
