package yakima.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import yakima.swap.RecordReader;
import yakima.swap.RecordWriter;
import yakima.swap.VmImage;

/**
 * Which compression the swap record's pages get, by measurement
 * ({@code benchmarks/run-record-codecs.sh}; the figures are in
 * docs/swap-record.md): boots an {@code httpd} guest, lets it settle to
 * IDLE (see {@link IdleGuest}), takes its private pages (page 0 and the
 * rest, 4 KiB each, little-endian words, as the record holds them) and
 * compresses them as one stream with each candidate, then prints the
 * compressed size and the median time to encode and to decode all of them;
 * and last the whole record as this build writes it (all sections, CRCs,
 * every check the reader makes).
 *
 * <p>Times are wall-clock medians over {@link #RUNS} runs after
 * {@link #WARMUP_RUNS} runs of warm-up, one thread, codec contexts reused
 * (as a swap thread would). Every decode is checked against the input.
 *
 * <p>Usage: {@code RecordCodecs [image [memBytes]]}, default {@code httpd}
 * with 8 MiB (as the tests run it).
 */
public final class RecordCodecs {
    static final int WARMUP_RUNS = 5_000;
    static final int RUNS = 5_000;

    /** One candidate: compresses {@code n} bytes of {@code src} into {@code dst}, and back. */
    interface Codec {
        String name();

        /** Returns the compressed length. */
        int encode(byte[] src, int n, byte[] dst);

        /** Decodes {@code n} bytes of {@code src} into exactly {@code dst.length} bytes. */
        void decode(byte[] src, int n, byte[] dst) throws Exception;
    }

    private RecordCodecs() {
    }

    public static void main(String[] args) throws Exception {
        String image = args.length > 0 ? args[0] : "httpd";
        int memBytes = args.length > 1 ? Integer.parseInt(args[1]) : 8 << 20;
        table(image + ", idle after boot", memBytes, new IdleGuest(image, memBytes));
        if (image.equals("httpd")) {
            table("httpd, idle after serving httpget (/, /small, /large)", memBytes,
                    new IdleGuest(image, memBytes, "httpget"));
        }
    }

    private static void table(String what, int memBytes, IdleGuest guest) throws Exception {
        byte[] pages;
        VmImage image;
        try (guest) {
            pages = privatePageBytes(guest);
            image = guest.image();
        }
        System.out.println();
        describe(what, memBytes, pages);
        System.out.println();
        System.out.println("| codec | bytes | encode µs | decode µs |");
        System.out.println("|---|---:|---:|---:|");
        for (Codec c : candidates()) {
            measure(c, pages);
        }
        measureRecord(image);
    }

