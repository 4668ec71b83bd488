package loadgen.core;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * What load to generate: the server, the Host header of each request (which
 * picks a VM at a Yakima front door), how requests are spread over the
 * services (Zipf or uniform), the loop (open: a constant request rate; closed:
 * a fixed number of clients), and the warm-up and measured window.
 * Immutable; start from {@link #defaults()} and change fields with the
 * {@code with...} methods. The constructor checks every field and throws
 * {@link IllegalArgumentException} with a one-line message for bad values.
 *
 * @param address        the server's IP address or host name
 * @param port           the server's TCP port, 1..65535
 * @param hostHeader     template of the Host header: each {@code %d} becomes the chosen service number
 *                       (1..services); a template without {@code %d} is sent as is
 * @param services       how many services requests are spread over, at least 1
 * @param zipfAlpha      Zipf exponent: service k is chosen with probability proportional to k^-alpha;
 *                       0 means uniform
 * @param mode           {@link Mode#OPEN} (constant rate) or {@link Mode#CLOSED} (fixed clients)
 * @param rate           open loop: requests per second, on a fixed schedule; must be &gt; 0 in open loop
 * @param clients        closed loop: concurrent clients, each sending its next request as soon as the last
 *                       one ends
 * @param keepAlive      true: persistent connections; false: a new connection per request
 *                       ({@code Connection: close}), as Denali's httperf runs did
 * @param path           the request path, starting with {@code /}
 * @param expectBytes    the expected body length, or -1 for any; another length counts as error
 *                       {@code size-mismatch}
 * @param warmup         requests run but are not recorded for this long (may be zero)
 * @param duration       the measured window
 * @param maxConnections open connections at most: in an open loop also the most requests in flight; in a
 *                       closed loop at least {@code clients}, the rest kept-alive connections pooled per service
 * @param timeout        per request, from its send (connect included) to the last body byte
 * @param seed           seed of the random choice of services
 * @param threads        event-loop threads of the client
 */
public record LoadSpec(
        String address,
        int port,
        String hostHeader,
        int services,
        double zipfAlpha,
        Mode mode,
        double rate,
        int clients,
        boolean keepAlive,
        String path,
        long expectBytes,
        Duration warmup,
        Duration duration,
        int maxConnections,
        Duration timeout,
        long seed,
        int threads) {

    /** Open loop: requests start on a fixed schedule, whatever the server does. Closed loop: fixed clients. */
    public enum Mode { OPEN, CLOSED }

    public LoadSpec {
        Objects.requireNonNull(mode, "mode");
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("the server address is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, not " + port);
        }
        if (hostHeader == null || hostHeader.isEmpty() || !printableAscii(hostHeader) || hostHeader.contains(" ")) {
            throw new IllegalArgumentException("the Host header template must be printable ASCII without spaces, not \""
                    + hostHeader + "\"");
        }
        if (services < 1) {
            throw new IllegalArgumentException("services must be at least 1, not " + services);
        }
        if (!(zipfAlpha >= 0) || Double.isInfinite(zipfAlpha)) {
            throw new IllegalArgumentException("the Zipf exponent must be a finite number >= 0, not " + zipfAlpha);
        }
        if (mode == Mode.OPEN && (!(rate > 0) || Double.isInfinite(rate))) {
            throw new IllegalArgumentException("an open loop needs a rate > 0 requests/s, not " + rate);
        }
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, not " + clients);
        }
        if (path == null || !path.startsWith("/") || !printableAscii(path) || path.contains(" ")) {
            throw new IllegalArgumentException("the path must start with / and be printable ASCII without spaces, not \""
                    + path + "\"");
        }
        if (expectBytes < -1) {
            throw new IllegalArgumentException("expected body bytes must be >= 0 (or -1 for any), not " + expectBytes);
        }
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(timeout, "timeout");
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("the warm-up must not be negative, not " + warmup);
        }
        if (!duration.isPositive()) {
            throw new IllegalArgumentException("the duration must be positive, not " + duration);
        }
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException("the timeout must be at least 1 ms, not " + timeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1, not " + maxConnections);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * One client, keep-alive, {@code GET /small} at {@code 127.0.0.1:8080} with {@code Host: vm-1.denali},
     * Zipf 1.0, 1 s warm-up, 10 s window, 5 s timeout, seed 1, one thread.
     */
    public static LoadSpec defaults() {
        return new LoadSpec("127.0.0.1", 8080, "vm-%d.denali", 1, 1.0, Mode.CLOSED, 1000.0, 1, true, "/small", -1,
                Duration.ofSeconds(1), Duration.ofSeconds(10), 256, Duration.ofSeconds(5), 1, 1);
    }

    public LoadSpec withTarget(String address, int port) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withHostHeader(String template) {
        return new LoadSpec(address, port, template, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withServices(int n) {
        return new LoadSpec(address, port, hostHeader, n, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    /** The Zipf exponent; 0 = uniform. */
    public LoadSpec withZipf(double alpha) {
        return new LoadSpec(address, port, hostHeader, services, alpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    /** Open loop at this many requests per second. */
    public LoadSpec withOpenLoop(double rate) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, Mode.OPEN, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    /** Closed loop with this many clients. */
    public LoadSpec withClosedLoop(int clients) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, Mode.CLOSED, rate, clients, keepAlive,
                path, expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withKeepAlive(boolean keepAlive) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withPath(String path) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    /** The expected body length; -1 = any. */
    public LoadSpec withExpectBytes(long n) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                n, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withWarmup(Duration d) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, d, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withDuration(Duration d) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, d, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withMaxConnections(int n) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, n, timeout, seed, threads);
    }

    public LoadSpec withTimeout(Duration d) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, d, seed, threads);
    }

    public LoadSpec withSeed(long seed) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, threads);
    }

    public LoadSpec withThreads(int n) {
        return new LoadSpec(address, port, hostHeader, services, zipfAlpha, mode, rate, clients, keepAlive, path,
                expectBytes, warmup, duration, maxConnections, timeout, seed, n);
    }

    /** The Host header for service {@code n}: every {@code %d} of the template replaced by {@code n}. */
    public String hostFor(int n) {
        return hostHeader.replace("%d", Integer.toString(n));
    }

    /**
     * One line, e.g. "closed loop, 8 clients, keep-alive, Zipf 1.0 over 1000 services, GET /small" or
     * "open loop, 5000 req/s, at most 256 connections, connection per request, uniform over 10 services, GET /".
     */
    public String describe() {
        StringBuilder s = new StringBuilder();
        if (mode == Mode.CLOSED) {
            s.append("closed loop, ").append(clients).append(clients == 1 ? " client" : " clients");
        } else {
            s.append("open loop, ").append(number(rate)).append(" req/s, at most ").append(maxConnections)
                    .append(maxConnections == 1 ? " connection" : " connections");
        }
        s.append(keepAlive ? ", keep-alive, " : ", connection per request, ");
        s.append(zipfAlpha == 0 ? "uniform" : "Zipf " + number(zipfAlpha));
        s.append(" over ").append(services).append(services == 1 ? " service" : " services");
        s.append(", GET ").append(path);
        return s.toString();
    }

    /** "1.0", "0.75", "5000": a short decimal with at least one digit after the point unless whole and large. */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        String t = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return t.endsWith(".") ? t + "0" : t;
    }
}
