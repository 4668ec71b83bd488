package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static yakima.swap.TestRecords.record;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.swap.SwapStoreException.Kind;

/** The swap store on the real file system: what the host relies on, one behaviour per test. */
class SwapStoreTest {
    private static final long LIMIT_BYTES = 1 << 20;
    private static final int BLOCK = SpaceAccount.BLOCK_BYTES;
    /** The largest record that fits one 4 KiB block with its header. */
    private static final int ONE_BLOCK_RECORD = BLOCK - RecordFileHeader.BYTES;

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("yakima-swap");
    }

    private SwapStore open() throws SwapStoreException {
        return SwapStore.open(dir(), LIMIT_BYTES);
    }

    private static void write(SwapStore store, int vmId, byte[] record) throws SwapStoreException {
        store.write(vmId, record, 0, record.length);
    }

    private static SwapStoreException readFails(SwapStore store, int vmId) {
        return assertThrows(SwapStoreException.class, () -> store.read(vmId));
    }

    @Test
    void aRecordReadsBackAsWrittenFromItsFileInTheVmsFolder() throws IOException {
        byte[] buffer = record(1, 7000);
        try (SwapStore store = open()) {
            store.write(5000, buffer, 100, 6000);
            assertArrayEquals(Arrays.copyOfRange(buffer, 100, 6100), store.read(5000));
            assertTrue(store.contains(5000));
            assertEquals(1, store.records());
            assertEquals(1, store.count(SwapStoreCounter.WRITES));
        }
        // 5000 / 4096 = 1: folder 00001, as docs/swap-store.md says.
        Path file = dir().resolve("00001").resolve("vm-5000.rec");
        assertEquals(RecordFileHeader.BYTES + 6000, Files.size(file));
    }

    @Test
    void anOverwriteReplacesTheRecordAndItsDiskUse() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 12000));
            write(store, 1, record(2, 3000));
            assertArrayEquals(record(2, 3000), store.read(1));
            assertEquals(1, store.records());
            assertEquals(BLOCK, store.usedBytes());
        }
    }

    @Test
    void aDeletedRecordIsGoneAndItsSpaceFree() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 6000));
            write(store, 2, record(2, 6000));
            assertTrue(store.delete(1));
            assertEquals(Kind.NOT_FOUND, readFails(store, 1).kind());
            assertFalse(store.contains(1));
            assertFalse(store.delete(1), "nothing left to delete");
            assertArrayEquals(record(2, 6000), store.read(2));
            assertEquals(1, store.records());
            assertEquals(2 * BLOCK, store.usedBytes());
            assertEquals(1, store.count(SwapStoreCounter.DELETES));
        }
        assertFalse(Files.exists(dir().resolve("00000").resolve("vm-1.rec")));
    }

    @Test
    void aVmWithNoRecordIsNotFound() throws IOException {
        try (SwapStore store = open()) {
            SwapStoreException e = readFails(store, 42);
            assertEquals(Kind.NOT_FOUND, e.kind());
            assertEquals(42, e.vmId());
            assertEquals("no record of vm-42 in the swap store", e.getMessage());
            assertFalse(store.contains(42));
        }
    }

    @Test
    void idsRecordsAndUsedBytesAreRecoveredOnReopen() throws IOException {
        int[] ids = {0, 1, 4095, 4096, 999_999, Integer.MAX_VALUE};
        long used;
        try (SwapStore store = open()) {
            for (int id : ids) {
                write(store, id, record(id, 2000 + id % 10_000));
            }
            used = store.usedBytes();
            store.delete(4095);
        }
        try (SwapStore store = open()) {
            assertArrayEquals(new int[] {0, 1, 4096, 999_999, Integer.MAX_VALUE}, store.ids());
            assertEquals(5, store.records());
            assertEquals(used - SpaceAccount.chargeFor(RecordFileHeader.BYTES + 2000 + 4095), store.usedBytes());
            assertArrayEquals(record(999_999, 2000 + 999_999 % 10_000), store.read(999_999));
        }
    }

    @Test
    void diskUseIsCountedInWhole4KiBBlocksIncludingTheHeader() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, ONE_BLOCK_RECORD));
            assertEquals(BLOCK, store.usedBytes());
            write(store, 2, record(2, ONE_BLOCK_RECORD + 1));
            assertEquals(BLOCK + 2 * BLOCK, store.usedBytes());
            write(store, 3, new byte[0]);
            assertEquals(4 * BLOCK, store.usedBytes());
            assertArrayEquals(new byte[0], store.read(3));
        }
    }

    @Test
    void aWriteOverTheLimitIsRefusedAsFullAndKeepsTheOldRecord() throws IOException {
        byte[] old = record(1, 6000); // 2 blocks
        try (SwapStore store = SwapStore.open(dir(), 4 * BLOCK)) {
            write(store, 1, old);
            // 3 blocks would be left on disk after the rename, but the old 2 and the new 3 exist at once before it.
            SwapStoreException e = assertThrows(SwapStoreException.class, () -> write(store, 1, record(2, 10_000)));
            assertEquals(Kind.FULL, e.kind());
            assertEquals(1, e.vmId());
            assertEquals("vm-1 not written: its record needs 12288 bytes on disk and the swap store has 8192 of its "
                    + "limit of 16384 bytes free", e.getMessage());
            assertArrayEquals(old, store.read(1));
            assertEquals(2 * BLOCK, store.usedBytes());
            assertEquals(1, store.count(SwapStoreCounter.REFUSED_FULL));
            assertEquals(List.of("vm-1.rec"), names(dir().resolve("00000")));

            // Old and new together fit exactly: allowed, and afterwards only the new counts.
            write(store, 1, record(3, 7000));
            assertEquals(2 * BLOCK, store.usedBytes());
            write(store, 2, record(4, 7000));
            assertEquals(4 * BLOCK, store.usedBytes());
        }
    }

    @Test
    void aFullFileSystemIsRefusedAsFullAndKeepsTheOldRecord() throws IOException {
        // A temp file that is a link to /dev/full makes the kernel answer the
        // store's write with a real ENOSPC.
        Path devFull = Path.of("/dev/full");
        assumeTrue(Files.isWritable(devFull), "needs Linux's /dev/full");
        byte[] old = record(1, 6000);
        try (SwapStore store = open()) {
            write(store, 1, old);
            Path temp = dir().resolve("00000").resolve("vm-1.tmp");
            Files.createSymbolicLink(temp, devFull);

            SwapStoreException e = assertThrows(SwapStoreException.class, () -> write(store, 1, record(2, 9000)));
            assertEquals(Kind.FULL, e.kind());
            assertTrue(e.getMessage().startsWith("vm-1 not written, the file system is full: "), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertArrayEquals(old, store.read(1));
            assertFalse(Files.exists(temp, LinkOption.NOFOLLOW_LINKS), "the temp file is removed");
            assertEquals(2 * BLOCK, store.usedBytes());
            assertEquals(1, store.records());
        }
    }

    @Test
    void aTruncatedRecordFailsOnlyItsOwnVm() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 6000));
            write(store, 2, record(2, 6000));
            truncate(dir().resolve("00000").resolve("vm-1.rec"), RecordFileHeader.BYTES + 4096);

            SwapStoreException e = readFails(store, 1);
            assertEquals(Kind.CORRUPT, e.kind());
            assertEquals("record of vm-1 is truncated (4096 of 6000 bytes)", e.getMessage());
            assertArrayEquals(record(2, 6000), store.read(2));
            assertEquals(1, store.count(SwapStoreCounter.CORRUPT_READS));

            truncate(dir().resolve("00000").resolve("vm-1.rec"), 10);
            assertEquals("record file of vm-1 is truncated (10 of 24 header bytes)", readFails(store, 1).getMessage());
        }
    }

    @Test
    void aFlippedBitFailsOnlyItsOwnVm() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 6000));
            write(store, 2, record(2, 6000));
            write(store, 3, record(3, 6000));
            flipBit(dir().resolve("00000").resolve("vm-1.rec"), RecordFileHeader.BYTES + 3000);
            flipBit(dir().resolve("00000").resolve("vm-3.rec"), RecordFileHeader.LENGTH_OFFSET);

            SwapStoreException payload = readFails(store, 1);
            assertEquals(Kind.CORRUPT, payload.kind());
            assertEquals("record of vm-1 is damaged (checksum mismatch)", payload.getMessage());
            SwapStoreException header = readFails(store, 3);
            assertEquals(Kind.CORRUPT, header.kind());
            assertEquals("record file of vm-3 has a damaged header (checksum mismatch)", header.getMessage());
            assertArrayEquals(record(2, 6000), store.read(2));
        }
    }

    @Test
    void aRecordFileUnderAnotherVmsNameIsCorrupt() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 3000));
            write(store, 2, record(2, 3000));
            Path folder = dir().resolve("00000");
            Files.copy(folder.resolve("vm-1.rec"), folder.resolve("vm-2.rec"),
                    StandardCopyOption.REPLACE_EXISTING);
            assertEquals("record file of vm-2 holds the record of vm-1", readFails(store, 2).getMessage());
            assertArrayEquals(record(1, 3000), store.read(1));
        }
    }

    @Test
    void aTempFileLeftByAnEarlierRunIsRemovedOnOpen() throws IOException {
        try (SwapStore store = open()) {
            write(store, 3, record(3, 5000));
        }
        Path folder = dir().resolve("00000");
        Files.write(folder.resolve("vm-3.tmp"), record(9, 1234)); // a write of vm-3 the crash interrupted
        Files.createDirectories(dir().resolve("00007"));
        Files.write(dir().resolve("00007").resolve("vm-30000.tmp"), new byte[10]); // the first write in a folder
        try (SwapStore store = open()) {
            assertEquals(List.of("vm-3.rec"), names(folder));
            assertEquals(List.of(), names(dir().resolve("00007")));
            assertEquals(2, store.count(SwapStoreCounter.TEMP_FILES_REMOVED));
            assertArrayEquals(record(3, 5000), store.read(3));
            assertEquals(1, store.records());
            assertEquals(2 * BLOCK, store.usedBytes());
        }
    }

    @Test
    void filesThatAreNotTheStoresAreNeitherCountedNorRemoved() throws IOException {
        try (SwapStore store = open()) {
            write(store, 1, record(1, 3000));
        }
        List<Path> foreign = List.of(
                dir().resolve("README"),
                dir().resolve("00001"),                    // a file where a folder could be
                dir().resolve("lost+found").resolve("x.tmp"),
                dir().resolve("00000").resolve("vm-01.rec"), // not the one name of vm-1
                dir().resolve("00000").resolve("vm-5000.rec"), // belongs in folder 00001
                dir().resolve("00000").resolve("notes.txt"));
        for (Path file : foreign) {
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[100]);
        }
        try (SwapStore store = open()) {
            assertArrayEquals(new int[] {1}, store.ids());
            assertEquals(1, store.records());
            assertEquals(BLOCK, store.usedBytes());
            write(store, 2, record(2, 3000));
        }
        for (Path file : foreign) {
            assertTrue(Files.exists(file), file + " is still there");
        }
    }

    @Test
    void aStoreReopenedUnderASmallerLimitRefusesWritesUntilDeletesMakeRoom() throws IOException {
        try (SwapStore store = open()) {
            for (int id = 1; id <= 4; id++) {
                write(store, id, record(id, ONE_BLOCK_RECORD));
            }
        }
        try (SwapStore store = SwapStore.open(dir(), 2 * BLOCK)) {
            assertEquals(4 * BLOCK, store.usedBytes(), "what is on disk, even over the limit");
            assertEquals(2 * BLOCK, store.limitBytes());
            assertEquals(Kind.FULL, assertThrows(SwapStoreException.class,
                    () -> write(store, 5, record(5, 100))).kind());
            assertArrayEquals(record(3, ONE_BLOCK_RECORD), store.read(3), "reads still work");
            store.delete(1);
            store.delete(2);
            store.delete(3);
            write(store, 5, record(5, 100));
            assertEquals(2 * BLOCK, store.usedBytes());
        }
    }

    @Test
    void concurrentWritersToDifferentVmsNeverTakeTheStorePastItsLimit() throws Exception {
        // In memory, so the threads race on the accounting rather than wait on fsync.
        FakeFiles fs = new FakeFiles(Path.of("/fake"));
        int threads = 4;
        int writesPerThread = 25;
        int fits = 30;
        try (SwapStore store = SwapStore.open(Path.of("/fake/yakima-swap"), fits * (long) BLOCK, fs)) {
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger written = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t * 10_000; // each thread its own VMs, in its own folders
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < writesPerThread; i++) {
                            try {
                                write(store, first + i, record(first + i, ONE_BLOCK_RECORD));
                                written.incrementAndGet();
                            } catch (SwapStoreException e) {
                                assertEquals(Kind.FULL, e.kind());
                                refused.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            start.countDown();
            for (Thread writer : writers) {
                writer.join();
            }
            assertEquals(fits, written.get());
            assertEquals(threads * writesPerThread - fits, refused.get());
            assertEquals(fits, store.records());
            assertEquals(fits * (long) BLOCK, store.usedBytes());
            assertEquals(fits, store.ids().length);
            assertEquals(fits, fs.files().size(), "no temp files, one file per record");
        }
    }

    @Test
    void misuseIsRefusedWithoutTouchingTheStore() throws IOException {
        SwapStore store = open();
        write(store, 1, record(1, 100));
        assertThrows(IllegalArgumentException.class, () -> store.write(-1, new byte[10], 0, 10));
        assertThrows(IllegalArgumentException.class, () -> store.read(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> store.write(2, new byte[10], 5, 6));
        assertThrows(IllegalArgumentException.class, () -> SwapStore.open(dir(), 0));
        store.close();
        assertThrows(IllegalStateException.class, () -> store.read(1));
        assertThrows(IllegalStateException.class, () -> write(store, 2, new byte[10]));
        try (SwapStore again = open()) {
            assertArrayEquals(new int[] {1}, again.ids());
        }
    }

    @Test
    void aStoreThatCannotBeCreatedSaysWhere() throws IOException {
        Path file = tmp.resolve("not-a-directory");
        Files.write(file, new byte[1]);
        SwapStoreException e = assertThrows(SwapStoreException.class,
                () -> SwapStore.open(file.resolve("yakima-swap"), LIMIT_BYTES));
        assertEquals(Kind.IO, e.kind());
        assertTrue(e.getMessage().startsWith("cannot open swap store " + file.resolve("yakima-swap") + ": "),
                e.getMessage());
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void truncate(Path file, long sizeBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(sizeBytes);
        }
    }

    private static void flipBit(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x10;
        Files.write(file, bytes);
    }
}
