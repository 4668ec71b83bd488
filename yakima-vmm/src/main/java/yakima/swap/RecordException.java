package yakima.swap;

/**
 * An encapsulation record that cannot be read: truncated, damaged (a
 * checksum does not match), of another version, or well-formed but saying
 * something no VM can be (a page beyond its memory, a frame longer than
 * Ethernet allows). The message is one line naming what is wrong and
 * where, for an operator to read; {@link RecordReader} throws nothing else
 * whatever bytes it is given.
 */
public final class RecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordException(String message) {
        super(message);
    }

    public RecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
