package yakima.swap;

import java.io.IOException;
import java.util.Objects;

/**
 * A {@link SwapStore} operation that could not be done. The {@link #kind()}
 * says what the caller should do about it; the message is one line for a
 * person and names the VM.
 *
 * <p>Whatever raised it lost nothing the store held before: a write that
 * fails leaves the VM's previous record (or its absence) readable, and the
 * caller should keep the VM in memory. The one exception is spelled out on
 * {@link SwapStore#write}: a failure to force the folder after the rename
 * leaves the new record in place, whole, but not yet sure to survive a crash.
 */
public final class SwapStoreException extends IOException {
    /** What went wrong, from the caller's point of view. */
    public enum Kind {
        /** The VM has no record in the store. */
        NOT_FOUND,
        /** The VM's record file is there but truncated, damaged, or not a record file. */
        CORRUPT,
        /** The write would take the store over its limit, or the file system is out of space. */
        FULL,
        /** The file system refused or failed an operation. */
        IO,
        /** Another host holds the store's directory (its lock file); nothing was touched. */
        IN_USE
    }

    /** Stands in for the VM id of a failure that concerns the whole store (opening it). */
    public static final int NO_VM = -1;

    private final Kind kind;
    private final int vmId;

    public SwapStoreException(Kind kind, int vmId, String message) {
        this(kind, vmId, message, null);
    }

    public SwapStoreException(Kind kind, int vmId, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.vmId = vmId;
    }

    public Kind kind() {
        return kind;
    }

    /** The VM the operation was for, or {@link #NO_VM}. */
    public int vmId() {
        return vmId;
    }
}
