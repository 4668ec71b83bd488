package yakima.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.function.LongSupplier;

import yakima.host.Host;
import yakima.host.HostConfig;
import yakima.sched.SchedulerThread;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;

/** Hosts the VM benchmarks share: one scheduler thread, never started (the benchmark drives it). */
final class BenchHosts {
    /** Each VM's memory: what {@code yakima host} gives a VM unless told otherwise ({@code --mem 1m}). */
    static final int MEM = 1 << 20;

    private BenchHosts() {
    }

    /**
     * A host with the defaults of {@code yakima host} (budget 3/4 of the heap, batched delivery, IDLE
     * with timeout, 100,000-instruction quantum) but exactly one scheduler thread, room for
     * {@code maxVms} VMs, the real monotonic clock (or {@code clockNs}) and a console sink that drops
     * everything.
     */
    static Host newHost(int maxVms) {
        return newHost(maxVms, System::nanoTime);
    }

    static Host newHost(int maxVms, LongSupplier clockNs) {
        HostConfig d = HostConfig.defaults();
        HostConfig c = d.withScheduler(d.scheduler().withThreads(1)).withMaxVms(maxVms);
        return new Host(c, new ImageResolver(), clockNs, ConsoleSink.discarding());
    }

    /** Runs the host's only scheduler thread by hand until no VM is runnable and no request waits. */
    static long runUntilQuiet(Host host) {
        SchedulerThread t = host.scheduler().thread(0);
        long steps = 0;
        while (t.hasWork()) {
            t.doWork();
            steps++;
        }
        return steps;
    }

    /** Heap bytes in use now, garbage included. */
    static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap bytes in use after full collections, once two in a row agree to within 64 KiB (at most 10). */
    static long usedHeapAfterGc() {
        MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = mx.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < 64 << 10) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }
}
