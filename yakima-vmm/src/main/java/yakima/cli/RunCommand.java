package yakima.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import yakima.vm.ConsoleSink;
import yakima.vm.Idler;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;
import yakima.vm.RunOptions;
import yakima.vm.RunResult;
import yakima.vm.SingleVmRunner;
import yakima.vm.VmClock;

/** {@code yakima run IMAGE}: boots one VM in the foreground; its console is our stdout. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Runs IMAGE in one VM in the foreground.",
            "The guest's console output goes to stdout, Yakima's own messages to stderr;",
            "exits with the guest's exit code."
        })
final class RunCommand implements Callable<Integer> {
    private final CliStreams io;
    private final ImageResolver images;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "a path to an ELF image, or a built-in image name (e.g. hello)")
    String image;

    @Option(names = "--mem", paramLabel = "SIZE", converter = MemorySizeConverter.class, defaultValue = "1m",
            description = "guest memory: bytes, or with a k or m suffix; a multiple of 4096 from 64k to 256m (default: ${DEFAULT-VALUE})")
    int memBytes;

    @Option(names = "--trace", description = "print every instruction and the registers to stderr (slow)")
    boolean trace;

    @Option(names = "--max-insns", paramLabel = "N", description = "stop after N guest instructions (exit 124)")
    long maxInsns;

    RunCommand(CliStreams io, ImageResolver images) {
        this.io = io;
        this.images = images;
    }

    @Override
    public Integer call() {
        if (maxInsns < 0) {
            io.err().println("yakima run: --max-insns must be positive, not " + maxInsns);
            return ExitCodes.USAGE;
        }
        ImageResolver.Image img;
        ElfImage elf;
        try {
            img = images.resolve(image);
            elf = ElfImage.parse(img.bytes(), memBytes);
        } catch (ImageNotFoundException e) {
            io.err().println("yakima run: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (IOException e) {
            io.err().println("yakima run: cannot read " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (LoadException e) {
            io.err().println("yakima run: " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
        RunOptions options = RunOptions.defaults(memBytes).withMaxInsns(maxInsns).withTrace(trace);
        SingleVmRunner runner = new SingleVmRunner(elf, options, ConsoleSink.of(io.guestOut()),
                VmClock.monotonicSinceNow(), Idler.parking(), io.err());
        RunResult r = runner.run();
        return report(img.name(), r);
    }

    private int report(String name, RunResult r) {
        switch (r.outcome()) {
            case TERMINATED -> {
                return r.exitCode() & 0xFF;
            }
            case FAULTED -> {
                io.err().println(name + ": " + r.fault().describe());
                return ExitCodes.GUEST_FAULT;
            }
            case STUCK -> {
                io.err().printf("%s: the VM is stuck: it idled with no deadline at eip 0x%08x, and nothing can wake it "
                        + "(a foreground VM has no interrupt sources)%n", name, r.eip());
                return ExitCodes.DID_NOT_FINISH;
            }
            case INSN_LIMIT -> {
                io.err().printf("%s: stopped after %d instructions (--max-insns) at eip 0x%08x%n", name, r.insns(), r.eip());
                return ExitCodes.DID_NOT_FINISH;
            }
            default -> throw new IllegalStateException(r.outcome().toString());
        }
    }
}
