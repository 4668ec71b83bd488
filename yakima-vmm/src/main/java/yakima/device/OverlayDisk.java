package yakima.device;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A VM's private copy-on-write view of a read-only base disk: blocks the VM
 * wrote live in the overlay file, every other block is read from the base. The
 * base is never written, so any number of VMs can share one base, each with
 * its own overlay. The overlay file keeps a bitmap of the blocks it holds, so a
 * VM destroyed and created again on the same overlay sees what it wrote. File
 * layout: {@link OverlayHeader}.
 *
 * <p>A write puts the data in the overlay first and sets the blocks' bits
 * after, so a write that fails half way leaves those blocks reading as before
 * (from the base, or from an earlier write). Nothing is forced to stable
 * storage: a VM destroyed and re-created keeps its blocks, a host crash may
 * lose recent ones.
 *
 * <p>Memory: the bitmap is kept in memory, one bit per block (32 KiB per GiB of
 * disk).
 *
 * <p>Threading: create and open on a control thread; reads and writes from the
 * {@link DiskService} I/O thread only, since they share the bitmap without
 * locks (the device's request queue hands the overlay over with a
 * happens-before). {@link #presentBlocks} from any thread. {@link #close} from
 * any thread, once the VM is gone; it closes the overlay file, not the base.
 */
public final class OverlayDisk implements BlockStore {
    private final DiskFile file;
    private final VirtualDisk base;
    private final long sizeBlocks;
    private final long dataOffset;
    /** Which blocks the overlay holds; the in-memory copy of the file's bitmap. */
    private final byte[] bitmap;
    private volatile long presentBlocks;

    private OverlayDisk(DiskFile file, VirtualDisk base, byte[] bitmap) {
        this.file = file;
        this.base = base;
        this.sizeBlocks = base.sizeBlocks();
        this.dataOffset = OverlayHeader.dataOffset(sizeBlocks);
        this.bitmap = bitmap;
        long n = 0;
        for (byte b : bitmap) {
            n += Integer.bitCount(b & 0xFF);
        }
        this.presentBlocks = n;
    }

    /**
     * Creates a new, empty overlay at {@code path} over {@code base}, which must be
     * open read-only ({@link VirtualDisk#openReadOnly}). Refuses a path that exists.
     */
    public static OverlayDisk create(Path path, VirtualDisk base) throws DiskException {
        requireReadOnly(base);
        int fingerprint = fingerprint(base);
        long sizeBlocks = base.sizeBlocks();
        DiskFile file = DiskFile.createNew(path, OverlayHeader.fileSizeBytes(sizeBlocks));
        try {
            // The bitmap of a new sparse file already reads as zeros: only the header needs writing.
            byte[] header = OverlayHeader.encode(sizeBlocks, fingerprint);
            file.writeFully(0, header, 0, header.length);
        } catch (IOException e) {
            try {
                file.closeAndDelete();
            } catch (IOException ignored) {
                // The write failure is the error to report.
            }
            throw new DiskException("cannot create overlay file " + path + ": " + e.getMessage(), e);
        }
        return new OverlayDisk(file, base, new byte[OverlayHeader.bitmapBytes(sizeBlocks)]);
    }

    /**
     * Opens an existing overlay over {@code base} (open read-only). Refuses, leaving the
     * file as it was, a file that is not an overlay, has a corrupt header, was made
     * over a different base or has the wrong size.
     */
    public static OverlayDisk open(Path path, VirtualDisk base) throws DiskException {
        requireReadOnly(base);
        int fingerprint = fingerprint(base);
        DiskFile file = DiskFile.openExisting(path, false);
        try {
            return new OverlayDisk(file, base, checkedBitmap(file, base, fingerprint));
        } catch (IOException e) {
            try {
                file.close();
            } catch (IOException ignored) {
                // Reporting why the open failed matters more.
            }
            throw e instanceof DiskException d ? d
                    : new DiskException("cannot open overlay file " + path + ": " + e.getMessage(), e);
        }
    }

    private static byte[] checkedBitmap(DiskFile file, VirtualDisk base, int fingerprint) throws IOException {
        Path path = file.path();
        long fileBytes = file.sizeBytes();
        if (fileBytes < BLOCK_SIZE) {
            throw new DiskException("overlay file " + path + " is " + fileBytes + " bytes, too short to hold an overlay header");
        }
        byte[] header = new byte[BLOCK_SIZE];
        file.readFully(0, header, 0, BLOCK_SIZE);
        long sizeBlocks = OverlayHeader.decode(header, path);
        if (sizeBlocks != base.sizeBlocks()) {
            throw new DiskException("overlay file " + path + " is for a base of " + sizeBlocks + " blocks, but base "
                    + base.path() + " has " + base.sizeBlocks());
        }
        if (OverlayHeader.baseFingerprint(header) != fingerprint) {
            throw new DiskException("overlay file " + path + " was made over a different base than " + base.path()
                    + " (block 0 differs)");
        }
        long expectedBytes = OverlayHeader.fileSizeBytes(sizeBlocks);
        if (fileBytes != expectedBytes) {
            throw new DiskException("overlay file " + path + " is " + fileBytes + " bytes; an overlay of " + sizeBlocks
                    + " blocks is " + expectedBytes + " (truncated or damaged)");
        }
        byte[] bitmap = new byte[OverlayHeader.bitmapBytes(sizeBlocks)];
        file.readFully(OverlayHeader.BITMAP_OFFSET, bitmap, 0, bitmap.length);
        // Bits past the last block are always 0: one set means the bitmap is damaged.
        byte[] tail = new byte[(int) (OverlayHeader.dataOffset(sizeBlocks) - OverlayHeader.BITMAP_OFFSET - bitmap.length)];
        file.readFully(OverlayHeader.BITMAP_OFFSET + bitmap.length, tail, 0, tail.length);
        int usedBits = (int) (sizeBlocks & 7);
        if (usedBits != 0 && (bitmap[bitmap.length - 1] & 0xFF) >>> usedBits != 0 || !Arrays.equals(tail, new byte[tail.length])) {
            throw new DiskException("overlay file " + path + " has a corrupt bitmap (bits set past the last block)");
        }
        return bitmap;
    }

    private static void requireReadOnly(VirtualDisk base) {
        if (!base.isReadOnly()) {
            throw new IllegalArgumentException("the base of an overlay must be opened with VirtualDisk.openReadOnly: " + base);
        }
    }

    private static int fingerprint(VirtualDisk base) throws DiskException {
        byte[] block0 = new byte[BLOCK_SIZE];
        try {
            base.readBlocks(0, 1, block0, 0);
        } catch (IOException e) {
            throw new DiskException("cannot read base disk " + base.path() + ": " + e.getMessage(), e);
        }
        return OverlayHeader.fingerprint(block0);
    }

    @Override
    public long sizeBlocks() {
        return sizeBlocks;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public Path path() {
        return file.path();
    }

    /** The shared read-only base this overlay reads unwritten blocks from. */
    public VirtualDisk base() {
        return base;
    }

    /** Blocks the overlay holds (the VM has written them at least once). */
    public long presentBlocks() {
        return presentBlocks;
    }

    /** True when block {@code block} comes from the overlay, not the base. I/O thread, or with no I/O under way. */
    public boolean isPresent(long block) {
        return (bitmap[(int) (block >>> 3)] & 1 << (block & 7)) != 0;
    }

    @Override
    public void readBlocks(long block, int blockCount, byte[] dst, int dstOffset) throws IOException {
        BlockStore.checkRequest(sizeBlocks, block, blockCount, dst, dstOffset);
        long end = block + blockCount;
        int offset = dstOffset;
        // Runs of blocks from the same place, so a request is a few large reads, not one per block.
        for (long runStart = block; runStart < end; ) {
            boolean present = isPresent(runStart);
            long runEnd = runStart + 1;
            while (runEnd < end && isPresent(runEnd) == present) {
                runEnd++;
            }
            int runBlocks = (int) (runEnd - runStart);
            if (present) {
                file.readFully(dataOffset + runStart * BLOCK_SIZE, dst, offset, runBlocks * BLOCK_SIZE);
            } else {
                base.readBlocks(runStart, runBlocks, dst, offset);
            }
            offset += runBlocks * BLOCK_SIZE;
            runStart = runEnd;
        }
    }

    @Override
    public void writeBlocks(long block, int blockCount, byte[] src, int srcOffset) throws IOException {
        BlockStore.checkRequest(sizeBlocks, block, blockCount, src, srcOffset);
        file.writeFully(dataOffset + block * BLOCK_SIZE, src, srcOffset, blockCount * BLOCK_SIZE);
        markPresent(block, blockCount);
    }

    /** Sets the blocks' bits in the file, then in memory, so memory never claims more than the file. */
    private void markPresent(long block, int blockCount) throws IOException {
        int first = (int) (block >>> 3);
        int last = (int) ((block + blockCount - 1) >>> 3);
        byte[] bytes = Arrays.copyOfRange(bitmap, first, last + 1);
        for (long b = block; b < block + blockCount; b++) {
            bytes[(int) (b >>> 3) - first] |= (byte) (1 << (b & 7));
        }
        if (Arrays.equals(bytes, 0, bytes.length, bitmap, first, last + 1)) {
            return; // every block was in the overlay already
        }
        file.writeFully(OverlayHeader.BITMAP_OFFSET + first, bytes, 0, bytes.length);
        long added = 0;
        for (int i = 0; i < bytes.length; i++) {
            added += Integer.bitCount(bytes[i] & 0xFF) - Integer.bitCount(bitmap[first + i] & 0xFF);
        }
        System.arraycopy(bytes, 0, bitmap, first, bytes.length);
        presentBlocks += added;
    }

    /** Closes the overlay file. The base stays open for the other overlays that share it. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "OverlayDisk[" + file.path() + " over " + base.path() + ", " + sizeBlocks + " blocks]";
    }
}
