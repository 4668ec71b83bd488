package yakima.swap;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much disk a {@link SwapStore} uses, against its limit, and how many
 * records it holds.
 *
 * <p>A file is charged its size rounded up to whole 4 KiB blocks, which is
 * what ext4 and xfs allocate for it (a record of 2–16 KiB plus its 24-byte
 * header takes 1 to 5 blocks). Directories are not charged: 245 folders for
 * a million VMs are noise.
 *
 * <p>A write reserves its new file's charge <em>before</em> it writes a byte
 * and gives back the old record's charge only once the rename has replaced
 * it: until then both files are on disk, so the limit must hold for both at
 * once. That is why overwriting an 8 KiB record with a 12 KiB one needs
 * 20 KiB free, not 4. A write that fails before its rename gives its
 * reservation back. {@link #usedBytes} therefore counts record files plus the
 * temp files of writes under way, and never exceeds the limit because of a
 * write (it may start above it: a store reopened with a smaller limit).
 *
 * <p>Threading: any thread; writes to different VMs reserve concurrently,
 * and a reservation is a compare-and-set, so two writers can never both
 * squeeze into the last free block.
 */
final class SpaceAccount {
    static final int BLOCK_BYTES = 4096;

    private final long limitBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicInteger records = new AtomicInteger();

    SpaceAccount(long limitBytes) {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("swap store limit must be positive: " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** What a file of {@code fileBytes} bytes is charged: whole 4 KiB blocks. */
    static long chargeFor(long fileBytes) {
        return (fileBytes + BLOCK_BYTES - 1) / BLOCK_BYTES * BLOCK_BYTES;
    }

    long limitBytes() {
        return limitBytes;
    }

    long usedBytes() {
        return usedBytes.get();
    }

    int records() {
        return records.get();
    }

    /** Counts a record file found on disk when the store opens. */
    void addExisting(long fileBytes) {
        usedBytes.addAndGet(chargeFor(fileBytes));
        records.incrementAndGet();
    }

    /** Reserves {@code chargeBytes} for a new file; false, reserving nothing, when that would pass the limit. */
    boolean tryReserve(long chargeBytes) {
        long used;
        do {
            used = usedBytes.get();
            if (used + chargeBytes > limitBytes) {
                return false;
            }
        } while (!usedBytes.compareAndSet(used, used + chargeBytes));
        return true;
    }

    /** Gives back a reservation whose file was never renamed into place. */
    void release(long chargeBytes) {
        usedBytes.addAndGet(-chargeBytes);
    }

    /**
     * A reserved file has been renamed into place as a record, over an old
     * record of {@code oldFileBytes} bytes, or over nothing when that is -1.
     */
    void renamedOver(long oldFileBytes) {
        if (oldFileBytes < 0) {
            records.incrementAndGet();
        } else {
            usedBytes.addAndGet(-chargeFor(oldFileBytes));
        }
    }

    /** A record file of {@code fileBytes} bytes has been removed. */
    void removed(long fileBytes) {
        usedBytes.addAndGet(-chargeFor(fileBytes));
        records.decrementAndGet();
    }
}
