package yakima.device;

import java.io.IOException;

/**
 * A disk file that cannot be created or opened as asked: it exists already, has
 * the wrong size, is locked by another VM or process, or holds a corrupt
 * overlay header. The message is one line for the user and names the file.
 * Whatever raised it left the file as it was.
 */
public final class DiskException extends IOException {
    public DiskException(String message) {
        super(message);
    }

    public DiskException(String message, Throwable cause) {
        super(message, cause);
    }
}
