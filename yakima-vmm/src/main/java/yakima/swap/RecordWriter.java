package yakima.swap;

import static yakima.swap.Descriptor.CODEC_DEFLATE;
import static yakima.swap.Descriptor.CODEC_NONE;
import static yakima.swap.Descriptor.ENTRY_BYTES;
import static yakima.swap.Descriptor.HEADER_BYTES;
import static yakima.swap.Descriptor.NO_STRING;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

import yakima.swap.VmImage.Counters;
import yakima.swap.VmImage.Disk;

/**
 * Writes a {@link VmImage} as an encapsulation record (layout in
 * {@link Descriptor}). The bulky sections (VREGS, PAGES, NIC_RX) are
 * deflated at {@link Descriptor#DEFLATE_LEVEL} (or as a {@link RecordCompression}
 * says); the small fixed ones are
 * stored as they are, and empty optional ones are left out.
 *
 * <p>The image is checked first against what a reader accepts
 * ({@link ImageLimits}): an image that breaks a limit is a bug in whoever
 * built it, and is refused here with an {@link IllegalArgumentException}
 * rather than written as a record that could never be read back.
 *
 * <p>Any thread; it keeps no state between calls.
 */
public final class RecordWriter {
    private RecordWriter() {
    }

    /** The record for {@code image}, compressed {@link RecordCompression#FAST} (the default). */
    public static byte[] write(VmImage image) {
        return write(image, RecordCompression.FAST);
    }

    /** The record for {@code image}, its bulky sections stored as {@code compression} says. */
    public static byte[] write(VmImage image, RecordCompression compression) {
        byte[] imageName = utf8("image name", image.imageName());
        byte[] name = utf8("name", image.name());
        Disk disk = image.disk();
        byte[] diskPath = disk == null ? null : utf8("disk path", disk.path());
        byte[] diskBase = disk == null ? null : utf8("disk base", disk.base());
        checkWritable(image);

        int sections = 4 + (image.pages().length > 0 ? 1 : 0) + (image.rxFrames().isEmpty() ? 0 : 1)
                + (disk == null ? 0 : 1) + (image.consoleTail().length > 0 ? 1 : 0);
        int tableEnd = HEADER_BYTES + sections * ENTRY_BYTES;
        int bulky = compression == RecordCompression.NONE ? CODEC_NONE : CODEC_DEFLATE;
        Deflater deflater = new Deflater(compression == RecordCompression.NONE ? Descriptor.DEFLATE_LEVEL
                : compression.deflateLevel(), true);
        try {
            // a guess that is right for an idle VM: a page is mostly zeros and deflates to about 100 bytes
            RecordOutput out = new RecordOutput(tableEnd, tableEnd + 512 + 256 * image.privatePages(), deflater);
            List<SectionEntry> table = new ArrayList<>(sections);
            table.add(meta(out, image, imageName, name));
            table.add(cpu(out, image));
            table.add(sched(out, image));
            out.begin(Descriptor.VREGS, bulky);
            out.words(image.vregs());
            table.add(out.end());
            if (image.pages().length > 0) {
                table.add(pages(out, image, bulky));
            }
            if (!image.rxFrames().isEmpty()) {
                table.add(frames(out, image.rxFrames(), bulky));
            }
            if (disk != null) {
                table.add(disk(out, disk, diskPath, diskBase));
            }
            if (image.consoleTail().length > 0) {
                out.begin(Descriptor.CONSOLE, CODEC_NONE);
                out.bytes(image.consoleTail());
                table.add(out.end());
            }
            byte[] record = out.toArray();
            header(record, table);
            return record;
        } finally {
            deflater.end();
        }
    }

    private static SectionEntry meta(RecordOutput out, VmImage image, byte[] imageName, byte[] name) {
        out.begin(Descriptor.META, CODEC_NONE);
        out.u32(image.id());
        out.u32(image.memSizeBytes());
        out.u64(image.mac());
        out.u32(image.ipv4());
        out.bytes(image.imageDigest());
        string(out, imageName);
        string(out, name);
        return out.end();
    }

    private static SectionEntry cpu(RecordOutput out, VmImage image) {
        out.begin(Descriptor.CPU, CODEC_NONE);
        for (int r : image.regs()) {
            out.u32(r);
        }
        out.u32(image.eip());
        out.u32(image.flags());
        out.u64(image.insns());
        return out.end();
    }

    private static SectionEntry sched(RecordOutput out, VmImage image) {
        Counters c = image.counters();
        out.begin(Descriptor.SCHED, CODEC_NONE);
        out.u64(image.vmTimeNs());
        out.u64(image.idleDeadlineVmNs());
        out.u64(c.quanta());
        out.u64(c.yields());
        out.u64(c.wakes());
        out.u64(c.hypercalls());
        out.u32(image.raised());
        out.u8(image.idle() ? 1 : 0);
        return out.end();
    }

