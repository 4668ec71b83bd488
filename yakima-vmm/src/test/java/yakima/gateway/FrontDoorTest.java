package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.vm.Vm;

/**
 * The HTTP front door with real clients on loopback: 1,000 httpd VMs behind
 * one port, picked by the Host header; the gateway's own answers; limits and
 * timeouts against misbehaving clients while others are served.
 */
class FrontDoorTest {
    private static final int VMS = 1000;
    private static LiveGatewayHost live;
    private static Gateway gateway;
    private static int port;
    private static List<Vm> httpds;
    private static Vm echo;
    private static Vm ended;

    @TempDir
    Path dir;

    @BeforeAll
    static void boot() throws Exception {
        live = new LiveGatewayHost(VMS + 10);
        httpds = live.boot("httpd", VMS);
        echo = live.boot("echo", 1).get(0);
        assertTrue(live.awaitReady(180, TimeUnit.SECONDS), "the services did not come up:\n" + live.console());
        ended = live.boot("hello", 1).get(0);
        // header limit 1 KiB, head within 1 s, idle 60 s, write stall 1 s, connect 2 s
        gateway = live.startGateway(GatewayConfig.defaults().withHttpPort(0).withTimeouts(1024, 1000, 60_000, 1000, 2000));
        port = gateway.httpPort();
        assertTrue(port > 0);
    }

    @AfterAll
    static void shutDown() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void curlReachesEachOfAThousandVmsByItsHostName() throws Exception {
        // one curl, each URL its own host name (so no connection is shared between VMs)
        StringBuilder cfg = new StringBuilder();
        for (Vm vm : httpds) {
            String name = vm.idString() + ".denali";
            if (!cfg.isEmpty()) {
                cfg.append("next\n"); // the options after it are the next URL's
            }
            cfg.append("url = \"http://").append(name).append(':').append(port).append("/small\"\n")
                    .append("resolve = \"").append(name).append(':').append(port).append(":127.0.0.1\"\n")
                    .append("output = \"").append(dir.resolve(vm.idString())).append("\"\n");
        }
        Path config = dir.resolve("curl.cfg");
        Files.writeString(config, cfg);
        Process curl = new ProcessBuilder("curl", "-sS", "--fail", "--max-time", "20", "--parallel", "--parallel-max", "8",
                "-K", config.toString()).redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(curl.waitFor(300, TimeUnit.SECONDS), "curl did not finish");
        assertEquals(0, curl.exitValue(), "curl failed: " + out);
        byte[] small = RawHttp.object("/small");
        for (Vm vm : httpds) {
            assertArrayEquals(small, Files.readAllBytes(dir.resolve(vm.idString())), vm.idString());
            java.util.Map<String, Long> counters = new java.util.HashMap<>();
            gateway.vmCounters(vm, counters);
            assertTrue(counters.getOrDefault("gatewayConnections", 0L) >= 1, vm.idString() + " was never reached: " + counters);
        }
    }

    @Test
    void theLargeObjectArrivesIntactOverKeepAliveAndPerRequest() throws Exception {
        byte[] large = RawHttp.object("/large");
        try (RawHttp c = new RawHttp(port)) {
            for (int i = 0; i < 3; i++) {
                c.send(RawHttp.get("/large", "vm-7.denali", false));
                RawHttp.Response r = c.read();
                assertEquals(200, r.status(), r.head());
                assertArrayEquals(large, r.body());
            }
            c.send(RawHttp.get("/large", "vm-7.denali", false) + RawHttp.get("/small", "vm-7.denali", false));
            assertArrayEquals(large, c.read().body(), "pipelined, first");
            assertArrayEquals(RawHttp.object("/small"), c.read().body(), "pipelined, second");
        }
        for (int i = 0; i < 3; i++) {
            try (RawHttp c = new RawHttp(port)) {
                c.send(RawHttp.get("/large", "vm8", true));
                RawHttp.Response r = c.read();
                assertEquals(200, r.status(), r.head());
                assertArrayEquals(large, r.body());
                assertTrue(c.atEnd(), "Connection: close ends the connection");
            }
        }
    }

    @Test
    void anUnknownVmIsA404FromTheGateway() throws Exception {
        RawHttp.Response r = exchange(RawHttp.get("/", "vm-999999.denali", false));
        assertEquals(404, r.status());
        assertTrue(r.text().contains("vm-999999.denali"), r.text());
        assertTrue(gateway.counter(GatewayCounter.HTTP_404_UNKNOWN_VM) >= 1);
    }

