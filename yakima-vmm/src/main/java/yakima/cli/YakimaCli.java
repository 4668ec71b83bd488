package yakima.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import yakima.vm.ImageResolver;

/**
 * {@code yakima}: the command line of the Yakima monitor.
 * <pre>
 *   yakima run IMAGE [--mem SIZE] [--trace] [--max-insns N]
 *   yakima disasm IMAGE
 *   yakima cc SRC... -o OUT [-O LEVEL]
 *   yakima host --image IMAGE[,IMAGE...] [--vms N] [--restore FILE[,FILE...]] ...
 *   yakima ps | inspect VM | snapshot VM FILE [--stop] | restore FILE [--name NAME]   (a running host's admin API)
 *   yakima --help | --version | help COMMAND
 * </pre>
 * Exit codes are in {@link ExitCodes}. Set the environment variable
 * {@code YAKIMA_DEBUG=1} to see the stack trace of an internal error.
 */
@Command(name = "yakima",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Yakima runs Denali virtual machines: tiny VMs executing 32-bit x86 integer code compiled from C.",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0      success (run: the guest's own exit code)",
            "  1      image not found or refused, toolchain missing",
            "  2      bad command line",
            "  70     internal error in Yakima",
            "  124    the VM did not finish (--max-insns reached, or stuck idle)",
            "  125    the guest faulted",
            "",
            "The ./yakima launcher also runs the load generator (module loadgen, docs/loadgen.md):",
            "  ./yakima demo                 1,000 httpd VMs, 10 s of Zipf load, the result table",
            "  ./yakima loadgen --help       drive HTTP load at a front door or any server",
            "  ./yakima loadgen experiment list   Denali's experiments (docs/experiments.md)"
        })
public final class YakimaCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        CliStreams io = CliStreams.system();
        int code = commandLine(io, new ImageResolver()).execute(args);
        try {
            io.guestOut().flush();
        } catch (java.io.IOException e) {
            // stdout is gone (a closed pipe); nothing left to tell anyone
        }
        io.out().flush();
        io.err().flush();
        System.exit(code);
    }

    /** The whole command tree writing to {@code io}; tests call {@code execute} on it. */
    public static CommandLine commandLine(CliStreams io, ImageResolver images) {
        CommandLine cl = new CommandLine(new YakimaCli())
                .addSubcommand("run", new RunCommand(io, images))
                .addSubcommand("disasm", new DisasmCommand(io, images))
                .addSubcommand("cc", new CcCommand(io))
                .addSubcommand("host", new HostCommand(io, images))
                .addSubcommand("ps", new PsCommand(io))
                .addSubcommand("inspect", new InspectCommand(io))
                .addSubcommand("snapshot", new SnapshotCommand(io))
                .addSubcommand("restore", new RestoreCommand(io))
                .addSubcommand("help", new CommandLine.HelpCommand());
        cl.setOut(io.out());
        cl.setErr(io.err());
        cl.setParameterExceptionHandler(YakimaCli::usageError);
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> internalError(ex, c));
        return cl;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing a command: run, disasm or cc");
    }

    /** One line saying what is wrong, one pointing at help; exit 2. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine c = ex.getCommandLine();
        String name = c.getCommandSpec().qualifiedName();
        c.getErr().println(name + ": " + ex.getMessage());
        c.getErr().println("Try '" + name + " --help' for more information.");
        return c.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static int internalError(Exception ex, CommandLine c) {
        String name = c.getCommandSpec().qualifiedName();
        if (ex instanceof UnsupportedOperationException) {
            c.getErr().println(name + ": not implemented yet: " + where(ex) + (ex.getMessage() != null ? " (" + ex.getMessage() + ")" : ""));
        } else {
            c.getErr().println(name + ": internal error: " + ex + " (at " + where(ex) + "; set YAKIMA_DEBUG=1 for the stack trace)");
        }
        if (System.getenv("YAKIMA_DEBUG") != null) {
            ex.printStackTrace(c.getErr());
        }
        c.getErr().flush();
        return ExitCodes.INTERNAL;
    }

    private static String where(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length == 0 ? "unknown" : st[0].getClassName() + "." + st[0].getMethodName();
    }
}
