package loadgen.experiment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

import loadgen.report.LinePlot;
import yakima.host.Host;
import yakima.host.HostConfig;
import yakima.sched.SchedulerThread;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Denali's VM context-switch time against the number of VMs (section 5.1:
 * 1.4 µs for one VM in the best case, rising slightly as the caches fill;
 * 3.9 µs and then 9 µs in the worst case, a workload that sweeps a large
 * buffer between switches).
 *
 * <p>Here: N {@code yielder} VMs (a loop around the YIELD hypercall) on one
 * scheduler thread that this experiment turns by hand, so that one step is
 * exactly one switch: from one VM's YIELD, through the scheduler's
 * bookkeeping, to the next VM's YIELD. The time per step is the switch
 * time, the best case in Denali's terms (a yielder touches almost no
 * memory). Beside it, the peer measured in the same run: two Java threads
 * handing a token back and forth with park/unpark, half a round trip, what
 * a switch between two threads of the host's OS costs (Denali compared its
 * switch with "process context switching overheads in modern OSs").
 */
final class ContextSwitchExperiment implements Experiment {
    static final double DENALI_BEST_1_VM_US = 1.4;
    static final double DENALI_WORST_1_VM_US = 3.9;
    static final double DENALI_WORST_MANY_US = 9.0;

    @Override
    public String name() {
        return "context-switch";
    }

    @Override
    public String title() {
        return "VM switch time against the number of VMs";
    }

    @Override
    public String fullRunTime() {
        return "about 3 minutes (up to 100,000 VMs, which need about 2 GB of heap)";
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        List<Integer> counts = run.pick(List.of(1, 100, 1000), List.of(1, 10, 100, 1000, 10_000, 100_000));
        long sampleNs = run.pick(200_000_000L, 1_000_000_000L);
        int samples = run.pick(3, 5);
        ResultTable table = new ResultTable("vms", "switch_us", "switch_us_min", "switch_us_max", "insns_per_quantum");
        double[] xs = new double[counts.size()];
        double[] ys = new double[counts.size()];
        for (int i = 0; i < counts.size(); i++) {
            int n = counts.get(i);
            double[] perSample = measure(n, sampleNs, samples, run);
            double median = median(perSample);
            xs[i] = n;
            ys[i] = median / 1000;
            table.add(n, median / 1000, Arrays.stream(perSample).min().orElseThrow() / 1000,
                    Arrays.stream(perSample).max().orElseThrow() / 1000, lastInsnsPerQuantum);
            run.log().printf(Locale.ROOT, "    %,d VMs: %.3f us a switch%n", n, median / 1000);
        }
        double peerNs = threadHandOffNs(run.pick(20_000, 200_000));
        run.log().printf(Locale.ROOT, "    peer, an OS thread hand-off (park/unpark): %.2f us%n", peerNs / 1000);
        table.writeCsv(run.file("context-switch.csv"));

        LinePlot plot = new LinePlot("VM switch time (one scheduler thread, yielder VMs)", "VMs", "microseconds per switch");
        plot.logX(true);
        plot.logY(true);
        plot.series("Yakima", xs, ys);
        double maxX = Math.max(2, xs[xs.length - 1]);
        plot.series("peer: OS thread hand-off, this run", new double[] {xs[0], maxX}, new double[] {peerNs / 1000, peerNs / 1000});
        plot.reference("Denali best case (1 VM)", new double[] {1}, new double[] {DENALI_BEST_1_VM_US});
        plot.reference("Denali worst case", new double[] {1, 2, maxX},
                new double[] {DENALI_WORST_1_VM_US, DENALI_WORST_MANY_US, DENALI_WORST_MANY_US});
        plot.writePng(run.file("context-switch.png"));

        double first = ys[0];
        double last = ys[ys.length - 1];
        String body = String.format(Locale.ROOT, """
                ## Result

                %s
                The peer, measured in the same run: an OS thread hand-off (park/unpark, half a round trip) took
                **%.2f µs**; the VM switch at 1 VM takes **%.1f%%** of that.

                ## Beside Denali

                | | Denali (Pentium 4, 1.7 GHz, 2002) | Yakima, this run |
                |---|---|---|
                | best case, 1 VM | 1.4 µs | %.3f µs |
                | best case, many VMs | "increases slightly" as L1 and L2 fill | %.3f µs at %,d VMs (%.1f× the 1-VM figure) |
                | worst case (sweeps a big buffer between switches) | 3.9 µs (1 VM), 9 µs (2+ VMs) | not measured: a yielder touches no buffer |

                A switch here is a method call on the scheduler thread: no address-space change, no TLB flush (the
                guest's memory is a Java array the interpreter indexes), so it is cheaper than Denali's, which saved
                and restored the x86 register file in its kernel. What grows with N is the cache misses on each
                VM's state (its CPU object, run-queue entry and page table) once they no longer fit in the caches.
                """, table.markdown(), peerNs / 1000, 100 * first * 1000 / peerNs, first, last, counts.get(counts.size() - 1), last / first);
        run.summary(body);
    }

