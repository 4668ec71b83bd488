package loadgen;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import loadgen.core.LoadResult;
import loadgen.core.LoadRunner;
import loadgen.core.LoadSpec;
import loadgen.report.ResultReport;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code loadgen}: runs one load against an HTTP server, prints the result
 * table, and writes the CSV, histogram and charts into a directory. Requests
 * are spread over services by the Host header (Zipf by default), as the
 * Denali experiments spread them over VMs behind a Yakima front door.
 *
 * <p>Exit codes: 0 if any request succeeded, 1 if none did (the table names
 * the errors), 2 for bad options. Install {@link #oneLineError} as the
 * parameter exception handler (as {@link #commandLine()} does) to report
 * bad options on one line rather than with the whole usage text.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, version = "loadgen 0.1",
        description = {
            "Drives HTTP/1.1 GET load at a server and reports throughput, latency percentiles and errors by kind. "
                + "The Host header of each request names a service (vm-1.denali, vm-2.denali, ...), chosen by Zipf.",
            "",
            "Open loop (--rate) sends on a fixed schedule and measures latency from each request's intended start; "
                + "closed loop (--clients) sends each client's next request as soon as its last one ends.",
            ""},
        sortOptions = false)
public final class LoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec commandSpec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080/small",
            description = "Server and path: http://HOST:PORT/PATH (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--host-header", paramLabel = "TEMPLATE", defaultValue = "vm-%d.denali",
            description = "Host header; %%d becomes the service number 1..N (default: ${DEFAULT-VALUE}).")
    String hostHeader;

    @Option(names = "--vms", paramLabel = "N", defaultValue = "1",
            description = "Number of services (VMs) to spread requests over (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(names = "--zipf", paramLabel = "A", description = "Zipf exponent of service popularity (default: 1.0).")
    Double zipf;

    @Option(names = "--uniform", description = "Choose services uniformly (same as --zipf 0).")
    boolean uniform;

    @Option(names = "--rate", paramLabel = "R", description = "Open loop at R requests/s.")
    Double rate;

    @Option(names = "--clients", paramLabel = "C", description = "Closed loop with C clients (default: 1 client).")
    Integer clients;

    @Option(names = "--keep-alive", description = "Persistent connections (the default).")
    boolean keepAlive;

    @Option(names = "--connection-per-request", description = "A new connection per request (Connection: close).")
    boolean connectionPerRequest;

    @Option(names = "--expect-bytes", paramLabel = "N", defaultValue = "-1",
            description = "Expected body length; other lengths count as size-mismatch (default: any).")
    long expectBytes;

    @Option(names = "--warmup", paramLabel = "D", defaultValue = "1s", converter = DurationConverter.class,
            description = "Warm-up, not recorded: 500ms, 10s, 2m or seconds (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "10s", converter = DurationConverter.class,
            description = "Measured window (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "256",
            description = "Connections open at most: in an open loop the cap on requests in flight; in both loops "
                    + "kept-alive connections to different services are pooled up to this (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "5s", converter = DurationConverter.class,
            description = "Per request, connect included (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the service choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Client event-loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Directory for the result files (default: results/loadgen-<yyyyMMdd-HHmmss>).")
    Path out;

    /** A command line for this command that reports bad options on one line. */
    public static CommandLine commandLine() {
        return new CommandLine(new LoadCommand()).setParameterExceptionHandler(LoadCommand::oneLineError);
    }

    /**
     * A picocli parameter exception handler: prints "loadgen: MESSAGE (see --help)" on one line to the
     * command's error stream and returns the invalid-input exit code (2).
     */
    public static int oneLineError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = String.valueOf(ex.getMessage()).lines().findFirst().orElse("bad arguments");
        cmd.getErr().println(cmd.getCommandName() + ": " + message + " (see --help)");
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The spec these options describe; throws {@link ParameterException} with a one-line message if bad. */
    LoadSpec toSpec() {
        if (rate != null && clients != null) {
            throw bad("give either --rate (open loop) or --clients (closed loop), not both");
        }
        if (keepAlive && connectionPerRequest) {
            throw bad("give either --keep-alive or --connection-per-request, not both");
        }
        if (uniform && zipf != null) {
            throw bad("give either --zipf or --uniform, not both");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw bad("--url '" + url + "' is not a URL: " + e.getReason());
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw bad("--url must look like http://HOST:PORT/PATH, not '" + url + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        try {
            LoadSpec spec = LoadSpec.defaults()
                    .withTarget(host, uri.getPort() == -1 ? 80 : uri.getPort())
                    .withPath(path)
                    .withHostHeader(hostHeader)
                    .withServices(vms)
                    .withZipf(uniform ? 0 : zipf == null ? 1.0 : zipf)
                    .withKeepAlive(!connectionPerRequest)
                    .withExpectBytes(expectBytes)
                    .withWarmup(warmup)
                    .withDuration(duration)
                    .withMaxConnections(maxConnections)
                    .withTimeout(timeout)
                    .withSeed(seed)
                    .withThreads(threads);
            return rate != null ? spec.withOpenLoop(rate) : spec.withClosedLoop(clients == null ? 1 : clients);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(commandSpec.commandLine(), message);
    }

    @Override
    public Integer call() {
        LoadSpec spec = toSpec();
        PrintWriter stdout = commandSpec.commandLine().getOut();
        PrintWriter stderr = commandSpec.commandLine().getErr();
        Path dir = out != null ? out
                : Path.of("results", "loadgen-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            InetAddress.getByName(spec.address());
        } catch (UnknownHostException e) {
            throw bad("cannot resolve the server address \"" + spec.address() + "\"");
        }
        stderr.println("loadgen: " + spec.describe() + " at " + spec.address() + ":" + spec.port());
        stderr.flush();
        LoadResult result;
        try {
            result = LoadRunner.run(spec, line -> {
                stderr.println(line);
                stderr.flush();
            });
        } catch (IllegalArgumentException e) { // e.g. an address that does not resolve
            throw bad(e.getMessage());
        }
        ResultReport report = new ResultReport(result);
        stdout.print(report.table());
        try {
            report.write(dir, "loadgen");
            stdout.println("results in " + dir);
        } catch (IOException e) {
            stderr.println("loadgen: cannot write the results to " + dir + ": " + e.getMessage());
            stdout.flush();
            stderr.flush();
            return 1;
        }
        stdout.flush();
        return result.ok() > 0 ? 0 : 1;
    }
}
