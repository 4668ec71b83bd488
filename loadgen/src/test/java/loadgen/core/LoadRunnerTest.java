package loadgen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import loadgen.testing.TestServer;

/** The load runner against a good local server: requests complete, bytes are counted, Host headers vary. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LoadRunnerTest {
    private static final int BODY = 2258;

    private static LoadSpec spec(TestServer server) {
        return LoadSpec.defaults()
                .withTarget("127.0.0.1", server.port())
                .withWarmup(Duration.ofMillis(200))
                .withDuration(Duration.ofSeconds(1))
                .withTimeout(Duration.ofSeconds(2))
                .withExpectBytes(BODY);
    }

    @Test
    void closedLoopKeepAliveCompletesRequestsAndCountsBodyBytes() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult r = LoadRunner.run(spec(server).withClosedLoop(4), s -> { });
            System.out.printf("closed loop, 4 clients, keep-alive: %.0f req/s, p99 %.3f ms%n",
                    r.throughput(), r.percentileMs(99));
            assertEquals(Map.of(), r.errors());
            assertTrue(r.ok() > 100, "ok " + r.ok());
            assertEquals(r.ok() * BODY, r.bodyBytes());
            assertEquals(r.ok(), r.latency().getTotalCount());
            // keep-alive: four clients, four connections (the warm-up included)
            assertEquals(4, server.connections());
            long timeline = 0;
            for (long n : r.okPerSecond()) {
                timeline += n;
            }
            assertEquals(r.ok(), timeline);
        }
    }

    @Test
    void connectionPerRequestOpensAConnectionForEachRequest() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult r = LoadRunner.run(spec(server).withClosedLoop(2).withKeepAlive(false), s -> { });
            assertEquals(Map.of(), r.errors());
            assertTrue(r.ok() > 50, "ok " + r.ok());
            assertEquals(r.ok() * BODY, r.bodyBytes());
            assertTrue(server.connections() >= r.ok(), server.connections() + " connections for " + r.ok());
            assertEquals(server.requests(), server.connections());
        }
    }

    @Test
    void hostHeaderCarriesZipfChosenServiceNumbers() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult r = LoadRunner.run(spec(server).withClosedLoop(2).withServices(5).withZipf(1.0), s -> { });
            assertEquals(Map.of(), r.errors());
            Map<String, Long> hosts = server.hosts();
            assertEquals(5, hosts.size(), hosts.toString());
            for (int k = 1; k <= 5; k++) {
                assertTrue(hosts.containsKey("vm-" + k + ".denali"), hosts.toString());
            }
            long first = hosts.get("vm-1.denali");
            for (int k = 2; k <= 5; k++) {
                assertTrue(first > hosts.get("vm-" + k + ".denali"), hosts.toString());
            }
        }
    }

    /**
     * A front door that routes by Host (Yakima's) binds a connection to the VM its first request named:
     * a kept-alive connection must carry requests for one service only, in both loops.
     */
    @Test
    void aKeptAliveConnectionCarriesRequestsForOneServiceOnly() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            // room for a connection per service: once each has one, every request reuses one
            LoadResult closed = LoadRunner.run(spec(server).withClosedLoop(4).withServices(20).withZipf(1.0)
                    .withMaxConnections(32), s -> { });
            LoadResult open = LoadRunner.run(spec(server).withOpenLoop(400).withServices(20).withZipf(1.0)
                    .withMaxConnections(32), s -> { });
            assertEquals(0, closed.errorCount(), closed.errors().toString());
            assertEquals(0, open.errorCount(), open.errors().toString());
            assertTrue(server.hosts().size() >= 10, "many services were asked for: " + server.hosts());
            assertEquals(0, server.mixedHostRequests(), "requests on a connection opened for another service");
            assertTrue(server.connections() < server.requests() / 10,
                    "connections were kept alive and reused: " + server.connections() + " for " + server.requests());
        }
    }

    @Test
    void openLoopIssuesExactlyRateTimesDurationRequestsInTheWindow() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult r = LoadRunner.run(spec(server).withOpenLoop(500).withMaxConnections(8), s -> { });
            assertEquals(Map.of(), r.errors());
            // intended starts i/500 s for i in [100, 600): exactly 500 in the 1 s window after the 0.2 s warm-up
            assertEquals(500, r.ok());
            assertEquals(500, r.uncorrectedLatency().getTotalCount());
            assertTrue(server.connections() <= 8, server.connections() + " connections");
        }
    }

    @Test
    void twoThreadsShareTheScheduleAndTheClients() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult open = LoadRunner.run(spec(server).withOpenLoop(500).withMaxConnections(8).withThreads(2),
                    s -> { });
            assertEquals(Map.of(), open.errors());
            assertEquals(500, open.ok());
        }
        try (TestServer server = TestServer.ok(200, BODY)) {
            LoadResult closed = LoadRunner.run(spec(server).withClosedLoop(3).withThreads(2), s -> { });
            assertEquals(Map.of(), closed.errors());
            assertTrue(closed.ok() > 100, "ok " + closed.ok());
            assertEquals(3, server.connections());
        }
    }

    @Test
    void progressReportsEachSecond() {
        try (TestServer server = TestServer.ok(200, BODY)) {
            java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            LoadRunner.run(spec(server).withWarmup(Duration.ofMillis(1100)).withDuration(Duration.ofMillis(1000))
                    .withOpenLoop(100), lines::add);
            assertTrue(lines.size() >= 2, lines.toString());
            assertTrue(lines.get(0).contains("warm-up") && lines.get(0).contains("req/s"), lines.toString());
            assertTrue(lines.get(1).contains("measure"), lines.toString());
            assertTrue(lines.stream().allMatch(l -> l.contains("errors 0") && l.contains("in-flight")), lines.toString());
        }
    }

    @Test
    void hostTemplateWithoutPlaceholderIsSentAsIs() {
        try (TestServer server = TestServer.ok(200, 10)) {
            LoadResult r = LoadRunner.run(spec(server).withExpectBytes(10).withServices(3).withHostHeader("example.org")
                    .withOpenLoop(200).withDuration(Duration.ofMillis(500)), s -> { });
            assertEquals(100, r.ok());
            assertEquals(Map.of("example.org", server.requests()), server.hosts());
        }
    }
}
