package yakima.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import yakima.host.Host;
import yakima.host.MemoryAccounting;
import yakima.vm.VmState;

/**
 * Host memory per idle VM: boots {@link #VMS} VMs of {@code hello-sleeper}
 * (1 MiB each; it prints one line, then idles with a 1 s timeout) on one
 * scheduler thread driven by hand, runs them until every one is IDLE, and
 * divides the growth of the live heap (used heap after full collections,
 * before and after) by {@link #VMS}. One VM booted before the first
 * measurement takes the one-off costs (the parsed image, its decoded code,
 * the host's queues) out of the figure.
 *
 * <p>The score is the time of the whole operation (create, boot to IDLE,
 * collect); the figures are the {@link Footprint} counters, per VM:
 * <ul>
 *   <li>{@code heapBytesPerVm}: measured, the live heap's growth;</li>
 *   <li>{@code accountedBytesPerVm}: the VMM's own estimate ({@link Host#memory()},
 *       resident bytes), and its parts {@code accountedPrivate}, {@code accountedTables},
 *       {@code accountedBookkeeping} (the last is {@link MemoryAccounting#VM_OBJECT_BYTES}
 *       plus the console's tail);</li>
 *   <li>{@code bookkeepingMeasured}: the measured growth less the accounted private pages and
 *       page tables, i.e. what {@code accountedBookkeeping} should be;</li>
 *   <li>{@code bootUsPerVm}: create plus first quantum, wall time.</li>
 * </ul>
 * {@code VmFootprint} (run by run-vm-bench.sh) breaks one idle VM down by class.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// One measured iteration: JMH adds up EVENTS counters over iterations (and forks), so with one the
// counters read as per-VM figures. The warm-up iteration boots the same 10,000 VMs (and prints the
// heap growth by class); the figures of the two agree within 0.5%.
@Warmup(iterations = 1)
@Measurement(iterations = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class VmIdleMemoryBenchmark {
    static final int VMS = 10_000;
    static final String IMAGE = "hello-sleeper";

    /** The figures, per VM, reported by JMH beside the score (reset every iteration). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Footprint {
        public double heapBytesPerVm;
        public double accountedBytesPerVm;
        public double accountedPrivate;
        public double accountedTables;
        public double accountedBookkeeping;
        public double bookkeepingMeasured;
        public double bootUsPerVm;

        @Setup(Level.Iteration)
        public void reset() {
            heapBytesPerVm = 0;
            accountedBytesPerVm = 0;
            accountedPrivate = 0;
            accountedTables = 0;
            accountedBookkeeping = 0;
            bookkeepingMeasured = 0;
            bootUsPerVm = 0;
        }
    }

    private Host host;
    private long heapBefore;
    private Map<String, Long> accountedBefore;
    private ClassHistogram histogramBefore;
    private int iteration;

    @Setup(Level.Iteration)
    public void emptyHost() throws Exception {
        host = BenchHosts.newHost(VMS + 1);
        host.create(IMAGE, BenchHosts.MEM, null);
        BenchHosts.runUntilQuiet(host);
        requireAllIdle(1);
        if (++iteration == 1) {
            histogramBefore = ClassHistogram.take();
        }
        heapBefore = BenchHosts.usedHeapAfterGc();
        accountedBefore = host.memory();
    }

    @Benchmark
    public long bootTenThousandIdle(Footprint f) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < VMS; i++) {
            host.create(IMAGE, BenchHosts.MEM, null);
        }
        BenchHosts.runUntilQuiet(host);
        long t1 = System.nanoTime();
        requireAllIdle(VMS + 1);
        long heapAfter = BenchHosts.usedHeapAfterGc();
        Map<String, Long> accounted = host.memory();

        f.bootUsPerVm = (t1 - t0) / 1e3 / VMS;
        f.heapBytesPerVm = (double) (heapAfter - heapBefore) / VMS;
        f.accountedBytesPerVm = perVm(accounted, "residentBytes");
        f.accountedPrivate = perVm(accounted, "privateBytes");
        f.accountedTables = perVm(accounted, "pageTableBytes");
        f.accountedBookkeeping = perVm(accounted, "bookkeepingBytes");
        f.bookkeepingMeasured = f.heapBytesPerVm - f.accountedPrivate - f.accountedTables;
        System.out.printf("%n%d idle VMs: heap +%.0f bytes per VM measured, %.0f accounted (private %.0f, tables %.0f,"
                + " bookkeeping %.0f; measured bookkeeping %.0f); boot %.1f us per VM%n", VMS, f.heapBytesPerVm,
                f.accountedBytesPerVm, f.accountedPrivate, f.accountedTables, f.accountedBookkeeping,
                f.bookkeepingMeasured, f.bootUsPerVm);
        if (histogramBefore != null) { // once per fork: it walks the whole heap
            ClassHistogram.printGrowth(ClassHistogram.take().growthSince(histogramBefore), VMS, 1.0);
            histogramBefore = null;
        }
        return heapAfter;
    }

    @TearDown(Level.Iteration)
    public void close() {
        host.close();
        host = null;
        accountedBefore = null;
    }

    private double perVm(Map<String, Long> after, String key) {
        return (double) (after.get(key) - accountedBefore.get(key)) / VMS;
    }

    private void requireAllIdle(int n) {
        Map<VmState, Long> states = host.countByState();
        if (states.get(VmState.IDLE) != n) {
            throw new IllegalStateException("expected " + n + " idle VMs: " + states);
        }
    }
}
