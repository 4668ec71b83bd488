package loadgen.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

import loadgen.core.LoadResult;
import loadgen.core.LoadSpec;

/**
 * Turns a {@link LoadResult} into what people read and keep: a text table
 * (throughput, latency percentiles, errors by kind), and files for later:
 * a one-row CSV of all figures, the HdrHistogram percentile distribution
 * ({@code .hgrm}, in ms, loadable by HdrHistogram's plotter), a
 * latency-by-percentile chart and a throughput-over-time chart.
 */
public final class ResultReport {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private final LoadResult r;

    public ResultReport(LoadResult result) {
        this.r = result;
    }

    private boolean open() {
        return r.spec().mode() == LoadSpec.Mode.OPEN;
    }

    /** The figures as an aligned text table, one per line, ending with the errors by kind. */
    public String table() {
        LoadSpec spec = r.spec();
        StringBuilder s = new StringBuilder();
        s.append(spec.describe()).append('\n');
        line(s, "target", spec.address() + ":" + spec.port() + ", Host " + spec.hostHeader());
        line(s, "window", String.format(Locale.ROOT, "%.2f s after %.2f s warm-up",
                r.seconds(), spec.warmup().toNanos() / 1e9));
        line(s, "throughput", String.format(Locale.ROOT, "%,.1f req/s", r.throughput()));
        line(s, "ok", String.format(Locale.ROOT, "%,d", r.ok()));
        line(s, "errors", String.format(Locale.ROOT, "%,d", r.errorCount()));
        String which = open() ? " (from intended start)" : "";
        for (double p : PERCENTILES) {
            line(s, "p" + label(p), ms(r.percentileMs(p)) + which);
        }
        line(s, "max", ms(r.maxMs()) + which);
        line(s, "mean", ms(r.meanMs()) + which);
        if (open()) {
            StringBuilder u = new StringBuilder();
            for (double p : PERCENTILES) {
                u.append("p").append(label(p)).append(' ').append(num(r.uncorrectedPercentileMs(p))).append("  ");
            }
            u.append("max ").append(num(uncorrectedMaxMs())).append(" ms (from actual send)");
            line(s, "uncorrected", u.toString());
        }
        line(s, "bytes/s", String.format(Locale.ROOT, "%,.0f (%.2f MB/s of bodies)", bytesPerSecond(),
                bytesPerSecond() / 1e6));
        if (r.errors().isEmpty()) {
            s.append("errors: none\n");
        } else {
            s.append("errors by kind:\n");
            for (Map.Entry<String, Long> e : r.errors().entrySet()) {
                s.append(String.format(Locale.ROOT, "  %-16s %,d%n", e.getKey(), e.getValue()));
            }
        }
        return s.toString();
    }

    private static void line(StringBuilder s, String name, String value) {
        s.append(String.format(Locale.ROOT, "%-12s %s%n", name, value));
    }

    private static String label(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    private static String ms(double v) {
        return num(v) + " ms";
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private double bytesPerSecond() {
        return r.seconds() > 0 ? r.bodyBytes() / r.seconds() : 0;
    }

    private double uncorrectedMaxMs() {
        Histogram h = r.uncorrectedLatency();
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    /**
     * Writes {@code name.csv}, {@code name.hgrm}, {@code name-latency.png} and {@code name-throughput.png}
     * into {@code dir}, creating it if needed.
     */
    public void write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        csv().write(dir.resolve(name + ".csv"));
        Files.writeString(dir.resolve(name + ".hgrm"), hgrm(r.latency()), StandardCharsets.UTF_8);
        latencyPlot().writePng(dir.resolve(name + "-latency.png"));
        throughputPlot().writePng(dir.resolve(name + "-throughput.png"));
    }

    /** One row: the spec, the figures, and a column per error kind that occurred. */
    Csv csv() {
        LoadSpec spec = r.spec();
        List<String> header = new ArrayList<>(List.of("mode", "rate", "clients", "services", "zipf_alpha",
                "keep_alive", "path", "warmup_s", "duration_s", "max_connections", "timeout_s", "seconds",
                "throughput_rps", "ok", "errors", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms",
                "uncorrected_p50_ms", "uncorrected_p99_ms", "uncorrected_max_ms", "body_bytes", "bytes_per_s"));
        List<Object> row = new ArrayList<>(List.of(spec.mode().name().toLowerCase(Locale.ROOT),
                open() ? (Object) spec.rate() : "", open() ? "" : (Object) spec.clients(), spec.services(),
                spec.zipfAlpha(), spec.keepAlive(), spec.path(), spec.warmup().toNanos() / 1e9,
                spec.duration().toNanos() / 1e9, open() ? (Object) spec.maxConnections() : "",
                spec.timeout().toNanos() / 1e9, r.seconds(), r.throughput(), r.ok(), r.errorCount(),
                r.percentileMs(50), r.percentileMs(90), r.percentileMs(99), r.percentileMs(99.9), r.maxMs(),
                r.meanMs(), r.uncorrectedPercentileMs(50), r.uncorrectedPercentileMs(99), uncorrectedMaxMs(),
                r.bodyBytes(), bytesPerSecond()));
        for (Map.Entry<String, Long> e : r.errors().entrySet()) {
            header.add("error:" + e.getKey());
            row.add(e.getValue());
        }
        return new Csv(header).row(row);
    }

    /** HdrHistogram's percentile distribution, values in ms. */
    static String hgrm(Histogram h) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            h.outputPercentileDistribution(out, 1000.0);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Latency against percentile, on a log scale of 1/(1-p) so the tail gets the room. */
    LinePlot latencyPlot() {
        LinePlot plot = new LinePlot("Latency by percentile: " + r.spec().describe(), "percentile", "latency (ms)")
                .logX(true)
                .xTicks(new double[] {2, 10, 100, 1000, 10000}, new String[] {"50%", "90%", "99%", "99.9%", "99.99%"});
        double[][] c = byPercentile(r.latency());
        plot.series(open() ? "corrected (from intended start)" : "latency", c[0], c[1]);
        if (open()) {
            double[][] u = byPercentile(r.uncorrectedLatency());
            plot.series("uncorrected (from actual send)", u[0], u[1]);
        }
        return plot;
    }

    /**
     * Points (1/(1-p), ms) at 20 steps per decade of 1/(1-p), from p = 0 up to where the histogram has
     * enough values to tell percentiles apart, and the maximum.
     */
    static double[][] byPercentile(Histogram h) {
        List<double[]> points = new ArrayList<>();
        long count = h.getTotalCount();
        if (count > 0) {
            double top = Math.min(count, 1e6);
            for (int k = 0; ; k++) {
                double x = Math.pow(10, k / 20.0);
                if (x > top) {
                    break;
                }
                double p = 100 * (1 - 1 / x);
                points.add(new double[] {x, h.getValueAtPercentile(p) / 1000.0});
            }
            points.add(new double[] {Math.max(top, 1), h.getMaxValue() / 1000.0});
        }
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }

    /** Successful requests per second over the window. */
    LinePlot throughputPlot() {
        long[] perSecond = r.okPerSecond();
        double[] x = new double[perSecond.length];
        double[] y = new double[perSecond.length];
        for (int i = 0; i < perSecond.length; i++) {
            // the last second may be partial
            double length = Math.min(1.0, r.seconds() - i);
            x[i] = i + 1;
            y[i] = length > 0 ? perSecond[i] / length : 0;
        }
        return new LinePlot("Throughput: " + r.spec().describe(), "second of the measured window", "ok requests/s")
                .series("ok req/s", x, y);
    }
}
