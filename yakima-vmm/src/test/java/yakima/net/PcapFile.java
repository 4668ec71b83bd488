package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A classic pcap file read back by the tests, independently of {@link PcapWriter}'s code. */
record PcapFile(int versionMajor, int versionMinor, int thisZone, int sigFigs, int snapLen, int linkType,
                List<Record> records) {

    record Record(long seconds, long micros, int includedLength, int originalLength, byte[] bytes) {
    }

    static PcapFile read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    static PcapFile parse(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, in.getInt(), "magic (little-endian, microsecond time stamps)");
        int major = Short.toUnsignedInt(in.getShort());
        int minor = Short.toUnsignedInt(in.getShort());
        int zone = in.getInt();
        int sigFigs = in.getInt();
        int snapLen = in.getInt();
        int linkType = in.getInt();
        List<Record> records = new ArrayList<>();
        while (in.hasRemaining()) {
            long seconds = Integer.toUnsignedLong(in.getInt());
            long micros = Integer.toUnsignedLong(in.getInt());
            int included = in.getInt();
            int original = in.getInt();
            byte[] frame = new byte[included];
            in.get(frame);
            records.add(new Record(seconds, micros, included, original, frame));
        }
        return new PcapFile(major, minor, zone, sigFigs, snapLen, linkType, records);
    }
}
