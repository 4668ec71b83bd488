package yakima.cli;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import yakima.admin.AdminServer;
import yakima.host.Host;
import yakima.host.HostAdminBackend;
import yakima.host.HostConfig;
import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;
import yakima.vm.VmState;

/**
 * {@code yakima host --image NAME --vms N}: boots N VMs on one host and keeps
 * them running, printing a one-line status every second until interrupted
 * (or for {@code --duration}).
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = {
            "Boots N VMs from IMAGE on one host and keeps them running, with a status line every second.",
            "Stops on Ctrl-C, or after --duration seconds."
        })
final class HostCommand implements Callable<Integer> {
    private final CliStreams io;
    private final ImageResolver images;

    @Option(names = "--image", required = true, paramLabel = "IMAGE", description = "a built-in image name (e.g. hello-sleeper) or a path")
    String image;

    @Option(names = "--vms", paramLabel = "N", defaultValue = "1", description = "VMs to boot (default: ${DEFAULT-VALUE})")
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
            description = "IDLE honours its timeout (timeout) or only yields (yield) (default: ${DEFAULT-VALUE})")
    String idle;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "stop after this many seconds (default: run until interrupted)")
    Long durationSeconds;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "7077",
            description = "port of the admin API on 127.0.0.1 (ps, inspect, /metrics); 0 picks a free one (default: ${DEFAULT-VALUE})")
    int adminPort;

    @Option(names = "--console", description = "copy every VM's console output (rate-limited) to stdout")
    boolean console;

    HostCommand(CliStreams io, ImageResolver images) {
        this.io = io;
        this.images = images;
    }

    @Override
    public Integer call() throws Exception {
        if (vmCount < 1) {
            io.err().println("yakima host: --vms must be at least 1, not " + vmCount);
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
        long boot = System.nanoTime();
        ConsoleSink out = console ? ConsoleSink.of(io.guestOut()) : ConsoleSink.discarding();
        try (Host host = new Host(HostConfig.defaults().withScheduler(sc.withMaxVmsPerThread(HostConfig.defaults().maxVms())),
                images, () -> System.nanoTime() - boot, out)) {
            host.start();
            AdminServer admin;
            try {
                admin = AdminServer.loopback(new HostAdminBackend(host), adminPort).start();
            } catch (java.io.IOException e) {
                io.err().println("yakima host: cannot serve the admin API on 127.0.0.1:" + adminPort + ": " + e.getMessage()
                        + " (another host running? use --admin-port)");
                return ExitCodes.ERROR;
            }
            try (admin) {
                return serve(host, admin, boot);
            }
        }
    }

    private int serve(Host host, AdminServer admin, long boot) throws Exception {
        try {
            for (int i = 0; i < vmCount; i++) {
                host.create(image, memBytes, null);
            }
        } catch (ImageNotFoundException e) {
            io.err().println("yakima host: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (denali.isa.loader.LoadException e) {
            io.err().println("yakima host: " + image + ": " + e.getMessage());
            return ExitCodes.ERROR;
        }
        io.err().printf("yakima host: %d VMs of %s booted in %.1f ms; admin API on 127.0.0.1:%d%n", vmCount, image,
                (System.nanoTime() - boot) / 1e6, admin.port());
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "yakima-host-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long end = durationSeconds == null ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        long lastInsns = host.scheduler().insns();
        long lastNs = System.nanoTime();
        while (System.nanoTime() < end && !stop.await(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
            host.admitWaiting();
            long now = System.nanoTime();
            long insns = host.scheduler().insns();
            io.out().println(status(host, (insns - lastInsns) * 1e9 / Math.max(1, now - lastNs)));
            io.out().flush();
            lastInsns = insns;
            lastNs = now;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        return ExitCodes.OK;
    }

    private static String status(Host host, double insnsPerSecond) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("[%6.1fs] vms:", host.uptimeNs() / 1e9));
        for (Map.Entry<VmState, Long> e : host.countByState().entrySet()) {
            if (e.getValue() > 0) {
                b.append(' ').append(e.getKey().label()).append('=').append(e.getValue());
            }
        }
        Map<String, Long> mem = host.memory();
        b.append(String.format(" | %.1f M insns/s | wakes %d | mem %.1f MiB resident (%.1f private, %.1f shared, %.1f tables, %.1f vmm)",
                insnsPerSecond / 1e6, host.scheduler().wakes(), mib(mem.get("residentBytes")), mib(mem.get("privateBytes")),
                mib(mem.get("sharedBytes")), mib(mem.get("pageTableBytes")), mib(mem.get("bookkeepingBytes"))));
        return b.toString();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
