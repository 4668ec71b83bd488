package loadgen.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;

import org.HdrHistogram.Histogram;

/**
 * One event loop's share of a load: its clients (closed loop) or its share of
 * the request schedule and connections (open loop), with its own histograms
 * and counters. Everything here runs on that event loop's thread, so nothing
 * is locked; the runner reads the figures after the loop has terminated, and
 * the few {@code pub*} fields, written about every 10 ms, for the progress line.
 */
final class Worker {
    /** Open loop: at most this often a wake-up to issue requests (so at high rates they go out in small batches). */
    private static final long MIN_TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    final LoadRunner.Plan plan;
    final EventLoop loop;
    final TargetChooser chooser;
    final byte[] digits = new byte[10];
    private final CountDownLatch done;
    private final boolean open;

    // Results (window only).
    final Histogram latency = LoadRunner.newHistogram();
    final Histogram uncorrected = LoadRunner.newHistogram();
    final long[] okPerSecond;
    final HashMap<String, long[]> errors = new HashMap<>();
    long ok;
    long bodyBytes;

    // Progress (all phases).
    private long completed;
    private long errorTotal;
    int inFlight;
    volatile long pubCompleted;
    volatile long pubErrors;
    volatile int pubInFlight;

    /** Every connection not yet closed, for the timeout scan and the final close. */
    private final ArrayList<Conn> live = new ArrayList<>();
    private boolean finished;
    /** Past the drain deadline: requests still running failed, nothing new starts. */
    private boolean forced;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> forcer;

    // Closed loop.
    private int chains;

    // Open loop.
    private final int stride;
    private final int offset;
    private final int maxConns;
    private long nextK;
    private boolean issuing = true;
    private long lastScan;
    private final Runnable tick = this::tick;
    /** Kept-alive connections between requests, oldest first; each serves one service ({@link Conn#service}). */
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final long[] pending;
    private int pendingHead;
    private int pendingSize;
    private boolean pumpScheduled;
    private final Runnable pump = this::pump;

    Worker(LoadRunner.Plan plan, EventLoop loop, int index, CountDownLatch done) {
        this.plan = plan;
        this.loop = loop;
        this.done = done;
        LoadSpec spec = plan.spec;
        this.open = spec.mode() == LoadSpec.Mode.OPEN;
        // Distinct, reproducible streams per worker; worker 0 uses the seed itself.
        this.chooser = new TargetChooser(spec.services(), spec.zipfAlpha(), spec.seed() + index * 0x9E3779B97F4A7C15L);
        this.okPerSecond = new long[plan.buckets];
        this.stride = plan.workers;
        this.offset = index;
        this.chains = open ? 0 : share(spec.clients(), plan.workers, index);
        // closed loop: each client holds one connection busy, and idle ones wait for their service's next turn
        this.maxConns = Math.max(share(spec.maxConnections(), plan.workers, index), chains);
        this.pending = open ? new long[plan.pendingCap] : new long[0];
    }

    private static int share(int total, int parts, int index) {
        return total / parts + (index < total % parts ? 1 : 0);
    }

    /** Runs on the loop: starts the clients or the schedule. */
    void start() {
        long now = System.nanoTime();
        forcer = loop.schedule(this::force, plan.drainDeadline - now, TimeUnit.NANOSECONDS);
        if (open) {
            lastScan = now;
            tick();
        } else {
            ticker = loop.scheduleAtFixedRate(this::scan, SCAN_NANOS, SCAN_NANOS, TimeUnit.NANOSECONDS);
            int n = chains;
            for (int i = 0; i < n && !finished; i++) {
                nextClosed(null, now);
            }
            checkDone();
        }
    }

    // ---------------------------------------------------------------- closed loop

