package yakima.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import yakima.admin.AdminClient;
import yakima.admin.AdminException;
import yakima.admin.VmView;
import yakima.host.Host;
import yakima.swap.RecordException;
import yakima.swap.RecordReader;
import yakima.swap.SwapStore;
import yakima.swap.SwapStoreException;
import yakima.vm.VmAddresses;

/**
 * {@code yakima snapshot VM FILE [--stop] [--force] [--admin HOST:PORT]}:
 * one VM of a running host, by id or name, saved in FILE as its
 * encapsulation record ({@code POST /v1/vms/{vm}/snapshot}), for
 * {@code yakima restore} or {@code yakima host --restore} here or on another
 * machine. {@code --stop} destroys the VM once the record is taken (it
 * moves rather than being copied).
 *
 * <p>{@code yakima snapshot --swap-dir DIR VM FILE}: offline, the record a
 * stopped host left in its swap folder ({@link SwapStore}).
 *
 * <p>FILE is written whole or not at all ({@link SnapshotFiles.Writer}), and
 * not over an existing file unless {@code --force}; that is checked before
 * the host is asked. Exit 0; 1 with one line on stderr when something is
 * refused; 2 for a bad command line.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {
            "Saves one VM of a running Yakima host in FILE, to restore it later or on another machine (yakima restore, yakima host --restore).",
            "VM is an id (vm-12) or a name. With --swap-dir, copies the record a stopped host left in its swap folder instead."
        })
final class SnapshotCommand implements Callable<Integer> {
    private static final Pattern ID = Pattern.compile("vm-(\\d{1,8})");

    private final CliStreams io;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VM", description = "the VM's id (e.g. vm-12) or name")
    String vm;

    @Parameters(index = "1", paramLabel = "FILE", description = "where the snapshot goes")
    Path file;

    @Option(names = "--stop", description = "destroy the VM once its snapshot is taken (move it rather than copy it)")
    boolean stop;

    @Option(names = "--force", description = "replace FILE if it exists")
    boolean force;

    @Option(names = "--swap-dir", paramLabel = "DIR",
            description = "offline: copy the VM's record from the swap folder of a stopped host (its state when it was last swapped out)")
    Path swapDir;

    @Mixin
    AdminOptions admin;

    SnapshotCommand(CliStreams io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        if (swapDir != null) {
            if (stop) {
                return usage("--stop needs a running host; with --swap-dir the host is stopped already");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--admin")) {
                return usage("--admin and --swap-dir exclude each other: ask a running host, or read a stopped host's swap folder");
            }
            return offline();
        }
        SnapshotFiles.Writer out;
        try {
            out = SnapshotFiles.Writer.create(file, force);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        try (out) {
            return admin.run(io, "yakima snapshot", client -> {
                byte[] record = client.snapshot(vm, stop);
                try {
                    out.commit(record);
                } catch (IOException e) {
                    io.err().println("yakima snapshot: " + e.getMessage());
                    if (stop) {
                        giveBack(client, record);
                    }
                    io.err().flush();
                    return ExitCodes.ERROR;
                }
                io.out().println("saved " + TextTable.visible(vm) + " to " + file + " (" + record.length + " bytes"
                        + (stop ? "; the VM is stopped" : "") + ")");
                io.out().flush();
                return ExitCodes.OK;
            });
        }
    }

    /** A VM stopped for a snapshot that could not be saved goes back to the host (under a new id), so it is not lost. */
    private void giveBack(AdminClient client, byte[] record) throws InterruptedException {
        try {
            VmView back = client.restore(record, null);
            io.err().println("yakima snapshot: " + TextTable.visible(vm) + " was stopped; it runs again on the host as " + back.id());
        } catch (AdminException | IOException e) {
            io.err().println("yakima snapshot: " + TextTable.visible(vm) + " was stopped and could not be restarted ("
                    + e.getMessage() + "): its state is lost");
        }
    }

    /** Copies the record out of a stopped host's swap folder. */
    private int offline() {
        if (!Files.isDirectory(swapDir)) {
            return fail("--swap-dir " + swapDir + " is not a folder");
        }
        SnapshotFiles.Writer out;
        try {
            out = SnapshotFiles.Writer.create(file, force);
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        try (out; SwapStore store = SwapStore.open(swapDir, Long.MAX_VALUE)) {
            int id = recordId(store);
            if (id < 0) {
                return fail("no record of " + TextTable.visible(vm) + " in the swap folder " + swapDir
                        + " (a VM never swapped out, or a clone that never ran, has none)");
            }
            byte[] record = store.read(id);
            try {
                RecordReader.read(record);
            } catch (RecordException e) {
                return fail("the record of vm-" + id + " in " + swapDir + " is damaged: " + e.getMessage());
            }
            out.commit(record);
            io.out().println("saved vm-" + id + " to " + file + " (" + record.length + " bytes) from the swap folder " + swapDir);
            io.out().flush();
            return ExitCodes.OK;
        } catch (SwapStoreException e) {
            return fail(e.getMessage());
        } catch (IOException e) {
            return fail(e.getMessage());
        }
    }

    /**
     * The id of {@link #vm}'s record: {@code vm-N} if the store has N's,
     * else the VM whose record carries that name (every record is read;
     * template records are not VMs); -1 for none.
     */
    private int recordId(SwapStore store) throws SwapStoreException {
        Matcher m = ID.matcher(vm);
        if (m.matches()) {
            int id = Integer.parseInt(m.group(1));
            if (id >= 1 && id <= VmAddresses.MAX_ID && store.contains(id)) {
                return id;
            }
        }
        for (int id : store.ids()) {
            if (id >= Host.FIRST_TEMPLATE_RECORD) {
                continue;
            }
            try {
                if (vm.equals(RecordReader.read(store.read(id)).name())) {
                    return id;
                }
            } catch (SwapStoreException | RecordException e) {
                // a damaged record names nobody
            }
        }
        return -1;
    }

    private int fail(String message) {
        io.err().println("yakima snapshot: " + message);
        io.err().flush();
        return ExitCodes.ERROR;
    }

    private int usage(String message) {
        io.err().println("yakima snapshot: " + message);
        io.err().flush();
        return ExitCodes.USAGE;
    }
}
