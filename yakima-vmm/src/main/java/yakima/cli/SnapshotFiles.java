package yakima.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import yakima.admin.AdminServer;

/**
 * Snapshot files as the CLI reads and writes them ({@code yakima snapshot},
 * {@code yakima restore}, {@code yakima host --restore}): a file holds one
 * encapsulation record, nothing around it. Every failure is an
 * {@link IOException} whose message is one line for a person, naming the
 * file.
 *
 * <p>A file is written whole or not at all ({@link Writer}): the bytes go to
 * a hidden temporary file in the same folder, which is forced to disk and
 * then renamed over the name; a failure removes the temporary file. The
 * file is created readable by its owner only: it holds the VM's memory.
 *
 * <p>Threading: the command's thread.
 */
final class SnapshotFiles {
    private SnapshotFiles() {
    }

    /** The bytes of snapshot file {@code file}; at most {@link AdminServer#MAX_RECORD_BYTES}. Not checked as a record. */
    static byte[] read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a folder, not a snapshot file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + reason(e));
        }
        if (size > AdminServer.MAX_RECORD_BYTES) {
            throw new IOException(file + " is " + size + " bytes, more than a snapshot can be (" + AdminServer.MAX_RECORD_BYTES + ")");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + reason(e));
        }
    }

    /**
     * A snapshot file about to be written: {@link #create} makes sure it may
     * be (before anyone asks a host for a snapshot that stops a VM),
     * {@link #commit} puts the bytes under the name, {@link #close} removes
     * what a failed or abandoned write left.
     */
    static final class Writer implements AutoCloseable {
        private final Path target;
        private final boolean replace;
        private final Path temp;
        private boolean committed;

        private Writer(Path target, boolean replace, Path temp) {
            this.target = target;
            this.replace = replace;
            this.temp = temp;
        }

        /**
         * Checks that {@code target} can be written (its folder exists; it does
         * not exist unless {@code replace}) and creates the temporary file
         * beside it.
         */
        static Writer create(Path target, boolean replace) throws IOException {
            Path abs = target.toAbsolutePath();
            Path dir = abs.getParent();
            if (Files.isDirectory(abs)) {
                throw new IOException(target + " is a folder");
            }
            if (!replace && Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(target + " exists (give --force to replace it)");
            }
            if (dir == null || !Files.isDirectory(dir)) {
                throw new IOException("cannot write " + target + ": its folder " + dir + " does not exist");
            }
            try {
                return new Writer(target, replace, Files.createTempFile(dir, "." + abs.getFileName() + ".", ".part"));
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": " + reason(e));
            }
        }

        /** Writes {@code bytes}, forces them to disk, and renames them to the target, whole. */
        void commit(byte[] bytes) throws IOException {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": " + reason(e));
            }
            if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(target + " appeared meanwhile (give --force to replace it)");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": " + reason(e));
            }
            committed = true;
            try (FileChannel d = FileChannel.open(temp.getParent(), StandardOpenOption.READ)) {
                d.force(true); // the new name survives a crash
            } catch (IOException e) {
                // the file is whole under its name; only a crash could still take the name back
            }
        }

        /** Removes the temporary file unless the bytes were committed. */
        @Override
        public void close() {
            if (!committed) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // a hidden .part file stays; it is not the snapshot
                }
            }
        }
    }

    /** An I/O failure in a few words: the JDK names the file alone for a missing one. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
