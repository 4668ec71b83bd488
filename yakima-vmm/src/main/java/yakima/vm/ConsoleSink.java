package yakima.vm;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Where a VM's console output (TX, guest to host) goes. The bytes are the
 * guest's, unmodified: no encoding, no line handling.
 *
 * <p>Threading: called only by the VM's owner thread.
 */
public interface ConsoleSink {
    void write(byte[] bytes, int offset, int length);

    /**
     * Offers guest output and returns how many bytes were taken; the rest are
     * dropped (a rate-limited console). By default everything is written.
     */
    default int offer(byte[] bytes, int offset, int length) {
        write(bytes, offset, length);
        return length;
    }

    /** Bytes this sink has dropped; 0 for one that never drops. */
    default long droppedBytes() {
        return 0;
    }

    void flush();

    /** A sink that keeps nothing: for VMs whose output only the console's tail and counters keep. */
    static ConsoleSink discarding() {
        return new ConsoleSink() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
            }

            @Override
            public void flush() {
            }
        };
    }

    /** A sink over a stream; the caller chooses any buffering. An I/O error is the host's, so it is unchecked. */
    static ConsoleSink of(OutputStream out) {
        return new ConsoleSink() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                try {
                    out.write(bytes, offset, length);
                } catch (IOException e) {
                    throw new UncheckedIOException("console output failed", e);
                }
            }

            @Override
            public void flush() {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException("console output failed", e);
                }
            }
        };
    }
}
