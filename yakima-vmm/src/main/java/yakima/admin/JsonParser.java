package yakima.admin;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser into plain Java values: an object becomes a
 * {@link LinkedHashMap} (keys in document order), an array a {@link List}, a
 * string a {@link String}, an integer that fits a {@link Long}, any other
 * number a {@link BigDecimal}, and {@code true}/{@code false}/{@code null}
 * {@link Boolean} or {@code null}.
 *
 * <p>Request bodies go through {@link #parseFlatObject}: one object of
 * strings, numbers and booleans, nothing nested. {@link AdminClient} reads the
 * server's answers with {@link #parse}. Refused: duplicate keys (which value
 * would the host act on?), raw control characters in strings, leading zeros,
 * trailing text, and nesting deeper than {@link #MAX_DEPTH} (so a body of a
 * few thousand {@code [} cannot overflow an admin thread's stack).
 *
 * <p>One instance parses one text on one thread.
 */
public final class JsonParser {
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private JsonParser(String text) {
        this.text = text;
    }

    /** Any JSON value. */
    public static Object parse(String text) throws JsonSyntaxException {
        JsonParser p = new JsonParser(text);
        p.space();
        Object v = p.value();
        p.space();
        if (p.pos != text.length()) {
            throw p.error("unexpected text after the JSON value");
        }
        return v;
    }

    /** One object whose values are strings, numbers or booleans: a request body. */
    public static Map<String, Object> parseFlatObject(String text) throws JsonSyntaxException {
        if (!(parse(text) instanceof Map<?, ?> m)) {
            throw new JsonSyntaxException("expected a JSON object");
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new JsonSyntaxException("field \"" + e.getKey() + "\" must be a string, number or boolean, not "
                        + (v == null ? "null" : v instanceof Map ? "an object" : "an array"));
            }
            fields.put((String) e.getKey(), v);
        }
        return Collections.unmodifiableMap(fields);
    }

    private Object value() throws JsonSyntaxException {
        if (pos >= text.length()) {
            throw error("unexpected end of JSON");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character " + describe(c));
            }
        };
    }

    private Map<String, Object> object() throws JsonSyntaxException {
        enter();
        pos++; // '{'
        Map<String, Object> m = new LinkedHashMap<>();
        space();
        if (peek() == '}') {
            pos++;
            depth--;
            return m;
        }
        while (true) {
            space();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            space();
            expect(':');
            space();
            Object v = value();
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            m.put(key, v);
            space();
            if (peek() == ',') {
                pos++;
            } else {
                expect('}');
                depth--;
                return m;
            }
        }
    }

    private List<Object> array() throws JsonSyntaxException {
        enter();
        pos++; // '['
        List<Object> list = new ArrayList<>();
        space();
        if (peek() == ']') {
            pos++;
            depth--;
            return list;
        }
        while (true) {
            space();
            list.add(value());
            space();
            if (peek() == ',') {
                pos++;
            } else {
                expect(']');
                depth--;
                return list;
            }
        }
    }

    private String string() throws JsonSyntaxException {
        pos++; // '"'
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character " + describe(c) + " in a string (escape it)");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(hex4());
                default -> {
                    pos--;
                    throw error("bad escape \\" + describe(e));
                }
            }
        }
    }

    private char hex4() throws JsonSyntaxException {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0) {
                throw error("bad hex digit in a \\u escape");
            }
            v = v << 4 | d;
            pos++;
        }
        return (char) v;
    }

    private Object number() throws JsonSyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("leading zero in a number");
            }
        } else if (!digits()) {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            integral = false;
            if (!digits()) {
                throw error("expected a digit after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            integral = false;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digits()) {
                throw error("expected a digit in the exponent");
            }
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooBig) {
                // falls through to BigDecimal, which holds any size
            }
        }
        return new BigDecimal(s);
    }

    private boolean digits() {
        int start = pos;
        while (isDigit(peek())) {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object v) throws JsonSyntaxException {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected character " + describe(text.charAt(pos)));
        }
        pos += word.length();
        return v;
    }

    private void enter() throws JsonSyntaxException {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private void expect(char c) throws JsonSyntaxException {
        if (peek() != c) {
            throw error(pos >= text.length() ? "unexpected end of JSON, expected '" + c + "'" : "expected '" + c + "'");
        }
        pos++;
    }

    private void space() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The next character, or NUL at the end (never valid there, so every check fails cleanly). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private JsonSyntaxException error(String what) {
        return new JsonSyntaxException(what + " at offset " + pos);
    }
}
