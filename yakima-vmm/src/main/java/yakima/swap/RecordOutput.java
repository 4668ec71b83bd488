package yakima.swap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.Deflater;

/**
 * A record's bytes as {@link RecordWriter} builds them: room for the header
 * and section table first, then the sections one at a time. Between
 * {@link #begin} and {@link #end} the writer puts a section's fields in;
 * they are staged in a small buffer and go into the record either as they
 * are or through the {@link Deflater}, so a VM's pages are compressed as
 * one stream without ever being laid out uncompressed in one big array.
 *
 * <p>One thread; not reusable after {@link #toArray}.
 */
final class RecordOutput {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Two pages: a page goes in with one copy. */
    private static final int STAGING_BYTES = 2 * Descriptor.PAGE_BYTES;
    /** Room left for each call of the Deflater; the record grows when there is less. */
    private static final int DEFLATE_ROOM = 1024;
    /** What a Java array can hold, less the VM's header words. */
    private static final int MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

    private final Deflater deflater;
    private final byte[] staging = new byte[STAGING_BYTES];
    private int staged;
    private byte[] out;
    private int length;

    private int type = -1;
    private int codec;
    private int start;
    private long raw;

    /** A record whose first {@code reserved} bytes (header and table) the writer fills in at the end. */
    RecordOutput(int reserved, int expectedBytes, Deflater deflater) {
        this.deflater = deflater;
        this.out = new byte[Math.max(reserved, expectedBytes)];
        this.length = reserved;
    }

    /** Starts a section of {@code type}, stored with {@code codec}. */
    void begin(int type, int codec) {
        if (this.type != -1) {
            throw new IllegalStateException("section " + Descriptor.sectionName(this.type) + " is not ended");
        }
        this.type = type;
        this.codec = codec;
        this.start = length;
        this.raw = 0;
        if (codec == Descriptor.CODEC_DEFLATE) {
            deflater.reset();
        }
    }

    void u8(int v) {
        room(1);
        staging[staged++] = (byte) v;
        raw += 1;
    }

    void u16(int v) {
        room(2);
        SHORT.set(staging, staged, (short) v);
        staged += 2;
        raw += 2;
    }

    void u32(int v) {
        room(4);
        INT.set(staging, staged, v);
        staged += 4;
        raw += 4;
    }

    void u64(long v) {
        room(8);
        LONG.set(staging, staged, v);
        staged += 8;
        raw += 8;
    }

    void bytes(byte[] b) {
        for (int done = 0; done < b.length; ) {
            room(1);
            int n = Math.min(b.length - done, STAGING_BYTES - staged);
            System.arraycopy(b, done, staging, staged, n);
            staged += n;
            done += n;
        }
        raw += b.length;
    }

    /** A page: its words as little-endian bytes. */
    void words(int[] w) {
        room(w.length * 4);
        for (int v : w) {
            INT.set(staging, staged, v);
            staged += 4;
        }
        raw += w.length * 4L;
    }

    /** Ends the section: its table entry, with the CRC32C of what it stored. */
    SectionEntry end() {
        flush();
        if (codec == Descriptor.CODEC_DEFLATE) {
            deflater.finish();
            while (!deflater.finished()) {
                deflateSome();
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(out, start, length - start);
        SectionEntry e = new SectionEntry(type, codec, start, length - start, raw, (int) crc.getValue());
        type = -1;
        return e;
    }

    /** The record, header and table still to be filled in. */
    byte[] toArray() {
        return out.length == length ? out : Arrays.copyOf(out, length);
    }

    private void room(int n) {
        if (STAGING_BYTES - staged < n) {
            flush();
        }
    }

    private void flush() {
        if (staged == 0) {
            return;
        }
        if (codec == Descriptor.CODEC_DEFLATE) {
            deflater.setInput(staging, 0, staged);
            while (!deflater.needsInput()) {
                deflateSome();
            }
        } else {
            grow(staged);
            System.arraycopy(staging, 0, out, length, staged);
            length += staged;
        }
        staged = 0;
    }

    private void deflateSome() {
        grow(DEFLATE_ROOM);
        length += deflater.deflate(out, length, out.length - length);
    }

    private void grow(int need) {
        if (out.length - length >= need) {
            return;
        }
        long want = Math.max((long) length + need, 2L * out.length);
        if ((long) length + need > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("the record would be over " + MAX_RECORD_BYTES + " bytes");
        }
        out = Arrays.copyOf(out, (int) Math.min(want, MAX_RECORD_BYTES));
    }
}
