package loadgen.core;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * The outcome of one {@link LoadRunner#run} over its measured window: how
 * many requests succeeded, the errors by kind, and the latency distribution.
 * Requests belong to the window by their (intended) start time, so the
 * warm-up and whatever was still running when the window ended do not skew
 * the figures.
 *
 * <p>Latencies are in microseconds. In an open loop, {@link #latency()} runs
 * from each request's intended start (corrected for coordinated omission, as
 * wrk2 does) and {@link #uncorrectedLatency()} from its actual send; in a
 * closed loop the two are the same.
 *
 * @param spec               what was run
 * @param seconds            length of the measured window in seconds
 * @param ok                 successful requests (2xx with the expected body length)
 * @param bodyBytes          body bytes of the successful requests
 * @param errors             failed requests by kind (see {@link ErrorKinds}), sorted, only non-zero counts
 * @param latency            latency of successful requests in µs (corrected in open loop)
 * @param uncorrectedLatency latency of successful requests in µs, from their actual send
 * @param okPerSecond        successful requests completed in each second of the window (completions after the
 *                           window count in its last second)
 */
public record LoadResult(LoadSpec spec, double seconds, long ok, long bodyBytes, Map<String, Long> errors,
        Histogram latency, Histogram uncorrectedLatency, long[] okPerSecond) {

    public LoadResult {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(uncorrectedLatency, "uncorrectedLatency");
        SortedMap<String, Long> sorted = new TreeMap<>();
        errors.forEach((k, v) -> {
            if (v != 0) {
                sorted.put(k, v);
            }
        });
        errors = Collections.unmodifiableSortedMap(sorted);
        okPerSecond = okPerSecond.clone();
    }

    /** Successful requests per second of the window. */
    public double throughput() {
        return seconds > 0 ? ok / seconds : 0;
    }

    /** All failed requests. */
    public long errorCount() {
        long sum = 0;
        for (long v : errors.values()) {
            sum += v;
        }
        return sum;
    }

    /** A copy of the timeline. */
    @Override
    public long[] okPerSecond() {
        return okPerSecond.clone();
    }

    /** The latency at percentile {@code p} (0..100, e.g. 99.9) in ms, or NaN if no request succeeded. */
    public double percentileMs(double p) {
        return percentileMs(latency, p);
    }

    /** Like {@link #percentileMs} from the uncorrected latencies. */
    public double uncorrectedPercentileMs(double p) {
        return percentileMs(uncorrectedLatency, p);
    }

    /** The mean latency in ms, or NaN if no request succeeded. */
    public double meanMs() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMean() / 1000.0;
    }

    /** The highest latency in ms, or NaN if no request succeeded. */
    public double maxMs() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
    }

    private static double percentileMs(Histogram h, double p) {
        if (h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(p) / 1000.0;
    }
}
