package yakima.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import yakima.admin.AdminServer;
import yakima.gateway.Forward;
import yakima.gateway.Gateway;
import yakima.gateway.GatewayConfig;
import yakima.host.Host;
import yakima.host.HostAdminBackend;
import yakima.host.DiskSpec;
import yakima.host.HostConfig;
import yakima.swap.SwapStore;
import yakima.swap.VmStub;
import yakima.vm.Vm;
import yakima.host.HostException;
import yakima.host.VmSpec;
import yakima.net.LanFaults;
import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;
import yakima.vm.VmState;

/**
 * {@code yakima host --image NAME --vms N}: boots N VMs on one host and keeps
 * them running, printing a one-line status every second until interrupted
 * (or for {@code --duration}). {@code --restore FILE,...} adds VMs resumed
 * from snapshot files (checked before the host starts; restored after the
 * images' VMs boot, each with a new id and addresses).
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = {
            "Boots N VMs from IMAGE on one host and keeps them running, with a status line every second.",
            "Stops on Ctrl-C, or after --duration seconds."
        })
final class HostCommand implements Callable<Integer> {
    /** How long a clean stop may take to swap every VM out to a kept --swap-dir. */
    static final long CLEAN_STOP_SECONDS = 30;

    private final CliStreams io;
    private final ImageResolver images;
    /** Counted down when the command is done (VMs swapped out, host closed): a Ctrl-C's shutdown hook waits for it. */
    private final CountDownLatch finished = new CountDownLatch(1);

    @Option(names = "--image", split = ",", paramLabel = "IMAGE",
            description = "a built-in image name (e.g. hello-sleeper) or a path; several, comma-separated, boot --vms of each in that order")
    List<String> imageNames;

    @Option(names = "--restore", split = ",", paramLabel = "FILE",
            description = "also start VMs from these snapshot files (yakima snapshot), after the images' VMs, each with a new id and addresses")
    List<Path> restoreFiles;

    /** The records of {@link #restoreFiles}, read and checked before the host starts. */
    private final List<byte[]> restoreRecords = new java.util.ArrayList<>();

    @Option(names = "--vms", paramLabel = "N", defaultValue = "1",
            description = "VMs of each image the host holds (default: ${DEFAULT-VALUE}); VMs adopted from --swap-dir count, only the rest are booted")
    int vmCount;

    @Option(names = "--mem", paramLabel = "SIZE", converter = MemorySizeConverter.class, defaultValue = "1m",
            description = "memory of each VM (default: ${DEFAULT-VALUE})")
    int memBytes;

    @Option(names = "--threads", paramLabel = "N", description = "scheduler threads (default: cores - 1, at least 1)")
    Integer threads;

    @Option(names = "--quantum", paramLabel = "INSNS", description = "guest instructions per quantum (default: 100000)")
    Long quantum;

    @Option(names = "--delivery", paramLabel = "MODE", defaultValue = "batched",
            description = "interrupt delivery: batched or synchronous (default: ${DEFAULT-VALUE})")
    String delivery;

    @Option(names = "--idle", paramLabel = "MODE", defaultValue = "timeout",
            description = "IDLE honours its timeout (timeout), or has none (yield: an IDLE with a deadline only yields, so a VM with a timer pending spins; Denali's comparison) (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this many seconds (default: run until interrupted)")
    Long durationSeconds;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "7077",
            description = "port of the admin API on 127.0.0.1 (ps, inspect, /metrics); 0 picks a free one (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Option(names = "--console", description = "copy every VM's console output (rate-limited) to stdout")
    boolean console;

    @Option(names = "--pcap", paramLabel = "FILE", description = "record the virtual LAN in FILE (pcap: tcpdump -r FILE, Wireshark)")
    Path pcap;

    @Option(names = "--disk-dir", paramLabel = "DIR",
            description = "give VM n the disk DIR/vm-n.disk: opened if it exists (its blocks are kept), else created with --disk-size")
    Path diskDir;

    @Option(names = "--disk-size", paramLabel = "SIZE", converter = ByteSizeConverter.class, defaultValue = "1m",
            description = "size of each new disk, a multiple of 4k (default: ${DEFAULT-VALUE})")
    long diskBytes;

    @Option(names = "--disk-base", paramLabel = "FILE",
            description = "with --disk-dir: each VM's disk is a private copy-on-write overlay over this read-only base disk")
    Path diskBase;

    @Option(names = "--lan-faults", paramLabel = "SPEC", converter = LanFaultsConverter.class,
            description = "inject faults into the virtual LAN: drop=P,reorder=P,duplicate=P[,seed=N], "
                    + "percentages from 0 to 100 per delivered frame (default: none; seed: random, printed)")
    LanFaults lanFaults;

    @Option(names = "--memory", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "resident-memory budget for the VMs (e.g. 2g); with it, VMs beyond the budget are swapped out "
                    + "to --swap-dir, and --vms beyond the first of each image are clones of its template (default: 3/4 of the heap, no swapping)")
    Long memoryBudget;

    @Option(names = "--swap-dir", paramLabel = "DIR",
            description = "where swapped-out VMs' records go (default: a new folder in the system's temporary folder, removed at exit); "
                    + "a given folder is kept: the VMs in it from an earlier run are adopted at start, and every VM is swapped out to it at a clean stop")
    Path swapDir;

    @Option(names = "--swap-limit", paramLabel = "SIZE", converter = ByteSizeConverter.class, defaultValue = "16g",
            description = "disk the swap records may use (default: ${DEFAULT-VALUE})")
    long swapLimit;

    @Option(names = "--swap-compression", paramLabel = "KIND", defaultValue = "fast",
            description = "how swap records are compressed: fast (deflate, fastest level), small (deflate, best level) or none (default: ${DEFAULT-VALUE})")
    String swapCompression;
    private yakima.swap.RecordCompression compression;

    @Mixin
    GatewayOptions gatewayOptions = new GatewayOptions();

    HostCommand(CliStreams io, ImageResolver images) {
        this.io = io;
        this.images = images;
    }

    @Override
    public Integer call() throws Exception {
        try {
            return callOnce();
        } finally {
            finished.countDown();
        }
    }

    private Integer callOnce() throws Exception {
        if (vmCount < 1) {
            io.err().println("yakima host: --vms must be at least 1, not " + vmCount);
            return ExitCodes.USAGE;
        }
        if (imageNames == null && restoreFiles == null) {
            io.err().println("yakima host: give --image (the VMs to boot), --restore (snapshot files to resume), or both");
            return ExitCodes.USAGE;
        }
        if (imageNames == null) {
            imageNames = List.of();
        } else if (imageNames.isEmpty() || imageNames.stream().anyMatch(String::isBlank)) {
            io.err().println("yakima host: --image needs image names, comma-separated without blanks, not '"
                    + String.join(",", imageNames) + "'");
            return ExitCodes.USAGE;
        }
        SchedulerConfig sc;
        try {
            sc = HostConfig.defaults().scheduler();
            if (threads != null) {
                sc = sc.withThreads(threads);
            }
            if (quantum != null) {
                sc = sc.withQuantum(quantum);
            }
            sc = sc.withDelivery(switch (delivery.toLowerCase(Locale.ROOT)) {
                case "batched" -> SchedulerConfig.Delivery.BATCHED;
                case "synchronous", "sync" -> SchedulerConfig.Delivery.SYNCHRONOUS;
                default -> throw new IllegalArgumentException("--delivery must be batched or synchronous, not " + delivery);
            });
            sc = sc.withIdle(switch (idle.toLowerCase(Locale.ROOT)) {
                case "timeout" -> SchedulerConfig.IdleMode.TIMEOUT;
                case "yield" -> SchedulerConfig.IdleMode.YIELD_ONLY;
                default -> throw new IllegalArgumentException("--idle must be timeout or yield, not " + idle);
            });
        } catch (IllegalArgumentException e) {
            io.err().println("yakima host: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (diskBase != null && diskDir == null) {
            io.err().println("yakima host: --disk-base needs --disk-dir (where each VM's overlay goes)");
            return ExitCodes.USAGE;
        }
        if (diskDir != null && !Files.isDirectory(diskDir)) {
            io.err().println("yakima host: --disk-dir " + diskDir + " is not a directory");
            return ExitCodes.USAGE;
        }
        if (diskBytes <= 0 || diskBytes % 4096 != 0) {
            io.err().println("yakima host: --disk-size must be a positive multiple of 4k, not " + diskBytes + " bytes");
            return ExitCodes.USAGE;
        }
        if (restoreFiles != null && !readRestoreFiles()) {
            return ExitCodes.ERROR;
        }
        GatewayConfig gatewayConfig = null;
        if (gatewayOptions.wanted()) {
            try {
                gatewayConfig = gatewayOptions.config();
            } catch (IllegalArgumentException e) {
                io.err().println("yakima host: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        if (memoryBudget != null && memoryBudget <= 0) {
            io.err().println("yakima host: --memory must be positive");
            return ExitCodes.USAGE;
        }
        try {
            compression = yakima.swap.RecordCompression.parse(swapCompression);
        } catch (IllegalArgumentException e) {
            io.err().println("yakima host: --swap-compression must be none, fast or small, not '" + swapCompression + "'");
            return ExitCodes.USAGE;
        }
        if ((swapDir != null || swapLimit != 16L << 30 || compression != yakima.swap.RecordCompression.FAST)
                && memoryBudget == null) {
            io.err().println("yakima host: --swap-dir, --swap-limit and --swap-compression need --memory (the budget that makes VMs swap)");
            return ExitCodes.USAGE;
        }
        long boot = System.nanoTime();
        ConsoleSink out = console ? ConsoleSink.of(io.guestOut()) : ConsoleSink.discarding();
        HostConfig config = HostConfig.defaults().withScheduler(sc.withMaxVmsPerThread(HostConfig.defaults().maxVms()))
                .withLanFaults(lanFaults == null ? LanFaults.NONE : lanFaults);
        if (memoryBudget != null) {
            config = config.withBudget(memoryBudget);
        }
        Path ownSwapDir = null;
        SwapStore store = null;
        if (memoryBudget != null) {
            if (swapDir != null) {
                Integer refused = checkSwapDir();
                if (refused != null) {
                    return refused;
                }
            }
            try {
                if (swapDir == null) {
                    ownSwapDir = Files.createTempDirectory("yakima-swap-");
                }
                store = SwapStore.open(swapDir == null ? ownSwapDir : swapDir, swapLimit);
            } catch (yakima.swap.SwapStoreException e) {
                io.err().println(e.kind() == yakima.swap.SwapStoreException.Kind.IN_USE ? "yakima host: " + e.getMessage()
                        : "yakima host: cannot open the swap store: " + e.getMessage());
                return ExitCodes.ERROR;
            } catch (java.io.IOException e) {
                io.err().println("yakima host: cannot open the swap store: " + e.getMessage());
                return ExitCodes.ERROR;
            }
        }
        try {
            return run(config, store, gatewayConfig, out, boot);
        } finally {
            if (ownSwapDir != null) {
                deleteTree(ownSwapDir);
            }
        }
    }

    /** Reads and checks every --restore file; false (after one line on stderr) at the first bad one. */
    private boolean readRestoreFiles() {
        for (Path f : restoreFiles) {
            try {
                byte[] record = SnapshotFiles.read(f);
                yakima.swap.RecordReader.read(record);
                restoreRecords.add(record);
            } catch (java.io.IOException e) {
                io.err().println("yakima host: --restore: " + e.getMessage());
                return false;
            } catch (yakima.swap.RecordException e) {
                io.err().println("yakima host: --restore: " + f + " is not a usable snapshot: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /**
     * A --swap-dir given by the user must be a directory that is new, empty,
     * or a swap store (what an earlier host left there); anything else is
     * refused before the store touches it. Null when it may be opened, else
     * the exit code.
     */
    private Integer checkSwapDir() {
        if (Files.exists(swapDir) && !Files.isDirectory(swapDir)) {
            io.err().println("yakima host: --swap-dir " + swapDir + " is not a directory");
            return ExitCodes.USAGE;
        }
        List<String> foreign;
        try {
            foreign = SwapStore.foreignEntries(swapDir);
        } catch (java.io.IOException e) {
            io.err().println("yakima host: cannot read --swap-dir: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        if (!foreign.isEmpty()) {
            String shown = String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                    + (foreign.size() > 3 ? " and " + (foreign.size() - 3) + " more" : "");
            io.err().println("yakima host: --swap-dir " + swapDir + " is not a swap store: it holds " + shown
                    + "; give a new or empty folder, or one a host swapped to");
            return ExitCodes.USAGE;
        }
        return null;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // a temporary folder: the system clears it in the end
        }
    }

    private int run(HostConfig config, SwapStore store, GatewayConfig gatewayConfig, ConsoleSink out, long boot) throws Exception {
        if (config.lanFaults().enabled()) {
            io.err().println("yakima host: injecting LAN faults: " + config.lanFaults());
        }
        try (Host host = new Host(config, images, () -> System.nanoTime() - boot, out)) {
            if (store != null) {
                try {
                    host.enableSwap(store, compression);
                } catch (java.io.UncheckedIOException | IllegalStateException e) {
                    store.close();
                    io.err().println("yakima host: cannot adopt the VMs in " + swapDir + ": " + e.getMessage());
                    return ExitCodes.ERROR;
                }
                if (swapDir != null) {
                    io.err().println(adopted(host.adoption()));
                }
            }
            host.start();
            if (pcap != null) {
                try {
                    host.recordLan(pcap);
                } catch (java.nio.file.NoSuchFileException e) {
                    io.err().println("yakima host: cannot record the LAN in " + pcap + ": its directory does not exist");
                    return ExitCodes.ERROR;
                } catch (java.nio.file.AccessDeniedException e) {
                    io.err().println("yakima host: cannot record the LAN in " + pcap + ": permission denied");
                    return ExitCodes.ERROR;
                } catch (java.io.IOException e) {
                    io.err().println("yakima host: cannot record the LAN in " + pcap + ": " + e.getMessage());
                    return ExitCodes.ERROR;
                }
            }
            AdminServer admin;
            try {
                admin = AdminServer.loopback(new HostAdminBackend(host), adminPort).start();
            } catch (java.io.IOException e) {
                io.err().println("yakima host: cannot serve the admin API on 127.0.0.1:" + adminPort + ": " + e.getMessage()
                        + " (another host running? use --admin-port)");
                return ExitCodes.ERROR;
            }
            Gateway gateway = null;
            if (gatewayConfig != null) {
                try {
                    gateway = Gateway.start(host, gatewayConfig);
                } catch (java.io.IOException e) {
                    admin.close();
                    io.err().println("yakima host: " + e.getMessage());
                    return ExitCodes.ERROR;
                }
            }
            int code;
            try (admin; Gateway g = gateway) {
                code = serve(host, admin, g, boot);
            }
            if (store != null && swapDir != null) { // kept: a clean stop leaves every VM in it for the next start
                Host.CleanStop stop = host.swapOutAll(TimeUnit.SECONDS.toNanos(CLEAN_STOP_SECONDS));
                io.err().println(stopped(stop, host.lastSwapError()));
            }
            return code;
        }
    }

    /** The one line about what the host adopted from --swap-dir. */
    private String adopted(yakima.host.Adoption a) {
        if (a.vms() == 0 && a.destroyed() == 0 && a.lostManifests() == 0) {
            return "yakima host: --swap-dir " + swapDir + " holds no VMs of an earlier run";
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "yakima host: adopted %d VMs from %s in %.1f ms (%d clones",
                a.vms(), swapDir, a.nanos() / 1e6, a.clones()));
        if (a.destroyed() > 0) {
            b.append(", ").append(a.destroyed()).append(" destroyed clones stay gone");
        }
        if (a.faulted() > 0) {
            b.append(", ").append(a.faulted()).append(" faulted");
        }
        if (a.lostManifests() > 0) {
            b.append(", ").append(a.lostManifests()).append(" clone manifests unreadable");
        }
        b.append(')');
        if (a.firstProblem() != null) {
            b.append(": ").append(a.firstProblem());
        }
        return b.toString();
    }

    /** The one line about a clean stop. */
    private String stopped(Host.CleanStop stop, String lastError) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "yakima host: swapped out %d VMs to %s in %.1f ms for the next start",
                stop.swappedOut(), swapDir, stop.nanos() / 1e6));
        if (stop.failed() > 0) {
            b.append("; ").append(stop.failed()).append(" could not be written (").append(lastError).append(')');
        }
        if (stop.left() > 0) {
            b.append("; ").append(stop.left()).append(" still in memory after ").append(CLEAN_STOP_SECONDS).append(" s");
        }
        return b.toString();
    }

    private int serve(Host host, AdminServer admin, Gateway gateway, long boot) throws Exception {
        String image = imageNames.isEmpty() ? null : imageNames.get(0);
        int created = 0;
        Map<String, Integer> adopted = new java.util.HashMap<>();
        for (VmStub stub : host.swappedVms()) {
            if (stub.faultReason() == null) {
                adopted.merge(stub.imageName(), 1, Integer::sum);
            }
        }
        try {
            for (String each : imageNames) {
                image = each;
                // adopted VMs count towards --vms; each is counted once (--image httpd,httpd holds 2 x --vms)
                int have = adopted.getOrDefault(each, 0);
                int wanted = Math.max(0, vmCount - have);
                adopted.put(each, Math.max(0, have - vmCount));
                if (wanted == 0) {
                    continue;
                }
                boolean clones = host.swapping() && diskDir == null && wanted > 1;
                for (int i = 0; i < (clones ? 1 : wanted); i++) {
                    created++;
                    DiskSpec disk = diskDir == null ? null
                            : new DiskSpec(diskDir.resolve("vm-" + host.nextVmId() + ".disk"), diskBytes / 4096, diskBase);
                    Vm first = host.create(new VmSpec(image, memBytes, null, disk));
                    if (clones) {
                        VmStub template = host.templateOf(first, TimeUnit.SECONDS.toNanos(30));
                        if (template == null) {
                            io.err().println("yakima host: " + image + " did not go idle after booting, so it cannot be a template (" 
                                    + first.state().label() + (host.lastSwapError() == null ? "" : ", " + host.lastSwapError()) + ")");
                            return ExitCodes.ERROR;
                        }
                        created += host.registerClones(template, wanted - 1).size();
                    }
                }
            }
        } catch (ImageNotFoundException e) {
            io.err().println("yakima host: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (denali.isa.loader.LoadException e) {
            io.err().println("yakima host: " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (HostException e) {
            io.err().println("yakima host: " + e.getMessage());
            return ExitCodes.ERROR;
        }
        List<yakima.vm.HostedVm> restored = new java.util.ArrayList<>();
        for (int i = 0; i < restoreRecords.size(); i++) {
            try {
                restored.add(host.restoreVm(restoreRecords.get(i), null));
            } catch (HostException e) {
                io.err().println("yakima host: --restore " + restoreFiles.get(i) + ": " + e.getMessage());
                return ExitCodes.ERROR;
            }
        }
        int adoptedVms = host.adoption().vms();
        String booted = imageNames.isEmpty() ? "" : created + " VMs of " + String.join(", ", imageNames) + " booted";
        String resumed = restored.isEmpty() ? "" : restored.size() + " restored";
        io.err().printf("yakima host: %s%s%s in %.1f ms%s; admin API on 127.0.0.1:%d%n", booted,
                booted.isEmpty() || resumed.isEmpty() ? "" : ", ", resumed, (System.nanoTime() - boot) / 1e6,
                adoptedVms == 0 ? "" : " (" + adoptedVms + " adopted)", admin.port());
        for (int i = 0; i < restored.size(); i++) {
            yakima.vm.HostedVm vm = restored.get(i);
            io.err().printf("yakima host: %s resumed as %s%s at %s%n", restoreFiles.get(i), vm.idString(),
                    vm.name() == null ? "" : " (" + TextTable.visible(vm.name()) + ")", yakima.net.Ipv4Address.format(vm.ipv4()));
        }
        if (gateway != null) {
            String at = gatewayOptions.listen;
            if (gateway.httpPort() >= 0) {
                io.err().printf("yakima host: HTTP front door on http://%s:%d/ (Host: vm-N.%s)%n", at, gateway.httpPort(),
                        gatewayOptions.hostSuffix);
            }
            for (Forward f : gateway.config().forwards()) {
                io.err().printf("yakima host: forwarding %s %s:%d to %s port %d%n", f.protocol().name().toLowerCase(Locale.ROOT),
                        at, gateway.port(f), f.vm(), f.guestPort());
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try { // Ctrl-C: the JVM exits when this returns, so wait (bounded) for the clean stop and the close
                finished.await(CLEAN_STOP_SECONDS + 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "yakima-host-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long end = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        long lastInsns = host.scheduler().insns();
        long lastFrames = host.lan().framesForwarded();
        long lastNs = System.nanoTime();
        while (System.nanoTime() < end && !stop.await(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
            host.admitWaiting();
            long now = System.nanoTime();
            long insns = host.scheduler().insns();
            long frames = host.lan().framesForwarded();
            double seconds = Math.max(1, now - lastNs) / 1e9;
            io.out().println(status(host, (insns - lastInsns) / seconds, (frames - lastFrames) / seconds));
            io.out().flush();
            lastInsns = insns;
            lastFrames = frames;
            lastNs = now;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return ExitCodes.OK;
    }

    private static String status(Host host, double insnsPerSecond, double framesPerSecond) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("[%6.1fs] vms:", host.uptimeNs() / 1e9));
        for (Map.Entry<VmState, Long> e : host.countByState().entrySet()) {
            if (e.getValue() > 0) {
                b.append(' ').append(e.getKey().label()).append('=').append(e.getValue());
            }
        }
        Map<String, Long> mem = host.memory();
        b.append(String.format(" | %.1f M insns/s | %.0f frames/s | wakes %d | mem %.1f MiB resident (%.1f private, %.1f shared, %.1f tables, %.1f vmm)",
                insnsPerSecond / 1e6, framesPerSecond, host.scheduler().wakes(), mib(mem.get("residentBytes")), mib(mem.get("privateBytes")),
                mib(mem.get("sharedBytes")), mib(mem.get("pageTableBytes")), mib(mem.get("bookkeepingBytes"))));
        return b.toString();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
