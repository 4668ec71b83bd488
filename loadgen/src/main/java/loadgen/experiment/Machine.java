package loadgen.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** One line about the machine an experiment ran on, for its summary: CPU, cores, memory, JDK, OS. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        String memory = "";
        if (mem != null) {
            try {
                long kib = Long.parseLong(mem.replaceAll("[^0-9]", ""));
                memory = String.format(Locale.ROOT, ", %.1f GiB of memory", kib / 1024.0 / 1024.0);
            } catch (NumberFormatException e) {
                memory = "";
            }
        }
        return String.format(Locale.ROOT, "%s, %d cores%s; JDK %s; %s %s; max heap %d MiB",
                cpu == null ? "unknown CPU" : cpu.replaceAll("\\s+", " "), Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"),
                Runtime.getRuntime().maxMemory() >> 20);
    }

    private static String firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equals(key)) {
                    return l.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