    private static SectionEntry pages(RecordOutput out, VmImage image, int codec) {
        out.begin(Descriptor.PAGES, codec);
        out.u32(image.pageNumbers().length);
        for (int p : image.pageNumbers()) {
            out.u32(p);
        }
        for (int[] page : image.pages()) {
            out.words(page);
        }
        return out.end();
    }

    private static SectionEntry frames(RecordOutput out, List<byte[]> frames, int codec) {
        out.begin(Descriptor.NIC_RX, codec);
        out.u32(frames.size());
        for (byte[] f : frames) {
            out.u16(f.length);
            out.bytes(f);
        }
        return out.end();
    }

    private static SectionEntry disk(RecordOutput out, Disk disk, byte[] path, byte[] base) {
        out.begin(Descriptor.DISK, CODEC_NONE);
        string(out, path);
        out.u64(disk.sizeBlocks());
        string(out, base);
        out.u32(disk.lastRequestId());
        return out.end();
    }

    private static void string(RecordOutput out, byte[] utf8) {
        if (utf8 == null) {
            out.u16(NO_STRING);
        } else {
            out.u16(utf8.length);
            out.bytes(utf8);
        }
    }

    /** Fills in the header and the section table, then the header's CRC over both. */
    private static void header(byte[] record, List<SectionEntry> table) {
        ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Descriptor.MAGIC);
        b.putShort(Descriptor.VERSION_OFFSET, (short) Descriptor.VERSION);
        b.putShort(Descriptor.FLAGS_OFFSET, (short) 0);
        b.putInt(Descriptor.SECTION_COUNT_OFFSET, table.size());
        b.putInt(Descriptor.RECORD_BYTES_OFFSET, record.length);
        for (int i = 0; i < table.size(); i++) {
            SectionEntry e = table.get(i);
            int at = HEADER_BYTES + i * ENTRY_BYTES;
            b.putShort(at + Descriptor.ENTRY_TYPE_OFFSET, (short) e.type());
            b.putShort(at + Descriptor.ENTRY_CODEC_OFFSET, (short) e.codec());
            b.putInt(at + Descriptor.ENTRY_OFFSET_OFFSET, (int) e.offset());
            b.putInt(at + Descriptor.ENTRY_STORED_BYTES_OFFSET, (int) e.storedBytes());
            b.putInt(at + Descriptor.ENTRY_RAW_BYTES_OFFSET, (int) e.rawBytes());
            b.putInt(at + Descriptor.ENTRY_CRC_OFFSET, e.crc());
        }
        b.putInt(Descriptor.HEADER_CRC_OFFSET, Descriptor.headerCrc(record, table.size()));
    }

    /** Refuses an image a reader would refuse (see {@link ImageLimits}). */
    private static void checkWritable(VmImage image) {
        refuseIf(ImageLimits.memSize(image.memSizeBytes()));
        refuseIf(ImageLimits.mac(image.mac()));
        refuseIf(ImageLimits.notNegative("instruction count", image.insns()));
        refuseIf(ImageLimits.notNegative("VM time", image.vmTimeNs()));
        refuseIf(ImageLimits.deadline(image.idleDeadlineVmNs()));
        Counters c = image.counters();
        refuseIf(ImageLimits.notNegative("quanta", c.quanta()));
        refuseIf(ImageLimits.notNegative("yields", c.yields()));
        refuseIf(ImageLimits.notNegative("wakes", c.wakes()));
        refuseIf(ImageLimits.notNegative("hypercalls", c.hypercalls()));
        int pageCount = image.memSizeBytes() / Descriptor.PAGE_BYTES;
        refuseIf(ImageLimits.pageCount(image.pages().length, pageCount));
        int previous = 0;
        for (int i = 0; i < image.pages().length; i++) {
            refuseIf(ImageLimits.pageNumber(image.pageNumbers()[i], previous, pageCount));
            previous = image.pageNumbers()[i];
            if (image.pages()[i] == null || image.pages()[i].length != VmImage.PAGE_WORDS) {
                throw new IllegalArgumentException("page " + previous + " is not " + VmImage.PAGE_WORDS + " words");
            }
        }
        refuseIf(ImageLimits.frameCount(image.rxFrames().size()));
        for (byte[] f : image.rxFrames()) {
            refuseIf(ImageLimits.frameLength(f.length));
        }
        refuseIf(ImageLimits.consoleBytes(image.consoleTail().length));
        if (image.disk() != null) {
            refuseIf(ImageLimits.notNegative("disk size", image.disk().sizeBlocks()));
        }
    }

    private static void refuseIf(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException("cannot write this VM image: " + problem);
        }
    }

    /** {@code s} as UTF-8, or null for null; refuses what UTF-8 cannot say (an unpaired surrogate) or a reader would not take. */
    private static byte[] utf8(String what, String s) {
        if (s == null) {
            return null;
        }
        ByteBuffer b;
        try {
            b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("cannot write this VM image: its " + what + " is not valid Unicode");
        }
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        refuseIf(ImageLimits.stringBytes(what, bytes.length));
        return bytes;
    }
}
