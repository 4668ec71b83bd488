package loadgen.experiment;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ./yakima loadgen experiment NAME [--quick] [--out DIR]}: runs one of Denali's experiments, or all. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Reproduces one of Denali's experiments on this machine, writing a CSV, PNG plots and summary.md "
                + "(the result beside Denali's) to OUT/NAME/.",
                "NAME: context-switch, interrupts, idle, scale, swap-block, or all; 'list' prints them with their run times."})
public final class ExperimentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "the experiment (or all, or list)")
    String name;

    @Option(names = "--quick", description = "the quick mode: a few points, under a minute each (what the tests run)")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results/experiments",
            description = "where each experiment's folder goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintStream log = System.err;
        java.io.PrintWriter stdout = spec.commandLine().getOut();
        if (name.equals("list")) {
            for (Experiment e : Experiments.all()) {
                stdout.printf("%-15s %s (full mode: %s)%n", e.name(), e.title(), e.fullRunTime());
            }
            stdout.flush();
            return 0;
        }
        List<Experiment> chosen = new ArrayList<>();
        if (name.equals("all")) {
            chosen.addAll(Experiments.all());
        } else {
            Optional<Experiment> e = Experiments.named(name);
            if (e.isEmpty()) {
                spec.commandLine().getErr().println("loadgen experiment: no experiment '" + name + "'; there are "
                        + Experiments.names() + " (or all)");
                return 2;
            }
            chosen.add(e.get());
        }
        for (Experiment e : chosen) {
            Path dir = Experiments.run(e, quick, out, log);
            stdout.println(dir.resolve("summary.md"));
            stdout.flush();
        }
        return 0;
    }
}
