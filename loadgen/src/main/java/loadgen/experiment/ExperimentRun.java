package loadgen.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import loadgen.core.LoadResult;
import loadgen.core.LoadRunner;
import loadgen.core.LoadSpec;

/**
 * One run of an experiment: quick or full, the folder its files go to,
 * where progress is logged, and the parts of its summary as it goes.
 */
public final class ExperimentRun {
    private final Experiment experiment;
    private final boolean quick;
    private final Path dir;
    private final PrintStream log;
    private final String command;
    private final long startNs = System.nanoTime();
    private final List<String> files = new ArrayList<>();

    ExperimentRun(Experiment experiment, boolean quick, Path dir, PrintStream log) {
        this.experiment = experiment;
        this.quick = quick;
        this.dir = dir;
        this.log = log;
        this.command = "./yakima loadgen experiment " + experiment.name() + (quick ? " --quick" : "");
    }

    public boolean quick() {
        return quick;
    }

    /** The experiment's folder (exists). */
    public Path dir() {
        return dir;
    }

    public PrintStream log() {
        return log;
    }

    /** The same for quick and full: {@code quick} in quick mode, else {@code full}. */
    public <T> T pick(T quickValue, T fullValue) {
        return quick ? quickValue : fullValue;
    }

    /** A file in the folder, remembered for the summary's list of files. */
    public Path file(String name) {
        files.add(name);
        return dir.resolve(name);
    }

    /**
     * Drives {@code spec} at the host's front door and logs one line with
     * what came of it (progress lines go to the log too, indented).
     */
    public LoadResult load(ExperimentHost host, LoadSpec spec, String label) {
        LoadResult r = LoadRunner.run(spec.withTarget("127.0.0.1", host.httpPort()), line -> log.println("      " + line));
        log.printf("    %s: %.0f req/s, p99 %.2f ms, %d errors%s%n", label, r.throughput(), r.percentileMs(99),
                r.errorCount(), r.errors().isEmpty() ? "" : " " + r.errors());
        return r;
    }

    /**
     * Writes {@code summary.md}: the title, the machine, the command and its
     * run time, then {@code body} (the results beside Denali's), then the
     * files written.
     */
    public void summary(String body) throws IOException {
        double seconds = (System.nanoTime() - startNs) / 1e9;
        StringBuilder b = new StringBuilder();
        b.append("# ").append(experiment.name()).append(": ").append(experiment.title()).append("\n\n");
        b.append("- Command: `").append(command).append("` (").append(quick ? "quick mode" : "full mode")
                .append(String.format(java.util.Locale.ROOT, ", ran %.0f s", seconds)).append(")\n");
        b.append("- Date: ").append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append('\n');
        b.append("- Machine: ").append(Machine.describe()).append("\n\n");
        b.append(body.strip()).append("\n\n");
        b.append("Files: ").append(String.join(", ", files.stream().map(f -> "`" + f + "`").toList())).append('\n');
        Files.writeString(dir.resolve("summary.md"), b.toString(), StandardCharsets.UTF_8);
        log.println("  wrote " + dir.resolve("summary.md"));
    }
}
