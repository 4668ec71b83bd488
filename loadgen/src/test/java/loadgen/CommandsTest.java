package loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * The subcommands a user types: {@code experiment} refuses a name it does
 * not know and lists the ones it does; {@code demo} (small) boots its VMs,
 * drives them and prints the result table.
 */
class CommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int loadgen(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void anUnknownExperimentIsRefusedWithTheNamesThereAre() {
        assertEquals(2, loadgen("experiment", "cliff"));
        assertEquals("loadgen experiment: no experiment 'cliff'; there are context-switch, interrupts, idle, scale, swap-block (or all)",
                err.toString().strip());
    }

    @Test
    void listNamesEveryExperimentWithItsFullRunTime() {
        assertEquals(0, loadgen("experiment", "list"));
        for (String name : new String[] {"context-switch", "interrupts", "idle", "scale", "swap-block"}) {
            assertTrue(out.toString().contains(name + " "), out.toString());
        }
        assertTrue(out.toString().contains("full mode: about"), out.toString());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aSmallDemoServesItsLoadAndPrintsTheTable(@TempDir Path dir) throws Exception {
        assertEquals(0, loadgen("demo", "--vms", "20", "--duration", "1", "--clients", "4", "--out", dir.toString()),
                err.toString());
        String table = out.toString();
        assertTrue(table.contains("20 httpd VMs on one host"), table);
        assertTrue(table.contains("p99"), table);
        assertTrue(Files.exists(dir.resolve("demo.csv")), "files in " + dir);
        assertTrue(err.toString().contains("20 VMs booted and listening"), err.toString());
    }

    @Test
    void aResultsFolderThatCannotBeMadeIsOneLineBeforeAnyVmBoots(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertEquals(1, loadgen("demo", "--vms", "2", "--out", file.resolve("sub").toString()));
        assertEquals("demo: cannot write " + file.resolve("sub") + ": Not a directory", err.toString().strip());
        assertEquals(1, loadgen("experiment", "context-switch", "--quick", "--out", file.toString()));
        assertTrue(err.toString().strip().endsWith("experiment: cannot write " + file.resolve("context-switch") + ": Not a directory"),
                err.toString());
    }
}
