package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;

import org.junit.jupiter.api.Test;

import yakima.net.LanFaults;
import yakima.vm.ImageResolver;

/** {@code yakima host --lan-faults SPEC}: how it parses, and its refusals (no host is started). */
class HostLanFaultsOptionTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int yakima(String... args) {
        CliStreams io = new CliStreams(new ByteArrayOutputStream(), new PrintWriter(out, true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver(new URLClassLoader(new URL[0], null))).execute(args);
    }

    @Test
    void theOptionIsListedInTheHelp() {
        assertEquals(0, yakima("help", "host"));
        assertTrue(out.toString().contains("--lan-faults"), out.toString());
    }

    @Test
    void aGoodSpecConvertsAndASeedIsDrawnWhenNoneIsGiven() {
        LanFaultsConverter converter = new LanFaultsConverter();
        assertEquals(new LanFaults(1.5, 2, 1, 99), converter.convert("drop=1.5,reorder=2,duplicate=1,seed=99"));
        LanFaults drawn = converter.convert("drop=1");
        assertEquals(1, drawn.dropPercent());
        boolean differs = false;
        for (int i = 0; i < 10 && !differs; i++) {
            differs = converter.convert("drop=1").seed() != drawn.seed();
        }
        assertTrue(differs, "each run draws its own seed");
    }

    @Test
    void aBadSpecIsAUsageErrorNamingTheOptionAndTheReason() {
        assertEquals(2, yakima("host", "--image", "hello", "--lan-faults", "drop=150"));
        assertEquals(List.of("yakima host: Invalid value for option '--lan-faults': drop must be a percentage from 0 to 100, not 150",
                "Try 'yakima host --help' for more information."), err.toString().lines().toList());
        err.getBuffer().setLength(0);
        assertEquals(2, yakima("host", "--image", "hello", "--lan-faults", "jitter=5"));
        String first = err.toString().lines().findFirst().orElse("");
        assertEquals("yakima host: Invalid value for option '--lan-faults': unknown key 'jitter' (keys: drop, reorder, duplicate, seed)",
                first);
    }
}
