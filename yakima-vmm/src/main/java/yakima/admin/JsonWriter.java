package yakima.admin;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Writes Java values as JSON (RFC 8259): {@link Map} (string keys, in the
 * map's order) as an object, {@link Iterable} as an array, {@link String},
 * integral {@link Number}s, {@link BigDecimal}, finite {@link Double}s,
 * {@link Boolean} and {@code null}. Anything else is a bug in the caller and
 * throws {@link IllegalArgumentException}.
 *
 * <p>The output is pure ASCII: control characters, DEL and every non-ASCII
 * character are written as {@code \}{@code uXXXX} escapes (a character outside
 * the BMP as its two surrogates). No character can be lost to an encoding, and
 * a VM name cannot put raw control characters on a terminal that prints the
 * JSON. Stateless; any thread.
 */
public final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {
    }

    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    public static void write(Object value, StringBuilder sb) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> string(s, sb);
            case Boolean b -> sb.append(b.booleanValue());
            case Long l -> sb.append(l.longValue());
            case Integer i -> sb.append(i.intValue());
            case Short s -> sb.append(s.shortValue());
            case Byte b -> sb.append(b.byteValue());
            case BigDecimal d -> sb.append(d.toString());
            case Double d -> finite(d, sb);
            case Map<?, ?> m -> object(m, sb);
            case Iterable<?> it -> array(it, sb);
            default -> throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void finite(double d, StringBuilder sb) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no number " + d);
        }
        sb.append(d);
    }

    private static void object(Map<?, ?> m, StringBuilder sb) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys are strings, not " + e.getKey());
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(key, sb);
            sb.append(':');
            write(e.getValue(), sb);
        }
        sb.append('}');
    }

    private static void array(Iterable<?> it, StringBuilder sb) {
        sb.append('[');
        boolean first = true;
        for (Object o : it) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            write(o, sb);
        }
        sb.append(']');
    }
}
