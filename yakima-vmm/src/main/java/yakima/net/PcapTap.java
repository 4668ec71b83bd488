package yakima.net;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.agrona.concurrent.Agent;
import org.jctools.queues.varhandle.unpadded.SpscVarHandleUnpaddedArrayQueue;

/**
 * Records the virtual LAN to a pcap file ({@code --pcap FILE}): a
 * {@link FrameTap} on the switch thread and an Agrona {@link Agent} that writes
 * on a thread of its own.
 *
 * <p>The switch must never wait for the disk, so {@link #frameForwarded} only
 * stamps the frame with the injected clock and offers it to a bounded queue;
 * when the queue is full the frame is left out of the file and counted. The
 * writer thread drains the queue into a {@link PcapWriter}.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #frameForwarded}: the switch thread (one at a time).</li>
 *   <li>{@link #doWork} and {@link #close}: the writer thread (one at a time),
 *       e.g. {@code AgentRunner.startOnThread(new AgentRunner(idle, errors, null, tap))},
 *       whose {@code close()} ends with {@link #onClose}; or a test by hand.
 *       {@code close} writes everything still queued before closing the file.
 *       To have every frame in the file, remove the tap from the switch
 *       ({@code setTap(null)}) and let the current pump end before closing;
 *       frames offered after close are counted as dropped.</li>
 *   <li>The counters and {@link #failure}: any thread.</li>
 * </ul>
 *
 * <p>If a write fails (disk full), the tap closes the file, keeps the first
 * error for {@link #failure} and counts the frames it could not write.
 */
public final class PcapTap implements FrameTap, Agent, AutoCloseable {
    public static final int DEFAULT_QUEUE_CAPACITY = 4096;
    /** Records one {@link #doWork} call writes at most. */
    public static final int RECORDS_PER_WORK = 256;

    private static final int WRITTEN = 0;
    private static final int DROPPED_QUEUE_FULL = 1;
    private static final int DROPPED_AFTER_CLOSE = 2;
    private static final int DROPPED_WRITE_FAILED = 3;

    /** A frame and when the switch forwarded it. */
    private record Captured(long timeEpochNs, byte[] frame) {
    }

    private final PcapWriter writer;
    private final SpscVarHandleUnpaddedArrayQueue<Captured> queue;
    private final LongSupplier clockEpochNs;
    private final Counters counters = new Counters(4);
    private volatile boolean closed;
    private volatile IOException failure;

    /** A tap writing {@code file} with the default queue and the system clock. */
    public static PcapTap open(Path file) throws IOException {
        return open(file, DEFAULT_QUEUE_CAPACITY, systemClockEpochNs());
    }

    /**
     * A tap writing {@code file} (created or truncated now, header included).
     *
     * @param queueCapacity frames waiting for the writer at most: a power of two from 4 to 65536
     * @param clockEpochNs  the time stamped on each frame, ns since the Unix epoch
     */
    public static PcapTap open(Path file, int queueCapacity, LongSupplier clockEpochNs) throws IOException {
        VirtualNic.checkCapacity("queueCapacity", queueCapacity);
        return new PcapTap(PcapWriter.create(file), queueCapacity, clockEpochNs);
    }

    /** A tap writing through {@code writer}, which it then owns and closes. */
    public PcapTap(PcapWriter writer, int queueCapacity, LongSupplier clockEpochNs) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.queue = new SpscVarHandleUnpaddedArrayQueue<>(VirtualNic.checkCapacity("queueCapacity", queueCapacity));
        this.clockEpochNs = Objects.requireNonNull(clockEpochNs, "clockEpochNs");
    }

    /** Wall-clock time in ns since the Unix epoch, microsecond precision or better. */
    public static LongSupplier systemClockEpochNs() {
        return () -> {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }

    /** Stamps and queues the frame, never blocking. Switch thread only. */
    @Override
    public void frameForwarded(byte[] frame) {
        if (closed) {
            counters.increment(DROPPED_AFTER_CLOSE);
        } else if (!queue.offer(new Captured(clockEpochNs.getAsLong(), frame))) {
            counters.increment(DROPPED_QUEUE_FULL);
        }
    }

    /**
     * Writes up to {@link #RECORDS_PER_WORK} queued frames, and flushes the file
     * when the queue runs empty so a reader sees a quiet LAN's frames at once.
     * Writer thread only.
     *
     * @return frames taken from the queue
     */
    @Override
    public int doWork() {
        int taken = 0;
        Captured captured;
        while (taken < RECORDS_PER_WORK && (captured = queue.poll()) != null) {
            write(captured);
            taken++;
        }
        if (taken > 0 && queue.isEmpty() && failure == null) {
            try {
                writer.flush();
            } catch (IOException e) {
                fail(e);
            }
        }
        return taken;
    }

    private void write(Captured captured) {
        if (failure != null) {
            counters.increment(DROPPED_WRITE_FAILED);
            return;
        }
        try {
            writer.write(captured.timeEpochNs(), captured.frame());
            counters.increment(WRITTEN);
        } catch (IOException e) {
            counters.increment(DROPPED_WRITE_FAILED);
            fail(e);
        }
    }

    private void fail(IOException e) {
        failure = e;
        try {
            writer.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    @Override
    public String roleName() {
        return "pcap-tap";
    }

    /**
     * Stops taking frames, writes every frame still queued, and closes the file.
     * Writer thread only (or any thread once the writer thread has stopped).
     * Calling it again does nothing.
     *
     * @throws IOException the first write error, if writing failed at any point
     */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            while (doWork() > 0) {
                // drain: every frame queued before close goes into the file
            }
            if (failure == null) {
                try {
                    writer.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        IOException error = failure;
        if (error != null) {
            throw error;
        }
    }

    /** Called by the {@code AgentRunner} on the writer thread as it stops; an error stays in {@link #failure}. */
    @Override
    public void onClose() {
        try {
            close();
        } catch (IOException e) {
            // kept in failure() for whoever runs the tap
        }
    }

    /** The first write error, or null. Any thread. */
    public IOException failure() {
        return failure;
    }

    /** Frames written to the file. Any thread. */
    public long framesWritten() {
        return counters.get(WRITTEN);
    }

    /** Frames left out because the writer fell behind and the queue was full. Any thread. */
    public long droppedQueueFull() {
        return counters.get(DROPPED_QUEUE_FULL);
    }

    /** Frames left out because they arrived after {@link #close}. Any thread. */
    public long droppedAfterClose() {
        return counters.get(DROPPED_AFTER_CLOSE);
    }

    /** Frames left out because writing the file failed. Any thread. */
    public long droppedWriteFailed() {
        return counters.get(DROPPED_WRITE_FAILED);
    }
}
