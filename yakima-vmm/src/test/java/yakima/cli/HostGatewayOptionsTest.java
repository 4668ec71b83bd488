package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import org.junit.jupiter.api.Test;

import yakima.gateway.Forward;
import yakima.gateway.GatewayConfig;
import yakima.vm.ImageResolver;

/** {@code yakima host}'s gateway options: what they configure, and their refusals. */
class HostGatewayOptionsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int yakima(String... args) {
        CliStreams io = new CliStreams(new ByteArrayOutputStream(), new PrintWriter(out, true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver()).execute(args);
    }

    @Test
    void theOptionsBuildTheGatewaysConfiguration() {
        GatewayOptions o = new GatewayOptions();
        assertTrue(!o.wanted(), "no port asked for: no gateway");
        o.httpPort = 8080;
        o.forwards = List.of("tcp:8007:vm-1:7", "udp:8007:echo:7");
        o.listen = "127.0.0.1";
        o.hostSuffix = "example";
        o.maxConnectionsPerVm = 3;
        o.vmBytesPerSecond = 1L << 20;
        GatewayConfig c = o.config();
        assertEquals(8080, c.httpPort());
        assertEquals(List.of(new Forward(Forward.Protocol.TCP, 8007, "vm-1", 7), new Forward(Forward.Protocol.UDP, 8007, "echo", 7)),
                c.forwards());
        assertEquals("example", c.hostSuffix());
        assertEquals(3, c.maxConnectionsPerVm());
        assertEquals(GatewayConfig.defaults().maxConnections(), c.maxConnections());
        assertEquals(1L << 20, c.vmBytesPerSecond());
        assertEquals(InetAddress.getLoopbackAddress(), c.listenAddress());
    }

    @Test
    void aBadForwardIsAUsageErrorNamingIt() {
        assertEquals(2, yakima("host", "--image", "hello", "--forward", "tcp:80:vm-1"));
        assertEquals("yakima host: a forward is tcp|udp:HOSTPORT:VM:GUESTPORT, not 'tcp:80:vm-1'",
                err.toString().lines().findFirst().orElse(""));
    }

    @Test
    void aPortInUseIsAnErrorNamingTheAddressAndStartsNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertEquals(1, yakima("host", "--image", "hello", "--admin-port", "0", "--http-port", String.valueOf(port), "--duration", "1"));
            String line = err.toString().lines().filter(l -> l.contains("cannot listen")).findFirst().orElse(err.toString());
            assertTrue(line.startsWith("yakima host: cannot listen on 127.0.0.1:" + port + " for the HTTP front door: "), line);
        }
    }
}