    /**
     * The next request of a closed-loop client: on {@code reuse} (its last connection, kept alive) if that
     * serves the service chosen, else on an idle connection that does (the last one joining the idle ones),
     * else on a new connection.
     */
    private void nextClosed(Conn reuse, long now) {
        if (forced || now - plan.windowEnd >= 0) {
            if (reuse != null) {
                keepIdle(reuse);
            }
            chains--;
            checkDone();
            return;
        }
        int service = chooser.next();
        if (reuse != null && reuse.service() == service) {
            reuse.send(now, now, service);
            return;
        }
        if (reuse != null) {
            keepIdle(reuse);
        }
        Conn c = idleFor(service);
        if (c != null) {
            c.send(now, now, service);
            return;
        }
        makeRoom();
        if (Conn.open(this, now, now, service) == null) {
            // No socket (e.g. out of file descriptors): count it and retry from the loop, not recursively.
            notOpened(now);
            loop.execute(() -> nextClosed(null, System.nanoTime()));
        }
    }

    /** A request failed before it was sent because no socket could be opened. */
    private void notOpened(long intended) {
        completed++;
        errorTotal++;
        if (plan.inWindow(intended)) {
            countError(ErrorKinds.OTHER);
        }
    }

    // ---------------------------------------------------------------- open loop

