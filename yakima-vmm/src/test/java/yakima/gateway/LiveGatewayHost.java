package yakima.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import yakima.host.Host;
import yakima.host.HostConfig;
import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;

/**
 * A test fixture: a host with its threads running in real time, service VMs
 * booted on it, and a gateway on loopback; closed by the test. It counts the
 * services' "ready" lines on the consoles so a test can wait for every VM to
 * be listening (a bounded wait on an event, not a sleep).
 */
final class LiveGatewayHost implements AutoCloseable {
    private final Host host;
    private final List<Vm> vms = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition lineSeen = lock.newCondition();
    private final StringBuilder partial = new StringBuilder();
    private final StringBuilder console = new StringBuilder();
    private int readyLines;
    private Gateway gateway;

    LiveGatewayHost(int maxVms) {
        this(maxVms, 0, null);
    }

    /** A host that swaps to a store in {@code swapDir} with a resident budget of {@code budgetBytes} (none when swapDir is null). */
    LiveGatewayHost(int maxVms, long budgetBytes, java.nio.file.Path swapDir) {
        ConsoleSink sink = new ConsoleSink() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                lock.lock();
                try {
                    partial.append(new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        String line = partial.substring(0, nl);
                        partial.delete(0, nl + 1);
                        if (console.length() < 1 << 20) {
                            console.append(line).append('\n');
                        }
                        if (line.startsWith("httpd: listening") || line.startsWith("echo: UDP and TCP")) {
                            readyLines++;
                            lineSeen.signalAll();
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void flush() {
            }
        };
        HostConfig config = HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)).withMaxVms(maxVms);
        if (swapDir != null) {
            config = config.withBudget(budgetBytes);
        }
        long start = System.nanoTime();
        host = new Host(config, new ImageResolver(), () -> System.nanoTime() - start, sink);
        if (swapDir != null) {
            try {
                host.enableSwap(yakima.swap.SwapStore.open(swapDir, 1L << 30));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        host.start();
    }

    Host host() {
        return host;
    }

    /** Boots {@code count} VMs of {@code image} (1 MiB each). */
    List<Vm> boot(String image, int count) throws Exception {
        List<Vm> booted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            booted.add(host.create(image, 1 << 20, null));
        }
        vms.addAll(booted);
        return booted;
    }

    /** Waits until every booted VM printed its service's ready line; false on timeout. */
    boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (readyLines < vms.size()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lineSeen.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    String console() {
        lock.lock();
        try {
            return console.toString();
        } finally {
            lock.unlock();
        }
    }

    Gateway startGateway(GatewayConfig config) throws Exception {
        gateway = Gateway.start(host, config);
        return gateway;
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
        host.close();
    }
}
