package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The CLI's client against a real server, a port where nothing listens, and a server that is not Yakima. */
class AdminClientTest {
    @Test
    void listAndInspectReturnTheHostsViews() throws Exception {
        FakeBackend backend = new FakeBackend();
        VmView web = backend.create(new CreateVmRequest("hello", 1 << 20, "web \"1\"\n/é"));
        VmView other = backend.create(new CreateVmRequest("cpuwork", 65536, null));
        try (AdminServer server = AdminServer.loopback(backend, 0).start();
                AdminClient client = new AdminClient(new AdminAddress("127.0.0.1", server.port()))) {
            assertEquals(List.of(web, other), client.list());
            assertEquals(web, client.inspect("web \"1\"\n/é"));
            assertEquals(other, client.inspect("vm-2"));
            assertEquals(JsonWriter.write(AdminJson.vm(other)) + "\n", client.inspectJson("vm-2"));
            AdminException e = assertThrows(AdminException.class, () -> client.inspect("vm-7"));
            assertEquals(404, e.httpStatus());
            assertEquals("no VM named vm-7", e.getMessage());
        }
    }

    @Test
    void nothingListeningIsAConnectException() throws Exception {
        try (AdminClient client = new AdminClient(new AdminAddress("127.0.0.1", freePort()))) {
            IOException e = assertThrows(IOException.class, client::list);
            assertTrue(e instanceof ConnectException || e.getCause() instanceof ConnectException, e.toString());
        }
    }

    @Test
    void anotherServerOnThePortIsNotTakenForAHost() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        other.createContext("/v1/vms", ex -> {
            byte[] body = "<html>hello</html>".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/v1/vms") ? 200 : 404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        other.start();
        try (AdminClient client = new AdminClient(new AdminAddress("127.0.0.1", other.getAddress().getPort()))) {
            String at = "127.0.0.1:" + other.getAddress().getPort();
            assertEquals(at + " did not answer as a Yakima host: the answer is not JSON: unexpected character '<' at offset 0",
                    assertThrows(IOException.class, client::list).getMessage());
            assertEquals(at + " did not answer as a Yakima host: HTTP 404 without an error message",
                    assertThrows(IOException.class, () -> client.inspect("vm-1")).getMessage());
        } finally {
            other.stop(0);
        }
    }

    @Test
    void addressesParseAsPeopleTypeThem() {
        assertEquals(new AdminAddress("127.0.0.1", 7077), AdminAddress.parse("127.0.0.1:7077"));
        assertEquals(new AdminAddress("localhost", 7077), AdminAddress.parse("localhost"));
        assertEquals(new AdminAddress("::1", 8080), AdminAddress.parse("[::1]:8080"));
        assertEquals(new AdminAddress("::1", 7077), AdminAddress.parse("[::1]"));
        assertEquals("http://[::1]:8080", AdminAddress.parse("[::1]:8080").baseUri());
        assertEquals("[::1]:8080", AdminAddress.parse("[::1]:8080").toString());
        assertEquals("127.0.0.1:7077", AdminAddress.DEFAULT.toString());
        for (String bad : List.of("", ":7077", "host:", "host:x", "host:70770", "host:0", "::1", "[::1", "[::1]x", "a b:1", "h/x:1")) {
            assertThrows(IllegalArgumentException.class, () -> AdminAddress.parse(bad), bad);
        }
        assertEquals("'host:x' is not HOST:PORT (e.g. 127.0.0.1:7077, or [::1]:7077)",
                assertThrows(IllegalArgumentException.class, () -> AdminAddress.parse("host:x")).getMessage());
    }

    /** A port nothing listens on: one the kernel just handed out and took back. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
