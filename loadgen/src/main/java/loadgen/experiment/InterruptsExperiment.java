package loadgen.experiment;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import loadgen.core.LoadSpec;
import yakima.sched.SchedulerConfig.Delivery;

/**
 * Denali's figure 4: batched, asynchronous interrupt delivery against
 * synchronous delivery (the scheduler switches to a VM at once when an
 * interrupt arrives for it), aggregate web throughput against the number of
 * VMs serving a 100 KB document. Denali: no difference for a few VMs, up to
 * 30% more with batching up to 800 VMs, paging dominating beyond.
 *
 * <p>Here: {@code yakima host --delivery batched} against {@code
 * --delivery synchronous}, every VM resident.
 */
final class InterruptsExperiment extends ModeComparison {
    InterruptsExperiment() {
        super("batched", s -> s.withDelivery(Delivery.BATCHED), "synchronous", s -> s.withDelivery(Delivery.SYNCHRONOUS));
    }

    @Override
    public String name() {
        return "interrupts";
    }

    @Override
    public String title() {
        return "batched against synchronous interrupt delivery, throughput against VMs";
    }

    @Override
    void plot(List<Pair> pairs, ExperimentRun run) throws IOException {
        plotThroughput(pairs, "Interrupt delivery: throughput (134,007-byte object)", run.file("interrupts.png"));
        plotRatio(pairs, "Batched over synchronous delivery", "throughput, batched / synchronous",
                "Denali: up to 1.30 (up to 800 VMs)", 1.30, 800, run.file("interrupts-ratio.png"));
    }

    @Override
    String summary(List<Pair> pairs, ResultTable t, LoadSpec load, String runs) {
        return String.format(Locale.ROOT, """
                ## Result

                Closed loop, %d clients, a connection per request, `GET /large` (134,007 bytes), uniform over the VMs;
                every VM resident; %s.

                %s
                Batched over synchronous: best %s, worst %s.

                ## Beside Denali

                | | Denali (figure 4) | Yakima, this run |
                |---|---|---|
                | few VMs | no apparent difference | %.2f× at %d VM |
                | up to 800 VMs | batching up to 30%% better | best %s |

                Synchronous delivery here means what Denali's modified scheduler did: a VM an interrupt arrives for
                is switched to at once (it jumps the run queue and the running quantum is cut short), so every
                frame can cost a switch; batched delivery lets interrupts gather until the VM's turn.
                """, load.clients(), runs, t.markdown(), best(pairs), worst(pairs), pairs.get(0).ratio(), pairs.get(0).vms(),
                best(pairs));
    }
}
