package yakima.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code yakima cc SRC... -o OUT [-O LEVEL]}: compiles and links freestanding
 * C into a Denali image with the project's guest toolchain,
 * {@code ilwaco-guestos/bin/denali-cc} under the project home (system property
 * {@value #HOME_PROPERTY}, which the {@code ./yakima} launcher sets). Its
 * output passes straight through; its exit code is ours.
 */
@Command(name = "cc", mixinStandardHelpOptions = true,
        description = "Compiles C sources into a Denali image with ilwaco-guestos/bin/denali-cc.")
final class CcCommand implements Callable<Integer> {
    static final String HOME_PROPERTY = "yakima.home";
    static final String TOOL = "ilwaco-guestos/bin/denali-cc";

    private final CliStreams io;

    @Parameters(arity = "1..*", paramLabel = "SRC", description = "C (or assembly) source files")
    List<String> sources;

    @Option(names = "-o", required = true, paramLabel = "OUT", description = "the image to write")
    String output;

    @Option(names = "-O", paramLabel = "LEVEL", description = "optimisation level, passed on as -OLEVEL: 0, 1, 2, 3, s, g or z")
    String level;

    CcCommand(CliStreams io) {
        this.io = io;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (level != null && !level.matches("[0-3sgz]")) {
            io.err().println("yakima cc: -O " + level + " is not an optimisation level: use 0, 1, 2, 3, s, g or z");
            return ExitCodes.USAGE;
        }
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null || home.isBlank()) {
            io.err().println("yakima cc: the project home is unknown: run through ./yakima, or pass -D" + HOME_PROPERTY + "=<repository>");
            return ExitCodes.ERROR;
        }
        Path tool = Path.of(home).resolve(TOOL);
        if (!Files.isExecutable(tool)) {
            io.err().println("yakima cc: " + tool + " is missing or not executable: the guest toolchain is not in " + home);
            return ExitCodes.ERROR;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(sources);
        cmd.add("-o");
        cmd.add(output);
        if (level != null) {
            cmd.add("-O" + level);
        }
        io.out().flush();
        io.err().flush();
        try {
            return new ProcessBuilder(cmd).inheritIO().start().waitFor();
        } catch (IOException e) {
            io.err().println("yakima cc: cannot start " + tool + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
    }
}
