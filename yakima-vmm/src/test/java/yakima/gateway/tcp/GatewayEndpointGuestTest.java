package yakima.gateway.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.GuestConnection.State;
import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.host.Host;
import yakima.host.HostConfig;
import yakima.net.LanFaults;
import yakima.net.MacAddress;
import yakima.net.RxListener;
import yakima.net.VirtualNic;
import yakima.vm.Vm;

/**
 * The gateway's endpoint against Ilwaco's TCP/IP stack in real guests
 * ({@code httpd}, {@code echo}) on a hand-turned host: every turn runs the
 * guests, the switch, then the endpoint (this test is its owner thread), and
 * moves the fake clock 1 ms. Deterministic, no sleeping.
 */
class GatewayEndpointGuestTest {
    private static final int GUEST_MEM = 1 << 20;
    private static final int HTTPD_IP = Host.GATEWAY_IPV4 + 1; // vm-1
    private static final long MS = HandTurnedHost.MS;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    private GatewayEndpoint ep;

    private Vm boot(HostConfig config, String image, String readyLine) throws Exception {
        hand.start(config);
        Vm vm = hand.create(image, GUEST_MEM, null);
        VirtualNic nic = new VirtualNic(MacAddress.parse("02:00:00:00:00:00"), Host.GATEWAY_IPV4, 256, 256, RxListener.NONE);
        hand.host().lan().attach(nic);
        ep = new GatewayEndpoint(nic, hand::nowNs, TcpConfig.defaults());
        run(() -> hand.output().contains(readyLine), 2_000);
        return vm;
    }

    /** One turn: the guests, the switch, then the endpoint's input and timers; the clock moves 1 ms. */
    private void turn() {
        hand.turn(MS);
        ep.receive(1024);
        ep.runTimers();
    }

    private void run(BooleanSupplier done, int maxTurns) {
        for (int t = 0; t < maxTurns; t++) {
            if (done.getAsBoolean()) {
                return;
            }
            turn();
        }
        throw new AssertionError(String.format(Locale.ROOT, "not done after %,d turns; endpoint: %s%nconsole:%n%s",
                maxTurns, counters(), hand.output()));
    }

    private String counters() {
        StringBuilder counters = new StringBuilder();
        if (ep != null) {
            for (EndpointCounter c : EndpointCounter.values()) {
                if (ep.counter(c) != 0) {
                    counters.append(c).append('=').append(ep.counter(c)).append(' ');
                }
            }
        }
        return counters.toString();
    }

    // ---- what httpd serves (services/httpd/objects.c) ----

