package yakima.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Columns of text for a terminal, as {@code docker ps} lays them out: each
 * column as wide as its widest cell, two spaces between, no trailing spaces.
 * Cells pass through {@link #visible} first, because they hold whatever a VM
 * was named, and a name must not be able to move the cursor or clear the
 * screen. One command fills and prints one table on its thread.
 */
final class TextTable {
    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
    }

    void add(String... cells) {
        if (cells.length != rows.get(0).length) {
            throw new IllegalArgumentException(cells.length + " cells in a row of a " + rows.get(0).length + "-column table");
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = visible(cells[i]);
        }
        rows.add(row);
    }

    void print(PrintWriter out) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], length(row[i]));
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - length(row[i]) + 2));
                }
            }
            out.println(line);
        }
        out.flush();
    }

    /** Characters, not UTF-16 units: an emoji is one cell (East Asian double width is not attempted). */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /**
     * {@code s} with control characters (C0, DEL, C1) and the Unicode line and
     * paragraph separators written as escapes ({@code \n}, {@code \t},
     * {@code \r}, {@code \x1b}, {@code \u2028}); everything else as is.
     * {@code null} becomes {@code -}.
     */
    static String visible(String s) {
        if (s == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
