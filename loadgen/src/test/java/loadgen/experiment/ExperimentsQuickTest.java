package loadgen.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every experiment's quick mode runs here (as in CI) and leaves what a user
 * reads: a CSV with a row per point, PNG plots that are real images, and a
 * summary that puts the result beside Denali's; and the rows hold
 * measurements, not blanks (every web point answered requests).
 */
class ExperimentsQuickTest {
    @TempDir
    static Path out;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @ParameterizedTest
    @ValueSource(strings = {"context-switch", "interrupts", "idle", "scale", "swap-block"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theQuickModeRunsAndWritesItsFiles(String name) throws Exception {
        Experiment e = Experiments.named(name).orElseThrow();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path dir = Experiments.run(e, true, out, new PrintStream(log, true, StandardCharsets.UTF_8));
        String logText = log.toString(StandardCharsets.UTF_8);

        Path csv = dir.resolve(name + ".csv");
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.size() >= 3, "a header and at least two points: " + lines);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        for (String row : lines.subList(1, lines.size())) {
            String[] cells = row.split(",", -1);
            assertEquals(header.size(), cells.length, row);
            for (int i = 0; i < header.size(); i++) {
                String column = header.get(i);
                if (column.endsWith("req_s") || column.equals("switch_us")) {
                    assertTrue(Double.parseDouble(cells[i]) > 0, column + " in " + row + "\n" + logText);
                }
            }
        }

        try (var files = Files.list(dir)) {
            List<Path> pngs = files.filter(f -> f.toString().endsWith(".png")).toList();
            assertTrue(!pngs.isEmpty(), "no plot in " + dir);
            for (Path png : pngs) {
                BufferedImage image = ImageIO.read(png.toFile());
                assertTrue(image != null && image.getWidth() >= 400 && image.getHeight() >= 300, png.toString());
            }
        }

        String summary = Files.readString(dir.resolve("summary.md"));
        assertTrue(summary.startsWith("# " + name + ": "), summary);
        assertTrue(summary.contains("## Beside Denali"), summary);
        assertTrue(summary.contains("quick mode"), summary);
        assertTrue(summary.contains("| " + header.get(0).replace("_", "_")), "the table: " + summary);
    }
}
