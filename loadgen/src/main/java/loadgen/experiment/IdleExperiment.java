package loadgen.experiment;

import java.util.List;
import java.util.Locale;

import yakima.sched.SchedulerConfig.IdleMode;

/**
 * Denali's figure 5: idle-with-timeout against an idle without a timeout,
 * aggregate web throughput against the number of VMs serving a 100 KB
 * document. Without the timeout a VM with a TCP timer pending cannot sleep
 * until it is due and must spin in its idle loop; Denali measured
 * throughput falling by more than a factor of two as VMs were added.
 *
 * <p>Here: {@code yakima host --idle timeout} against {@code --idle yield}
 * (IDLE only yields the rest of the quantum: the VM stays runnable and
 * spins, as a VM without the timeout must), every VM resident, httpd's
 * 134,007-byte object, targets drawn uniformly.
 */
final class IdleExperiment implements Experiment {
    @Override
    public String name() {
        return "idle";
    }

    @Override
    public String title() {
        return "idle with timeout against idle without, throughput against VMs";
    }

    @Override
    public String fullRunTime() {
        return "about 5 minutes";
    }

    @Override
    public void run(ExperimentRun run) throws Exception {
        List<Integer> counts = run.pick(List.of(1, 10, 50), List.of(1, 10, 50, 100, 200, 400, 800));
        ModeComparison c = new ModeComparison("without_timeout", s -> s.withIdle(IdleMode.YIELD_ONLY), "with_timeout",
                s -> s.withIdle(IdleMode.TIMEOUT));
        List<ModeComparison.Pair> pairs = c.run(run, counts, WebPoint.denaliLoad(run, WebPoint.LARGE, WebPoint.LARGE_BYTES, 0));
        ResultTable t = c.table(pairs);
        t.writeCsv(run.file("idle.csv"));
        c.plotThroughput(pairs, "Idle with and without timeout: throughput (134,007-byte object)", run.file("idle.png"));
        c.plotRatio(pairs, "Idle without timeout over idle with timeout", "throughput, without / with timeout",
                "Denali: below 0.5 as VMs scale up", 0.5, counts.get(counts.size() - 1), run.file("idle-ratio.png"));
        run.summary(String.format(Locale.ROOT, """
                ## Result

                Closed loop, %d clients, a connection per request, `GET /large` (134,007 bytes), uniform over the VMs;
                every VM resident.

                %s
                Without the timeout over with it: worst %s, best %s.

                ## Beside Denali

                | | Denali (figure 5) | Yakima, this run |
                |---|---|---|
                | as VMs scale up | without the timeout, throughput falls by more than half | worst %s |

                `--idle yield` keeps a VM with nothing to do runnable: IDLE ends its quantum and it is scheduled
                again on the next round, so every VM costs a switch and a trip through Ilwaco's idle loop per
                round whether it has work or not, as Denali's VMs without the timeout spun in their idle loops.
                """, WebPoint.denaliLoad(run, WebPoint.LARGE, WebPoint.LARGE_BYTES, 0).clients(), t.markdown(),
                ModeComparison.worst(pairs), ModeComparison.best(pairs), ModeComparison.worst(pairs)));
    }
}
