package loadgen.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

import org.HdrHistogram.Histogram;

/**
 * Runs one load: a warm-up, then the measured window, against an HTTP/1.1
 * server, and returns what happened as a {@link LoadResult}.
 *
 * <p>A closed loop runs {@code clients} clients, each sending its next request
 * as soon as its last one ends. An open loop starts request i at its intended
 * time t0 + i/rate whatever the server does, and measures latency from that
 * intended time (like wrk2), so a server stall shows in the percentiles even
 * while the load generator could not send: it is limited to
 * {@code maxConnections} connections, and requests that find none free wait in
 * a bounded queue (a request that finds the queue full fails as
 * {@code overload}).
 *
 * <p>A request belongs to the window by its (intended) start time, whenever
 * it ends. Every request has a timeout; when the window ends, requests still
 * running, or still queued in an open loop, get at most the timeout to
 * finish; then those running count as {@code timeout}, those never sent as
 * {@code overload}, and everything is closed. So a run always ends at most
 * warm-up + duration + timeout after it started.
 *
 * <p>The client is Netty (epoll when available), one or more event-loop
 * threads, each with its own connections, histograms and counters, merged at
 * the end. Requests are written from pre-encoded bytes (only the service
 * number varies) and responses are parsed by Netty's HTTP/1.1 response
 * decoder without aggregating bodies: body bytes are counted chunk by chunk.
 */
public final class LoadRunner {
    /** Highest latency the histograms track: one hour, in microseconds. */
    public static final long HIGHEST_TRACKABLE_US = TimeUnit.HOURS.toMicros(1);
    /** Significant decimal digits of the histograms. */
    public static final int SIGNIFICANT_DIGITS = 3;

    private LoadRunner() {
    }

    /**
     * Runs the load described by {@code spec} and returns its result.
     *
     * @param progress receives a one-line status about once a second (may ignore it: {@code s -> {}})
     * @throws IllegalArgumentException if the server's address cannot be resolved
     */
    public static LoadResult run(LoadSpec spec, Consumer<String> progress) {
        InetSocketAddress remote = resolve(spec);
        boolean epoll = Epoll.isAvailable();
        int threads = Math.min(spec.threads(),
                spec.mode() == LoadSpec.Mode.OPEN ? spec.maxConnections() : spec.clients());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("loadgen", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (EventExecutor e : group) {
                loops.add((EventLoop) e);
                e.submit(() -> { }).syncUninterruptibly(); // start its thread now, not late into the schedule
            }
            long t0 = System.nanoTime();
            Plan plan = new Plan(spec, remote, epoll, t0, loops.size());
            CountDownLatch done = new CountDownLatch(loops.size());
            Worker[] workers = new Worker[loops.size()];
            for (int j = 0; j < workers.length; j++) {
                workers[j] = new Worker(plan, loops.get(j), j, done);
            }
            for (Worker w : workers) {
                w.loop.execute(w::start);
            }
            report(plan, workers, done, progress);
            shutdown(group);
            return merge(plan, workers);
        } finally {
            shutdown(group);
        }
    }

    private static InetSocketAddress resolve(LoadSpec spec) {
        try {
            return new InetSocketAddress(InetAddress.getByName(spec.address()), spec.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the server address \"" + spec.address() + "\"");
        }
    }

