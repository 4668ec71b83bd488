package yakima.device;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * The disk I/O side of the VMM: one thread that takes every VM's disk requests
 * from one bounded MPSC queue, does their blocking file I/O, and posts each
 * completion to its device's completion queue, then tells the device's
 * {@link DiskListener}. Blocking file I/O happens here and nowhere on a VM's
 * owner thread. Requests are served in queue order, so each device's requests
 * complete in the order its guest submitted them.
 *
 * <p>An Agrona agent: {@link #start} runs {@link #doWork} on its own daemon
 * thread with an idle strategy, and tests call {@link #doWork} by hand instead.
 *
 * <p><b>Threading.</b>
 * <ul>
 *   <li>Any VM owner thread: {@code offer} (through {@link DiskDevice#submitRead}
 *       and {@link DiskDevice#submitWrite}); many at once.</li>
 *   <li>The I/O thread only, one at a time: {@link #doWork} (the service's own
 *       thread after {@link #start}, otherwise whoever drives it by hand).</li>
 *   <li>A control thread: {@link #start} (once) and {@link #close}.</li>
 *   <li>Any thread: the counters and {@link #queueCapacity}.</li>
 * </ul>
 */
public final class DiskService implements Agent, AutoCloseable {
    /** Requests waiting for the I/O thread, across all VMs, unless the host asks otherwise. */
    public static final int DEFAULT_QUEUE_CAPACITY = 1024;
    /** Requests one {@link #doWork} serves at most, so a busy thread still notices it is asked to stop. */
    static final int WORK_LIMIT = 16;

    private final MpscVarHandleArrayQueue<DiskRequest> requests;
    private final IdleStrategy idleStrategy;
    private final AtomicLong requestsServed = new AtomicLong();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final AtomicLong agentErrors = new AtomicLong();
    private AgentRunner runner;
    private boolean closed;

    /** A service with the default queue and an idle strategy that parks for at most 1 ms when there is no work. */
    public DiskService() {
        this(DEFAULT_QUEUE_CAPACITY, new BackoffIdleStrategy(10, 10, 1_000, 1_000_000));
    }

    /** {@code queueCapacity} is rounded up to a power of two (at least 2). */
    public DiskService(int queueCapacity, IdleStrategy idleStrategy) {
        this.requests = new MpscVarHandleArrayQueue<>(Math.max(2, queueCapacity));
        this.idleStrategy = idleStrategy;
    }

    /** Requests the queue holds; more are refused with {@code -EAGAIN}. */
    public int queueCapacity() {
        return requests.capacity();
    }

    /** Queues a request; false when the queue is full. Any VM owner thread. */
    boolean offer(DiskRequest request) {
        return requests.offer(request);
    }

    /** Serves up to {@value #WORK_LIMIT} waiting requests and returns how many. I/O thread only. */
    @Override
    public int doWork() {
        int served = 0;
        for (DiskRequest r; served < WORK_LIMIT && (r = requests.poll()) != null; served++) {
            r.device.serve(r);
            notifyListener(r.device);
        }
        if (served > 0) {
            requestsServed.setRelease(requestsServed.getPlain() + served);
        }
        return served;
    }

    private void notifyListener(DiskDevice device) {
        try {
            device.listener().diskDone(device);
        } catch (RuntimeException e) {
            // One host component's bug must not stop every VM's disk.
            listenerErrors.setRelease(listenerErrors.getPlain() + 1);
        }
    }

    @Override
    public String roleName() {
        return "yakima-disk-io";
    }

    /** Starts the I/O thread. Once; not after {@link #close}. */
    public synchronized void start() {
        if (runner != null || closed) {
            throw new IllegalStateException(closed ? "disk service closed" : "disk service already started");
        }
        runner = new AgentRunner(idleStrategy, t -> agentErrors.incrementAndGet(), null, this);
        AgentRunner.startOnThread(runner, r -> {
            Thread t = new Thread(r, roleName());
            t.setDaemon(true); // a host that forgets close() can still exit
            return t;
        });
    }

    /**
     * Stops the I/O thread (if started) and completes every request still queued
     * as failed, so no guest waits for ever. Call it after the VMs have stopped.
     * Idempotent. If a file operation hangs for seconds, the runner interrupts
     * the thread, and an interrupt closes the {@code FileChannel} it was using:
     * nothing else ever interrupts the I/O thread.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (runner != null) {
            runner.close(); // runs onClose on the I/O thread, then waits for it to end
        } else {
            onClose();
        }
    }

    /** On the I/O thread as it ends (or the closing thread if it never started): fails what is left. */
    @Override
    public void onClose() {
        IOException closedError = new IOException("the disk service closed before serving the request");
        for (DiskRequest r; (r = requests.poll()) != null; ) {
            r.device.fail(r, closedError);
            notifyListener(r.device);
        }
    }

    /** Requests served (done or failed) since the service was made. */
    public long requestsServed() {
        return requestsServed.get();
    }

    /** Exceptions thrown by {@link DiskListener}s, caught and ignored. */
    public long listenerErrors() {
        return listenerErrors.get();
    }

    /** Unexpected exceptions out of {@link #doWork} on the service's own thread (none are expected). */
    public long agentErrors() {
        return agentErrors.get();
    }
}
