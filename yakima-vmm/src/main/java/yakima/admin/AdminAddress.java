package yakima.admin;

/**
 * Where a Yakima host's admin API listens, as {@code --admin HOST:PORT} gives
 * it: {@code 127.0.0.1:7077}, {@code localhost:8080}, {@code [::1]:7077}, or a
 * host alone for the {@linkplain AdminServer#DEFAULT_PORT default port}. An
 * immutable value.
 */
public record AdminAddress(String host, int port) {
    /** {@code 127.0.0.1:7077}: where {@code yakima host} listens unless told otherwise (a constant, for picocli's annotations). */
    public static final String DEFAULT_TEXT = "127.0.0.1:" + AdminServer.DEFAULT_PORT;
    public static final AdminAddress DEFAULT = parse(DEFAULT_TEXT);

    public AdminAddress {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host name");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
        }
    }

    /** {@code HOST:PORT}, {@code [IPV6]:PORT} or {@code HOST}; an {@link IllegalArgumentException} with a one-line message otherwise. */
    public static AdminAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || (close + 1 < s.length() && s.charAt(close + 1) != ':')) {
                throw bad(text);
            }
            host = s.substring(1, close);
            port = close + 1 < s.length() ? s.substring(close + 2) : null;
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw bad(text); // a bare IPv6 address: which colon starts the port?
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+") || (port != null && !port.matches("\\d{1,5}"))) {
            throw bad(text);
        }
        return new AdminAddress(host, port == null ? AdminServer.DEFAULT_PORT : Integer.parseInt(port));
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:" + AdminServer.DEFAULT_PORT + ", or [::1]:"
                + AdminServer.DEFAULT_PORT + ")");
    }

    /** The base of the API's URLs: {@code http://127.0.0.1:7077}. */
    public String baseUri() {
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code 127.0.0.1:7077}, {@code [::1]:7077}: as a person would type it. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
