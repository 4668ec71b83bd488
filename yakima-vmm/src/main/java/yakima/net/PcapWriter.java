package yakima.net;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes Ethernet frames as a classic libpcap capture file, the format
 * {@code tcpdump -r} and Wireshark read.
 *
 * <pre>
 * global header, 24 bytes, once
 *   0  u32 magic 0xa1b2c3d4 (written little-endian; readers learn the byte order from it)
 *   4  u16 version major 2      6  u16 version minor 4
 *   8  i32 thiszone 0 (UTC)    12  u32 sigfigs 0
 *  16  u32 snaplen 65535       20  u32 linktype 1 (Ethernet)
 * record header, 16 bytes, before each frame
 *   0  u32 ts_sec  (seconds since the Unix epoch)
 *   4  u32 ts_usec (microseconds within that second)
 *   8  u32 incl_len (bytes of the frame in the file)
 *  12  u32 orig_len (bytes of the frame on the LAN)
 *  16  the frame, from its destination MAC, without FCS
 * </pre>
 *
 * <p>Not thread-safe: one thread at a time, the one that drains the
 * {@link PcapTap}. Writes go through a buffer; {@link #flush} pushes them to
 * the file. Blocking file I/O happens here, so never on the switch thread.
 */
public final class PcapWriter implements Closeable {
    public static final int MAGIC = 0xa1b2c3d4;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** Longest frame recorded whole; every frame of the LAN (at most 1514 bytes) fits. */
    public static final int SNAPLEN = 65535;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int GLOBAL_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;

    private static final int BUFFER_BYTES = 64 * 1024;

    private final OutputStream out;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    /** Creates (or truncates) {@code file} and writes the global header. */
    public static PcapWriter create(Path file) throws IOException {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file), BUFFER_BYTES));
    }

    /** Writes and flushes the global header to {@code out}, which this writer then owns and closes. */
    public PcapWriter(OutputStream out) throws IOException {
        this.out = out;
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
            .putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        out.write(header.array());
        // At once, so the file is a valid (empty) capture from the moment it exists.
        out.flush();
    }

    /** Appends one record: the frame seen at {@code timeEpochNs} nanoseconds since the Unix epoch. */
    public void write(long timeEpochNs, byte[] frame) throws IOException {
        long seconds = Math.floorDiv(timeEpochNs, 1_000_000_000L);
        long micros = Math.floorMod(timeEpochNs, 1_000_000_000L) / 1_000;
        int included = Math.min(frame.length, SNAPLEN);
        recordHeader.clear();
        recordHeader.putInt((int) seconds).putInt((int) micros).putInt(included).putInt(frame.length);
        out.write(recordHeader.array());
        out.write(frame, 0, included);
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes the file. */
    @Override
    public void close() throws IOException {
        out.close();
    }
}
