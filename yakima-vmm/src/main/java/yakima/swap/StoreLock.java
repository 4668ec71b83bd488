package yakima.swap;

import static yakima.swap.SwapStoreException.NO_VM;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One host per store directory: an exclusive lock ({@link FileChannel#tryLock},
 * {@code fcntl} on Linux) on {@code <dir>/yakima-swap.lock}, held from the
 * store's open until it is closed. Two hosts on one directory would remove
 * each other's temp files on open and overwrite each other's records; the
 * second is refused instead, at once, with {@link SwapStoreException.Kind#IN_USE}.
 *
 * <p>The lock belongs to the process, so it goes when the process dies,
 * however it dies: a crashed host leaves no stale lock. The file holds the
 * owner's process id, for the refusal message; it is never removed (removing
 * a lock file races with the next host taking it).
 *
 * <p>Threading: acquired and released by the thread that opens and closes the store.
 */
final class StoreLock implements AutoCloseable {
    /** The lock file's name in the store directory; not a name the store's layout uses. */
    static final String FILE_NAME = "yakima-swap.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code root} if missing and takes its lock.
     *
     * @throws SwapStoreException IN_USE when another store (in this process or another) holds it, IO when the
     *                            directory or the lock file cannot be made
     */
    static StoreLock acquire(Path root) throws SwapStoreException {
        Path file = root.resolve(FILE_NAME);
        FileChannel channel;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new SwapStoreException(SwapStoreException.Kind.IO, NO_VM, "cannot open swap store " + root + ": "
                    + SwapStore.reason(e), e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process holds it, through another store
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new SwapStoreException(SwapStoreException.Kind.IN_USE, NO_VM, "swap store " + root
                        + " is in use by another host" + (holder == null ? "" : " (process " + holder + ")")
                        + ": it holds " + file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new StoreLock(channel, lock);
        } catch (IOException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof SwapStoreException s) {
                throw s;
            }
            throw new SwapStoreException(SwapStoreException.Kind.IO, NO_VM, "cannot lock swap store " + root + ": "
                    + SwapStore.reason(e), e);
        }
    }

    /** The process id the lock file names, or null when it names none (best effort: only for the message). */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(24);
            channel.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
            return s.matches("[0-9]{1,19}") ? s : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Releases the lock; the file stays. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process in any case
        }
    }
}
