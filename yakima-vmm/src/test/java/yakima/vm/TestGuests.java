package yakima.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The C guests in {@code src/test/guests}, compiled on first use with the
 * project's guest toolchain ({@code ilwaco-guestos/bin/denali-cc}, which the
 * reactor has built before these tests run) into {@code target/test-guests}.
 * Each (source, defines) pair is compiled once per test JVM.
 */
public final class TestGuests {
    private static final Path SOURCES = Path.of("src", "test", "guests");
    private static final Path TOOL = Path.of("..", "ilwaco-guestos", "bin", "denali-cc");
    private static final Path OUT = Path.of("target", "test-guests");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private TestGuests() {
    }

    /** The image built from {@code src/test/guests/NAME.c} with {@code -D} settings such as {@code "PEER=1"}. */
    public static synchronized Path build(String name, String... defines) throws IOException, InterruptedException {
        String key = name + String.join(",", defines);
        Path have = BUILT.get(key);
        if (have != null) {
            return have;
        }
        Files.createDirectories(OUT);
        Path out = OUT.resolve(key.replaceAll("[^A-Za-z0-9_.-]", "_") + ".elf");
        List<String> cmd = new ArrayList<>(List.of(TOOL.toString(), SOURCES.resolve(name + ".c").toString(), "-o", out.toString()));
        for (String d : defines) {
            cmd.add("-D" + d);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("denali-cc failed for " + key + ":\n" + log);
        }
        BUILT.put(key, out);
        return out;
    }
}
