package loadgen;

import loadgen.experiment.ExperimentCommand;
import picocli.CommandLine;

/**
 * {@code ./yakima loadgen}: the load generator ({@link LoadCommand}) with its
 * subcommands {@code experiment} (Denali's experiments) and {@code demo}
 * (what {@code ./yakima demo} runs).
 */
public final class Main {
    private Main() {
    }

    /** The command line, for the launcher and the tests. */
    public static CommandLine commandLine() {
        CommandLine cl = LoadCommand.commandLine();
        cl.addSubcommand("experiment", new ExperimentCommand());
        cl.addSubcommand("demo", new DemoCommand());
        cl.setParameterExceptionHandler(LoadCommand::oneLineError); // reaches the subcommands added since
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
