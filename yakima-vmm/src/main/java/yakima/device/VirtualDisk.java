package yakima.device;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A virtual disk in a plain file: block {@code n} is bytes
 * {@code [n * 4096, (n + 1) * 4096)}, and the file is exactly
 * {@code sizeBlocks * 4096} bytes long. A new disk is a sparse file, so blocks
 * never written cost no space and read as zeros. The contents outlive the VM:
 * destroy the VM, open the same file again, and the blocks are there.
 *
 * <p>While open, the file is locked: exclusively for a private disk, so a second
 * VM or another Yakima process trying to open it gets a {@link DiskException}
 * naming the file; shared for a read-only base (see {@link #openReadOnly}),
 * which many {@link OverlayDisk}s may read at once but nobody may open writable.
 *
 * <p>Threading: create and open on a control thread; reads and writes from the
 * {@link DiskService} I/O thread (see {@link BlockStore}); {@link #close} from
 * any thread, once the VMs using it are gone.
 */
public final class VirtualDisk implements BlockStore {
    private final DiskFile file;
    private final long sizeBlocks;

    private VirtualDisk(DiskFile file, long sizeBlocks) {
        this.file = file;
        this.sizeBlocks = sizeBlocks;
    }

    /**
     * Creates a new disk of {@code sizeBlocks} zero blocks at {@code path} and
     * opens it for reading and writing. Refuses a path that exists.
     */
    public static VirtualDisk create(Path path, long sizeBlocks) throws DiskException {
        if (sizeBlocks < 1 || sizeBlocks > MAX_SIZE_BLOCKS) {
            throw new IllegalArgumentException("a disk is 1 to " + MAX_SIZE_BLOCKS + " blocks, not " + sizeBlocks);
        }
        return new VirtualDisk(DiskFile.createNew(path, sizeBlocks * BLOCK_SIZE), sizeBlocks);
    }

    /** Opens an existing disk for reading and writing, for one VM at a time. */
    public static VirtualDisk open(Path path) throws DiskException {
        return open(path, false);
    }

    /**
     * Opens an existing disk read-only, as a base shared by the overlays of many
     * VMs. Open it once per process and hand the same object to every
     * {@link OverlayDisk}: a second open of the same file in this process is
     * refused. Close it after the last overlay.
     */
    public static VirtualDisk openReadOnly(Path path) throws DiskException {
        return open(path, true);
    }

    private static VirtualDisk open(Path path, boolean readOnly) throws DiskException {
        DiskFile file = DiskFile.openExisting(path, readOnly);
        try {
            return new VirtualDisk(file, checkedSizeBlocks(file));
        } catch (IOException e) {
            try {
                file.close();
            } catch (IOException ignored) {
                // Reporting why the open failed matters more.
            }
            throw e instanceof DiskException d ? d
                    : new DiskException("cannot open disk file " + path + ": " + e.getMessage(), e);
        }
    }

    private static long checkedSizeBlocks(DiskFile file) throws IOException {
        long sizeBytes = file.sizeBytes();
        if (sizeBytes == 0 || sizeBytes % BLOCK_SIZE != 0) {
            throw new DiskException("disk file " + file.path() + " is " + sizeBytes
                    + " bytes, not a whole number of " + BLOCK_SIZE + "-byte blocks");
        }
        long sizeBlocks = sizeBytes / BLOCK_SIZE;
        if (sizeBlocks > MAX_SIZE_BLOCKS) {
            throw new DiskException("disk file " + file.path() + " is " + sizeBlocks
                    + " blocks, more than the " + MAX_SIZE_BLOCKS + " a guest can address");
        }
        return sizeBlocks;
    }

    @Override
    public long sizeBlocks() {
        return sizeBlocks;
    }

    @Override
    public boolean isReadOnly() {
        return file.isReadOnly();
    }

    @Override
    public Path path() {
        return file.path();
    }

    @Override
    public void readBlocks(long block, int blockCount, byte[] dst, int dstOffset) throws IOException {
        BlockStore.checkRequest(sizeBlocks, block, blockCount, dst, dstOffset);
        file.readFully(block * BLOCK_SIZE, dst, dstOffset, blockCount * BLOCK_SIZE);
    }

    @Override
    public void writeBlocks(long block, int blockCount, byte[] src, int srcOffset) throws IOException {
        BlockStore.checkRequest(sizeBlocks, block, blockCount, src, srcOffset);
        if (file.isReadOnly()) {
            throw new IOException("disk file " + file.path() + " is a read-only base");
        }
        file.writeFully(block * BLOCK_SIZE, src, srcOffset, blockCount * BLOCK_SIZE);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "VirtualDisk[" + file.path() + ", " + sizeBlocks + " blocks" + (isReadOnly() ? ", read-only" : "") + "]";
    }
}
