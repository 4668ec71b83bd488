package yakima.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/**
 * The live heap by class, from the JVM's own {@code GC.class_histogram}
 * diagnostic command (what {@code jcmd PID GC.class_histogram} prints; it
 * collects first), and the difference of two of them: where the bytes of
 * thousands of alike objects went.
 */
final class ClassHistogram {
    /** Instances and bytes of one class. */
    record Row(String className, long instances, long bytes) {
    }

    private final Map<String, Row> rows;

    private ClassHistogram(Map<String, Row> rows) {
        this.rows = rows;
    }

    /** Takes a histogram of the live heap now (a full collection first). */
    static ClassHistogram take() {
        try {
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(name, "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, Row> rows = new HashMap<>();
            // "   1:         12345        6789012  [I (java.base@25)"
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":")) {
                    rows.put(f[3], new Row(f[3], Long.parseLong(f[1]), Long.parseLong(f[2])));
                }
            }
            return new ClassHistogram(rows);
        } catch (Exception e) {
            throw new IllegalStateException("GC.class_histogram failed", e);
        }
    }

    /** Classes whose bytes grew from {@code before} to this histogram, most first. */
    List<Row> growthSince(ClassHistogram before) {
        List<Row> out = new ArrayList<>();
        for (Row r : rows.values()) {
            Row b = before.rows.get(r.className());
            long di = r.instances() - (b == null ? 0 : b.instances());
            long db = r.bytes() - (b == null ? 0 : b.bytes());
            if (db > 0) {
                out.add(new Row(r.className(), di, db));
            }
        }
        out.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
        return out;
    }

    /** Prints the growth per {@code perN} (e.g. per VM): instances and bytes per class, and the total. */
    static void printGrowth(List<Row> growth, int perN, double minBytesPerN) {
        System.out.printf("%nheap growth per VM by class (GC.class_histogram, after - before, / %d):%n", perN);
        System.out.printf("%12s %12s  %s%n", "instances", "bytes", "class");
        long total = 0;
        long rest = 0;
        for (Row r : growth) {
            total += r.bytes();
            double bytes = (double) r.bytes() / perN;
            if (bytes >= minBytesPerN) {
                System.out.printf("%12.2f %12.1f  %s%n", (double) r.instances() / perN, bytes, r.className());
            } else {
                rest += r.bytes();
            }
        }
        System.out.printf("%12s %12.1f  (other classes)%n", "", (double) rest / perN);
        System.out.printf("%12s %12.1f  total%n", "", (double) total / perN);
    }
}
