package loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import loadgen.core.LoadResult;
import loadgen.core.LoadRunner;
import loadgen.core.LoadSpec;

/** The table and files a run leaves behind carry its figures. */
class ResultReportTest {
    @TempDir
    Path dir;

    /** 1000 requests at 1..1000 µs (corrected: +1 ms), 2 s window, two kinds of error. */
    private static LoadResult result(LoadSpec spec, Map<String, Long> errors) {
        Histogram corrected = new Histogram(LoadRunner.HIGHEST_TRACKABLE_US, 3);
        Histogram uncorrected = new Histogram(LoadRunner.HIGHEST_TRACKABLE_US, 3);
        for (int i = 1; i <= 1000; i++) {
            uncorrected.recordValue(i);
            corrected.recordValue(1000 + i);
        }
        return new LoadResult(spec, 2.0, 1000, 1000 * 2258L, errors, corrected, uncorrected, new long[] {480, 520});
    }

    @Test
    void tableHasThroughputPercentilesAndErrorsByKind() {
        LoadSpec spec = LoadSpec.defaults().withOpenLoop(500).withDuration(Duration.ofSeconds(2));
        String table = new ResultReport(result(spec, Map.of("timeout", 3L, "http-503", 2L, "closed", 0L))).table();
        assertTrue(table.contains("throughput   500.0 req/s"), table);
        assertTrue(table.contains("p99 "), table);
        // p99 of 1001..2000 µs is 1.990 ms
        assertTrue(table.lines().anyMatch(l -> l.startsWith("p99 ") && l.contains("1.990 ms")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("uncorrected") && l.contains("p99 0.990")), table);
        assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("timeout") && l.trim().endsWith("3")), table);
        assertTrue(table.lines().anyMatch(l -> l.trim().startsWith("http-503") && l.trim().endsWith("2")), table);
        assertTrue(!table.contains("closed "), "zero counts are not listed: " + table);
        assertTrue(table.contains("errors       5"), table);
    }

    @Test
    void tableSaysNoErrorsAndHasNoUncorrectedLineInClosedLoop() {
        String table = new ResultReport(result(LoadSpec.defaults().withClosedLoop(4), Map.of())).table();
        assertTrue(table.contains("errors: none"), table);
        assertTrue(!table.contains("uncorrected"), table);
    }

    @Test
    void tableCopesWithNoSuccessfulRequest() {
        Histogram empty = new Histogram(LoadRunner.HIGHEST_TRACKABLE_US, 3);
        LoadResult r = new LoadResult(LoadSpec.defaults(), 1.0, 0, 0, Map.of("connect-refused", 7L), empty,
                empty, new long[] {0});
        String table = new ResultReport(r).table();
        assertTrue(table.contains("p99          n/a"), table);
        assertTrue(table.contains("connect-refused"), table);
    }

    @Test
    void writesCsvHgrmAndCharts() throws IOException {
        LoadSpec spec = LoadSpec.defaults().withOpenLoop(500).withDuration(Duration.ofSeconds(2));
        LoadResult r = result(spec, Map.of("timeout", 3L));
        Path out = dir.resolve("new/run");
        new ResultReport(r).write(out, "small");

        List<String> csv = Files.readAllLines(out.resolve("small.csv"));
        assertEquals(2, csv.size(), "header and one row");
        List<String> header = List.of(csv.get(0).split(","));
        List<String> row = List.of(csv.get(1).split(","));
        assertEquals(header.size(), row.size());
        assertEquals("500", row.get(header.indexOf("throughput_rps")));
        assertEquals("1.99", row.get(header.indexOf("p99_ms")));
        assertEquals("3", row.get(header.indexOf("error:timeout")));

        String hgrm = Files.readString(out.resolve("small.hgrm"));
        assertTrue(hgrm.contains("Percentile"), hgrm);
        assertTrue(hgrm.contains("#[Max     =        2.000"), hgrm); // in ms

        for (String png : List.of("small-latency.png", "small-throughput.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertEquals(900, image.getWidth(), png);
            assertTrue(LinePlotTest.countColour(image, 0x1f77b4) > 50, png + " has the series drawn");
        }
    }

    @Test
    void percentilePointsRunFromTheMedianToTheMaximum() {
        Histogram h = new Histogram(LoadRunner.HIGHEST_TRACKABLE_US, 3);
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L);
        }
        double[][] xy = ResultReport.byPercentile(h);
        assertEquals(1.0, xy[0][0]);
        assertEquals(1000.0, xy[0][xy[0].length - 1]);
        assertEquals(1000.0, xy[1][xy[1].length - 1], 1.0); // the max, 1 s
        for (int i = 1; i < xy[1].length; i++) {
            assertTrue(xy[1][i] >= xy[1][i - 1], "latency grows with the percentile");
        }
    }
}
