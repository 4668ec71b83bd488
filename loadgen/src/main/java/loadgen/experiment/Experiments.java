package loadgen.experiment;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Every experiment, by name, and running one into a folder. */
public final class Experiments {
    private static final List<Experiment> ALL = List.of(new ContextSwitchExperiment(), new InterruptsExperiment(),
            new IdleExperiment(), new ScaleExperiment(), new SwapBlockExperiment());

    private Experiments() {
    }

    public static List<Experiment> all() {
        return ALL;
    }

    public static Optional<Experiment> named(String name) {
        return ALL.stream().filter(e -> e.name().equals(name.toLowerCase(Locale.ROOT))).findFirst();
    }

    /** The names, comma-separated. */
    public static String names() {
        return String.join(", ", ALL.stream().map(Experiment::name).toList());
    }

    /**
     * Runs {@code e} (quick or full), its files going to {@code out/NAME/}
     * (created; files of an earlier run there are replaced). Returns that folder.
     */
    public static Path run(Experiment e, boolean quick, Path out, PrintStream log) throws Exception {
        Path dir = out.resolve(e.name());
        Files.createDirectories(dir);
        log.printf("experiment %s (%s mode): %s%n", e.name(), quick ? "quick" : "full", e.title());
        e.run(new ExperimentRun(e, quick, dir, log));
        return dir;
    }
}