    private double lastInsnsPerQuantum;

    /** Nanoseconds per switch with {@code n} VMs: {@code samples} timings of about {@code sampleNs} each. */
    private double[] measure(int n, long sampleNs, int samples, ExperimentRun run) throws Exception {
        HostConfig d = HostConfig.defaults();
        HostConfig c = d.withScheduler(d.scheduler().withThreads(1)).withMaxVms(Math.max(n, 2));
        try (Host host = new Host(c, new ImageResolver(), System::nanoTime, ConsoleSink.discarding())) {
            SchedulerThread thread = host.scheduler().thread(0);
            for (int i = 0; i < n; i++) {
                host.create("yielder", 1 << 20, null);
            }
            if (!host.waiting().isEmpty()) {
                throw new IllegalStateException(host.waiting().size() + " of " + n
                        + " yielder VMs were not admitted: the heap is too small (give the JVM more with -Xmx)");
            }
            // every VM's first quanta run its start-up to the first YIELD; then warm the JIT
            for (int i = 0; i < 2 * n; i++) {
                thread.doWork();
            }
            spin(thread, Math.max(200_000, 2L * n), sampleNs / 2);
            double[] out = new double[samples];
            for (int s = 0; s < samples; s++) {
                long q0 = thread.quanta();
                long i0 = thread.insns();
                long t0 = System.nanoTime();
                long steps = spin(thread, Long.MAX_VALUE, sampleNs);
                long t1 = System.nanoTime();
                out[s] = (double) (t1 - t0) / steps;
                lastInsnsPerQuantum = (double) (thread.insns() - i0) / Math.max(1, thread.quanta() - q0);
            }
            for (Vm vm : host.vms()) {
                if (vm.state() != VmState.RUNNABLE || vm.yields() < 1) {
                    throw new IllegalStateException(vm.idString() + " is " + vm.state().label() + " after " + vm.yields()
                            + " yields: the measurement is not of yielders");
                }
            }
            return out;
        }
    }

    /** Turns the thread until {@code maxSteps} steps or {@code ns} nanoseconds, whichever first; the steps. */
    private static long spin(SchedulerThread thread, long maxSteps, long ns) {
        long end = System.nanoTime() + ns;
        long steps = 0;
        while (steps < maxSteps) {
            for (int k = 0; k < 1024; k++) {
                thread.doWork();
            }
            steps += 1024;
            if (System.nanoTime() >= end) {
                break;
            }
        }
        return steps;
    }

    /** Half the round trip of a token passed between two threads by park/unpark: an OS thread switch. */
    static double threadHandOffNs(int rounds) throws InterruptedException {
        final Thread main = Thread.currentThread();
        final java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
        Thread other = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                while (turn.get() != 1) {
                    LockSupport.park();
                }
                turn.set(0);
                LockSupport.unpark(main);
            }
        }, "loadgen-handoff-peer");
        other.setDaemon(true);
        other.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            turn.set(1);
            LockSupport.unpark(other);
            while (turn.get() != 0) {
                LockSupport.park();
            }
        }
        long t1 = System.nanoTime();
        other.join(10_000);
        return (t1 - t0) / (2.0 * rounds);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