    /**
     * Issues the requests whose time has come, scans for timeouts every 10 ms, and schedules itself again
     * for the next request's time (at least 0.2 ms and at most 10 ms later).
     */
    private void tick() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        long next = now + SCAN_NANOS;
        while (issuing) {
            long intended = plan.intended(nextK * stride + offset);
            if (intended - plan.windowEnd >= 0) {
                issuing = false;
                break;
            }
            if (intended - now > 0) {
                next = Math.min(next, intended);
                break;
            }
            nextK++;
            issue(intended, now);
        }
        servePending(now);
        if (now - lastScan >= SCAN_NANOS) {
            lastScan = now;
            scan();
        } else {
            checkDone();
        }
        if (!finished) {
            long delay = Math.max(MIN_TICK_NANOS, next - System.nanoTime());
            ticker = loop.schedule(tick, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void issue(long intended, long now) {
        if (pendingSize == 0 && trySend(intended, now)) {
            return;
        }
        if (pendingSize == pending.length) {
            completed++;
            errorTotal++;
            if (plan.inWindow(intended)) {
                countError(ErrorKinds.OVERLOAD);
            }
            return;
        }
        pending[(pendingHead + pendingSize) % pending.length] = intended;
        pendingSize++;
    }

    /**
     * Sends on an idle connection to the chosen service, or a new one if fewer than the allowed number are
     * open (closing the longest-idle connection to another service if that makes room).
     */
    private boolean trySend(long intended, long now) {
        if (forced) {
            return false;
        }
        int service = chooser.next();
        Conn c = idleFor(service);
        if (c != null) {
            c.send(intended, now, service);
            return true;
        }
        makeRoom();
        if (live.size() < maxConns) {
            if (Conn.open(this, intended, now, service) == null) {
                notOpened(intended);
            }
            return true;
        }
        return false;
    }

    /** Takes the most recently idled connection serving {@code service}, or null. */
    private Conn idleFor(int service) {
        for (var it = idle.descendingIterator(); it.hasNext();) {
            Conn c = it.next();
            if (c.service() == service) {
                it.remove();
                c.idle = false;
                if (!c.dead) {
                    return c;
                }
            }
        }
        return null;
    }

    /** A kept-alive connection waits for its service's next request. */
    private void keepIdle(Conn c) {
        c.idle = true;
        idle.addLast(c);
    }

    /** At the connection limit, closes the longest-idle connection so that a new one may open. */
    private void makeRoom() {
        while (live.size() >= maxConns && !idle.isEmpty()) {
            Conn oldest = idle.pollFirst();
            oldest.idle = false;
            oldest.kill();
        }
    }

    private void servePending(long now) {
        while (pendingSize > 0 && trySend(pending[pendingHead], now)) {
            pendingHead = (pendingHead + 1) % pending.length;
            pendingSize--;
        }
    }

    private void pumpSoon() {
        if (!pumpScheduled) {
            pumpScheduled = true;
            loop.execute(pump);
        }
    }

    private void pump() {
        pumpScheduled = false;
        if (!finished) {
            servePending(System.nanoTime());
            checkDone();
        }
    }

    // ---------------------------------------------------------------- both

    /**
     * A request ended: records it (if it belongs to the window) and keeps the load going.
     *
     * @param kind     null if it succeeded, else its error kind
     * @param reusable the connection can carry the next request
     */
    void complete(Conn c, String kind, long intended, long sent, long now, long body, boolean reusable) {
        if (finished) {
            return;
        }
        inFlight--;
        completed++;
        if (kind == null) {
            if (plan.inWindow(intended)) {
                ok++;
                bodyBytes += body;
                latency.recordValue(Math.min((now - intended) / 1000, LoadRunner.HIGHEST_TRACKABLE_US));
                uncorrected.recordValue(Math.min((now - sent) / 1000, LoadRunner.HIGHEST_TRACKABLE_US));
                long bucket = (now - plan.warmupEnd) / 1_000_000_000L;
                okPerSecond[(int) Math.min(bucket, okPerSecond.length - 1)]++;
            }
        } else {
            errorTotal++;
            if (plan.inWindow(intended)) {
                countError(kind);
            }
        }
        if (forced) {
            return;
        }
        if (!open) {
            if (kind == null || reusable) {
                nextClosed(reusable ? c : null, now);
            } else {
                // After a failure, start over from the event loop: a connection refused at once
                // would otherwise recurse.
                loop.execute(() -> nextClosed(null, System.nanoTime()));
            }
        } else if (reusable) {
            keepIdle(c); // the next waiting request takes it if it is for the same service
            servePending(now);
            checkDone();
        } else {
            pumpSoon();
        }
    }

    private void countError(String kind) {
        long[] n = errors.get(kind);
        if (n == null) {
            errors.put(kind, new long[] {1});
        } else {
            n[0]++;
        }
    }

    void addLive(Conn c) {
        c.liveIndex = live.size();
        live.add(c);
    }

    void removeLive(Conn c) {
        int i = c.liveIndex;
        Conn last = live.removeLast();
        if (last != c) {
            live.set(i, last);
            last.liveIndex = i;
        }
        if (c.idle) {
            c.idle = false;
            idle.remove(c);
        }
    }

    /** Fails the requests past their deadline; publishes progress. */
    private void scan() {
        if (finished) {
            return;
        }
        long now = System.nanoTime();
        // Backwards: a failed connection leaves the list by swapping the last one (already seen) into its place.
        for (int i = live.size() - 1; i >= 0; i--) {
            if (i >= live.size()) {
                continue;
            }
            Conn c = live.get(i);
            if (c.busy && now - c.deadline > 0) {
                c.fail(c.connected ? ErrorKinds.TIMEOUT : ErrorKinds.CONNECT_TIMEOUT);
            }
        }
        publish();
        checkDone();
    }

    private void publish() {
        pubCompleted = completed;
        pubErrors = errorTotal;
        pubInFlight = inFlight;
    }

    private void checkDone() {
        if (finished) {
            return;
        }
        boolean idleNow = open ? !issuing && pendingSize == 0 && inFlight == 0 : chains == 0;
        if (idleNow) {
            finish();
        }
    }

    /** The drain deadline: whatever still runs has timed out; whatever still waits could not be sent. */
    private void force() {
        if (finished) {
            return;
        }
        forced = true;
        issuing = false;
        for (int i = live.size() - 1; i >= 0; i--) {
            if (i >= live.size()) {
                continue;
            }
            Conn c = live.get(i);
            if (c.busy) {
                c.fail(c.connected ? ErrorKinds.TIMEOUT : ErrorKinds.CONNECT_TIMEOUT);
            }
        }
        while (pendingSize > 0) {
            long intended = pending[pendingHead];
            pendingHead = (pendingHead + 1) % pending.length;
            pendingSize--;
            completed++;
            errorTotal++;
            if (plan.inWindow(intended)) {
                countError(ErrorKinds.OVERLOAD);
            }
        }
        finish();
    }

    private void finish() {
        publish();
        finished = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (forcer != null) {
            forcer.cancel(false);
        }
        while (!live.isEmpty()) {
            live.getLast().kill();
        }
        done.countDown();
    }

    boolean finished() {
        return finished;
    }
}
