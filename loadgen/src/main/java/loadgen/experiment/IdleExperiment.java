package loadgen.experiment;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import loadgen.core.LoadSpec;
import yakima.sched.SchedulerConfig.IdleMode;

/**
 * Denali's figure 5: idle-with-timeout against an idle without a timeout,
 * aggregate web throughput against the number of VMs serving a 100 KB
 * document. Without the timeout a VM with a TCP timer pending cannot sleep
 * until it is due and must spin in its idle loop; Denali measured
 * throughput falling by more than a factor of two as VMs were added.
 *
 * <p>Here: {@code yakima host --idle timeout} against {@code --idle yield}
 * (an IDLE with a deadline only yields, so a VM with a timer pending spins,
 * as a VM without the timeout must; one with no timer still sleeps until an
 * interrupt), every VM resident.
 */
final class IdleExperiment extends ModeComparison {
    IdleExperiment() {
        super("without_timeout", s -> s.withIdle(IdleMode.YIELD_ONLY), "with_timeout", s -> s.withIdle(IdleMode.TIMEOUT));
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public String title() {
        return "idle with timeout against idle without, throughput against VMs";
    }

    @Override
    void plot(List<Pair> pairs, ExperimentRun run) throws IOException {
        plotThroughput(pairs, "Idle with and without timeout: throughput (134,007-byte object)", run.file("idle.png"));
        plotRatio(pairs, "Idle without timeout over idle with timeout", "throughput, without / with timeout",
                "Denali: below 0.5 as VMs scale up", 0.5, pairs.get(pairs.size() - 1).vms(), run.file("idle-ratio.png"));
    }

    @Override
    String summary(List<Pair> pairs, ResultTable t, LoadSpec load, String runs) {
        return String.format(Locale.ROOT, """
                ## Result

                Closed loop, %d clients, a connection per request, `GET /large` (134,007 bytes), uniform over the VMs;
                every VM resident; %s.

                %s
                Without the timeout over with it: worst %s, best %s.

                ## Beside Denali

                | | Denali (figure 5) | Yakima, this run |
                |---|---|---|
                | as VMs scale up | without the timeout, throughput falls by more than half | worst %s |

                `--idle yield` takes IDLE's timeout away: a VM that idles with a deadline (a TCP timer pending)
                stays runnable and is scheduled again every round until the deadline passes, costing a switch and
                a trip through Ilwaco's idle loop each time, as Denali's VMs without the timeout spun in theirs.
                A VM with no timer pending still sleeps until an interrupt.
                """, load.clients(), runs, t.markdown(), worst(pairs), best(pairs), worst(pairs));
    }
}
