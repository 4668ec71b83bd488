package loadgen.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A line chart written as a PNG with plain Java2D (headless), so the load
 * generator can draw its figures without a plotting library: measured series
 * as solid lines with filled markers, and reference series (published
 * numbers to compare against) as dashed grey lines with hollow markers.
 * Axes are linear or logarithmic, with round tick values and a grid.
 *
 * <p>Points that cannot be drawn (NaN, infinite, or not positive on a log
 * axis) are skipped, breaking the line; a chart with no drawable point is
 * still written, with empty axes.
 */
public final class LinePlot {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
    };
    private static final Color[] GREYS = {new Color(0x707070), new Color(0x9a9a9a), new Color(0x505050)};
    private static final Color GRID = new Color(0xe4e4e4);
    private static final Color MINOR_GRID = new Color(0xf2f2f2);

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean logX;
    private boolean logY;
    private final List<Series> series = new ArrayList<>();
    private double[] xTickAt;
    private String[] xTickLabels;

    private record Series(String name, double[] x, double[] y, boolean reference) {
    }

    /** A chart with a title and axis labels (any of them may be empty). */
    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title == null ? "" : title;
        this.xLabel = xLabel == null ? "" : xLabel;
        this.yLabel = yLabel == null ? "" : yLabel;
    }

    /** A logarithmic x axis (decade ticks). */
    public LinePlot logX(boolean on) {
        this.logX = on;
        return this;
    }

    /** A logarithmic y axis (decade ticks). */
    public LinePlot logY(boolean on) {
        this.logY = on;
        return this;
    }

    /** A measured series: solid line and filled markers, in the next colour. */
    public LinePlot series(String name, double[] x, double[] y) {
        series.add(new Series(name, x.clone(), y.clone(), false));
        return this;
    }

    /** A reference series, e.g. published numbers: dashed grey line and hollow markers. */
    public LinePlot reference(String name, double[] x, double[] y) {
        series.add(new Series(name, x.clone(), y.clone(), true));
        return this;
    }

    /** Ticks on the x axis at these data values with these labels, instead of the automatic ones. */
    public LinePlot xTicks(double[] at, String[] labels) {
        if (at.length != labels.length) {
            throw new IllegalArgumentException(at.length + " tick positions but " + labels.length + " labels");
        }
        this.xTickAt = at.clone();
        this.xTickLabels = labels.clone();
        return this;
    }

    /** Writes the chart as a PNG file (the directory must exist). */
    public void writePng(Path file) throws IOException {
        BufferedImage image = render();
        try (var out = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        }
    }

    /** Draws the chart. */
    public BufferedImage render() {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            draw(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    // ------------------------------------------------------------------ layout and drawing

    /** One axis: its data range (in log10 units on a log axis) and ticks. */
    private static final class Axis {
        final boolean log;
        double lo;
        double hi;
        final List<Double> ticks = new ArrayList<>(); // data values
        final List<String> labels = new ArrayList<>();
        final List<Double> minor = new ArrayList<>(); // data values

        Axis(boolean log) {
            this.log = log;
        }

        double t(double v) {
            return log ? Math.log10(v) : v;
        }

        /** Position 0..1 along the axis. */
        double frac(double v) {
            return (t(v) - lo) / (hi - lo);
        }
    }

    private boolean drawable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    private Axis axis(boolean log, boolean isX, boolean fromZero) {
        Axis a = new Axis(log);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            int n = Math.min(s.x.length, s.y.length);
            for (int i = 0; i < n; i++) {
                if (drawable(s.x[i], logX) && drawable(s.y[i], logY)) {
                    double v = isX ? s.x[i] : s.y[i];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (isX && xTickAt != null) {
            for (double v : xTickAt) {
                if (drawable(v, log)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) { // nothing to draw
            min = log ? 1 : 0;
            max = log ? 10 : 1;
        }
        if (log) {
            a.lo = Math.floor(Math.log10(min));
            a.hi = Math.ceil(Math.log10(max));
            if (a.hi <= a.lo) {
                a.hi = a.lo + 1;
            }
            boolean few = a.hi - a.lo <= 2;
            for (int e = (int) a.lo; e <= (int) a.hi; e++) {
                double decade = Math.pow(10, e);
                a.ticks.add(decade);
                a.labels.add(format(decade, e));
                for (int m = 2; m <= 9 && e < a.hi; m++) {
                    a.minor.add(m * decade);
                    if (few && (m == 2 || m == 5)) {
                        a.ticks.add(m * decade);
                        a.labels.add(format(m * decade, e));
                    }
                }
            }
        } else {
            if (fromZero && min > 0) {
                min = 0;
            }
            if (max == min) {
                double pad = max == 0 ? 1 : Math.abs(max) * 0.1;
                min -= pad;
                max += pad;
            }
            double step = niceStep((max - min) / 6);
            a.lo = Math.floor(min / step) * step;
            a.hi = Math.ceil(max / step) * step;
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            for (long k = Math.round(a.lo / step); k <= Math.round(a.hi / step); k++) {
                double v = k * step;
                a.ticks.add(v);
                a.labels.add(String.format(Locale.ROOT, "%,." + decimals + "f", v + 0.0));
            }
        }
        if (isX && xTickAt != null) {
            a.ticks.clear();
            a.labels.clear();
            for (int i = 0; i < xTickAt.length; i++) {
                if (drawable(xTickAt[i], log)) {
                    a.ticks.add(xTickAt[i]);
                    a.labels.add(xTickLabels[i]);
                }
            }
        }
        return a;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** A log-axis tick label: with thousands separators up to 10^9 and down to 10^-4 (1,000,000), else 1e12. */
    private static String format(double v, int exponent) {
        if (exponent >= 3 && exponent <= 9) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (exponent > 9 || exponent < -4) {
            double mantissa = v / Math.pow(10, exponent);
            return (Math.abs(mantissa - 1) < 1e-9 ? "1" : String.format(Locale.ROOT, "%.0f", mantissa)) + "e" + exponent;
        }
        return new BigDecimal(String.format(Locale.ROOT, "%.6f", v)).stripTrailingZeros().toPlainString();
    }

    private void draw(Graphics2D g) {
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font titleFont = base.deriveFont(Font.BOLD, 17f);
        g.setFont(base);

        // Legend in the top margin, under the title, wrapping as needed.
        int left = 86;
        int right = WIDTH - 30;
        FontMetrics fm = g.getFontMetrics(base);
        List<int[]> legendAt = new ArrayList<>(); // x, row
        int lx = left;
        int row = 0;
        for (Series s : series) {
            int w = 34 + fm.stringWidth(s.name) + 18;
            if (lx + w > right && lx > left) {
                lx = left;
                row++;
            }
            legendAt.add(new int[] {lx, row});
            lx += w;
        }
        int rows = series.isEmpty() ? 0 : row + 1;
        int top = 44 + rows * 20 + 10;
        int bottom = HEIGHT - 62;

        Axis xa = axis(logX, true, false);
        Axis ya = axis(logY, false, true);
        int pw = right - left;
        int ph = bottom - top;

        // Grid.
        g.setStroke(new BasicStroke(1f));
        g.setColor(MINOR_GRID);
        for (double v : xa.minor) {
            double f = xa.frac(v);
            if (f > 0 && f < 1) {
                int px = left + (int) Math.round(f * pw);
                g.drawLine(px, top, px, bottom);
            }
        }
        for (double v : ya.minor) {
            double f = ya.frac(v);
            if (f > 0 && f < 1) {
                int py = bottom - (int) Math.round(f * ph);
                g.drawLine(left, py, right, py);
            }
        }
        g.setColor(GRID);
        for (double v : xa.ticks) {
            double f = xa.frac(v);
            if (f >= 0 && f <= 1) {
                int px = left + (int) Math.round(f * pw);
                g.drawLine(px, top, px, bottom);
            }
        }
        for (double v : ya.ticks) {
            double f = ya.frac(v);
            if (f >= 0 && f <= 1) {
                int py = bottom - (int) Math.round(f * ph);
                g.drawLine(left, py, right, py);
            }
        }

        // Data, clipped to the plot area.
        Shape oldClip = g.getClip();
        g.clipRect(left - 6, top - 6, pw + 12, ph + 12);
        int colour = 0;
        int grey = 0;
        List<Color> colours = new ArrayList<>();
        for (Series s : series) {
            Color c = s.reference ? GREYS[grey++ % GREYS.length] : COLOURS[colour++ % COLOURS.length];
            colours.add(c);
            drawSeries(g, s, c, xa, ya, left, bottom, pw, ph);
        }
        g.setClip(oldClip);

        // Axes.
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(left, top, pw, ph);
        g.setFont(base);
        for (int i = 0; i < xa.ticks.size(); i++) {
            double f = xa.frac(xa.ticks.get(i));
            if (f < -1e-9 || f > 1 + 1e-9) {
                continue;
            }
            int px = left + (int) Math.round(f * pw);
            g.drawLine(px, bottom, px, bottom + 5);
            String label = xa.labels.get(i);
            g.drawString(label, px - fm.stringWidth(label) / 2, bottom + 8 + fm.getAscent());
        }
        for (int i = 0; i < ya.ticks.size(); i++) {
            double f = ya.frac(ya.ticks.get(i));
            if (f < -1e-9 || f > 1 + 1e-9) {
                continue;
            }
            int py = bottom - (int) Math.round(f * ph);
            g.drawLine(left - 5, py, left, py);
            String label = ya.labels.get(i);
            g.drawString(label, left - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        g.drawString(xLabel, left + (pw - fm.stringWidth(xLabel)) / 2, HEIGHT - 16);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + (ph + fm.stringWidth(yLabel)) / 2), 20);
        g.setTransform(saved);

        g.setFont(titleFont);
        FontMetrics tm = g.getFontMetrics();
        while (tm.stringWidth(title) > WIDTH - 20 && titleFont.getSize2D() > 9) { // shrink a long title to fit
            titleFont = titleFont.deriveFont(titleFont.getSize2D() - 1);
            g.setFont(titleFont);
            tm = g.getFontMetrics();
        }
        g.drawString(title, (WIDTH - tm.stringWidth(title)) / 2, 28);

        // Legend.
        g.setFont(base);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int x = legendAt.get(i)[0];
            int y = 44 + legendAt.get(i)[1] * 20 + 6;
            g.setColor(colours.get(i));
            g.setStroke(stroke(s.reference));
            g.drawLine(x, y, x + 26, y);
            marker(g, s.reference, i, x + 13, y);
            g.setColor(Color.BLACK);
            g.drawString(s.name, x + 32, y + fm.getAscent() / 2 - 1);
        }
    }

    private static Stroke stroke(boolean reference) {
        return reference
                ? new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {7f, 5f}, 0f)
                : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    private void drawSeries(Graphics2D g, Series s, Color c, Axis xa, Axis ya, int left, int bottom, int pw, int ph) {
        int n = Math.min(s.x.length, s.y.length);
        double[] px = new double[n];
        double[] py = new double[n];
        boolean[] ok = new boolean[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            ok[i] = drawable(s.x[i], logX) && drawable(s.y[i], logY);
            if (ok[i]) {
                px[i] = left + xa.frac(s.x[i]) * pw;
                py[i] = bottom - ya.frac(s.y[i]) * ph;
                count++;
            }
        }
        g.setColor(c);
        g.setStroke(stroke(s.reference));
        Path2D.Double path = new Path2D.Double();
        boolean pen = false;
        for (int i = 0; i < n; i++) {
            if (!ok[i]) {
                pen = false;
            } else if (pen) {
                path.lineTo(px[i], py[i]);
            } else {
                path.moveTo(px[i], py[i]);
                pen = true;
            }
        }
        g.draw(path);
        // Markers: on every point, or on about 40 of them when there are many.
        int every = Math.max(1, (int) Math.ceil(count / 40.0));
        int seen = 0;
        int index = series.indexOf(s);
        for (int i = 0; i < n; i++) {
            if (ok[i] && seen++ % every == 0) {
                marker(g, s.reference, index, px[i], py[i]);
            }
        }
    }

    /** A filled circle for a measured series; a hollow shape (square, triangle, diamond) for a reference. */
    private static void marker(Graphics2D g, boolean reference, int index, double x, double y) {
        double r = 3.5;
        if (!reference) {
            g.fill(new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r));
            return;
        }
        Shape shape = switch (index % 3) {
            case 0 -> new Rectangle2D.Double(x - r, y - r, 2 * r, 2 * r);
            case 1 -> triangle(x, y, r + 0.8);
            default -> diamond(x, y, r + 1);
        };
        Color c = g.getColor();
        Stroke st = g.getStroke();
        g.setColor(Color.WHITE);
        g.fill(shape);
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f));
        g.draw(shape);
        g.setStroke(st);
    }

    private static Shape triangle(double x, double y, double r) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(x, y - r);
        p.lineTo(x + r, y + r * 0.8);
        p.lineTo(x - r, y + r * 0.8);
        p.closePath();
        return p;
    }

    private static Shape diamond(double x, double y, double r) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(x, y - r);
        p.lineTo(x + r, y);
        p.lineTo(x, y + r);
        p.lineTo(x - r, y);
        p.closePath();
        return p;
    }
}
