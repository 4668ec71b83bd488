package yakima.swap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link StoreFiles} on the real file system, through NIO.
 *
 * <p>Forcing a directory opens it as a {@link FileChannel} for reading and
 * calls {@code force}, which is {@code fsync(2)} on the directory. That is
 * how Linux makes a rename durable; the JDK allows it on Linux and macOS
 * (where it does less) and refuses it on Windows, where the store is not
 * meant to run.
 *
 * <p>Threading: stateless, any thread.
 */
final class RealFiles implements StoreFiles {
    /** The most a Java array can hold, give or take the JVM's header words. */
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * Like {@link Files#readAllBytes}, except that a file too large for an
     * array is an IOException, not the OutOfMemoryError that would end the
     * swap thread: no record file is that large, so such a file is damage.
     */
    @Override
    public byte[] readAll(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long sizeBytes = channel.size();
            if (sizeBytes > MAX_FILE_BYTES) {
                throw new FileSystemException(file.toString(), null,
                        "too large to be a record file (" + sizeBytes + " bytes)");
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) sizeBytes);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // until full, or the file ends early because it shrank
            }
            return bytes.hasRemaining() ? Arrays.copyOf(bytes.array(), bytes.position()) : bytes.array();
        }
    }

    @Override
    public WritableFile openTruncated(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return new WritableFile() {
            @Override
            public void write(ByteBuffer src) throws IOException {
                while (src.hasRemaining()) {
                    channel.write(src);
                }
            }

            @Override
            public void force() throws IOException {
                channel.force(true);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
        // With ATOMIC_MOVE the JDK ignores the other options and calls rename(2),
        // which replaces target on Linux; REPLACE_EXISTING is there to say so.
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        return Files.deleteIfExists(file);
    }
}
