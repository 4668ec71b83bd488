package loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts come out as readable PNGs with the data drawn, whatever the data. */
class LinePlotTest {
    @TempDir
    Path dir;

    @Test
    void writesAReadablePngWithTheSeriesDrawn() throws IOException {
        double[] x = {1, 10, 100, 1000};
        LinePlot plot = new LinePlot("Throughput against VMs", "VMs", "req/s")
                .logX(true)
                .series("measured", x, new double[] {900, 880, 700, 300})
                .reference("Denali paper", x, new double[] {950, 940, 800, 400});
        Path file = dir.resolve("plot.png");
        plot.writePng(file);

        BufferedImage image = ImageIO.read(file.toFile());
        assertEquals(900, image.getWidth());
        assertEquals(560, image.getHeight());
        assertTrue(fractionNotWhite(image) > 0.01, "mostly blank");
        assertTrue(countColour(image, 0x1f77b4) > 50, "the measured series' blue is drawn");
        assertTrue(countGreyish(image) > 50, "the reference's grey is drawn");
    }

    @Test
    void emptyNaNAndNonPositiveOnLogAxesAreSkipped() throws IOException {
        LinePlot empty = new LinePlot("nothing", "x", "y").logX(true).logY(true);
        empty.writePng(dir.resolve("empty.png"));
        assertTrue(fractionNotWhite(ImageIO.read(dir.resolve("empty.png").toFile())) > 0.001, "axes drawn");

        LinePlot odd = new LinePlot("odd", "x", "y").logY(true)
                .series("gaps", new double[] {0, 1, 2, 3, Double.NaN, 5}, new double[] {0, -1, 5, Double.NaN, 7, 8})
                .series("nothing drawable", new double[] {1, 2}, new double[] {0, Double.POSITIVE_INFINITY})
                .series("no points", new double[0], new double[0])
                .reference("one point", new double[] {4}, new double[] {6});
        BufferedImage image = odd.render();
        assertEquals(900, image.getWidth());
        assertTrue(countColour(image, 0x1f77b4) > 10, "the drawable points of the first series are drawn");

        LinePlot flat = new LinePlot("flat", "x", "y").series("constant", new double[] {3, 3}, new double[] {2, 2});
        assertTrue(fractionNotWhite(flat.render()) > 0.001);
    }

    @Test
    void customTicksNeedALabelEach() {
        LinePlot plot = new LinePlot("t", "x", "y");
        assertThrows(IllegalArgumentException.class, () -> plot.xTicks(new double[] {1, 2}, new String[] {"a"}));
        plot.xTicks(new double[] {2, 10}, new String[] {"50%", "90%"})
                .logX(true)
                .series("s", new double[] {1, 3, 20}, new double[] {1, 2, 3});
        assertTrue(fractionNotWhite(plot.render()) > 0.001);
    }

    static double fractionNotWhite(BufferedImage image) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) != 0xffffff) {
                    n++;
                }
            }
        }
        return n / (double) (image.getWidth() * image.getHeight());
    }

    static long countColour(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Mid greys (the references), not the near-white grid nor black text. */
    private static long countGreyish(BufferedImage image) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int c = image.getRGB(x, y);
                int r = (c >> 16) & 0xff;
                int g = (c >> 8) & 0xff;
                int b = c & 0xff;
                if (r == g && g == b && r >= 0x50 && r <= 0xa0) {
                    n++;
                }
            }
        }
        return n;
    }
}
