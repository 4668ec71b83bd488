package loadgen.experiment;

import java.util.List;
import java.util.Locale;

import yakima.sched.SchedulerConfig.Delivery;

/**
 * Denali's figure 4: batched, asynchronous interrupt delivery against
 * synchronous delivery (the scheduler switches to a VM at once when an
 * interrupt arrives for it), aggregate web throughput against the number of
 * VMs serving a 100 KB document. Denali: no difference for a few VMs, up to
 * 30% more with batching up to 800 VMs, paging dominating beyond.
 *
 * <p>Here: {@code yakima host --delivery batched} against {@code
 * --delivery synchronous}, every VM resident, httpd's 134,007-byte object,
 * targets drawn uniformly over the VMs.
 */
final class InterruptsExperiment implements Experiment {
    @Override
    public String name() {
        return "interrupts";
    }

    @Override
    public String title() {
        return "batched against synchronous interrupt delivery, throughput against VMs";
    }

    @Override
    public String fullRunTime() {
        return "about 5 minutes";
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        List<Integer> counts = run.pick(List.of(1, 10, 50), List.of(1, 10, 50, 100, 200, 400, 800));
        ModeComparison c = new ModeComparison("batched", s -> s.withDelivery(Delivery.BATCHED), "synchronous",
                s -> s.withDelivery(Delivery.SYNCHRONOUS));
        List<ModeComparison.Pair> pairs = c.run(run, counts, WebPoint.denaliLoad(run, WebPoint.LARGE, WebPoint.LARGE_BYTES, 0));
        ResultTable t = c.table(pairs);
        t.writeCsv(run.file("interrupts.csv"));
        c.plotThroughput(pairs, "Interrupt delivery: throughput (134,007-byte object)", run.file("interrupts.png"));
        c.plotRatio(pairs, "Batched over synchronous delivery", "throughput, batched / synchronous",
                "Denali: up to 1.30 (up to 800 VMs)", 1.30, 800, run.file("interrupts-ratio.png"));
        run.summary(String.format(Locale.ROOT, """
                ## Result

                Closed loop, %d clients, a connection per request, `GET /large` (134,007 bytes), uniform over the VMs;
                every VM resident.

                %s
                Batched over synchronous: best %s, worst %s.

                ## Beside Denali

                | | Denali (figure 4) | Yakima, this run |
                |---|---|---|
                | few VMs | no apparent difference | %s at %d VM |
                | up to 800 VMs | batching up to 30%% better | best %s |

                Synchronous delivery here means what Denali's modified scheduler did: a VM an interrupt arrives for
                is switched to at once (it jumps the run queue and the running quantum is cut short), so every
                frame can cost a switch; batched delivery lets interrupts gather until the VM's turn.
                """, WebPoint.denaliLoad(run, WebPoint.LARGE, WebPoint.LARGE_BYTES, 0).clients(), t.markdown(),
                ModeComparison.best(pairs), ModeComparison.worst(pairs), ratioText(pairs.get(0)), pairs.get(0).vms(),
                ModeComparison.best(pairs)));
    }

    static String ratioText(ModeComparison.Pair p) {
        return String.format(Locale.ROOT, "%.2f×", p.ratio());
    }
}
