package yakima.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import yakima.host.Host;
import yakima.sched.SchedulerThread;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * VM-to-VM switch time: {@code vms} resident VMs of the {@code yielder} guest
 * (a loop around the YIELD hypercall, three guest instructions a turn) on one
 * scheduler thread, driven by hand. One operation is one
 * {@link SchedulerThread#doWork()}: take requests, check the timer wheel, pick
 * the next VM round-robin, run its quantum (interrupt collection, clock
 * refresh, the three instructions, the hypercall) and put it back on the run
 * queue, i.e. everything from one VM's YIELD to the next VM's.
 *
 * <p>The VMs are created and booted (first quantum: the runtime's start-up,
 * up to the first YIELD) in the trial setup; the teardown checks every VM is
 * still runnable and prints the guest instructions per quantum.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// 100,000 yielders of 1 MiB hold about 1.7 GB of heap (17 KB each, like hello-sleeper, see
// VmIdleMemoryBenchmark); a fixed heap keeps the admission budget (3/4 of it) and the GC alike
// across the four counts. Nothing is allocated while measuring, so no collection runs then.
// (-jvmArgsAppend on the command line would replace these: pass extra JVM options with
// -jvmArgsPrepend, as run-vm-bench.sh does.)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class VmSwitchBenchmark {
    @Param({"1", "1000", "10000", "100000"})
    public int vms;

    /**
     * The scheduler's clock: {@code nanoTime} (System.nanoTime, as {@code yakima host} runs) or
     * {@code fixed} (a constant: what the switch costs without reading the clock; no deadline ever
     * passes, which yielders do not need).
     */
    @Param({"nanoTime"})
    public String clock;

    /**
     * What the heap looks like when measuring starts: {@code none}, as booting left it (the VMs'
     * objects promoted by young collections, some still in survivor regions: the state of a host
     * that has just booted its VMs), or {@code full}, after a {@code System.gc()} (with G1 a full,
     * compacting collection that leaves every object old). While the scheduler stored references
     * on every quantum (a VM's state, the CPU's exit reason), G1's write barrier made the switch at
     * 100,000 VMs about three times dearer in the first state than in the second (see README).
     */
    @Param({"none"})
    public String gc;

    private Host host;
    private SchedulerThread thread;
    private long quantaBefore;
    private long insnsBefore;

    @Setup(Level.Trial)
    public void boot() throws Exception {
        host = switch (clock) {
            case "nanoTime" -> BenchHosts.newHost(vms);
            case "fixed" -> BenchHosts.newHost(vms, () -> 1_000_000_000L);
            default -> throw new IllegalArgumentException("clock: nanoTime or fixed, not " + clock);
        };
        thread = host.scheduler().thread(0);
        long t0 = System.nanoTime();
        for (int i = 0; i < vms; i++) {
            host.create("yielder", BenchHosts.MEM, null);
        }
        long t1 = System.nanoTime();
        if (!host.waiting().isEmpty()) {
            throw new IllegalStateException(host.waiting().size() + " VMs were not admitted: the heap is too small");
        }
        // Every VM's first quantum runs the runtime's start-up to the first YIELD.
        for (int i = 0; i < 2 * vms; i++) {
            thread.doWork();
        }
        long t2 = System.nanoTime();
        checkAllYielding();
        String heap = switch (gc) {
            case "none" -> String.format("heap in use %.0f MB (not collected)", BenchHosts.usedHeap() / 1e6);
            case "full" -> String.format("live heap after a full collection %.0f MB", BenchHosts.usedHeapAfterGc() / 1e6);
            default -> throw new IllegalArgumentException("gc: none or full, not " + gc);
        };
        System.out.printf("%nsetup: %d yielder VMs created in %.0f ms (%.1f us each), booted in %.0f ms; %s%n", vms,
                (t1 - t0) / 1e6, (t1 - t0) / 1e3 / vms, (t2 - t1) / 1e6, heap);
        quantaBefore = thread.quanta();
        insnsBefore = thread.insns();
    }

    @Benchmark
    public int switchToNextVm() {
        return thread.doWork();
    }

    @TearDown(Level.Trial)
    public void check() {
        checkAllYielding();
        long quanta = thread.quanta() - quantaBefore;
        long insns = thread.insns() - insnsBefore;
        System.out.printf("%nquanta run: %d, guest instructions per quantum: %.2f, queue-full events: %d%n", quanta,
                (double) insns / quanta, thread.queueFull());
        host.close();
        host = null;
    }

    private void checkAllYielding() {
        for (Vm vm : host.vms()) {
            if (vm.state() != VmState.RUNNABLE || vm.yields() < 1) {
                throw new IllegalStateException(vm.idString() + " is " + vm.state().label() + " after "
                        + vm.yields() + " yields");
            }
        }
        if (host.vms().size() != vms) {
            throw new IllegalStateException(host.vms().size() + " VMs, expected " + vms);
        }
    }
}
