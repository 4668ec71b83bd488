package yakima.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import yakima.admin.VmView;
import yakima.swap.RecordException;
import yakima.swap.RecordReader;

/**
 * {@code yakima restore FILE [--name NAME] [--admin HOST:PORT]}: starts a VM
 * on a running host from a snapshot file ({@code POST /v1/vms/restore}) and
 * prints the new VM's id, name and addresses:
 * <pre>
 * restored web.snap as vm-4 (name web, IPv4 10.0.0.5, MAC 02:00:00:00:00:04)
 * </pre>
 * The file is checked here first ({@link RecordReader}), so a damaged one
 * is named without a host; the host checks it again, and its image. Exit 0;
 * 1 with one line on stderr when the file or the host refuses.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {
            "Starts a VM on a running Yakima host from a snapshot file (yakima snapshot), with a new id and addresses.",
            "The host must have the VM's image, the same file as where the snapshot was taken."
        })
final class RestoreCommand implements Callable<Integer> {
    private final CliStreams io;

    @Parameters(index = "0", paramLabel = "FILE", description = "the snapshot file")
    Path file;

    @Option(names = "--name", paramLabel = "NAME", description = "the restored VM's name (default: the name it had, if any)")
    String name;

    @Mixin
    AdminOptions admin;

    RestoreCommand(CliStreams io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (name != null && name.isEmpty()) {
            io.err().println("yakima restore: --name needs a name (leave it out to keep the snapshot's)");
            return ExitCodes.USAGE;
        }
        byte[] record;
        try {
            record = SnapshotFiles.read(file);
            RecordReader.read(record);
        } catch (IOException e) {
            return fail(e.getMessage());
        } catch (RecordException e) {
            return fail(file + " is not a usable snapshot: " + e.getMessage());
        }
        return admin.run(io, "yakima restore", client -> {
            VmView v = client.restore(record, name);
            io.out().println("restored " + file + " as " + v.id() + " (name " + (v.name() == null ? "-" : TextTable.visible(v.name()))
                    + ", IPv4 " + v.ipv4() + ", MAC " + v.mac() + ")");
            io.out().flush();
            return ExitCodes.OK;
        });
    }

    private int fail(String message) {
        io.err().println("yakima restore: " + message);
        io.err().flush();
        return ExitCodes.ERROR;
    }
}
