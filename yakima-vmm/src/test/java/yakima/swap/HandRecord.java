package yakima.swap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A record taken apart and put back together by hand, following the layout
 * as docs/swap-record.md gives it (not the writer's code): for tests that
 * need records whose checksums are right but whose contents are not, so
 * that they reach the reader's checks behind the checksums.
 *
 * <p>{@link #parse} splits a record into its sections' raw (decoded) bytes;
 * a test changes a section's raw bytes, its table fields or the header
 * fields; {@link #assemble} lays them out again, compressing as each
 * section's codec says, and computes every CRC. For damage that assembly
 * would undo (a section's offset, overlaps), {@link #resign} recomputes the
 * CRCs of a record a test has poked at directly.
 */
final class HandRecord {
    /** One section; the table fields other than type and codec come from {@code raw} unless overridden. */
    static final class Section {
        int type;
        int codec;
        byte[] raw;
        /** When set, the raw length the table claims, whatever {@code raw} holds. */
        Long rawBytesClaimed;

        Section(int type, int codec, byte[] raw) {
            this.type = type;
            this.codec = codec;
            this.raw = raw;
        }

        /** The raw bytes, little-endian, for poking at fields; writes go to {@link #raw}. */
        ByteBuffer le() {
            return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    final List<Section> sections = new ArrayList<>();
    int version = Descriptor.VERSION;
    int flags;
    byte[] magic = Descriptor.MAGIC.clone();

    /** The sections of a well-formed record, decoded. */
    static HandRecord parse(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        HandRecord h = new HandRecord();
        int count = b.getInt(12);
        for (int i = 0; i < count; i++) {
            int at = 24 + 20 * i;
            int type = b.getShort(at) & 0xFFFF;
            int codec = b.getShort(at + 2) & 0xFFFF;
            int offset = b.getInt(at + 4);
            int stored = b.getInt(at + 8);
            int raw = b.getInt(at + 12);
            byte[] bytes = Arrays.copyOfRange(record, offset, offset + stored);
            h.sections.add(new Section(type, codec, codec == Descriptor.CODEC_DEFLATE ? inflate(bytes, raw) : bytes));
        }
        return h;
    }

    Section section(int type) {
        for (Section s : sections) {
            if (s.type == type) {
                return s;
            }
        }
        throw new IllegalArgumentException("no section " + Descriptor.sectionName(type));
    }

    /** The record, every CRC right. */
    byte[] assemble() {
        List<byte[]> stored = new ArrayList<>();
        for (Section s : sections) {
            stored.add(s.codec == Descriptor.CODEC_DEFLATE ? deflate(s.raw) : s.raw);
        }
        int tableEnd = 24 + 20 * sections.size();
        int length = tableEnd + stored.stream().mapToInt(x -> x.length).sum();
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic).putShort((short) version).putShort((short) flags).putInt(sections.size()).putInt(length);
        int offset = tableEnd;
        for (int i = 0; i < sections.size(); i++) {
            Section s = sections.get(i);
            byte[] st = stored.get(i);
            int at = 24 + 20 * i;
            b.putShort(at, (short) s.type).putShort(at + 2, (short) s.codec).putInt(at + 4, offset)
                    .putInt(at + 8, st.length)
                    .putInt(at + 12, s.rawBytesClaimed == null ? s.raw.length : (int) (long) s.rawBytesClaimed);
            b.put(offset, st);
            offset += st.length;
        }
        byte[] record = b.array();
        resign(record);
        return record;
    }

    /**
     * Recomputes the CRC of every section that lies inside the record, then
     * the header's; leaves alone a record too short for a header or for the
     * table its count claims.
     */
    static void resign(byte[] record) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        long count = record.length < 24 ? -1 : Integer.toUnsignedLong(b.getInt(12));
        if (count < 0 || 24 + 20 * count > record.length) {
            return;
        }
        for (int i = 0; i < count; i++) {
            int at = 24 + 20 * i;
            long offset = Integer.toUnsignedLong(b.getInt(at + 4));
            long stored = Integer.toUnsignedLong(b.getInt(at + 8));
            if (offset + stored <= record.length) {
                b.putInt(at + 16, crc(record, (int) offset, (int) stored));
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, 20);
        crc.update(record, 24, 20 * (int) count);
        b.putInt(20, (int) crc.getValue());
    }

    /** Where table entry {@code i}'s fields are: type +0, codec +2, offset +4, stored +8, raw +12, CRC +16. */
    /**
     * A copy of {@code good} with one to four bytes set at random (half of
     * them in the header and table, where one byte changes the most), then
     * its checksums made right again: damage only the reader's own checks
     * can find.
     */
    static byte[] damagedAndResigned(byte[] good, java.util.Random r) {
        byte[] record = good.clone();
        for (int k = 1 + r.nextInt(4); k > 0; k--) {
            int at = r.nextBoolean() ? r.nextInt(Math.min(record.length, 200)) : r.nextInt(record.length);
            record[at] = (byte) r.nextInt(256);
        }
        resign(record);
        return record;
    }

    static int entry(int i) {
        return 24 + 20 * i;
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(Descriptor.DEFLATE_LEVEL, true);
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    static byte[] inflate(byte[] stored, int rawBytes) {
        Inflater in = new Inflater(true);
        in.setInput(stored);
        byte[] raw = new byte[rawBytes];
        try {
            int got = 0;
            while (got < rawBytes && !in.finished()) {
                got += in.inflate(raw, got, rawBytes - got);
            }
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(e);
        } finally {
            in.end();
        }
        return raw;
    }
}
