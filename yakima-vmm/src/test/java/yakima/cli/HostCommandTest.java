package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import yakima.vm.ImageResolver;

/** {@code yakima host} end to end: a real host for one second, on any free admin port. */
class HostCommandTest {
    private final ByteArrayOutputStream guests = new ByteArrayOutputStream();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int yakima(String... args) {
        CliStreams io = new CliStreams(guests, new PrintWriter(out, true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver()).execute(args);
    }

    @Test
    void severalImagesBootTheGivenNumberOfEachInOrder() {
        assertEquals(0, yakima("host", "--image", "hello,hello-sleeper", "--vms", "2", "--duration", "1", "--admin-port", "0",
                "--console"), err.toString());

        assertTrue(err.toString().contains("4 VMs of hello, hello-sleeper booted"), err.toString());
        String console = guests.toString(StandardCharsets.ISO_8859_1);
        assertEquals(4, console.lines().filter(l -> l.contains("hello from denali")).count(), console);
    }

    @Test
    void theReadmesTwoVmsTalkHttpgetPingsAndFetchesFromHttpd() {
        assertEquals(0, yakima("host", "--image", "httpd,httpget", "--duration", "5", "--admin-port", "0", "--console"),
                err.toString());

        String console = guests.toString(StandardCharsets.ISO_8859_1);
        assertTrue(console.lines().anyMatch(l -> l.matches("ping 10\\.0\\.0\\.2 seq 3: \\d+ us")), console);
        assertTrue(console.contains("GET /large -> 200, 134007 bytes"), console);
        assertTrue(console.contains("httpget: done"), console);
    }

    @Test
    void anEmptyImageNameIsAUsageError() {
        assertEquals(2, yakima("host", "--image", "hello,,hello", "--duration", "1", "--admin-port", "0"));
        assertEquals("yakima host: --image needs image names, comma-separated without blanks, not 'hello,,hello'",
                err.toString().strip());
    }

    @Test
    void anUnknownImageInTheListIsNamedAndTheHostGivesUp() {
        assertEquals(1, yakima("host", "--image", "hello,no-such-image", "--duration", "1", "--admin-port", "0"));
        assertTrue(err.toString().contains("no-such-image"), err.toString());
    }
}
