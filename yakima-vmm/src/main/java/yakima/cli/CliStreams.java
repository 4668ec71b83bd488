package yakima.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;

/**
 * Where the CLI writes: {@code guestOut} takes a guest's console bytes raw;
 * {@code out} and {@code err} take Yakima's own text. Tests pass buffers.
 */
public record CliStreams(OutputStream guestOut, PrintWriter out, PrintWriter err) {
    /** The process's stdout (raw bytes, buffered, flushed when the VM ends) and stderr. */
    public static CliStreams system() {
        return new CliStreams(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    }
}
