package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a host reads when it adopts a store after a restart: a record's
 * summary, clone manifests and tombstones (all untrusted), and the store's
 * lock and its check for a directory that is not a store.
 */
class StoreAdoptionFormatsTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- summary

    @Test
    void aSummaryTellsWhatTheFullReadTells() throws Exception {
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            VmImage image = i == 0 ? RecordFormatTest.full() : TestImages.random(r);
            byte[] record = RecordWriter.write(image);
            RecordSummary s = RecordReader.summary(record);
            VmImage read = RecordReader.read(record);
            assertEquals(new RecordSummary(read.id(), read.name(), read.imageName(), read.memSizeBytes(), read.idle(),
                    read.vmTimeNs(), read.idleDeadlineVmNs()), s);
        }
    }

    @Test
    void aSummaryRefusesEveryTruncationAndEveryFlippedBitWithARecordException() {
        byte[] good = RecordWriter.write(RecordFormatTest.full());
        for (int n = 0; n < good.length; n++) {
            byte[] cut = Arrays.copyOf(good, n);
            assertThrows(RecordException.class, () -> RecordReader.summary(cut), "truncated to " + n);
        }
        for (int bit = 0; bit < good.length * 8; bit += 7) {
            byte[] flipped = good.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(RecordException.class, () -> RecordReader.summary(flipped), "bit " + bit);
        }
    }

    @Test
    void damageBehindGoodChecksumsIsRefusedOrSummarizedAsTheReaderWouldNeverAnythingElse() {
        Random r = new Random(13);
        byte[] good = RecordWriter.write(RecordFormatTest.full());
        for (int i = 0; i < 20_000; i++) {
            byte[] record = HandRecord.damagedAndResigned(good, r);
            RecordSummary s;
            try {
                s = RecordReader.summary(record);
            } catch (RecordException e) {
                assertThrows(RecordException.class, () -> RecordReader.read(record), "the reader refuses it too");
                continue;
            } catch (Throwable t) {
                fail("run " + i + ": the summary threw " + t, t);
                return;
            }
            try {
                VmImage read = RecordReader.read(record);
                assertEquals(read.id(), s.id());
                assertEquals(read.imageName(), s.imageName());
                assertEquals(read.memSizeBytes(), s.memSizeBytes());
                assertEquals(read.vmTimeNs(), s.vmTimeNs());
            } catch (RecordException e) {
                // a summary does not decode the pages: the full read may still refuse
            }
        }
    }

    // ---------------------------------------------------------------- clone manifest

    @Test
    void aManifestRoundTrips() throws Exception {
        CloneManifest m = new CloneManifest(1 << 24, 2, 99_999, "httpd", 4 << 20);
        assertEquals(m, CloneManifest.decode(m.encode()));
        assertEquals(100_000, m.lastId());
        assertTrue(m.covers(2) && m.covers(100_000) && !m.covers(1) && !m.covers(100_001));
        CloneManifest unicode = new CloneManifest(0, 0xFFFFFF, 1, "/images/\u00e9t\u00e9 \ud83d\ude00.elf", 4096);
        assertEquals(unicode, CloneManifest.decode(unicode.encode()));
    }

    @Test
    void aManifestThatIsNotOneIsRefusedWithTheReason() {
        byte[] good = new CloneManifest(1 << 24, 2, 10, "httpd", 1 << 20).encode();
        assertEquals("clone manifest truncated: 29 bytes, shorter than 30", refused(Arrays.copyOf(good, 29)));
        assertEquals("clone manifest is 34 bytes, not the 35 its image name makes", refused(Arrays.copyOf(good, 34)));
        assertEquals("clone manifest is 36 bytes, not the 35 its image name makes", refused(Arrays.copyOf(good, 36)));
        assertEquals("not a clone manifest (bad magic)", refused(changed(good, b -> b.put(3, (byte) 'R'))));
        assertEquals("unsupported clone manifest version 2 (this build reads version 1)",
                refused(changed(good, b -> b.putShort(8, (short) 2))));
        assertEquals("clone manifest has unknown flags 0x0001", refused(changed(good, b -> b.putShort(10, (short) 1))));
        assertEquals("clone manifest: template record id 4294967295 is out of range",
                refused(changed(good, b -> b.putInt(12, -1))));
        assertEquals("clone manifest: clone ids 0 + 10 are outside 1..16777215", refused(changed(good, b -> b.putInt(16, 0))));
        assertEquals("clone manifest: clone ids 16777210 + 10 are outside 1..16777215",
                refused(changed(good, b -> b.putInt(16, 16_777_210))));
        assertEquals("clone manifest: clone ids 2 + 0 are outside 1..16777215", refused(changed(good, b -> b.putInt(20, 0))));
        assertEquals("clone manifest: memory size 4097 is not a positive multiple of 4096 of at most 1 GiB",
                refused(changed(good, b -> b.putInt(24, 4097))));
        assertEquals("clone manifest: image name of 0 bytes (1 to 4096)", refused(changed(good, b -> b.putShort(28, (short) 0))));
        assertEquals("clone manifest: image name is not valid UTF-8", refused(changed(good, b -> b.put(30, (byte) 0xC0))));
    }

    @Test
    void randomBytesAreRefusedOrDecodedNeverAnythingElse() {
        Random r = new Random(3);
        byte[] good = new CloneManifest(1 << 24, 2, 10, "httpd", 1 << 20).encode();
        for (int i = 0; i < 20_000; i++) {
            byte[] m = Arrays.copyOf(good, Math.max(0, good.length + r.nextInt(7) - 3));
            for (int k = 1 + r.nextInt(3); k > 0; k--) {
                if (m.length > 0) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                }
            }
            try {
                CloneManifest d = CloneManifest.decode(m);
                assertEquals(d, CloneManifest.decode(d.encode()), "what decodes, encodes the same");
            } catch (RecordException e) {
                // refused, with a reason
            } catch (Throwable t) {
                fail("run " + i + ": decode threw " + t, t);
            }
        }
    }

    @Test
    void aTombstoneIsExactlyOne() {
        assertTrue(Tombstone.is(Tombstone.bytes()));
        assertFalse(Tombstone.is(Arrays.copyOf(Tombstone.bytes(), 13)));
        assertFalse(Tombstone.is(RecordWriter.write(TestImages.minimal())));
        assertFalse(Tombstone.is(new CloneManifest(1 << 24, 2, 10, "httpd", 1 << 20).encode()));
        byte[] t = Tombstone.bytes();
        t[0] = 0;
        assertTrue(Tombstone.is(Tombstone.bytes()), "a copy each time: changing one changes nothing");
    }

    private static String refused(byte[] manifest) {
        return assertThrows(RecordException.class, () -> CloneManifest.decode(manifest)).getMessage();
    }

    private static byte[] changed(byte[] bytes, java.util.function.Consumer<ByteBuffer> change) {
        byte[] copy = bytes.clone();
        change.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
        return copy;
    }

    // ---------------------------------------------------------------- the store's lock, and foreign directories

    @Test
    void aStoreLocksItsDirectoryUntilItIsClosed() throws Exception {
        Path dir = tmp.resolve("swap");
        SwapStore store = SwapStore.open(dir, 1 << 20);
        SwapStoreException e = assertThrows(SwapStoreException.class, () -> SwapStore.open(dir, 1 << 20));
        assertEquals(SwapStoreException.Kind.IN_USE, e.kind());
        assertEquals("swap store " + dir.toAbsolutePath() + " is in use by another host (process "
                + ProcessHandle.current().pid() + "): it holds " + dir.toAbsolutePath().resolve("yakima-swap.lock"),
                e.getMessage());
        store.write(1, new byte[] {1, 2, 3}, 0, 3);
        store.close();
        store.close(); // twice is harmless
        try (SwapStore again = SwapStore.open(dir, 1 << 20)) {
            assertArrayEquals(new byte[] {1, 2, 3}, again.read(1));
            assertArrayEquals(new int[] {1}, again.ids(), "the lock file is not a record");
        }
    }

    @Test
    void aRefusedOpenTouchesNothing() throws Exception {
        Path dir = tmp.resolve("swap");
        try (SwapStore store = SwapStore.open(dir, 1 << 20)) {
            store.write(1, new byte[] {1}, 0, 1);
            Path temp = dir.resolve("00000").resolve("vm-1.tmp"); // as a write under way leaves it
            Files.write(temp, new byte[10]);
            assertThrows(SwapStoreException.class, () -> SwapStore.open(dir, 1 << 20));
            assertTrue(Files.exists(temp), "the running host's temp file is not removed by a second one");
        }
    }

    @Test
    void onlyAStoresOwnNamesAreNotForeign() throws Exception {
        Path dir = tmp.resolve("swap");
        assertEquals(List.of(), SwapStore.foreignEntries(dir), "missing: a new store");
        Files.createDirectories(dir);
        assertEquals(List.of(), SwapStore.foreignEntries(dir), "empty");
        try (SwapStore store = SwapStore.open(dir, 1 << 20)) {
            store.write(5000, new byte[] {1}, 0, 1);
        }
        Files.createDirectories(dir.resolve("lost+found"));
        assertEquals(List.of(), SwapStore.foreignEntries(dir), "folders, the lock file and lost+found");
        Files.write(dir.resolve("README"), new byte[1]);
        Files.write(dir.resolve("00002"), new byte[1]); // a file where a folder could be
        Files.createDirectories(dir.resolve("photos"));
        assertEquals(List.of("00002", "README", "photos"), SwapStore.foreignEntries(dir));
        assertThrows(SwapStoreException.class, () -> SwapStore.foreignEntries(dir.resolve("README")));
    }
}
