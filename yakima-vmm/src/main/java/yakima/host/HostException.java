package yakima.host;

/** A request the host refuses: an unknown VM, an illegal transition, a name taken, a full host. The message is for the user. */
public final class HostException extends Exception {
    /** Why, for callers that map it (the admin API to an HTTP status). */
    public enum Kind { NOT_FOUND, ILLEGAL_STATE, CONFLICT, FULL, BAD_REQUEST }

    private final Kind kind;

    public HostException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
