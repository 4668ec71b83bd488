package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Port forwards like QEMU's hostfwd, to the echo service: TCP byte streams and UDP datagrams. */
class PortForwardTest {
    private static final Forward TCP = new Forward(Forward.Protocol.TCP, 0, "vm-1", 7);
    private static final Forward UDP = new Forward(Forward.Protocol.UDP, 0, "vm-1", 7);
    private static final Forward NOWHERE = new Forward(Forward.Protocol.TCP, 0, "no-such-vm", 7);
    private static LiveGatewayHost live;
    private static Gateway gateway;

    @BeforeAll
    static void boot() throws Exception {
        live = new LiveGatewayHost(4);
        live.boot("echo", 1);
        assertTrue(live.awaitReady(60, TimeUnit.SECONDS), "echo did not come up:\n" + live.console());
        gateway = live.startGateway(GatewayConfig.defaults().withForwards(List.of(TCP, UDP, NOWHERE)));
    }

    @AfterAll
    static void shutDown() {
        if (live != null) {
            live.close();
        }
    }

    @Test
    void aTcpForwardCarriesAByteStreamBothWaysExactly() throws Exception {
        byte[] sent = new byte[300_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + (i >>> 9));
        }
        try (Socket s = new Socket()) {
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port(TCP)));
            OutputStream out = s.getOutputStream();
            // write from another thread: the echo comes back while we send
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int at = 0; at < sent.length; at += 7_000) {
                        out.write(sent, at, Math.min(7_000, sent.length - at));
                    }
                    out.flush();
                    s.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(sent.length);
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(sent.length, got.length);
            assertArrayEquals(sent, got);
            assertEquals(-1, in.read(), "our FIN reached echo, and its FIN came back");
        }
        assertTrue(gateway.counter(GatewayCounter.BYTES_TO_VMS) >= sent.length);
    }

    @Test
    void aUdpForwardRelaysDatagrams() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(10_000);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port(UDP));
            for (int size : new int[] {1, 100, 1400}) {
                byte[] data = new byte[size];
                Arrays.fill(data, (byte) size);
                data[0] = 'x';
                s.send(new DatagramPacket(data, size, to));
                DatagramPacket back = new DatagramPacket(new byte[2048], 2048);
                s.receive(back);
                assertEquals(to, back.getSocketAddress(), "the reply comes from the forwarded port");
                assertArrayEquals(data, Arrays.copyOf(back.getData(), back.getLength()));
            }
        }
        assertTrue(gateway.counter(GatewayCounter.UDP_DATAGRAMS_FROM_VMS) >= 3);
    }

    @Test
    void aForwardToAnUnknownVmClosesTheConnection() throws Exception {
        long before = gateway.counter(GatewayCounter.FORWARD_UNKNOWN_VM);
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.port(NOWHERE)));
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(before + 1, gateway.counter(GatewayCounter.FORWARD_UNKNOWN_VM));
    }
}
