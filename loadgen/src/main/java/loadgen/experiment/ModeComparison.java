package loadgen.experiment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import loadgen.core.LoadSpec;
import loadgen.report.LinePlot;

/**
 * Two ways of running the same host compared over a number of VMs, as
 * Denali's figures 4 (batched against synchronous interrupts) and 5 (idle
 * with and without a timeout) do: for each count, a host booted each way,
 * the same web load through the front door (httpd's 134,007-byte object,
 * Denali's were 100 KB, uniform over the VMs), aggregate throughput. A
 * subclass names the two ways and writes the summary.
 */
abstract class ModeComparison implements Experiment {
    /** One count's runs of each mode (as many each; the machine is shared and noisy, so full mode repeats). */
    record Pair(int vms, List<WebPoint> as, List<WebPoint> bs) {
        /** Mode A's run of median throughput. */
        WebPoint a() {
            return median(as);
        }

        /** Mode B's run of median throughput. */
        WebPoint b() {
            return median(bs);
        }

        /** A's median throughput over B's. */
        double ratio() {
            return b().throughput() == 0 ? Double.NaN : a().throughput() / b().throughput();
        }

        private static WebPoint median(List<WebPoint> runs) {
            List<WebPoint> sorted = new ArrayList<>(runs);
            sorted.sort((x, y) -> Double.compare(x.throughput(), y.throughput()));
            return sorted.get(sorted.size() / 2);
        }

        /** "min-max" of a mode's throughputs, or the one figure. */
        static String range(List<WebPoint> runs) {
            double min = runs.stream().mapToDouble(WebPoint::throughput).min().orElse(Double.NaN);
            double max = runs.stream().mapToDouble(WebPoint::throughput).max().orElse(Double.NaN);
            return runs.size() == 1 ? ResultTable.num(min) : ResultTable.num(min) + "-" + ResultTable.num(max);
        }
    }

    private final String nameA;
    private final UnaryOperator<ExperimentHost.Settings> modeA;
    private final String nameB;
    private final UnaryOperator<ExperimentHost.Settings> modeB;

    ModeComparison(String nameA, UnaryOperator<ExperimentHost.Settings> modeA, String nameB,
            UnaryOperator<ExperimentHost.Settings> modeB) {
        this.nameA = nameA;
        this.modeA = modeA;
        this.nameB = nameB;
        this.modeB = modeB;
    }

    @Override
    public String fullRunTime() {
        return "about 8 minutes (7 counts, both modes, 3 runs each)";
    }

    /** The summary's body, given the points, their table, the load and how many runs each point had. */
    abstract String summary(List<Pair> pairs, ResultTable table, LoadSpec load, String runs);

    /** Writes the plots (throughput, and A over B). */
    abstract void plot(List<Pair> pairs, ExperimentRun run) throws IOException;

    @Override
    public void run(ExperimentRun run) throws Exception {
        List<Integer> counts = run.pick(List.of(1, 10, 50), List.of(1, 10, 50, 100, 200, 400, 800));
        LoadSpec load = WebPoint.denaliLoad(run, WebPoint.LARGE, WebPoint.LARGE_BYTES, 0);
        List<Pair> pairs = measure(run, counts, load);
        ResultTable t = table(pairs);
        t.writeCsv(run.file(name() + ".csv"));
        plot(pairs, run);
        int repeats = pairs.get(0).as().size();
        run.summary(summary(pairs, t, load, repeats == 1 ? "one run per point"
                : "each figure the median of " + repeats + " runs, alternating the modes (the range beside it)"));
    }

    private List<Pair> measure(ExperimentRun run, List<Integer> counts, LoadSpec load) throws Exception {
        int repeats = run.pick(1, 3);
        List<Pair> pairs = new ArrayList<>();
        for (int n : counts) {
            ExperimentHost.Settings base = ExperimentHost.Settings.httpd(n);
            List<WebPoint> as = new ArrayList<>();
            List<WebPoint> bs = new ArrayList<>();
            for (int r = 0; r < repeats; r++) { // alternating, so drifting load on the machine hits both alike
                as.add(WebPoint.measure(run, modeA.apply(base), load, nameA));
                bs.add(WebPoint.measure(run, modeB.apply(base), load, nameB));
            }
            pairs.add(new Pair(n, as, bs));
        }
        return pairs;
    }

    /** The CSV: a row per count, both throughputs, their ratio, tails and errors. */
    private ResultTable table(List<Pair> pairs) {
        ResultTable t = new ResultTable("vms", nameA + "_req_s", nameB + "_req_s", "ratio", nameA + "_range",
                nameB + "_range", nameA + "_MB_s", nameB + "_MB_s", nameA + "_p99_ms", nameB + "_p99_ms", nameA + "_errors",
                nameB + "_errors");
        for (Pair p : pairs) {
            t.add(p.vms(), p.a().throughput(), p.b().throughput(), p.ratio(), Pair.range(p.as()), Pair.range(p.bs()),
                    p.a().megabytesPerSecond(),
                    p.b().megabytesPerSecond(), p.a().result().percentileMs(99), p.b().result().percentileMs(99),
                    p.a().errorText(), p.b().errorText());
        }
        return t;
    }

    /** Throughput against VMs, both modes. */
    void plotThroughput(List<Pair> pairs, String title, java.nio.file.Path file) throws IOException {
        LinePlot plot = new LinePlot(title, "VMs", "requests per second (all VMs)");
        plot.logX(true);
        plot.series(nameA, xs(pairs), pairs.stream().mapToDouble(p -> p.a().throughput()).toArray());
        plot.series(nameB, xs(pairs), pairs.stream().mapToDouble(p -> p.b().throughput()).toArray());
        plot.writePng(file);
    }

    /** A over B against VMs, with Denali's published ratio as a dashed line over the counts it covers. */
    void plotRatio(List<Pair> pairs, String title, String yLabel, String denaliLabel, double denaliRatio, double denaliUpToVms,
            java.nio.file.Path file) throws IOException {
        LinePlot plot = new LinePlot(title, "VMs", yLabel);
        plot.logX(true);
        plot.series("Yakima, this run", xs(pairs), pairs.stream().mapToDouble(Pair::ratio).toArray());
        plot.series("equal", new double[] {1, Math.max(2, denaliUpToVms)}, new double[] {1, 1});
        plot.reference(denaliLabel, new double[] {1, denaliUpToVms}, new double[] {denaliRatio, denaliRatio});
        plot.writePng(file);
    }

    private static double[] xs(List<Pair> pairs) {
        return pairs.stream().mapToDouble(Pair::vms).toArray();
    }

    /** "1.23× at 100 VMs" for the pair with the largest ratio. */
    static String best(List<Pair> pairs) {
        Pair best = pairs.stream().filter(p -> !Double.isNaN(p.ratio())).max((x, y) -> Double.compare(x.ratio(), y.ratio()))
                .orElse(null);
        return best == null ? "n/a" : String.format(Locale.ROOT, "%.2f× at %,d VMs", best.ratio(), best.vms());
    }

    /** "0.45× at 800 VMs" for the pair with the smallest ratio. */
    static String worst(List<Pair> pairs) {
        Pair worst = pairs.stream().filter(p -> !Double.isNaN(p.ratio())).min((x, y) -> Double.compare(x.ratio(), y.ratio()))
                .orElse(null);
        return worst == null ? "n/a" : String.format(Locale.ROOT, "%.2f× at %,d VMs", worst.ratio(), worst.vms());
    }
}
