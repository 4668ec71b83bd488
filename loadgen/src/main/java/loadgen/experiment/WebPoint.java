package loadgen.experiment;

import java.time.Duration;
import java.util.Locale;

import loadgen.core.LoadResult;
import loadgen.core.LoadSpec;

/**
 * One point of a web experiment: a fresh host booted with some settings,
 * driven through its front door with a load, and what came of it, with the
 * host's swap traffic during the load.
 */
record WebPoint(ExperimentHost.Settings settings, String variant, LoadResult result, long swapIns, long swapOuts,
        long swapBytesWritten, double bootSeconds) {

    /** Denali's small web object (about the median web object in 2002), served by httpd at /small. */
    static final String SMALL = "/small";
    static final long SMALL_BYTES = 2_258;
    /** Denali's large object, at /large. Denali's interrupt and idle figures used a 100 KB document. */
    static final String LARGE = "/large";
    static final long LARGE_BYTES = 134_007;

    /**
     * The load of Denali's web experiments: closed loop (each client sends
     * its next request as soon as the last is answered), a connection per
     * request as Denali's httperf made, targets drawn over the host's VMs.
     */
    static LoadSpec denaliLoad(ExperimentRun run, String path, long bytes, double alpha) {
        return LoadSpec.defaults().withClosedLoop(run.pick(8, 16)).withKeepAlive(false).withPath(path).withExpectBytes(bytes)
                .withZipf(alpha).withWarmup(Duration.ofMillis(run.pick(1000, 2000)))
                .withDuration(Duration.ofMillis(run.pick(2000, 5000))).withTimeout(Duration.ofSeconds(10))
                .withHostHeader("vm-%d.denali");
    }

    /** Boots a host with {@code s}, runs {@code spec} over its VMs, closes the host. */
    static WebPoint measure(ExperimentRun run, ExperimentHost.Settings s, LoadSpec spec, String variant) throws Exception {
        run.log().printf(Locale.ROOT, "  %s, %,d VMs%s: booting%n", variant, s.vms(),
                s.budgetBytes() > 0 ? String.format(Locale.ROOT, " (budget %d MiB, swap %s)", s.budgetBytes() >> 20,
                        s.compression().label()) : "");
        try (ExperimentHost h = ExperimentHost.boot(s)) {
            long in0 = h.swapCounters().getOrDefault("swapIns", 0L);
            long out0 = h.swapCounters().getOrDefault("swapOuts", 0L);
            long bytes0 = h.swapCounters().getOrDefault("swapBytesWritten", 0L);
            LoadResult r = run.load(h, spec.withServices(s.vms()), String.format(Locale.ROOT, "%s, %,d VMs", variant, s.vms()));
            return new WebPoint(s, variant, r, h.swapCounters().getOrDefault("swapIns", 0L) - in0,
                    h.swapCounters().getOrDefault("swapOuts", 0L) - out0,
                    h.swapCounters().getOrDefault("swapBytesWritten", 0L) - bytes0, h.bootNanos() / 1e9);
        }
    }

    double throughput() {
        return result.throughput();
    }

    /** Megabytes of response bodies a second. */
    double megabytesPerSecond() {
        return result.bodyBytes() / result.seconds() / 1e6;
    }

    /** The errors, "none" or "kind=count ...". */
    String errorText() {
        if (result.errors().isEmpty()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        result.errors().forEach((k, v) -> b.append(b.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }
}
