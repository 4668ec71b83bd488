package yakima.host;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The disk a VM is created with: a file of 4096-byte blocks that outlives the
 * VM. A missing file is created with {@code sizeBlocks} blocks; an existing
 * one is opened as it is (its contents are the VM's disk from last time).
 * With a {@code base}, the file is instead the VM's private copy-on-write
 * overlay over that read-only base disk, which many VMs may share.
 *
 * @param path       the VM's disk file (or its overlay file when {@code base} is set)
 * @param sizeBlocks blocks of a new private disk; 0 to require that the file exists (ignored with a base)
 * @param base       a read-only base disk shared between VMs, or null
 */
public record DiskSpec(Path path, long sizeBlocks, Path base) {
    public DiskSpec {
        Objects.requireNonNull(path, "path");
        if (sizeBlocks < 0) {
            throw new IllegalArgumentException("a disk's size cannot be negative: " + sizeBlocks + " blocks");
        }
    }

    /** A private disk at {@code path}, created with {@code sizeBlocks} blocks if it does not exist. */
    public static DiskSpec privateDisk(Path path, long sizeBlocks) {
        return new DiskSpec(path, sizeBlocks, null);
    }
}
