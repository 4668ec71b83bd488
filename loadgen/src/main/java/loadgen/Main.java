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
        cl.setExecutionExceptionHandler(Main::fileError);
        return cl;
    }

    /**
     * A results folder or file that cannot be written is the user's to mend: one line naming it and why,
     * exit code 1. Anything else is a bug and keeps its stack trace.
     */
    private static int fileError(Exception e, CommandLine cl, CommandLine.ParseResult parsed) throws Exception {
        Throwable io = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (!(io instanceof java.io.IOException)) {
            throw e;
        }
        String what = io instanceof java.nio.file.FileSystemException f
                ? f.getFile() + ": " + (f.getReason() != null ? f.getReason()
                        : f instanceof java.nio.file.NoSuchFileException ? "it, or a folder above it, cannot be made there"
                        : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                        : f.getClass().getSimpleName())
                : String.valueOf(io.getMessage());
        cl.getErr().println(cl.getCommandName() + ": cannot write " + what);
        cl.getErr().flush();
        return 1;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
