package loadgen.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import loadgen.report.Csv;

/**
 * An experiment's rows: written as CSV ({@link Csv}) and shown as a
 * markdown table in its summary. Cells are
 * strings, numbers formatted by {@link #num}.
 */
public final class ResultTable {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public ResultTable(String... columns) {
        this.columns = List.of(columns);
    }

    /** Adds a row: one value per column (numbers are formatted, anything else is its string). */
    public void add(Object... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + columns.size() + " columns");
        }
        List<String> row = new ArrayList<>(cells.length);
        for (Object c : cells) {
            row.add(c instanceof Double d ? num(d) : c instanceof Float f ? num(f) : String.valueOf(c));
        }
        rows.add(row);
    }

    public int size() {
        return rows.size();
    }

    /** A number as the tables show it: integers plainly, others to 3 significant digits (at least one decimal). */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        double a = Math.abs(v);
        int decimals = a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 2 : 3;
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** The rows as CSV (every figure, for plotting elsewhere). */
    public void writeCsv(Path file) throws IOException {
        Csv csv = new Csv(columns);
        rows.forEach(csv::row);
        csv.write(file);
    }

    /** The table in markdown. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", columns)).append(" |\n");
        b.append("|").append("---|".repeat(columns.size())).append('\n');
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r.stream().map(c -> c.replace("|", "\\|")).toList())).append(" |\n");
        }
        return b.toString();
    }
}
