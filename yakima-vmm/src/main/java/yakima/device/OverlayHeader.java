package yakima.device;

import static yakima.device.BlockStore.BLOCK_SIZE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of an overlay file (see {@link OverlayDisk}): a header block, a
 * bitmap of the blocks the overlay holds, and the blocks themselves at fixed
 * places, so the file is sparse and holds data only for blocks the VM wrote.
 *
 * <pre>
 *   file block 0              header (below)
 *   file blocks 1 .. B        bitmap: bit (n % 8) of byte (n / 8) set = disk block n is in the overlay;
 *                             B = ceil(sizeBlocks / 32768) blocks, unused bits 0
 *   file block 1 + B + n      disk block n (meaningful only when its bit is set)
 *
 *   header, little-endian; the rest of block 0 is zero:
 *    0               4               8              12              16
 *   +---------------+---------------+---------------+---------------+
 *   |       magic "YKOVRLAY"        |  version = 1  |  block size   |   0
 *   +---------------+---------------+---------------+---------------+
 *   |  size in blocks (u64) = base  |   base fp.    |  header crc   |  16
 *   +---------------+---------------+---------------+---------------+
 *   base fp.   = CRC32C of the base's block 0: a cheap check that the overlay
 *                is opened over the base it was made from (not a proof)
 *   header crc = CRC32C of header bytes 0..27
 * </pre>
 *
 * <p>The header is written once, when the overlay is created, and only read
 * after that. The bitmap has no checksum: a damaged bit shows the base's block
 * or a stale overlay block instead of the right one.
 *
 * <p>Threading: pure functions, any thread.
 */
final class OverlayHeader {
    private OverlayHeader() {
    }

    static final byte[] MAGIC = "YKOVRLAY".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int BLOCK_SIZE_OFFSET = 12;
    static final int SIZE_BLOCKS_OFFSET = 16;
    static final int BASE_FINGERPRINT_OFFSET = 24;
    static final int HEADER_CRC_OFFSET = 28;
    /** Bytes the header CRC covers: everything before it. */
    static final int CRC_COVERED_BYTES = HEADER_CRC_OFFSET;

    /** Byte offset of the bitmap in the file. */
    static final long BITMAP_OFFSET = BLOCK_SIZE;

    /** Disk blocks one bitmap block covers. */
    private static final long BLOCKS_PER_BITMAP_BLOCK = BLOCK_SIZE * 8L;

    /** Bytes of bitmap that cover {@code sizeBlocks} disk blocks. */
    static int bitmapBytes(long sizeBlocks) {
        return Math.toIntExact((sizeBlocks + 7) / 8);
    }

    /** Byte offset of disk block 0's data in the file. */
    static long dataOffset(long sizeBlocks) {
        long bitmapBlocks = (sizeBlocks + BLOCKS_PER_BITMAP_BLOCK - 1) / BLOCKS_PER_BITMAP_BLOCK;
        return (1 + bitmapBlocks) * BLOCK_SIZE;
    }

    /** The whole file's size: header, bitmap and a place for every block. */
    static long fileSizeBytes(long sizeBlocks) {
        return dataOffset(sizeBlocks) + sizeBlocks * BLOCK_SIZE;
    }

    /** The CRC32C of a base's block 0, as {@code block0} holds it. */
    static int fingerprint(byte[] block0) {
        CRC32C crc = new CRC32C();
        crc.update(block0, 0, BLOCK_SIZE);
        return (int) crc.getValue();
    }

    /** A header block for an overlay of {@code sizeBlocks} blocks over a base with this fingerprint. */
    static byte[] encode(long sizeBlocks, int baseFingerprint) {
        byte[] block = new byte[BLOCK_SIZE];
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC_OFFSET, MAGIC);
        b.putInt(VERSION_OFFSET, VERSION);
        b.putInt(BLOCK_SIZE_OFFSET, BLOCK_SIZE);
        b.putLong(SIZE_BLOCKS_OFFSET, sizeBlocks);
        b.putInt(BASE_FINGERPRINT_OFFSET, baseFingerprint);
        b.putInt(HEADER_CRC_OFFSET, crc(block));
        return block;
    }

    private static int crc(byte[] block) {
        CRC32C crc = new CRC32C();
        crc.update(block, 0, CRC_COVERED_BYTES);
        return (int) crc.getValue();
    }

    /**
     * Checks a header block read from {@code path} and returns its size in blocks.
     * Refuses, naming the file, anything but a version-1 header with a good CRC.
     */
    static long decode(byte[] block, Path path) throws DiskException {
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        if (!Arrays.equals(block, MAGIC_OFFSET, MAGIC_OFFSET + MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new DiskException("overlay file " + path + " is not a Yakima overlay (bad magic)");
        }
        int version = b.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw new DiskException("overlay file " + path + " is overlay format version "
                    + Integer.toUnsignedString(version) + "; this Yakima reads version " + VERSION);
        }
        if (b.getInt(HEADER_CRC_OFFSET) != crc(block)) {
            throw new DiskException("overlay file " + path + " has a corrupt header (checksum mismatch)");
        }
        int blockSize = b.getInt(BLOCK_SIZE_OFFSET);
        long sizeBlocks = b.getLong(SIZE_BLOCKS_OFFSET);
        if (blockSize != BLOCK_SIZE || sizeBlocks < 1 || sizeBlocks > BlockStore.MAX_SIZE_BLOCKS) {
            throw new DiskException("overlay file " + path + " has a corrupt header (block size " + blockSize
                    + ", " + sizeBlocks + " blocks)");
        }
        return sizeBlocks;
    }

    static int baseFingerprint(byte[] block) {
        return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(BASE_FINGERPRINT_OFFSET);
    }
}
