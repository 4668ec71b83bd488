package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.swap.SwapStore;
import yakima.vm.ImageResolver;

/**
 * {@code yakima host --swap-dir DIR} across restarts: a host stopped on a
 * folder leaves every VM in it, the next one adopts them, {@code --vms}
 * counts them; and a folder that is not a swap store, or one another host
 * holds, is refused.
 */
class HostSwapDirTest {
    @TempDir
    Path tmp;

    private StringWriter err = new StringWriter();

    private int yakima(String... args) {
        err = new StringWriter();
        CliStreams io = new CliStreams(new ByteArrayOutputStream(), new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver()).execute(args);
    }

    private int host(Path swapDir, int vms) {
        return yakima("host", "--image", "hello-sleeper", "--vms", String.valueOf(vms), "--memory", "64m", "--swap-dir",
                swapDir.toString(), "--duration", "1", "--admin-port", "0");
    }

    @Test
    void aRestartedHostAdoptsTheVmsOfTheLastAndVmsCountsThem() throws Exception {
        Path dir = tmp.resolve("swap");
        assertEquals(0, host(dir, 3), err.toString());
        assertTrue(err.toString().contains("--swap-dir " + dir + " holds no VMs of an earlier run"), err.toString());
        assertTrue(err.toString().contains("yakima host: 3 VMs of hello-sleeper booted"), err.toString());
        assertTrue(err.toString().matches("(?s).*yakima host: swapped out \\d+ VMs to " + dir + " in .* ms for the next start\n.*"),
                err.toString());

        assertEquals(0, host(dir, 3), err.toString());
        assertTrue(err.toString().contains("yakima host: adopted 3 VMs from " + dir + " in "), err.toString());
        assertTrue(err.toString().contains(" ms (2 clones)"), err.toString());
        assertTrue(err.toString().contains("yakima host: 0 VMs of hello-sleeper booted"), err.toString());
        assertTrue(err.toString().contains("(3 adopted)"), err.toString());

        assertEquals(0, host(dir, 5), err.toString());
        assertTrue(err.toString().contains("yakima host: 2 VMs of hello-sleeper booted"), "--vms 5 boots the 2 missing: " + err);

        assertEquals(0, host(dir, 1), err.toString());
        assertTrue(err.toString().contains("yakima host: adopted 5 VMs from " + dir), err.toString());
        assertTrue(err.toString().contains("yakima host: 0 VMs of hello-sleeper booted"), "fewer than adopted: none destroyed, none booted");
    }

    @Test
    void aFolderOfOtherFilesIsRefusedAndLeftAsItWas() throws Exception {
        Path dir = tmp.resolve("photos");
        Files.createDirectories(dir.resolve("2024"));
        Files.write(dir.resolve("cat.jpg"), new byte[10]);
        assertEquals(2, host(dir, 1));
        assertEquals("yakima host: --swap-dir " + dir + " is not a swap store: it holds 2024, cat.jpg; "
                + "give a new or empty folder, or one a host swapped to", err.toString().strip());
        try (var entries = Files.list(dir)) {
            assertEquals(2, entries.count(), "nothing added, nothing removed");
        }
        Path file = tmp.resolve("file");
        Files.write(file, new byte[1]);
        assertEquals(2, host(file, 1));
        assertEquals("yakima host: --swap-dir " + file + " is not a directory", err.toString().strip());
    }

    @Test
    void aFolderAnotherHostHoldsIsRefused() throws Exception {
        Path dir = tmp.resolve("swap");
        try (SwapStore other = SwapStore.open(dir, 1 << 20)) {
            assertEquals(1, host(dir, 1));
            assertTrue(err.toString().startsWith("yakima host: swap store " + dir.toAbsolutePath() + " is in use by another host"),
                    err.toString());
        }
    }

    @Test
    void aSwapCompressionOtherThanNoneFastOrSmallIsRefused() {
        assertEquals(2, yakima("host", "--image", "hello-sleeper", "--memory", "64m", "--swap-compression", "lz4",
                "--duration", "1", "--admin-port", "0"));
        assertEquals("yakima host: --swap-compression must be none, fast or small, not 'lz4'", err.toString().strip());
        assertEquals(2, yakima("host", "--image", "hello-sleeper", "--swap-compression", "none", "--duration", "1",
                "--admin-port", "0"));
        assertTrue(err.toString().contains("need --memory"), err.toString());
    }

    @Test
    void aHostSwapsWithUncompressedRecordsWhenAskedTo() throws Exception {
        Path dir = tmp.resolve("swap");
        assertEquals(0, yakima("host", "--image", "hello-sleeper", "--vms", "2", "--memory", "64m", "--swap-dir",
                dir.toString(), "--swap-compression", "none", "--duration", "1", "--admin-port", "0"), err.toString());
        try (var files = Files.walk(dir)) {
            long biggest = files.filter(f -> f.getFileName().toString().endsWith(".rec")).mapToLong(f -> f.toFile().length())
                    .max().orElse(0);
            assertTrue(biggest > 4096, "an uncompressed record holds whole pages: " + biggest + " bytes");
        }
        assertEquals(0, host(dir, 2), err.toString());
        assertTrue(err.toString().contains("yakima host: adopted 2 VMs from " + dir), err.toString());
    }
}
