package yakima.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import yakima.admin.VmView;
import yakima.vm.MemorySize;

/**
 * {@code yakima inspect VM [--json] [--admin HOST:PORT]}: one VM of a running
 * host, by id or name, as {@code key: value} lines with the values in one
 * column (memory and counters as {@code memory.privateBytes},
 * {@code counters.instructions}, in the host's order, so that {@code grep}
 * finds them), or with {@code --json} the host's JSON as it came. Exit 0; 1
 * with one line on stderr for no such VM or no host.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {
            "Shows one VM of a running Yakima host: its state, memory and counters.",
            "VM is an id (vm-12) or a name."
        })
final class InspectCommand implements Callable<Integer> {
    private final CliStreams io;

    @Parameters(index = "0", paramLabel = "VM", description = "the VM's id (e.g. vm-12) or name")
    String vm;

    @Option(names = "--json", description = "print the host's JSON for the VM instead")
    boolean json;

    @Mixin
    AdminOptions admin;

    InspectCommand(CliStreams io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return admin.run(io, "yakima inspect", client -> {
            if (json) {
                String text = client.inspectJson(vm);
                io.out().print(text.endsWith("\n") ? text : text + "\n");
            } else {
                print(client.inspect(vm));
            }
            io.out().flush();
            return ExitCodes.OK;
        });
    }

    private void print(VmView v) {
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("id", v.id());
        lines.put("name", v.name());
        lines.put("image", v.image());
        lines.put("state", v.state());
        lines.put("memSizeBytes", v.memSizeBytes() + " (" + MemorySize.describe(v.memSizeBytes()) + ")");
        lines.put("mac", v.mac());
        lines.put("ipv4", v.ipv4());
        lines.put("faultReason", v.faultReason());
        lines.put("exitCode", v.exitCode() == null ? null : v.exitCode().toString());
        v.memory().forEach((k, n) -> lines.put("memory." + k, n.toString()));
        v.counters().forEach((k, n) -> lines.put("counters." + k, n.toString()));
        int width = lines.keySet().stream().mapToInt(k -> TextTable.visible(k).length()).max().orElse(0) + 1;
        List<String> out = new ArrayList<>();
        lines.forEach((k, value) -> {
            String key = TextTable.visible(k) + ":";
            out.add(key + " ".repeat(width - key.length() + 1) + TextTable.visible(value));
        });
        out.forEach(io.out()::println);
    }
}
