package loadgen.experiment;

/**
 * One of Denali's experiments, reproduced on this machine: it runs, then
 * writes a CSV of its rows, PNG plots and {@code summary.md} (its result
 * beside Denali's published value) into its folder.
 *
 * <p>Each has a quick mode (under a minute; the tests run it) and a full
 * mode, whose run time {@link #fullRunTime} documents.
 */
public interface Experiment {
    /** The name on the command line: {@code ./yakima loadgen experiment NAME}. */
    String name();

    /** What it measures, one line. */
    String title();

    /** About how long the full mode takes on a 2-core machine. */
    String fullRunTime();

    /** Runs, writing its files through {@code run}. */
    void run(ExperimentRun run) throws Exception;
}
