package loadgen.core;

/**
 * The names of the kinds of failed request, as they appear in
 * {@link LoadResult#errors()}, the report and the CSV. A request either
 * succeeds or fails with exactly one of these.
 */
public final class ErrorKinds {
    /** The server refused the connection (nothing listens on the port). */
    public static final String CONNECT_REFUSED = "connect-refused";
    /** The connection was not established within the request's timeout. */
    public static final String CONNECT_TIMEOUT = "connect-timeout";
    /** Connected, but no complete response within the request's timeout. */
    public static final String TIMEOUT = "timeout";
    /** The server closed or reset the connection before the response was complete. */
    public static final String CLOSED = "closed";
    /** The response was not parseable HTTP. */
    public static final String BAD_RESPONSE = "bad-response";
    /** A 2xx response whose body length differs from the expected length. */
    public static final String SIZE_MISMATCH = "size-mismatch";
    /**
     * Open loop only: the request could not be sent, because every allowed
     * connection was busy and the pending queue was full, or it was still
     * queued when the run ended.
     */
    public static final String OVERLOAD = "overload";
    /** Anything else (e.g. a local error opening a socket). */
    public static final String OTHER = "other";

    private static final String[] HTTP = new String[1000];

    static {
        for (int i = 0; i < HTTP.length; i++) {
            HTTP[i] = "http-" + i;
        }
    }

    private ErrorKinds() {
    }

    /** {@code http-NNN}: the kind of a response with a non-2xx status code. */
    public static String http(int status) {
        return status >= 0 && status < HTTP.length ? HTTP[status] : "http-" + status;
    }
}