    /** The whole record as this build writes it (deflate level 1): RecordWriter.write and RecordReader.read. */
    private static void measureRecord(VmImage image) throws Exception {
        byte[] record = null;
        for (int i = 0; i < WARMUP_RUNS; i++) {
            record = RecordWriter.write(image);
            RecordReader.read(record);
        }
        long[] enc = new long[RUNS];
        long[] dec = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            record = RecordWriter.write(image);
            long t1 = System.nanoTime();
            RecordReader.read(record);
            long t2 = System.nanoTime();
            enc[i] = t1 - t0;
            dec[i] = t2 - t1;
        }
        System.out.printf("| the whole record (RecordWriter, RecordReader) | %,d | %.1f | %.1f |%n", record.length,
                median(enc) / 1e3, median(dec) / 1e3);
    }

    static List<Codec> candidates() {
        return List.of(new ZeroRuns(), new Lz4(), new Zstd(1), new Zstd(3), new Deflate(1, 0), new Deflate(6, 0),
                new Deflate(1, 4096));
    }

    /** Page 0 then the other private pages in ascending order: 4096 bytes each. */
    static byte[] privatePageBytes(IdleGuest guest) {
        int[] numbers = guest.privatePageNumbers();
        ByteBuffer out = ByteBuffer.allocate((numbers.length + 1) * 4096).order(ByteOrder.LITTLE_ENDIAN);
        out.asIntBuffer().put(guest.vm().virtualRegisters());
        for (int i = 0; i < numbers.length; i++) {
            out.position((i + 1) * 4096);
            out.asIntBuffer().put(guest.pageWords(numbers[i]));
        }
        return out.array();
    }

    private static void describe(String image, int memBytes, byte[] pages) {
        int n = pages.length / 4096;
        int zeroPages = 0;
        int nonZeroBytes = 0;
        for (int p = 0; p < n; p++) {
            int nz = 0;
            for (int i = p * 4096; i < (p + 1) * 4096; i++) {
                nz += pages[i] != 0 ? 1 : 0;
            }
            zeroPages += nz == 0 ? 1 : 0;
            nonZeroBytes += nz;
        }
        System.out.printf("%s, %d KiB, idle: %d private pages (%d bytes) including page 0; %d all zero;"
                + " %d non-zero bytes in all%n", image, memBytes >> 10, n, pages.length, zeroPages, nonZeroBytes);
    }

    private static void measure(Codec c, byte[] src) throws Exception {
        byte[] packed = new byte[src.length * 2 + 1024];
        byte[] back = new byte[src.length];
        int n = 0;
        for (int i = 0; i < WARMUP_RUNS; i++) {
            n = c.encode(src, src.length, packed);
            c.decode(packed, n, back);
        }
        long[] enc = new long[RUNS];
        long[] dec = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            n = c.encode(src, src.length, packed);
            long t1 = System.nanoTime();
            Arrays.fill(back, (byte) 1);
            long t2 = System.nanoTime();
            c.decode(packed, n, back);
            long t3 = System.nanoTime();
            enc[i] = t1 - t0;
            dec[i] = t3 - t2;
        }
        if (!Arrays.equals(src, back)) {
            throw new IllegalStateException(c.name() + " did not give back what it was given");
        }
        System.out.printf("| %s | %,d | %.1f | %.1f |%n", c.name(), n, median(enc) / 1e3, median(dec) / 1e3);
    }

    private static long median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /**
     * No compression, but runs of zero words left out: each page is a
     * sequence of (u16 zero words, u16 literal words, the literal words)
     * until its 1024 words are accounted for.
     */
    static final class ZeroRuns implements Codec {
        @Override
        public String name() {
            return "none, zero runs elided";
        }

        @Override
        public int encode(byte[] src, int n, byte[] dst) {
            ByteBuffer in = ByteBuffer.wrap(src, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer out = ByteBuffer.wrap(dst).order(ByteOrder.LITTLE_ENDIAN);
            for (int page = 0; page < n; page += 4096) {
                int w = 0;
                while (w < 1024) {
                    int zeros = 0;
                    while (w + zeros < 1024 && in.getInt(page + 4 * (w + zeros)) == 0) {
                        zeros++;
                    }
                    int lit = 0;
                    while (w + zeros + lit < 1024 && in.getInt(page + 4 * (w + zeros + lit)) != 0) {
                        lit++;
                    }
                    out.putShort((short) zeros).putShort((short) lit);
                    out.put(src, page + 4 * (w + zeros), 4 * lit);
                    w += zeros + lit;
                }
            }
            return out.position();
        }

        @Override
        public void decode(byte[] src, int n, byte[] dst) {
            ByteBuffer in = ByteBuffer.wrap(src, 0, n).order(ByteOrder.LITTLE_ENDIAN);
            for (int page = 0; page < dst.length; page += 4096) {
                int w = 0;
                while (w < 1024) {
                    int zeros = in.getShort() & 0xFFFF;
                    int lit = in.getShort() & 0xFFFF;
                    Arrays.fill(dst, page + 4 * w, page + 4 * (w + zeros), (byte) 0);
                    w += zeros;
                    in.get(dst, page + 4 * w, 4 * lit);
                    w += lit;
                }
            }
        }
    }

    /** lz4 block format, lz4-java's pure-Java safe instance (no native code, no Unsafe). */
    static final class Lz4 implements Codec {
        private final LZ4Compressor compressor = LZ4Factory.safeInstance().fastCompressor();
        private final LZ4SafeDecompressor decompressor = LZ4Factory.safeInstance().safeDecompressor();

        @Override
        public String name() {
            return "lz4 (lz4-java, pure-Java safe instance)";
        }

        @Override
        public int encode(byte[] src, int n, byte[] dst) {
            return compressor.compress(src, 0, n, dst, 0, dst.length);
        }

        @Override
        public void decode(byte[] src, int n, byte[] dst) {
            int got = decompressor.decompress(src, 0, n, dst, 0, dst.length);
            if (got != dst.length) {
                throw new IllegalStateException("lz4 gave " + got + " bytes");
            }
        }
    }

    /** zstd through zstd-jni (native libzstd), contexts reused. */
    static final class Zstd implements Codec {
        private final int level;
        private final ZstdCompressCtx compressor = new ZstdCompressCtx();
        private final ZstdDecompressCtx decompressor = new ZstdDecompressCtx();

        Zstd(int level) {
            this.level = level;
            compressor.setLevel(level);
        }

        @Override
        public String name() {
            return "zstd level " + level + " (zstd-jni, native)";
        }

        @Override
        public int encode(byte[] src, int n, byte[] dst) {
            return compressor.compressByteArray(dst, 0, dst.length, src, 0, n);
        }

        @Override
        public void decode(byte[] src, int n, byte[] dst) {
            int got = decompressor.decompressByteArray(dst, 0, dst.length, src, 0, n);
            if (got != dst.length) {
                throw new IllegalStateException("zstd gave " + got + " bytes");
            }
        }
    }

    /**
     * java.util.zip's raw deflate (no zlib header), reused Deflater and
     * Inflater; as one stream, or in blocks of {@code blockBytes} (each
     * compressed on its own) when that is not 0.
     */
    static final class Deflate implements Codec {
        private final int level;
        private final int blockBytes;
        private final Deflater deflater;
        private final Inflater inflater = new Inflater(true);

        Deflate(int level, int blockBytes) {
            this.level = level;
            this.blockBytes = blockBytes;
            this.deflater = new Deflater(level, true);
        }

        @Override
        public String name() {
            return "deflate level " + level + " (java.util.zip)" + (blockBytes == 0 ? "" : ", each page on its own");
        }

        @Override
        public int encode(byte[] src, int n, byte[] dst) {
            int block = blockBytes == 0 ? n : blockBytes;
            int out = 0;
            for (int at = 0; at < n; at += block) {
                int len = Math.min(block, n - at);
                int lengthAt = out;
                out += blockBytes == 0 ? 0 : 2;
                deflater.reset();
                deflater.setInput(src, at, len);
                deflater.finish();
                int start = out;
                while (!deflater.finished()) {
                    out += deflater.deflate(dst, out, dst.length - out);
                }
                if (blockBytes != 0) {
                    dst[lengthAt] = (byte) (out - start);
                    dst[lengthAt + 1] = (byte) ((out - start) >>> 8);
                }
            }
            return out;
        }

        @Override
        public void decode(byte[] src, int n, byte[] dst) throws DataFormatException {
            if (blockBytes == 0) {
                inflateExactly(src, 0, n, dst, 0, dst.length);
                return;
            }
            int in = 0;
            for (int at = 0; at < dst.length; at += blockBytes) {
                int len = (src[in] & 0xFF) | (src[in + 1] & 0xFF) << 8;
                in += 2;
                inflateExactly(src, in, len, dst, at, Math.min(blockBytes, dst.length - at));
                in += len;
            }
        }

        private void inflateExactly(byte[] src, int off, int len, byte[] dst, int at, int want)
                throws DataFormatException {
            inflater.reset();
            inflater.setInput(src, off, len);
            int got = 0;
            while (got < want && !inflater.finished()) {
                int k = inflater.inflate(dst, at + got, want - got);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                got += k;
            }
            if (got != want) {
                throw new IllegalStateException("inflate gave " + got + " bytes of " + want);
            }
        }
    }
}
