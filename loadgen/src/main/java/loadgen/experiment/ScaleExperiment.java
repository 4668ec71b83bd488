package loadgen.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import loadgen.report.LinePlot;
import yakima.swap.RecordCompression;

/**
 * Denali's figure 8: aggregate web throughput against the number of VMs,
 * from one VM to 100,000 and beyond, with Zipf-distributed requests.
 * Denali: nearly constant throughput while every VM's working set fits in
 * memory ("in core"), then a sharp cliff, near 1,000 VMs on its 1 GB
 * machine, once it no longer does and VMs are paged in and out.
 *
 * <p>Here every host boots by template (one httpd booted, the rest clones
 * of its record, each swapped in when first asked for) under one of two
 * resident budgets: one that holds every VM the run touches (in core; the
 * only swap-ins are each clone's first), and one that holds a few hundred
 * (out of core: the gatekeeper evicts to admit, and a request for an
 * evicted VM waits for its swap-in). Zipf α of 0.6, 1.0 and 1.4; objects of
 * 2,258 and 134,007 bytes.
 */
final class ScaleExperiment implements Experiment {
    /** A VM that has served a request holds about 40 KB (its private pages, page table and bookkeeping). */
    static final long VM_BYTES = 40_000;

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public String title() {
        return "aggregate web throughput against VMs, in core and out of core";
    }

    @Override
    public String fullRunTime() {
        return "about 25 minutes";
    }

