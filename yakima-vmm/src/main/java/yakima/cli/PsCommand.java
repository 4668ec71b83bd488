package yakima.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import yakima.admin.VmView;

/**
 * {@code yakima ps [--admin HOST:PORT]}: the VMs of a running host as a table
 * on stdout, one line each, in the host's order:
 * <pre>
 * ID    NAME  IMAGE  STATE    MEM   INSNS    IP
 * vm-1  web   hello  running  1MiB  1523411  10.0.0.1
 * </pre>
 * Exit 0; 1 with one line on stderr when the host cannot be asked.
 */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = {
            "Lists the VMs of a running Yakima host (ID, NAME, IMAGE, STATE, MEM, INSNS, IP).",
            "It asks the host's admin API; start a host with ./yakima host."
        })
final class PsCommand implements Callable<Integer> {
    private final CliStreams io;

    @Mixin
    AdminOptions admin;

    PsCommand(CliStreams io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return admin.run(io, "yakima ps", client -> {
            print(client.list());
            return ExitCodes.OK;
        });
    }

    private void print(List<VmView> vms) {
        TextTable table = new TextTable("ID", "NAME", "IMAGE", "STATE", "MEM", "INSNS", "IP");
        for (VmView v : vms) {
            Long insns = v.counters().get("instructions");
            table.add(v.id(), v.name(), v.image(), v.state(), compactSize(v.memSizeBytes()), insns == null ? null : insns.toString(), v.ipv4());
        }
        table.print(io.out());
    }

    /** {@code 1MiB}, {@code 64KiB}: one word, so the table still splits on spaces. */
    static String compactSize(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return bytes + "B";
    }
}
