package loadgen.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import loadgen.testing.TestServer;

/** Servers that fail in each way a load generator must tell apart: the run ends and names the failure. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BrokenTargetTest {
    private static LoadSpec spec(int port) {
        return LoadSpec.defaults()
                .withTarget("127.0.0.1", port)
                .withWarmup(Duration.ZERO)
                .withDuration(Duration.ofMillis(500))
                .withTimeout(Duration.ofSeconds(2));
    }

    @Test
    void nobodyListening() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadResult r = LoadRunner.run(spec(port).withOpenLoop(200), s -> { });
        assertEquals(0, r.ok());
        // 200 req/s for 0.5 s: exactly 100 requests, each refused
        assertEquals(Map.of(ErrorKinds.CONNECT_REFUSED, 100L), r.errors());
        assertEquals(0, r.latency().getTotalCount());
    }

    @Test
    void nobodyListeningClosedLoop() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadResult r = LoadRunner.run(spec(port).withClosedLoop(1), s -> { });
        assertEquals(0, r.ok());
        assertEquals(Map.of(ErrorKinds.CONNECT_REFUSED, r.errorCount()), r.errors());
        assertTrue(r.errorCount() > 0);
    }

    @Test
    void serverClosesAtOnce() {
        try (TestServer server = TestServer.broken(TestServer.Kind.CLOSE_AT_ONCE)) {
            LoadResult r = LoadRunner.run(spec(server.port()).withClosedLoop(1), s -> { });
            assertEquals(0, r.ok());
            assertEquals(Map.of(ErrorKinds.CLOSED, r.errorCount()), r.errors());
            assertTrue(r.errorCount() > 0);
        }
    }

    @Test
    void serverAnswersGarbage() {
        try (TestServer server = TestServer.broken(TestServer.Kind.GARBAGE)) {
            LoadResult r = LoadRunner.run(spec(server.port()).withClosedLoop(1), s -> { });
            assertEquals(0, r.ok());
            assertEquals(Map.of(ErrorKinds.BAD_RESPONSE, r.errorCount()), r.errors());
            assertTrue(r.errorCount() > 0);
        }
    }

    @Test
    void serverNeverAnswers() {
        try (TestServer server = TestServer.broken(TestServer.Kind.SILENT)) {
            LoadSpec spec = spec(server.port()).withOpenLoop(20).withTimeout(Duration.ofMillis(300));
            LoadResult r = LoadRunner.run(spec, s -> { });
            assertEquals(0, r.ok());
            // 20 req/s for 0.5 s: 10 requests, none answered within 300 ms
            assertEquals(Map.of(ErrorKinds.TIMEOUT, 10L), r.errors());
        }
    }

    @Test
    void serverNeverAnswersClosedLoop() {
        try (TestServer server = TestServer.broken(TestServer.Kind.SILENT)) {
            LoadSpec spec = spec(server.port()).withClosedLoop(2).withTimeout(Duration.ofMillis(300));
            LoadResult r = LoadRunner.run(spec, s -> { });
            assertEquals(0, r.ok());
            // each client: a request at 0 and one at about 0.3 s, both timed out
            assertEquals(Map.of(ErrorKinds.TIMEOUT, 4L), r.errors());
        }
    }

    @Test
    void serverUnavailable() {
        try (TestServer server = TestServer.ok(503, 20)) {
            LoadResult r = LoadRunner.run(spec(server.port()).withClosedLoop(1), s -> { });
            assertEquals(0, r.ok());
            assertEquals(Map.of("http-503", r.errorCount()), r.errors());
            assertTrue(r.errorCount() > 10);
            // 503 responses are complete, so the keep-alive connection is reused
            assertEquals(1, server.connections());
        }
    }

    @Test
    void bodyOfTheWrongLength() {
        try (TestServer server = TestServer.ok(200, 100)) {
            LoadResult r = LoadRunner.run(spec(server.port()).withClosedLoop(1).withExpectBytes(2258), s -> { });
            assertEquals(0, r.ok());
            assertEquals(Map.of(ErrorKinds.SIZE_MISMATCH, r.errorCount()), r.errors());
            assertTrue(r.errorCount() > 10);
        }
    }

    @Test
    void requestsThatFindNoConnectionAndAFullQueueAreCountedAsOverload() {
        try (TestServer server = TestServer.broken(TestServer.Kind.SILENT)) {
            // One connection, each request on it times out after 300 ms; the queue holds 1,200 (rate x timeout).
            LoadSpec spec = spec(server.port()).withOpenLoop(4000).withMaxConnections(1)
                    .withTimeout(Duration.ofMillis(300));
            LoadResult r = LoadRunner.run(spec, s -> { });
            assertEquals(0, r.ok());
            // every one of the 2,000 requests is accounted for, as a timeout or as overload
            assertEquals(2000, r.errorCount(), r.errors().toString());
            assertEquals(r.errorCount(), r.errors().getOrDefault(ErrorKinds.TIMEOUT, 0L)
                    + r.errors().getOrDefault(ErrorKinds.OVERLOAD, 0L), r.errors().toString());
            assertTrue(r.errors().getOrDefault(ErrorKinds.TIMEOUT, 0L) >= 1, r.errors().toString());
            assertTrue(r.errors().getOrDefault(ErrorKinds.OVERLOAD, 0L) >= 1000, r.errors().toString());
            // a connection that timed out is not reused: one connection per timed-out request
            assertEquals(r.errors().get(ErrorKinds.TIMEOUT), server.connections());
        }
    }

    @Test
    void fullAcceptQueueTimesOutTheConnect() throws IOException {
        // Nobody accepts and the backlog is 1: the kernel drops further SYNs, so connects hang.
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LoadSpec spec = spec(s.getLocalPort()).withOpenLoop(20).withTimeout(Duration.ofMillis(300));
            LoadResult r = LoadRunner.run(spec, x -> { });
            assertEquals(0, r.ok());
            assertEquals(10, r.errorCount());
            // the first connections or two complete into the backlog and then wait for an answer
            assertTrue(r.errors().getOrDefault(ErrorKinds.CONNECT_TIMEOUT, 0L) >= 5, r.errors().toString());
            assertEquals(10, r.errors().getOrDefault(ErrorKinds.CONNECT_TIMEOUT, 0L)
                    + r.errors().getOrDefault(ErrorKinds.TIMEOUT, 0L));
        }
    }
}
