package yakima.swap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One section's raw bytes as {@link RecordReader} reads its fields, whether
 * the record stores them as they are or deflated. Nothing here trusts the
 * record: a field is handed out only if it lies within the raw length the
 * table gave (which the reader has already bounded), compressed bytes are
 * inflated only as fields are asked for, into a staging buffer of two
 * pages, and never beyond that raw length; so what a hostile record can
 * make the reader allocate is what it really decodes to, not what it
 * claims. {@link #end} then insists that the fields accounted for every raw
 * byte and that the compressed stream ended exactly there.
 *
 * <p>Every refusal is a {@link RecordException} naming the section.
 */
final class SectionInput {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The staging buffer a reader lends each deflated section: at least a page. */
    static final int STAGING_BYTES = 2 * Descriptor.PAGE_BYTES;

    private final SectionEntry entry;
    private final long rawBytes;
    /** Null when the section is stored as it is. */
    private final Inflater inflater;
    /** The record itself (stored), or the staging buffer (deflated). */
    private final byte[] buf;
    private int pos;
    private int limit;
    /** Raw bytes handed out as fields. */
    private long read;
    /** Raw bytes inflated so far. */
    private long inflated;

    /**
     * The section {@code entry} of {@code record}, which the reader has
     * checked lies inside the record, with a known codec and, when stored,
     * a raw length equal to its stored length.
     */
    SectionInput(byte[] record, SectionEntry entry, Inflater inflater, byte[] staging) {
        this.entry = entry;
        this.rawBytes = entry.rawBytes();
        if (entry.codec() == Descriptor.CODEC_NONE) {
            this.inflater = null;
            this.buf = record;
            this.pos = (int) entry.offset();
            this.limit = pos + (int) entry.storedBytes();
        } else {
            this.inflater = inflater;
            this.buf = staging;
            inflater.reset();
            inflater.setInput(record, (int) entry.offset(), (int) entry.storedBytes());
        }
    }

    int u8() throws RecordException {
        return buf[take(1)] & 0xFF;
    }

    int u16() throws RecordException {
        return (short) SHORT.get(buf, take(2)) & 0xFFFF;
    }

    /** A u32 field as Java's int: the same bits. */
    int s32() throws RecordException {
        return (int) INT.get(buf, take(4));
    }

    /** A u32 field as its value, 0 to 2^32-1. */
    long u32() throws RecordException {
        return Integer.toUnsignedLong(s32());
    }

    long s64() throws RecordException {
        return (long) LONG.get(buf, take(8));
    }

    /** The next {@code n} bytes; {@code n} is checked against what is left before anything is allocated. */
    byte[] bytes(int n) throws RecordException {
        if (n > rawBytes - read) {
            throw overrun(n);
        }
        byte[] out = new byte[n];
        for (int done = 0; done < n; ) {
            int chunk = Math.min(n - done, STAGING_BYTES);
            System.arraycopy(buf, take(chunk), out, done, chunk);
            done += chunk;
        }
        return out;
    }

    /** A page: {@code words.length} (at most 2048) little-endian words. */
    void words(int[] words) throws RecordException {
        int at = take(words.length * 4);
        for (int i = 0; i < words.length; i++) {
            words[i] = (int) INT.get(buf, at + 4 * i);
        }
    }

    /** A string field: valid UTF-8 of at most {@link Descriptor#MAX_STRING_BYTES}; null for "none" if {@code nullable}. */
    String string(String what, boolean nullable) throws RecordException {
        int n = u16();
        if (n == Descriptor.NO_STRING) {
            if (nullable) {
                return null;
            }
            throw fail(what + " is missing");
        }
        check(ImageLimits.stringBytes(what, n));
        byte[] utf8 = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw fail(what + " is not valid UTF-8");
        }
    }

    /** Refuses with {@code problem} (from {@link ImageLimits}) unless it is null. */
    void check(String problem) throws RecordException {
        if (problem != null) {
            throw fail(problem);
        }
    }

    /** The section named, and what is wrong with it. */
    RecordException fail(String problem) {
        return new RecordException("section " + entry.name() + ": " + problem);
    }

    /** After the last field: every raw byte was a field, and the compressed stream (if any) ends here. */
    void end() throws RecordException {
        if (read != rawBytes) {
            throw fail((rawBytes - read) + " of its " + rawBytes + " raw bytes are not part of any field");
        }
        if (inflater == null) {
            return;
        }
        // a stream may still hold its end marker after the last byte it decodes to: take it, or find more
        byte[] one = new byte[1];
        while (!inflater.finished()) {
            if (inflate(one, 0, 1) > 0) {
                throw fail("its compressed data decodes to more than the " + rawBytes + " raw bytes it claims");
            }
        }
        if (inflater.getRemaining() > 0) {
            throw fail(inflater.getRemaining() + " stored bytes follow the end of its compressed data");
        }
    }

    /** Makes {@code n} (at most {@link #STAGING_BYTES}) bytes available; returns where they are in {@link #buf}. */
    private int take(int n) throws RecordException {
        if (n > rawBytes - read) {
            throw overrun(n);
        }
        if (limit - pos < n) {
            refill(n);
        }
        int at = pos;
        pos += n;
        read += n;
        return at;
    }

    private RecordException overrun(int n) {
        return fail("a field of " + n + " bytes at raw byte " + read + " runs past its " + rawBytes + " raw bytes");
    }

    private void refill(int n) throws RecordException {
        if (inflater == null) { // a stored section's raw length is its stored length: take() already refused
            throw overrun(n);
        }
        System.arraycopy(buf, pos, buf, 0, limit - pos);
        limit -= pos;
        pos = 0;
        while (limit < n) {
            int want = (int) Math.min(buf.length - limit, rawBytes - inflated);
            int got = inflate(buf, limit, want);
            if (got == 0 && inflater.finished()) {
                throw fail("its compressed data ends after " + inflated + " of the " + rawBytes
                        + " raw bytes it claims");
            }
            limit += got;
            inflated += got;
        }
    }

    /** One call of the Inflater; refuses corrupt data, a preset dictionary, and a call that gets nowhere. */
    private int inflate(byte[] dst, int off, int len) throws RecordException {
        int remaining = inflater.getRemaining();
        int got;
        try {
            got = inflater.inflate(dst, off, len);
        } catch (DataFormatException e) {
            throw fail("its compressed data is corrupt (" + e.getMessage() + ")");
        }
        if (inflater.needsDictionary()) {
            throw fail("its compressed data asks for a preset dictionary");
        }
        if (got == 0 && !inflater.finished()) {
            if (inflater.needsInput()) {
                throw fail("its compressed data is cut short (it stops after " + inflated + " of the " + rawBytes
                        + " raw bytes it claims, without an end)");
            }
            if (inflater.getRemaining() == remaining) {
                throw fail("its compressed data makes no progress");
            }
        }
        return got;
    }
}
