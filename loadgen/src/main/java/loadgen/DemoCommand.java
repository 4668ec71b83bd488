package loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

import loadgen.core.LoadResult;
import loadgen.core.LoadRunner;
import loadgen.core.LoadSpec;
import loadgen.experiment.ExperimentHost;
import loadgen.report.ResultReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The main demo ({@code ./yakima demo}): boots 1,000 httpd VMs on a host in
 * this process, drives a Zipf-distributed load at them through the HTTP
 * front door for 10 seconds, and prints the result table. The files of the
 * run (CSV, percentiles, plots) go to a results folder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Boots 1,000 httpd VMs, runs a 10-second Zipf load through the front door, prints the result.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--vms", paramLabel = "N", defaultValue = "1000", description = "httpd VMs (default: ${DEFAULT-VALUE})")
    int vms;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "10", description = "the measured window (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--zipf", paramLabel = "ALPHA", defaultValue = "1.0", description = "Zipf exponent over the VMs (default: ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "16", description = "concurrent clients, closed loop (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--out", paramLabel = "DIR", description = "where the run's files go (default: results/demo-<time>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        var stdout = spec.commandLine().getOut();
        if (vms < 1 || seconds < 1 || clients < 1 || alpha < 0) {
            err.println("yakima demo: --vms, --duration and --clients must be at least 1 and --zipf at least 0");
            return 2;
        }
        Path dir = out != null ? out
                : Path.of("results", "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir); // before booting: a folder that cannot be made costs nothing
        err.printf(Locale.ROOT, "demo: booting %,d httpd VMs...%n", vms);
        err.flush();
        ExperimentHost booted;
        try {
            booted = ExperimentHost.boot(ExperimentHost.Settings.httpd(vms));
        } catch (IllegalStateException e) {
            err.println("yakima demo: " + e.getMessage());
            return 1;
        }
        try (ExperimentHost host = booted) {
            err.printf(Locale.ROOT, "demo: %,d VMs booted and listening in %.1f s; front door on http://127.0.0.1:%d/ "
                    + "(try: curl -H 'Host: vm-1.denali' http://127.0.0.1:%d/small)%n", vms, host.bootNanos() / 1e9,
                    host.httpPort(), host.httpPort());
            LoadSpec load = LoadSpec.defaults().withTarget("127.0.0.1", host.httpPort()).withServices(vms).withZipf(alpha)
                    .withClosedLoop(clients).withKeepAlive(true).withPath("/small").withExpectBytes(2_258)
                    .withWarmup(Duration.ofSeconds(2)).withDuration(Duration.ofSeconds(seconds));
            err.println("demo: " + load.describe() + ", 2 s warm-up, " + seconds + " s measured");
            err.flush();
            LoadResult r = LoadRunner.run(load, line -> {
                err.println("demo: " + line);
                err.flush();
            });
            ResultReport report = new ResultReport(r);
            report.write(dir, "demo");
            stdout.println();
            stdout.printf(Locale.ROOT, "%,d httpd VMs on one host, booted in %.1f s; through the front door:%n", vms,
                    host.bootNanos() / 1e9);
            stdout.println(report.table());
            stdout.printf(Locale.ROOT, "guest instructions run: %,d; frames through the virtual switch: %,d%n",
                    host.host().scheduler().insns(), host.host().lan().framesForwarded());
            stdout.println("files: " + dir);
            stdout.flush();
            return r.ok() > 0 ? 0 : 1;
        }
    }
}