    private record Series(String object, double alpha, boolean inCore) {
        String label() {
            return String.format(Locale.ROOT, "α %.1f, %s", alpha, inCore ? "in core" : "out of core");
        }
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        long outOfCoreBudget = run.pick(4L << 20, 32L << 20);
        long inCoreBudget = run.pick(256L << 20, 2L << 30);
        List<Integer> counts = run.pick(List.of(10, 100, 1000), List.of(1, 10, 100, 1000, 10_000, 100_000));
        int inCoreMax = run.pick(1000, 10_000); // beyond, the VMs a run touches no longer fit the in-core budget
        List<Double> alphas = run.pick(List.of(1.0), List.of(0.6, 1.0, 1.4));
        List<String> objects = run.pick(List.of(WebPoint.SMALL), List.of(WebPoint.SMALL, WebPoint.LARGE));
        ResultTable table = new ResultTable("object", "alpha", "regime", "vms", "req_s", "MB_s", "p50_ms", "p99_ms",
                "swap_ins", "swap_outs", "errors");
        Map<Series, List<WebPoint>> points = new LinkedHashMap<>();
        for (String object : objects) {
            long bytes = object.equals(WebPoint.SMALL) ? WebPoint.SMALL_BYTES : WebPoint.LARGE_BYTES;
            for (double alpha : alphas) {
                for (boolean inCore : List.of(true, false)) {
                    Series series = new Series(object, alpha, inCore);
                    List<WebPoint> row = new ArrayList<>();
                    for (int n : counts) {
                        if (inCore && n > inCoreMax) {
                            continue;
                        }
                        ExperimentHost.Settings s = ExperimentHost.Settings.httpd(n)
                                .withBudget(inCore ? inCoreBudget : outOfCoreBudget, RecordCompression.FAST);
                        WebPoint p = WebPoint.measure(run, s, WebPoint.denaliLoad(run, object, bytes, alpha),
                                object + ", " + series.label());
                        row.add(p);
                        table.add(object, String.format(Locale.ROOT, "%.1f", alpha), inCore ? "in core" : "out of core", n,
                                p.throughput(), p.megabytesPerSecond(),
                                p.result().percentileMs(50), p.result().percentileMs(99), p.swapIns(), p.swapOuts(),
                                p.errorText());
                    }
                    points.put(series, row);
                }
            }
        }
        if (!run.quick()) { // and beyond: a million VMs, out of core
            ExperimentHost.Settings s = ExperimentHost.Settings.httpd(1_000_000).withBudget(outOfCoreBudget, RecordCompression.FAST);
            WebPoint p = WebPoint.measure(run, s, WebPoint.denaliLoad(run, WebPoint.SMALL, WebPoint.SMALL_BYTES, 1.0),
                    "/small, α 1.0, out of core");
            points.get(new Series(WebPoint.SMALL, 1.0, false)).add(p);
            table.add(WebPoint.SMALL, "1.0", "out of core", 1_000_000, p.throughput(), p.megabytesPerSecond(),
                    p.result().percentileMs(50), p.result().percentileMs(99), p.swapIns(), p.swapOuts(), p.errorText());
        }
        table.writeCsv(run.file("scale.csv"));
        StringBuilder cliffs = new StringBuilder();
        for (String object : objects) {
            String name = object.equals(WebPoint.SMALL) ? "small" : "large";
            LinePlot plot = new LinePlot(String.format(Locale.ROOT, "Aggregate throughput, GET %s (%s bytes)", object,
                    object.equals(WebPoint.SMALL) ? "2,258" : "134,007"), "VMs", "requests per second (all VMs)");
            plot.logX(true);
            double top = 1;
            for (Map.Entry<Series, List<WebPoint>> e : points.entrySet()) {
                if (!e.getKey().object().equals(object) || e.getValue().isEmpty()) {
                    continue;
                }
                double[] xs = e.getValue().stream().mapToDouble(p -> p.settings().vms()).toArray();
                double[] ys = e.getValue().stream().mapToDouble(WebPoint::throughput).toArray();
                for (double y : ys) {
                    top = Math.max(top, y);
                }
                plot.series(e.getKey().label(), xs, ys);
                if (!e.getKey().inCore()) {
                    cliffs.append(String.format(Locale.ROOT, "- `%s`, %s: %s%n", object, e.getKey().label(), cliff(e.getValue())));
                }
            }
            plot.reference("Denali's cliff (near 1,000 VMs, 1 GB)", new double[] {1000, 1000}, new double[] {0, top});
            plot.writePng(run.file("scale-" + name + ".png"));
        }
        run.summary(String.format(Locale.ROOT, """
                ## Result

                Closed loop, %d clients, a connection per request, targets Zipf-distributed over the VMs (VM 1 the
                most popular). In core: a budget of %d MiB (every VM a run touches fits); out of core: %d MiB, about
                %d idle httpd VMs of %d KB.

                %s
                Where the out-of-core curves fall (the first count whose throughput is under half the best before it):

                %s
                ## Beside Denali

                | | Denali (figure 8, 1 GB of memory) | Yakima, this run |
                |---|---|---|
                | in core | nearly constant aggregate throughput, independent of scale | see the in-core rows |
                | the cliff | near 1,000 VMs, where working sets exceed memory | see above (budget %d MiB) |
                | beyond | disk-bound; more skew (higher α) keeps more requests in core | see the out-of-core rows |

                Denali paged VMs in and out by disk blocks; Yakima swaps a whole VM as one compressed record of
                about 3 KB, so a swap-in costs one small read (often from the page cache) rather than a series of
                page faults. The cliff is where the VMs a run keeps touching stop fitting the budget; its depth is
                the cost of a swap-in against the cost of a request.
                """, WebPoint.denaliLoad(run, WebPoint.SMALL, WebPoint.SMALL_BYTES, 1.0).clients(), inCoreBudget >> 20,
                outOfCoreBudget >> 20, outOfCoreBudget / VM_BYTES, VM_BYTES / 1000, table.markdown(), cliffs,
                outOfCoreBudget >> 20));
    }

    /** The first count whose throughput is under half the best at fewer VMs, or none. */
    static String cliff(List<WebPoint> row) {
        double best = 0;
        for (WebPoint p : row) {
            if (best > 0 && p.throughput() < best / 2) {
                return String.format(Locale.ROOT, "at %,d VMs (%.0f req/s, against %.0f at best before)", p.settings().vms(),
                        p.throughput(), best);
            }
            best = Math.max(best, p.throughput());
        }
        return "no cliff within the counts run";
    }
}