    private static void shutdown(EventLoopGroup group) {
        if (!group.isShuttingDown()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Waits for the workers, printing a status line every second; returns when all are done. */
    private static void report(Plan plan, Worker[] workers, CountDownLatch done, Consumer<String> progress) {
        long second = TimeUnit.SECONDS.toNanos(1);
        long next = plan.t0 + second;
        long lastCompleted = 0;
        long lastTime = plan.t0;
        // Workers stop themselves at the drain deadline; this is only a guard against a stuck event loop.
        long hardDeadline = plan.drainDeadline + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            long now = System.nanoTime();
            try {
                if (done.await(Math.max(0, Math.min(next, hardDeadline) - now), TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            now = System.nanoTime();
            if (now - hardDeadline >= 0) {
                progress.accept("event loop did not finish in time; stopping");
                return;
            }
            long completed = 0;
            long errors = 0;
            int inFlight = 0;
            for (Worker w : workers) {
                completed += w.pubCompleted;
                errors += w.pubErrors;
                inFlight += w.pubInFlight;
            }
            double perSecond = (completed - lastCompleted) / ((now - lastTime) / 1e9);
            long mid = now - (now - lastTime) / 2; // the phase of the second just reported
            String phase = mid - plan.warmupEnd < 0 ? "warm-up" : mid - plan.windowEnd < 0 ? "measure" : "drain";
            progress.accept(String.format(Locale.ROOT, "%6.1fs  %-7s  %,10.0f req/s  errors %,d  in-flight %d",
                    (now - plan.t0) / 1e9, phase, perSecond, errors, inFlight));
            lastCompleted = completed;
            lastTime = now;
            next += second;
        }
    }

    private static LoadResult merge(Plan plan, Worker[] workers) {
        Histogram latency = newHistogram();
        Histogram uncorrected = newHistogram();
        long ok = 0;
        long bodyBytes = 0;
        long[] okPerSecond = new long[plan.buckets];
        Map<String, Long> errors = new TreeMap<>();
        for (Worker w : workers) {
            latency.add(w.latency);
            uncorrected.add(w.uncorrected);
            ok += w.ok;
            bodyBytes += w.bodyBytes;
            for (int i = 0; i < okPerSecond.length; i++) {
                okPerSecond[i] += w.okPerSecond[i];
            }
            w.errors.forEach((kind, n) -> errors.merge(kind, n[0], Long::sum));
        }
        double seconds = (plan.windowEnd - plan.warmupEnd) / 1e9;
        return new LoadResult(plan.spec, seconds, ok, bodyBytes, errors, latency, uncorrected, okPerSecond);
    }

    static Histogram newHistogram() {
        return new Histogram(HIGHEST_TRACKABLE_US, SIGNIFICANT_DIGITS);
    }

    /** What every worker shares: the spec, the clock marks and the request's encoding. Immutable. */
    static final class Plan {
        final LoadSpec spec;
        final InetSocketAddress remote;
        final boolean epoll;
        final int workers;
        final long t0;
        final long warmupEnd;
        final long windowEnd;
        final long drainDeadline;
        final long timeoutNanos;
        final int buckets;
        /** Open loop: nanoseconds between intended starts (fractional). */
        final double intervalNanos;
        /** Open loop: bound of each worker's pending queue. */
        final int pendingCap;
        private final byte[] head;
        private final byte[][] hostParts;
        private final byte[] tail;
        final int maxRequestBytes;

        Plan(LoadSpec spec, InetSocketAddress remote, boolean epoll, long t0, int workers) {
            this.spec = spec;
            this.remote = remote;
            this.epoll = epoll;
            this.workers = workers;
            this.t0 = t0;
            this.warmupEnd = t0 + nanos(spec.warmup());
            this.windowEnd = warmupEnd + nanos(spec.duration());
            this.timeoutNanos = nanos(spec.timeout());
            this.drainDeadline = windowEnd + timeoutNanos;
            this.buckets = (int) Math.max(1, Math.ceilDiv(nanos(spec.duration()), TimeUnit.SECONDS.toNanos(1)));
            this.intervalNanos = 1e9 / spec.rate();
            double cap = Math.max(1024, spec.rate() * spec.timeout().toNanos() / 1e9);
            this.pendingCap = (int) Math.max(1, Math.min(1 << 20, Math.ceil(cap / workers)));
            this.head = ("GET " + spec.path() + " HTTP/1.1\r\nHost: ").getBytes(StandardCharsets.US_ASCII);
            String[] parts = spec.hostHeader().split("%d", -1);
            this.hostParts = new byte[parts.length][];
            int length = head.length + 10 * (parts.length - 1);
            for (int i = 0; i < parts.length; i++) {
                hostParts[i] = parts[i].getBytes(StandardCharsets.US_ASCII);
                length += hostParts[i].length;
            }
            this.tail = (spec.keepAlive() ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            this.maxRequestBytes = length + tail.length;
        }

        private static long nanos(Duration d) {
            return d.toNanos();
        }

        /** Open loop: the intended start of request i (over warm-up and window), in nanoTime. */
        long intended(long i) {
            return t0 + Math.round(i * intervalNanos);
        }

        boolean inWindow(long intended) {
            return intended - warmupEnd >= 0 && intended - windowEnd < 0;
        }

        /** Writes the request for {@code service} into {@code out}; {@code scratch} holds 10 digits. */
        void encode(ByteBuf out, int service, byte[] scratch) {
            out.writeBytes(head);
            out.writeBytes(hostParts[0]);
            for (int i = 1; i < hostParts.length; i++) {
                int p = scratch.length;
                int v = service;
                do {
                    scratch[--p] = (byte) ('0' + v % 10);
                    v /= 10;
                } while (v > 0);
                out.writeBytes(scratch, p, scratch.length - p);
                out.writeBytes(hostParts[i]);
            }
            out.writeBytes(tail);
        }
    }
}
