package loadgen.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import yakima.gateway.Gateway;
import yakima.gateway.GatewayConfig;
import yakima.host.Host;
import yakima.host.HostConfig;
import yakima.sched.SchedulerConfig;
import yakima.swap.RecordCompression;
import yakima.swap.SwapStore;
import yakima.swap.VmStub;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * A Yakima host run in this process for an experiment, as {@code yakima host}
 * would run it: its scheduler threads in real time, N service VMs booted and
 * listening, and the gateway's HTTP front door on a free loopback port. The
 * load generator then drives it through the front door like any client.
 *
 * <p>Without a budget every VM is booted and resident ("in core"). With one,
 * the host swaps to a temporary folder (removed at close) and boots by
 * template, as {@code yakima host --memory} does: the first VM boots until it
 * idles, is swapped out, and the other N-1 are clones of its record, each
 * swapped in when traffic first comes for it.
 */
public final class ExperimentHost implements AutoCloseable {
    /**
     * What to run.
     *
     * @param image       a built-in image name (httpd)
     * @param vms         how many VMs
     * @param memBytes    each VM's memory
     * @param threads     scheduler threads
     * @param delivery    interrupt delivery
     * @param idle        what IDLE does
     * @param budgetBytes resident-memory budget; 0: none, no swapping
     * @param compression how swap records are compressed (with a budget)
     */
    public record Settings(String image, int vms, int memBytes, int threads, SchedulerConfig.Delivery delivery,
            SchedulerConfig.IdleMode idle, long budgetBytes, RecordCompression compression) {
        public Settings {
            if (vms < 1) {
                throw new IllegalArgumentException("at least one VM, not " + vms);
            }
        }

        /** N httpd VMs of 1 MiB, the host's default threads and modes, no swapping. */
        public static Settings httpd(int vms) {
            return new Settings("httpd", vms, 1 << 20, SchedulerConfig.defaults().threads(),
                    SchedulerConfig.Delivery.BATCHED, SchedulerConfig.IdleMode.TIMEOUT, 0, RecordCompression.FAST);
        }

        public Settings withDelivery(SchedulerConfig.Delivery d) {
            return new Settings(image, vms, memBytes, threads, d, idle, budgetBytes, compression);
        }

        public Settings withIdle(SchedulerConfig.IdleMode m) {
            return new Settings(image, vms, memBytes, threads, delivery, m, budgetBytes, compression);
        }

        /** Swapping, with this resident budget and compression. */
        public Settings withBudget(long bytes, RecordCompression c) {
            return new Settings(image, vms, memBytes, threads, delivery, idle, bytes, c);
        }
    }

    /** Longest wait for the VMs to boot: generous, as a shared 2-core machine may be slow. */
    private static final long BOOT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);

    private final Settings settings;
    private final Host host;
    private final Path swapDir;
    private final Gateway gateway;
    private final long bootNanos;

    private ExperimentHost(Settings settings, Host host, Path swapDir, Gateway gateway, long bootNanos) {
        this.settings = settings;
        this.host = host;
        this.swapDir = swapDir;
        this.gateway = gateway;
        this.bootNanos = bootNanos;
    }

    /**
     * Starts the host, boots the VMs and waits until every booted VM is idle
     * (listening), then opens the front door.
     *
     * @throws IllegalStateException when the VMs do not boot in time (with the host's view of why)
     */
    public static ExperimentHost boot(Settings s) throws Exception {
        long t0 = System.nanoTime();
        SchedulerConfig sc = SchedulerConfig.defaults().withThreads(s.threads()).withDelivery(s.delivery())
                .withIdle(s.idle());
        int maxVms = Math.max(s.vms(), 16);
        HostConfig config = HostConfig.defaults().withScheduler(sc).withMaxVms(maxVms);
        if (s.budgetBytes() > 0) {
            config = config.withBudget(s.budgetBytes());
        }
        Host host = new Host(config, new ImageResolver(), () -> System.nanoTime() - t0, ConsoleSink.discarding());
        Path swapDir = null;
        Gateway gateway = null;
        try {
            if (s.budgetBytes() > 0) {
                swapDir = Files.createTempDirectory("loadgen-swap-");
                host.enableSwap(SwapStore.open(swapDir, 64L << 30), s.compression());
            }
            host.start();
            if (swapDir != null) {
                Vm first = host.create(s.image(), s.memBytes(), null);
                VmStub template = host.templateOf(first, BOOT_TIMEOUT_NS);
                if (template == null) {
                    throw new IllegalStateException(s.image() + " did not go idle after booting (" + first.state().label()
                            + (host.lastSwapError() == null ? "" : ", " + host.lastSwapError()) + ")");
                }
                host.registerClones(template, s.vms() - 1);
            } else {
                for (int i = 0; i < s.vms(); i++) {
                    host.create(s.image(), s.memBytes(), null);
                }
                awaitAllIdle(host, s.vms());
            }
            // Experiments measure the VMM, not the gateway's per-VM ingress limits: those are off.
            gateway = Gateway.start(host, GatewayConfig.defaults().withHttpPort(0).withVmRates(0, 1, 0, 1)
                    .withConnectionLimits(65_536, 65_536));
            return new ExperimentHost(s, host, swapDir, gateway, System.nanoTime() - t0);
        } catch (Exception | Error e) {
            if (gateway != null) {
                gateway.close();
            }
            host.close();
            deleteTree(swapDir);
            throw e;
        }
    }

    /** Waits until all {@code n} VMs are IDLE at two looks 50 ms apart (booted and listening). */
    private static void awaitAllIdle(Host host, int n) throws InterruptedException {
        long deadline = System.nanoTime() + BOOT_TIMEOUT_NS;
        int seen = 0;
        while (seen < 2) {
            Map<VmState, Long> states = host.countByState();
            long idle = states.getOrDefault(VmState.IDLE, 0L);
            long failed = states.getOrDefault(VmState.FAULTED, 0L) + states.getOrDefault(VmState.TERMINATED, 0L);
            if (failed > 0) {
                throw new IllegalStateException(failed + " VMs faulted or ended while booting: " + states);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the VMs did not all boot in time: " + states);
            }
            seen = idle == n ? seen + 1 : 0;
            Thread.sleep(50);
        }
    }

    public Settings settings() {
        return settings;
    }

    public Host host() {
        return host;
    }

    /** The front door's port on 127.0.0.1. */
    public int httpPort() {
        return gateway.httpPort();
    }

    /** How long starting the host and booting its VMs took. */
    public long bootNanos() {
        return bootNanos;
    }

    /** The host's swap counters, empty without swapping. */
    public Map<String, Long> swapCounters() {
        return host.swapCounters();
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            host.close();
            deleteTree(swapDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
