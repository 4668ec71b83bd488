package yakima.swap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The only way a {@link SwapStore} touches the file system. {@link RealFiles}
 * is the one that does it; tests give the store a fake that remembers what a
 * crash would keep and can fail or crash at any call, to check that the
 * store's write protocol leaves every record whole.
 *
 * <p>Every method either does all of what it says or throws, except a
 * {@link WritableFile#write} that fails part way: some of its bytes may be in
 * the file. Nothing here is durable until forced: a file's bytes by
 * {@link WritableFile#force}, a directory's entries (names created, renamed
 * or removed in it) by {@link #forceDirectory}.
 *
 * <p>Threading: implementations must allow calls from several threads at
 * once; the store never makes two calls about the same file at once.
 */
interface StoreFiles {

    /** Creates {@code dir} and any missing parents; nothing when it exists. */
    void createDirectories(Path dir) throws IOException;

    /**
     * The names of {@code dir}'s entries, in no particular order.
     *
     * @throws java.nio.file.NotDirectoryException when {@code dir} is a file
     */
    List<String> list(Path dir) throws IOException;

    /** {@code file}'s size in bytes, or -1 when there is no such file. */
    long size(Path file) throws IOException;

    /**
     * All of {@code file}'s bytes.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file
     */
    byte[] readAll(Path file) throws IOException;

    /** Opens {@code file} to write it from the start, creating it or discarding what it held. */
    WritableFile openTruncated(Path file) throws IOException;

    /**
     * Renames {@code source} to {@code target} in one step, replacing
     * {@code target} if it exists: anyone looking sees the old target or the
     * new one, never neither. Both are in the same directory.
     */
    void moveAtomically(Path source, Path target) throws IOException;

    /** Makes the creations, renames and removals of {@code dir}'s entries so far durable. */
    void forceDirectory(Path dir) throws IOException;

    /** Removes {@code file}; false when there was none. */
    boolean deleteIfExists(Path file) throws IOException;

    /** A file open for writing, from its start onwards. */
    interface WritableFile extends Closeable {
        /** Appends all of {@code src}'s remaining bytes. */
        void write(ByteBuffer src) throws IOException;

        /** Makes the bytes written so far, and the file's size, durable. */
        void force() throws IOException;
    }
}
