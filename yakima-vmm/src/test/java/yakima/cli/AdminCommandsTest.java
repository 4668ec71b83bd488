package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import yakima.admin.AdminServer;
import yakima.admin.CreateVmRequest;
import yakima.admin.FakeBackend;
import yakima.admin.JsonParser;
import yakima.admin.VmView;
import yakima.vm.ImageResolver;

/** {@code yakima ps} and {@code yakima inspect} against a real admin server on a loopback port, with the fake host behind it. */
class AdminCommandsTest {
    private final FakeBackend backend = new FakeBackend();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private AdminServer server;
    private String admin;

    @BeforeEach
    void start() throws IOException {
        server = AdminServer.loopback(backend, 0).start();
        admin = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int yakima(String... args) {
        CliStreams io = new CliStreams(new ByteArrayOutputStream(), new PrintWriter(out, true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver(new URLClassLoader(new URL[0], null))).execute(args);
    }

    @Test
    void psPrintsATableOfTheVms() throws Exception {
        assertEquals(0, yakima("ps", "--admin", admin));
        assertEquals(List.of("ID  NAME  IMAGE  STATE  MEM  INSNS  IP"), out.toString().lines().toList());
        out.getBuffer().setLength(0);

        backend.create(new CreateVmRequest("hello", 1 << 20, "web"));
        backend.create(new CreateVmRequest("cpuwork", 65536, null));
        backend.put(new VmView("vm-3", "bad\n\u001b[2Jname", "hello", "faulted", 4 << 20, null, null, Map.of(), Map.of(), "page fault", null));
        assertEquals(0, yakima("ps", "--admin", admin));
        assertEquals(List.of(
                "ID    NAME              IMAGE    STATE    MEM    INSNS  IP",
                "vm-1  web               hello    running  1MiB   1000   10.0.0.1",
                "vm-2  -                 cpuwork  running  64KiB  2000   10.0.0.2",
                "vm-3  bad\\n\\x1b[2Jname  hello    faulted  4MiB   -      -"), out.toString().lines().toList());
        assertEquals("", err.toString());
    }

    @Test
    void inspectPrintsKeyValueLines() throws Exception {
        backend.create(new CreateVmRequest("hello", 1 << 20, "web"));
        assertEquals(0, yakima("inspect", "web", "--admin", admin));
        assertEquals(List.of(
                "id:                      vm-1",
                "name:                    web",
                "image:                   hello",
                "state:                   running",
                "memSizeBytes:            1048576 (1 MiB)",
                "mac:                     02:00:00:00:00:01",
                "ipv4:                    10.0.0.1",
                "faultReason:             -",
                "exitCode:                -",
                "memory.privateBytes:     1048576",
                "memory.sharedBytes:      8192",
                "memory.pageTableBytes:   64",
                "memory.bookkeepingBytes: 512",
                "counters.instructions:   1000",
                "counters.quanta:         1",
                "counters.hypercalls:     10",
                "counters.consoleBytes:   12",
                "counters.consoleDropped: 0"), out.toString().lines().toList());
    }

    @Test
    void inspectJsonPrintsTheHostsJson() throws Exception {
        String name = "a \"quoted\"\\ name\nwith é";
        backend.create(new CreateVmRequest("hello", 1 << 20, name));
        assertEquals(0, yakima("inspect", name, "--json", "--admin", admin));
        String json = out.toString();
        assertTrue(json.endsWith("}\n"), json);
        assertTrue(json.contains("\"name\":\"a \\\"quoted\\\"\\\\ name\\nwith \\u00e9\""), json);
        assertEquals(name, ((Map<?, ?>) JsonParser.parse(json)).get("name"));
    }

    @Test
    void aStoppedVmWhoseFileCannotBeWrittenGoesBackToTheHost(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        backend.create(new CreateVmRequest("hello", 1 << 20, "web"));
        java.nio.file.Path file = dir.resolve("web.snap");
        backend.onNextSnapshot(() -> { // someone else writes the file while the host takes the snapshot
            try {
                java.nio.file.Files.writeString(file, "theirs");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(1, yakima("snapshot", "web", file.toString(), "--stop", "--admin", admin));
        assertEquals(List.of("yakima snapshot: " + file + " appeared meanwhile (give --force to replace it)",
                "yakima snapshot: web was stopped; it runs again on the host as vm-2"), err.toString().lines().toList());
        assertEquals("theirs", java.nio.file.Files.readString(file), "their file is kept");
        assertEquals("record of vm-1, stopped", new String(backend.lastRestore()), "the record went back to the host");
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void anUnknownVmIsOneLineAndExitOne() {
        assertEquals(1, yakima("inspect", "vm-7", "--admin", admin));
        assertEquals("", out.toString());
        assertEquals(List.of("yakima inspect: no VM named vm-7"), err.toString().lines().toList());
    }

    @Test
    void aHostFailureSaysSo() {
        backend.failNext(new IllegalStateException("boom"));
        assertEquals(1, yakima("ps", "--admin", admin));
        assertEquals(List.of("yakima ps: the host at " + admin + " failed: internal error: java.lang.IllegalStateException: boom"),
                err.toString().lines().toList());
    }

    @Test
    void noHostListeningIsOneClearLine() throws IOException {
        String nobody = "127.0.0.1:" + freePort();
        assertEquals(1, yakima("ps", "--admin", nobody));
        assertEquals(List.of("yakima ps: no Yakima host at " + nobody + ": connection refused; start one with ./yakima host"),
                err.toString().lines().toList());
        err.getBuffer().setLength(0);
        assertEquals(1, yakima("inspect", "vm-1", "--admin", nobody));
        assertEquals(List.of("yakima inspect: no Yakima host at " + nobody + ": connection refused; start one with ./yakima host"),
                err.toString().lines().toList());
        assertEquals("", out.toString());
    }

    @Test
    void aBadAdminAddressIsAUsageError() {
        assertEquals(2, yakima("ps", "--admin", "localhost:http"));
        assertEquals("yakima ps: Invalid value for option '--admin': 'localhost:http' is not HOST:PORT (e.g. 127.0.0.1:7077, or [::1]:7077)",
                err.toString().lines().findFirst().orElseThrow());
        assertEquals(2, yakima("inspect", "--admin", admin));
    }

    @Test
    void helpShowsTheDefaultAddress() {
        assertEquals(0, yakima("ps", "--help"));
        assertTrue(out.toString().contains("default: 127.0.0.1:7077"), out.toString());
        assertEquals(0, yakima("--help"));
        assertTrue(out.toString().contains("inspect"), out.toString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