    @Test
    void garbageIsA400AndReachesNoVm() throws Exception {
        long before = gateway.counter(GatewayCounter.CONNECTIONS_SPLICED);
        try (RawHttp c = new RawHttp(port)) {
            c.send(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xFC, 0x03, 0x03, '\r', '\n'});
            RawHttp.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(c.atEnd());
        }
        assertEquals(400, exchange("GET / HTTP/1.1\r\nNo-Host-Here: x\r\n\r\n").status());
        assertEquals(before, gateway.counter(GatewayCounter.CONNECTIONS_SPLICED), "no VM saw them");
    }

    @Test
    void anOversizedHeadIsA431() throws Exception {
        String big = "GET / HTTP/1.1\r\nHost: vm-1.denali\r\nX-Filler: " + "a".repeat(2000) + "\r\n\r\n";
        assertEquals(431, exchange(big).status());
        assertTrue(gateway.counter(GatewayCounter.HTTP_431_HEADER_TOO_LARGE) >= 1);
    }

    @Test
    void aSlowClientGetsA408WhileOthersAreServed() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (RawHttp slow = new RawHttp(port)) {
            byte[] head = RawHttp.get("/", "vm-2.denali", false).getBytes(StandardCharsets.ISO_8859_1);
            // one byte every 100 ms: the head would take 5 s; the gateway allows 1 s for all of it
            for (int i = 0; i < head.length; i++) {
                int at = i;
                trickle.schedule(() -> {
                    try {
                        slow.send(new byte[] {head[at]});
                    } catch (IOException e) {
                        // the gateway has closed the connection: the rest cannot go
                    }
                }, 100L * i, TimeUnit.MILLISECONDS);
            }
            assertEquals(200, exchange(RawHttp.get("/small", "vm-3.denali", true)).status(), "others are served meanwhile");
            RawHttp.Response r = slow.read();
            assertEquals(408, r.status());
        } finally {
            trickle.shutdownNow();
        }
        assertTrue(gateway.counter(GatewayCounter.HTTP_408_HEADER_TIMEOUT) >= 1);
    }

    @Test
    void aClientThatNeverReadsIsDroppedWhileOthersAreServed() throws Exception {
        long before = gateway.counter(GatewayCounter.WRITE_STALL_TIMEOUTS);
        try (RawHttp silent = new RawHttp(port, 4096)) {
            // 60 pipelined requests for /large: 8 MB, far more than the sockets can buffer
            silent.send(RawHttp.get("/large", "vm-4.denali", false).repeat(60));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(RawHttp.object("/small"), exchange(RawHttp.get("/small", "vm-5.denali", true)).body());
            }
            assertTrue(waitFor(() -> gateway.counter(GatewayCounter.WRITE_STALL_TIMEOUTS) > before, 20_000),
                    "the stalled client was not dropped");
        }
        assertArrayEquals(RawHttp.object("/small"), exchange(RawHttp.get("/small", "vm-4.denali", true)).body(),
                "its VM serves the next client");
    }

    @Test
    void aVmThatEndedIsA502AndAPortNobodyListensOnToo() throws Exception {
        assertTrue(waitFor(() -> !Gateway.isLive(ended), 20_000), "hello did not end");
        RawHttp.Response r = exchange(RawHttp.get("/", ended.idString(), false));
        assertEquals(502, r.status());
        assertTrue(r.text().contains("has ended"), r.text());
        r = exchange(RawHttp.get("/", echo.idString() + ".denali", false)); // echo listens on 7, not 80
        assertEquals(502, r.status());
        assertTrue(r.text().contains("refused"), r.text());
    }

    @Test
    void wrkRunsWithoutSocketErrorsOrNon2xxResponses() throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t1", "-c8", "-d3s", "-H", "Host: vm-10.denali",
                "http://127.0.0.1:" + port + "/small").redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(wrk.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, wrk.exitValue(), out);
        assertTrue(out.contains("requests in"), out);
        assertTrue(!out.contains("Socket errors"), out);
        assertTrue(!out.contains("Non-2xx"), out);
        long requests = Long.parseLong(out.replaceAll("(?s).*\\n\\s*(\\d+) requests in.*", "$1"));
        assertTrue(requests > 0, out);
    }

    private static RawHttp.Response exchange(String request) throws IOException {
        try (RawHttp c = new RawHttp(port)) {
            c.send(request);
            return c.read();
        }
    }

    // Waits for something another thread does, up to a bound; polls every millisecond.
    static boolean waitFor(BooleanSupplier done, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
