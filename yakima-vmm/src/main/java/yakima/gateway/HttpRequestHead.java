package yakima.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The head of one HTTP/1.x request as the front door needs it: the request
 * line and the {@code Host} header, parsed from raw bytes without copying the
 * rest (the bytes themselves go on to the VM unchanged).
 *
 * <p>What is refused (400), so that no malformed request reaches a VM: a
 * request line that is not {@code METHOD SP TARGET SP HTTP/1.0|1.1} with a
 * token method; a header line without a colon, with white space before the
 * colon, or folded (obs-fold); a control character in a header; a missing
 * {@code Host} (the front door has nothing else to go by), two {@code Host}
 * headers, or one that is empty. Lines end in CRLF; a bare LF is accepted as
 * RFC 9112 allows. Pure: any thread.
 *
 * @param method     the request method, e.g. {@code GET}
 * @param target     the request target as sent
 * @param version    {@code HTTP/1.0} or {@code HTTP/1.1}
 * @param host       the {@code Host} header's value, trimmed
 * @param headLength bytes from the first byte of the request line through the empty line
 */
record HttpRequestHead(String method, String target, String version, String host, int headLength) {

    /** What {@link #parse} found. */
    sealed interface Result permits Complete, Incomplete, Malformed {
    }

    /** A whole head. */
    record Complete(HttpRequestHead head) implements Result {
    }

    /** No empty line yet: more bytes are needed. */
    record Incomplete() implements Result {
    }

    /** Not HTTP the front door can route: {@code reason} is one line for the 400 page and the log. */
    record Malformed(String reason) implements Result {
    }

    private static final Incomplete INCOMPLETE = new Incomplete();

    /**
     * Parses the head at the start of {@code buf[0..length)}.
     *
     * @return the head, or {@link Incomplete} when the empty line that ends it has not come yet,
     *         or {@link Malformed}
     */
    static Result parse(byte[] buf, int length) {
        int end = headEnd(buf, length);
        if (end < 0) {
            // a malformed request line can be refused before the rest arrives
            int firstLineEnd = indexOf(buf, 0, length, (byte) '\n');
            if (firstLineEnd >= 0) {
                String reason = checkRequestLine(line(buf, 0, firstLineEnd));
                if (reason != null) {
                    return new Malformed(reason);
                }
            }
            return INCOMPLETE;
        }
        int lineStart = 0;
        int lineEnd = indexOf(buf, 0, end, (byte) '\n');
        String requestLine = line(buf, 0, lineEnd);
        String reason = checkRequestLine(requestLine);
        if (reason != null) {
            return new Malformed(reason);
        }
        String[] parts = requestLine.split(" ", -1);
        String host = null;
        lineStart = lineEnd + 1;
        while (lineStart < end) {
            lineEnd = indexOf(buf, lineStart, end, (byte) '\n');
            String header = line(buf, lineStart, lineEnd);
            lineStart = lineEnd + 1;
            if (header.isEmpty()) {
                break; // the empty line
            }
            if (header.charAt(0) == ' ' || header.charAt(0) == '\t') {
                return new Malformed("folded header line");
            }
            int colon = header.indexOf(':');
            if (colon <= 0) {
                return new Malformed("header line without a name and colon");
            }
            String name = header.substring(0, colon);
            for (int i = 0; i < name.length(); i++) {
                if (!isTokenChar(name.charAt(i))) {
                    return new Malformed("bad header name '" + printable(name) + "'");
                }
            }
            String value = header.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7F) {
                    return new Malformed("control character in header " + name);
                }
            }
            if (name.equalsIgnoreCase("host")) {
                if (host != null) {
                    return new Malformed("two Host headers");
                }
                host = value;
            }
        }
        if (host == null || host.isEmpty()) {
            return new Malformed("no Host header: the front door picks the VM by it");
        }
        return new Complete(new HttpRequestHead(parts[0], parts[1], parts[2], host, end));
    }

    /**
     * The VM name the {@code Host} header asks for: the host without a port,
     * lower-cased, with {@code .SUFFIX} removed if present; {@code vm42} is read
     * as the VM id {@code vm-42}. Null if nothing is left.
     */
    static String vmName(String host, String suffix) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return null; // an IPv6 literal names no VM
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        String dotSuffix = "." + suffix.toLowerCase(Locale.ROOT);
        if (!suffix.isEmpty() && h.endsWith(dotSuffix)) {
            h = h.substring(0, h.length() - dotSuffix.length());
        }
        if (h.isEmpty()) {
            return null;
        }
        if (h.length() > 2 && h.startsWith("vm") && h.charAt(2) != '-' && allDigits(h, 2)) {
            h = "vm-" + h.substring(2);
        }
        return h;
    }

    private static boolean allDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    // Null if the request line is good, else why not.
    private static String checkRequestLine(String line) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return "bad request line '" + printable(line) + "'";
        }
        for (int i = 0; i < parts[0].length(); i++) {
            if (!isTokenChar(parts[0].charAt(i))) {
                return "bad method '" + printable(parts[0]) + "'";
            }
        }
        for (int i = 0; i < parts[1].length(); i++) {
            char c = parts[1].charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return "bad request target";
            }
        }
        if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
            return "unsupported version '" + printable(parts[2]) + "'";
        }
        return null;
    }

    // The end of the head (just past the empty line), or -1.
    private static int headEnd(byte[] buf, int length) {
        for (int i = 0; i < length; i++) {
            if (buf[i] == '\n') {
                if (i + 1 < length && buf[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < length && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    // The line from start to the LF at end, without CR (ISO-8859-1: one char per byte).
    private static String line(byte[] buf, int start, int end) {
        int e = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        return new String(buf, start, e - start, StandardCharsets.ISO_8859_1);
    }

    // RFC 9110 tchar
    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }
}
