package loadgen.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small CSV writer: a header and rows, fields quoted as RFC 4180 says (only when
 * they contain a comma, a quote or a line break), lines ending in "\n". Numbers are written with a
 * dot as decimal separator whatever the locale, NaN as an empty field.
 */
public final class Csv {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Csv(List<String> header) {
        if (header.isEmpty()) {
            throw new IllegalArgumentException("a CSV needs at least one column");
        }
        this.header = List.copyOf(header);
    }

    public Csv(String... header) {
        this(List.of(header));
    }

    /** Adds a row; it must have one value per column. */
    public Csv row(Object... values) {
        return row(List.of(values));
    }

    /** Adds a row; it must have one value per column (null is written as an empty field). */
    public Csv row(List<?> values) {
        if (values.size() != header.size()) {
            throw new IllegalArgumentException("a row of " + values.size() + " values for " + header.size()
                    + " columns");
        }
        List<String> row = new ArrayList<>(values.size());
        for (Object v : values) {
            row.add(text(v));
        }
        rows.add(row);
        return this;
    }

    private static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "" : number(d);
        }
        if (v instanceof Float f) {
            return f.isNaN() || f.isInfinite() ? "" : number(f.doubleValue());
        }
        return v.toString();
    }

    /** Up to 6 decimals, trailing zeros dropped. */
    private static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        String s = String.format(Locale.ROOT, "%.6f", d);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    /** The whole file: the header and the rows, one per line ("\n"). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        line(s, header);
        for (List<String> row : rows) {
            line(s, row);
        }
        return s.toString();
    }

    private static void line(StringBuilder s, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(quote(fields.get(i)));
        }
        s.append('\n');
    }

    /** Writes the file (UTF-8), replacing any old one. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toString(), StandardCharsets.UTF_8);
    }
}
