package yakima.device;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.SPARSE;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open disk file: its channel, the operating-system lock that keeps other
 * processes out (exclusive for a writable file, shared for a read-only one), and
 * this process's claim that keeps a second VM of this JVM out.
 *
 * <p>Why a claim as well as the lock: {@link FileLock}s belong to the whole JVM,
 * and on Linux they are POSIX locks, which the kernel drops when the process
 * closes <em>any</em> descriptor of the file (see the {@code FileLock} javadoc).
 * A second open in this process that opened its own channel, found the lock
 * held and closed that channel again would silently unlock the file for every
 * other process. So a second open is refused by the claim set, keyed by the
 * file's identity (device and inode), before it opens a channel.
 *
 * <p>Nothing here truncates, overwrites or deletes a file it did not create:
 * {@link #createNew} refuses an existing path, and only a file it has just
 * created is removed again when creation fails half way.
 *
 * <p>Threading: create and open on a control thread (VM creation). Reads and
 * writes are positional, so any thread may make them, even several at once; in
 * the VMM only the {@link DiskService} I/O thread does. {@link #close} from any
 * thread, once.
 */
final class DiskFile implements Closeable {
    /** Identities (file keys) of the disk files open in this process. */
    private static final Set<Object> CLAIMED = ConcurrentHashMap.newKeySet();

    private final Path path;
    private final FileChannel channel;
    private final Object key;
    private final boolean readOnly;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DiskFile(Path path, FileChannel channel, Object key, boolean readOnly) {
        this.path = path;
        this.channel = channel;
        this.key = key;
        this.readOnly = readOnly;
    }

    /**
     * Creates a new sparse file of {@code sizeBytes} bytes, opened for reading
     * and writing and exclusively locked. Refuses an existing path.
     */
    static DiskFile createNew(Path path, long sizeBytes) throws DiskException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, CREATE_NEW, READ, WRITE, SPARSE);
        } catch (FileAlreadyExistsException e) {
            throw new DiskException("disk file " + path + " already exists; refusing to overwrite it", e);
        } catch (NoSuchFileException e) {
            throw new DiskException("cannot create disk file " + path + ": its directory does not exist", e);
        } catch (AccessDeniedException e) {
            throw new DiskException("cannot create disk file " + path + ": permission denied", e);
        } catch (IOException e) {
            throw new DiskException("cannot create disk file " + path + ": " + e.getMessage(), e);
        }
        // The file is ours from here on: if anything fails, remove it again.
        Object key = null;
        try {
            key = identity(path);
            if (!CLAIMED.add(key)) {
                key = null;
                throw new DiskException("disk file " + path + " was just created but is already open in this process");
            }
            lock(ch, path, false);
            // One byte at the end sets the size without allocating the blocks before it.
            ch.write(ByteBuffer.wrap(new byte[1]), sizeBytes - 1);
            return new DiskFile(path, ch, key, false);
        } catch (IOException e) {
            closeQuietly(ch);
            if (key != null) {
                CLAIMED.remove(key);
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // The original error is the one worth reporting.
            }
            throw e instanceof DiskException d ? d
                    : new DiskException("cannot create disk file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing regular file and locks it: exclusively when writable, shared
     * when {@code readOnly}. Never creates, truncates or writes anything.
     */
    static DiskFile openExisting(Path path, boolean readOnly) throws DiskException {
        Object key;
        try {
            key = identity(path);
        } catch (DiskException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new DiskException("disk file " + path + " does not exist", e);
        } catch (IOException e) {
            throw new DiskException("cannot open disk file " + path + ": " + e.getMessage(), e);
        }
        if (!CLAIMED.add(key)) {
            throw new DiskException("disk file " + path + " is already open in this process (by another VM, or as a base)");
        }
        FileChannel ch = null;
        try {
            ch = readOnly ? FileChannel.open(path, READ) : FileChannel.open(path, READ, WRITE);
            lock(ch, path, readOnly);
            return new DiskFile(path, ch, key, readOnly);
        } catch (IOException e) {
            closeQuietly(ch);
            CLAIMED.remove(key);
            if (e instanceof DiskException d) {
                throw d;
            }
            if (e instanceof AccessDeniedException) {
                throw new DiskException("cannot open disk file " + path + ": permission denied", e);
            }
            throw new DiskException("cannot open disk file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The file's device-and-inode key where the platform has one, else its real path. */
    private static Object identity(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        if (!a.isRegularFile()) {
            throw new DiskException("disk file " + path + " is not a regular file");
        }
        return a.fileKey() != null ? a.fileKey() : path.toRealPath();
    }

    private static void lock(FileChannel ch, Path path, boolean shared) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            // Only a lock taken outside this class can get here; the claim set stops our own.
            throw new DiskException("disk file " + path + " is already locked in this process", e);
        }
        if (lock == null) {
            throw new DiskException("disk file " + path + " is in use by another process (it holds a lock on the file)");
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a file we are abandoning; nothing more to do.
            }
        }
    }

    Path path() {
        return path;
    }

    boolean isReadOnly() {
        return readOnly;
    }

    long sizeBytes() throws IOException {
        return channel.size();
    }

    /** Reads exactly {@code length} bytes at {@code position}; the file ending first is an error. */
    void readFully(long position, byte[] dst, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, offset, length);
        while (b.hasRemaining()) {
            int n = channel.read(b, position + b.position() - offset);
            if (n < 0) {
                throw new EOFException("disk file " + path + " ends at byte " + channel.size()
                        + ", before byte " + (position + length) + " (shortened by someone else?)");
            }
        }
    }

    /** Writes exactly {@code length} bytes at {@code position}. */
    void writeFully(long position, byte[] src, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(src, offset, length);
        while (b.hasRemaining()) {
            channel.write(b, position + b.position() - offset);
        }
    }

    /** Closes the channel, which releases the lock, then gives up this process's claim. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                channel.close();
            } finally {
                CLAIMED.remove(key);
            }
        }
    }

    /** Closes and deletes a file this process created and nobody has used yet. */
    void closeAndDelete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }
}
