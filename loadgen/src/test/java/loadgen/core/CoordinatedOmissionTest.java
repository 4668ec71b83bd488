package loadgen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import loadgen.testing.TestServer;

/**
 * The open loop corrects for coordinated omission: when the server stalls one
 * response for a second on the only connection, the ~100 requests that were
 * due during the stall could not be sent, and their latency from their
 * intended start shows the stall; latency from the actual send hides it.
 */
class CoordinatedOmissionTest {
    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    void aStallShowsInTheCorrectedPercentilesOnly() {
        // Request 100 arrives about 1 s into the 3 s run and is answered 1 s late.
        try (TestServer server = TestServer.stallingOnce(100, 100, 1000)) {
            LoadSpec spec = LoadSpec.defaults()
                    .withTarget("127.0.0.1", server.port())
                    .withOpenLoop(100)
                    .withMaxConnections(1)
                    .withKeepAlive(true)
                    .withWarmup(Duration.ZERO)
                    .withDuration(Duration.ofSeconds(3))
                    .withTimeout(Duration.ofSeconds(5));
            LoadResult r = LoadRunner.run(spec, s -> { });
            System.out.printf("coordinated omission: corrected p50 %.3f p99 %.1f ms; uncorrected p50 %.3f p99 %.3f ms%n",
                    r.percentileMs(50), r.percentileMs(99), r.uncorrectedPercentileMs(50),
                    r.uncorrectedPercentileMs(99));

            assertEquals(Map.of(), r.errors());
            assertEquals(300, r.ok());
            assertEquals(1, server.connections());
            // The stalled request itself waited the full second, corrected or not.
            assertTrue(r.uncorrectedLatency().getMaxValue() >= 900_000, "uncorrected max " + r.maxMs());

            // Corrected: the requests due during the stall waited up to a second each.
            assertTrue(r.percentileMs(99) >= 400, "corrected p99 " + r.percentileMs(99));
            assertTrue(r.percentileMs(99) > 5 * r.uncorrectedPercentileMs(50));
            assertTrue(countAbove(r.latency(), 200_000) >= 50, "corrected above 200 ms: "
                    + countAbove(r.latency(), 200_000));
            // Uncorrected: only the stalled request (and perhaps a few noisy ones) took that long.
            assertTrue(countAbove(r.uncorrectedLatency(), 200_000) <= 5, "uncorrected above 200 ms: "
                    + countAbove(r.uncorrectedLatency(), 200_000));
            assertTrue(r.uncorrectedPercentileMs(99) < r.percentileMs(99) / 2);
        }
    }

    private static long countAbove(Histogram h, long micros) {
        return h.getTotalCount() - h.getCountBetweenValues(0, micros);
    }
}
