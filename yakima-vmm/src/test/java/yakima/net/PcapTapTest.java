package yakima.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapTapTest {
    @TempDir
    Path dir;

    /** 2026-01-02T03:04:05.123456789Z, then 1.5 ms later on each reading. */
    private final long[] nowNs = {1_767_323_045_123_456_789L};

    private long tick() {
        long now = nowNs[0];
        nowNs[0] += 1_500_000;
        return now;
    }

    @Test
    void theLanIsRecordedAsAClassicPcapFile() throws IOException {
        Path file = dir.resolve("lan.pcap");
        PcapTap tap = PcapTap.open(file, 16, this::tick);
        VirtualSwitch lan = new VirtualSwitch();
        lan.setTap(tap);
        VirtualNic a = new VirtualNic(MacAddress.parse("02:00:00:00:00:01"), Ipv4Address.parse("10.0.0.1"),
            RxListener.NONE);
        VirtualNic b = new VirtualNic(MacAddress.parse("02:00:00:00:00:02"), Ipv4Address.parse("10.0.0.2"),
            RxListener.NONE);
        VirtualNic c = new VirtualNic(MacAddress.parse("02:00:00:00:00:03"), Ipv4Address.parse("10.0.0.3"),
            RxListener.NONE);
        lan.attach(a);
        lan.attach(b);
        lan.attach(c);

        List<byte[]> forwarded = List.of(TestFrames.arpRequest(a, b.ipv4()), TestFrames.arpReply(b, a),
            TestFrames.ipv4(a, b, 1514, 3), TestFrames.ipv4(b, a, 60, 4));
        byte[] spoofed = TestFrames.ipv4(b.mac(), a.mac(), c.ipv4(), b.ipv4(), 60, 5);
        a.send(forwarded.get(0), forwarded.get(0).length);
        lan.pump(10);
        b.send(forwarded.get(1), forwarded.get(1).length);
        lan.pump(10);
        a.send(spoofed, spoofed.length);
        a.send(forwarded.get(2), forwarded.get(2).length);
        lan.pump(10);
        b.send(forwarded.get(3), forwarded.get(3).length);
        lan.pump(10);
        assertEquals(4, lan.framesForwarded());

        assertEquals(24, Files.size(file), "nothing but the header before the writer runs");
        assertEquals(4, tap.doWork());
        assertEquals(0, tap.doWork());
        assertEquals(24 + 4 * 16 + 42 + 42 + 1514 + 60, Files.size(file), "flushed once the queue ran empty");
        tap.close();

        PcapFile pcap = PcapFile.read(file);
        assertEquals(2, pcap.versionMajor());
        assertEquals(4, pcap.versionMinor());
        assertEquals(0, pcap.thisZone());
        assertEquals(0, pcap.sigFigs());
        assertEquals(65535, pcap.snapLen());
        assertEquals(1, pcap.linkType());
        assertEquals(4, pcap.records().size(), "the broadcast once, the spoofed frame not at all");
        for (int i = 0; i < 4; i++) {
            PcapFile.Record record = pcap.records().get(i);
            assertArrayEquals(forwarded.get(i), record.bytes());
            assertEquals(forwarded.get(i).length, record.includedLength());
            assertEquals(forwarded.get(i).length, record.originalLength());
            assertEquals(1_767_323_045L, record.seconds());
            assertEquals(123_456 + 1_500 * i, record.micros());
        }
        assertEquals(4, tap.framesWritten());
        assertEquals(0, tap.droppedQueueFull() + tap.droppedAfterClose() + tap.droppedWriteFailed());
    }

    @Test
    void closeWritesEverythingStillQueued() throws IOException {
        Path file = dir.resolve("queued.pcap");
        PcapTap tap = PcapTap.open(file, 1024, this::tick);
        for (int i = 0; i < 600; i++) {
            tap.frameForwarded(frame(i));
        }
        tap.close();
        List<PcapFile.Record> records = PcapFile.read(file).records();
        assertEquals(600, records.size());
        for (int i = 0; i < 600; i++) {
            assertArrayEquals(frame(i), records.get(i).bytes());
        }
        tap.close();
        assertEquals(600, tap.framesWritten(), "a second close does nothing");
    }

    @Test
    void aWriterThatFallsBehindLosesFramesCountedNeverBlocksTheSwitch() throws IOException {
        Path file = dir.resolve("full.pcap");
        PcapTap tap = PcapTap.open(file, 4, this::tick);
        for (int i = 0; i < 7; i++) {
            tap.frameForwarded(frame(i));
        }
        assertEquals(3, tap.droppedQueueFull());
        tap.close();
        tap.frameForwarded(frame(8));
        assertEquals(1, tap.droppedAfterClose());
        assertEquals(4, PcapFile.read(file).records().size());
        assertEquals(4, tap.framesWritten());
    }

    @Test
    void aWriteErrorIsKeptAndTheFramesItCostAreCounted() throws IOException {
        IOException diskFull = new IOException("disk full");
        OutputStream failing = new OutputStream() {
            private int bytes;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] data, int off, int len) throws IOException {
                if (bytes + len > 24 + 16 + 60) {
                    throw diskFull;
                }
                bytes += len;
            }
        };
        PcapTap tap = new PcapTap(new PcapWriter(failing), 8, this::tick);
        for (int i = 0; i < 3; i++) {
            tap.frameForwarded(frame(i));
        }
        assertEquals(3, tap.doWork());
        assertEquals(1, tap.framesWritten());
        assertEquals(2, tap.droppedWriteFailed());
        assertSame(diskFull, tap.failure());
        assertSame(diskFull, assertThrows(IOException.class, tap::close));
        tap.onClose();
        assertEquals("pcap-tap", tap.roleName());
    }

    @Test
    void theWriterLaysOutHeaderAndRecordsInLittleEndian() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(out)) {
            writer.write(2_000_000_999L, new byte[] {1, 2, 3});     // 2 s + 999 ns: rounds down to 0 us
            writer.write(-1L, new byte[] {4});                       // before the epoch: 1969, 999999 us
        }
        byte[] expected = {
            (byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0, 4, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            (byte) 0xff, (byte) 0xff, 0, 0, 1, 0, 0, 0,
            2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3,
            -1, -1, -1, -1, 0x3f, 0x42, 0x0f, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4
        };
        assertArrayEquals(expected, out.toByteArray());
        assertEquals(2, PcapFile.parse(out.toByteArray()).records().size());
    }

    @Test
    void theQueueCapacityIsChecked() {
        assertEquals("queueCapacity 5 must be a power of two from 4 to 65536",
            assertThrows(IllegalArgumentException.class,
                () -> PcapTap.open(dir.resolve("x.pcap"), 5, this::tick)).getMessage());
    }

    private static byte[] frame(int n) {
        byte[] frame = new byte[60 + n % 7];
        frame[0] = (byte) n;
        frame[59] = (byte) (n >>> 8);
        return frame;
    }
}