    /** The pattern objects: byte i is a newline every 64th, else 33 + ((i / 64) * 7 + (i % 64) * 3 + seed * 11) % 94. */
    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 64 == 63 ? 10 : 33 + ((i / 64) * 7 + (i % 64) * 3 + seed * 11) % 94);
        }
        return b;
    }

    static final byte[] LARGE = pattern(134_007, 6);
    static final byte[] SMALL = pattern(2_258, 20);

    /** One HTTP response at {@code from} in {@code data}: [status, bodyStart, bodyLength], or null if not all there yet. */
    static int[] response(byte[] data, int from) {
        String text = new String(data, from, data.length - from, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return null;
        }
        String head = text.substring(0, headEnd);
        int status = Integer.parseInt(head.substring(9, 12));
        int length = -1;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        int bodyStart = from + headEnd + 4;
        if (length < 0 || data.length - bodyStart < length) {
            return null;
        }
        return new int[] {status, bodyStart, length};
    }

    private static void get(GuestConnection c, String path) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: guest\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(request.length, c.send(request, 0, request.length));
    }

    private void fetchLargeAndClose() {
        Recorder r = new Recorder();
        GuestConnection c = ep.connect(HTTPD_IP, 80, r);
        assertNotNull(c);
        get(c, "/large"); // queued before the handshake completes
        run(() -> response(r.data(), 0) != null, 60_000);
        int[] resp = response(r.data(), 0);
        assertEquals(200, resp[0]);
        assertEquals(LARGE.length, resp[2]);
        assertArrayEquals(LARGE, Arrays.copyOfRange(r.data(), resp[1], resp[1] + resp[2]), "every byte of /large");
        assertEquals(resp[1] + resp[2], r.received(), "nothing after the body");
        c.close(); // the gateway closes first: FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT
        run(() -> r.closed != null, 30_000);
        assertEquals(CloseReason.DONE, r.closed);
        assertEquals(State.TIME_WAIT, c.state());
        assertEquals(1, r.closedCalls);
        run(() -> ep.connectionCount() == 0, 5_000); // TIME_WAIT (2 s) ends
        assertEquals(State.CLOSED, c.state());
    }

    @Test
    void fetchesLargeFromHttpdExactlyAndClosesFirst() throws Exception {
        boot(HostConfig.defaults(), "httpd", "httpd: listening on port 80");
        fetchLargeAndClose();
        assertEquals(0, ep.counter(EndpointCounter.DROPPED_BAD_CHECKSUM));
        assertTrue(ep.counter(EndpointCounter.ARP_LEARNED) >= 1);
    }

    @Test
    void severalRequestsOnOneKeepAliveConnectionThenTheGuestClosesFirst() throws Exception {
        boot(HostConfig.defaults(), "httpd", "httpd: listening on port 80");
        Recorder r = new Recorder();
        GuestConnection c = ep.connect(HTTPD_IP, 80, r);
        run(() -> r.connected, 2_000);
        assertEquals(State.ESTABLISHED, c.state());
        String[] paths = {"/", "/small", "/large", "/small", "/"};
        int at = 0;
        for (String path : paths) {
            get(c, path);
            int from = at;
            run(() -> response(r.data(), from) != null, 60_000);
            int[] resp = response(r.data(), from);
            assertEquals(200, resp[0], path);
            byte[] body = Arrays.copyOfRange(r.data(), resp[1], resp[1] + resp[2]);
            switch (path) {
                case "/" -> {
                    assertEquals(410, body.length);
                    assertTrue(new String(body, StandardCharsets.US_ASCII).startsWith("<!DOCTYPE html>"));
                }
                case "/small" -> assertArrayEquals(SMALL, body, path);
                default -> assertArrayEquals(LARGE, body, path);
            }
            at = resp[1] + resp[2];
        }
        // "Connection: close": the guest answers and closes first; we see peerClosed, then close our side
        byte[] last = "GET /small HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        c.send(last, 0, last.length);
        run(() -> r.peerClosed, 10_000);
        assertEquals(State.CLOSE_WAIT, c.state());
        int[] resp = response(r.data(), at);
        assertArrayEquals(SMALL, Arrays.copyOfRange(r.data(), resp[1], resp[1] + resp[2]));
        c.close();
        assertEquals(State.LAST_ACK, c.state());
        run(() -> r.closed != null, 10_000);
        assertEquals(CloseReason.DONE, r.closed);
        assertEquals(State.CLOSED, c.state());
        assertEquals(0, ep.connectionCount());
        assertEquals(java.util.List.of("connected", "peerClosed", "closed DONE"), r.events);
    }

    @Test
    void aPortNothingListensOnIsRefused() throws Exception {
        boot(HostConfig.defaults(), "httpd", "httpd: listening on port 80");
        Recorder r = new Recorder();
        GuestConnection c = ep.connect(HTTPD_IP, 81, r);
        run(() -> r.closed != null, 2_000);
        assertEquals(CloseReason.REFUSED, r.closed);
        assertEquals(State.CLOSED, c.state());
        assertEquals(0, ep.connectionCount());
    }

    /** Pushes {@code data} through echo over TCP, not consuming for {@code stallTurns} turns at the start. */
    private void echoTcp(byte[] data, int stallTurns) {
        Recorder r = new Recorder();
        r.autoConsume = false;
        GuestConnection c = ep.connect(HTTPD_IP, 7, r);
        assertNotNull(c);
        int[] sent = {0};
        int[] consumed = {0};
        int[] turns = {0};
        boolean[] windowClosed = {false};
        run(() -> {
            if (sent[0] < data.length) {
                sent[0] += c.send(data, sent[0], data.length - sent[0]);
                if (sent[0] == data.length) {
                    c.close();
                }
            }
            if (turns[0]++ >= stallTurns) {
                int n = r.received() - consumed[0];
                if (n > 0) {
                    c.consumed(n);
                    consumed[0] += n;
                }
            } else if (r.received() >= ep.config().receiveWindowBytes()) {
                windowClosed[0] = true;
            }
            return r.closed != null;
        }, 400_000);
        if (stallTurns > 0) {
            assertTrue(windowClosed[0], "the application's back-pressure closed the window at " + r.received());
        }
        assertEquals(CloseReason.DONE, r.closed, r.events::toString);
        assertEquals(data.length, r.received());
        assertArrayEquals(data, r.data(), "every byte echoed in order");
    }

    static byte[] patterned(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
        return b;
    }

    @Test
    void echoesTwoHundredKilobytesOverTcpWithBackPressure() throws Exception {
        boot(HostConfig.defaults(), "echo", "echo: UDP and TCP port 7");
        echoTcp(patterned(200_000), 3_000);
        System.out.println("echo at " + hand.nowNs() / MS + " ms: " + counters());
        assertTrue(ep.counter(EndpointCounter.PERSIST_PROBES) > 0 || ep.counter(EndpointCounter.WINDOW_UPDATES_SENT) > 0);
    }

    @Test
    void echoesDatagramsOverUdp() throws Exception {
        boot(HostConfig.defaults(), "echo", "echo: UDP and TCP port 7");
        java.util.List<byte[]> got = new java.util.ArrayList<>();
        ep.bindUdp(5000, (ip, port, data, off, len) -> {
            assertEquals(HTTPD_IP, ip);
            assertEquals(7, port);
            got.add(Arrays.copyOfRange(data, off, off + len));
        });
        byte[][] sent = {"hello".getBytes(StandardCharsets.US_ASCII), patterned(1472), patterned(1)};
        for (byte[] d : sent) {
            assertTrue(ep.sendUdp(5000, HTTPD_IP, 7, d, 0, d.length));
        }
        run(() -> got.size() == sent.length, 2_000);
        for (int i = 0; i < sent.length; i++) {
            assertArrayEquals(sent[i], got.get(i));
        }
        ep.unbindUdp(5000);
        ep.sendUdp(5000, HTTPD_IP, 7, sent[0], 0, sent[0].length);
        run(() -> ep.counter(EndpointCounter.UDP_NO_PORT) == 1, 2_000);
        assertEquals(3, got.size());
    }

    // ---- over a LAN that drops, reorders and duplicates frames ----

    private static HostConfig faulty(long seed) {
        return HostConfig.defaults().withLanFaults(new LanFaults(5, 10, 5, seed));
    }

    @Test
    void fetchesLargeExactlyOverALossyLan() throws Exception {
        boot(faulty(11), "httpd", "httpd: listening on port 80");
        fetchLargeAndClose();
        System.out.println("lossy /large at " + hand.nowNs() / MS + " ms: " + counters());
        assertTrue(ep.counter(EndpointCounter.DROPPED_DUPLICATE) > 0, "the LAN duplicated frames");
        assertTrue(hand.host().lan().framesReordered() > 0);
    }

    @Test
    void echoesExactlyOverALossyLan() throws Exception {
        boot(faulty(12), "echo", "echo: UDP and TCP port 7");
        echoTcp(patterned(200_000), 2_000);
        System.out.println("lossy echo at " + hand.nowNs() / MS + " ms: " + counters());
        assertTrue(ep.counter(EndpointCounter.RETRANSMITS) > 0, "the endpoint retransmitted what the LAN dropped");
    }
}
