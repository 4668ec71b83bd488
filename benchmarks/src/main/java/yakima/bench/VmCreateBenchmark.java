package yakima.bench;

import java.util.concurrent.TimeUnit;

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
import yakima.vm.Vm;

/**
 * Creating a VM from an image the host has already parsed:
 * {@code host.create("hello-sleeper", 1 MiB, null)}, which builds the VM's
 * memory (page tables, the virtual-registers page, the image's pages mapped
 * shared), CPU, hypercall dispatcher and console, and admits it (hands it to
 * the scheduler thread). The VM does not run.
 *
 * <p>VMs must not pile up: every {@link #BATCH} creates, the host is
 * replaced by a fresh one (its image cache warmed by one create) outside the
 * measured calls, and the old one with its VMs becomes garbage. The garbage
 * collector's share of keeping up to {@link #BATCH} VMs alive is part of the
 * score, as it is for a host creating VMs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class VmCreateBenchmark {
    static final int BATCH = 2_000;
    static final String IMAGE = "hello-sleeper";

    private Host host;
    private int created;

    /** Per call, not timed: a fresh host when this one holds a batch. */
    @Setup(Level.Invocation)
    public void freshHostEveryBatch() throws Exception {
        if (host == null || created >= BATCH) {
            if (host != null) {
                host.close();
            }
            host = BenchHosts.newHost(BATCH + 1);
            host.create(IMAGE, BenchHosts.MEM, null); // parses and caches the image
            created = 0;
        }
    }

    @Benchmark
    public Vm create() throws Exception {
        created++;
        return host.create(IMAGE, BenchHosts.MEM, null);
    }

    @TearDown(Level.Trial)
    public void close() {
        if (host != null) {
            if (!host.waiting().isEmpty()) {
                throw new IllegalStateException(host.waiting().size() + " VMs were left waiting for admission");
            }
            host.close();
        }
    }
}
