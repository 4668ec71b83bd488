package yakima.device;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

import denali.isa.spec.DenaliAbi;

/**
 * A fixed-size array of {@value #BLOCK_SIZE}-byte blocks kept in a file: a plain
 * {@link VirtualDisk} or a copy-on-write {@link OverlayDisk} over a read-only base.
 *
 * <p>Reads and writes block the calling thread on file I/O, so in the VMM only the
 * {@link DiskService} I/O thread calls them; a VM's owner thread never does. Callers
 * pass whole requests that lie inside the store (the {@link DiskDevice} checks the
 * guest's numbers first); anything else is a bug and throws an unchecked exception.
 * {@link #close} may be called from any thread; I/O already under way on another
 * thread then fails with an {@link IOException}.
 */
public interface BlockStore extends Closeable {
    /** Bytes in a block: the guest's {@code DENALI_DISK_BLOCK_SIZE}. */
    int BLOCK_SIZE = DenaliAbi.DISK_BLOCK_SIZE;

    /**
     * The largest disk a guest can address: block numbers travel in a 32-bit
     * register and the size in the 32-bit {@code DISK_BLOCKS} virtual register.
     */
    long MAX_SIZE_BLOCKS = 0xFFFF_FFFFL;

    /** Size of the disk in blocks; fixed for the store's life. */
    long sizeBlocks();

    /** True when {@link #writeBlocks} is refused: a base that many VMs share. */
    boolean isReadOnly();

    /** The file that holds the blocks (for an overlay: the overlay file). */
    Path path();

    /** Reads blocks {@code [block, block + blockCount)} into {@code dst}, from {@code dstOffset} on. */
    void readBlocks(long block, int blockCount, byte[] dst, int dstOffset) throws IOException;

    /** Writes {@code blockCount * BLOCK_SIZE} bytes of {@code src}, from {@code srcOffset} on, to blocks {@code [block, block + blockCount)}. */
    void writeBlocks(long block, int blockCount, byte[] src, int srcOffset) throws IOException;

    default long sizeBytes() {
        return sizeBlocks() * BLOCK_SIZE;
    }

    /** Throws unless the request lies inside a store of {@code sizeBlocks} blocks and inside {@code buffer}. */
    static void checkRequest(long sizeBlocks, long block, int blockCount, byte[] buffer, int offset) {
        Objects.checkFromIndexSize(block, blockCount, sizeBlocks);
        Objects.checkFromIndexSize(offset, (long) blockCount * BLOCK_SIZE, buffer.length);
    }
}
