package loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import loadgen.core.LoadSpec;
import loadgen.testing.TestServer;
import picocli.CommandLine;

/** The command line: bad options fail on one line with exit code 2; a run prints its table and writes its files. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class LoadCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = LoadCommand.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private void assertOneLineError(String expected, String... args) {
        assertEquals(2, run(args), err.toString());
        String text = err.toString();
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("loadgen: "), text);
        assertTrue(text.contains(expected), text);
        assertEquals("", out.toString());
    }

    @Test
    void unknownOptionIsOneLineAndExitCode2() {
        assertOneLineError("--bogus", "--bogus");
    }

    @Test
    void badValuesAreOneLineAndExitCode2() {
        assertOneLineError("--rate", "--rate", "10", "--clients", "2");
        err.getBuffer().setLength(0);
        assertOneLineError("not a duration", "--duration", "5x");
        err.getBuffer().setLength(0);
        assertOneLineError("services must be at least 1", "--vms", "0");
        err.getBuffer().setLength(0);
        assertOneLineError("--url", "--url", "ftp://example.org/");
        err.getBuffer().setLength(0);
        assertOneLineError("rate > 0", "--rate", "0");
    }

    @Test
    void runWritesTheTableAndFiles() throws IOException {
        try (TestServer server = TestServer.ok(200, 2258)) {
            Path results = dir.resolve("results");
            int code = run("--url", "http://127.0.0.1:" + server.port() + "/small", "--vms", "10", "--clients", "2",
                    "--warmup", "0", "--duration", "500ms", "--expect-bytes", "2258", "--out", results.toString());
            assertEquals(0, code, err.toString());
            String table = out.toString();
            assertTrue(table.contains("p99"), table);
            assertTrue(table.contains("errors: none"), table);
            assertTrue(table.contains("results in " + results), table);
            for (String f : new String[] {"loadgen.csv", "loadgen.hgrm", "loadgen-latency.png",
                    "loadgen-throughput.png"}) {
                assertTrue(Files.size(results.resolve(f)) > 0, f);
            }
            assertEquals(10, server.hosts().size(), "Host headers vm-1..vm-10: " + server.hosts());
        }
    }

    @Test
    void unreachableServerExitsWith1AndNamesTheError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        int code = run("--url", "http://127.0.0.1:" + port + "/", "--rate", "100", "--warmup", "0",
                "--duration", "300ms", "--out", dir.resolve("r").toString());
        assertEquals(1, code, err.toString());
        assertTrue(out.toString().contains("connect-refused"), out.toString());
    }

    @Test
    void optionsMakeTheSpec() {
        LoadCommand c = new LoadCommand();
        new CommandLine(c).parseArgs("--url", "http://10.0.0.1:81/x?y=1", "--uniform", "--rate", "250",
                "--connection-per-request", "--timeout", "1.5s", "--warmup", "2m", "--duration", "3");
        LoadSpec spec = c.toSpec();
        assertEquals("10.0.0.1", spec.address());
        assertEquals(81, spec.port());
        assertEquals("/x?y=1", spec.path());
        assertEquals(0.0, spec.zipfAlpha());
        assertEquals(LoadSpec.Mode.OPEN, spec.mode());
        assertEquals(250.0, spec.rate());
        assertEquals(false, spec.keepAlive());
        assertEquals(Duration.ofMillis(1500), spec.timeout());
        assertEquals(Duration.ofMinutes(2), spec.warmup());
        assertEquals(Duration.ofSeconds(3), spec.duration());

        LoadCommand d = new LoadCommand();
        new CommandLine(d).parseArgs();
        LoadSpec defaults = d.toSpec();
        assertEquals(LoadSpec.defaults(), defaults);
    }

    @Test
    void durationsAcceptCommonForms() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10s"));
        assertEquals(Duration.ofSeconds(10), DurationConverter.parse("10"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofMillis(250), DurationConverter.parse("0.25"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("-1s"));
        assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("ten"));
    }

    @Test
    void helpShowsTheHostTemplate() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().contains("vm-%d.denali"), out.toString());
    }
}
