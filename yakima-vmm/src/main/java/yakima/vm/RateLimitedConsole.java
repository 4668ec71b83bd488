package yakima.vm;

import java.util.function.LongSupplier;

/**
 * A VM's console on a shared host: a token bucket limits each VM's output
 * (so a guest flooding its console cannot flood the host), bytes over the
 * limit are dropped and counted, and the last {@link #TAIL_BYTES} bytes
 * accepted are kept for inspection. Accepted bytes also go on to a
 * downstream sink (which may discard them).
 *
 * <p>The tail buffer is allocated on the first write, so a VM that never
 * writes costs no buffer.
 *
 * <p>Threading: {@link #offer} and {@link #write} only on the VM's owner
 * thread; {@link #droppedBytes}, {@link #acceptedBytes} and {@link #tail}
 * from any thread (the tail may be mid-update; it is for humans).
 */
public final class RateLimitedConsole implements ConsoleSink {
    /** Bytes of recent output kept for {@code inspect}. */
    public static final int TAIL_BYTES = 512;

    private final ConsoleSink downstream;
    private final LongSupplier clockNs;
    private final long bytesPerSecond;
    private final long burstBytes;
    private long tokens;
    private long lastRefillNs;
    private byte[] tail;
    private int tailPos;
    private boolean tailWrapped;
    private volatile long acceptedBytes;
    private volatile long droppedBytes;

    /**
     * @param bytesPerSecond sustained rate; {@code burstBytes} may be written at once after a quiet spell
     * @param clockNs        monotonic time in ns (the scheduler's clock)
     */
    public RateLimitedConsole(ConsoleSink downstream, LongSupplier clockNs, long bytesPerSecond, long burstBytes) {
        if (bytesPerSecond <= 0 || burstBytes <= 0) {
            throw new IllegalArgumentException("console rate and burst must be positive");
        }
        this.downstream = downstream;
        this.clockNs = clockNs;
        this.bytesPerSecond = bytesPerSecond;
        this.burstBytes = burstBytes;
        this.tokens = burstBytes;
        this.lastRefillNs = clockNs.getAsLong();
    }

    @Override
    public int offer(byte[] bytes, int offset, int length) {
        refill();
        int n = (int) Math.min(length, tokens);
        tokens -= n;
        if (n > 0) {
            keep(bytes, offset, n);
            downstream.write(bytes, offset, n);
            acceptedBytes += n;
        }
        if (n < length) {
            droppedBytes += length - n;
        }
        return n;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        offer(bytes, offset, length);
    }

    @Override
    public void flush() {
        downstream.flush();
    }

    private void refill() {
        long now = clockNs.getAsLong();
        long elapsed = now - lastRefillNs;
        if (elapsed <= 0) {
            return;
        }
        // whole bytes earned so far; the remainder of the interval carries over
        long earned = Math.min(burstBytes, elapsed >= Long.MAX_VALUE / bytesPerSecond ? burstBytes : elapsed * bytesPerSecond / 1_000_000_000L);
        if (earned > 0) {
            tokens = Math.min(burstBytes, tokens + earned);
            lastRefillNs = tokens == burstBytes ? now : lastRefillNs + earned * 1_000_000_000L / bytesPerSecond;
        }
    }

    private void keep(byte[] bytes, int offset, int n) {
        if (tail == null) {
            tail = new byte[TAIL_BYTES];
        }
        for (int k = Math.max(0, n - TAIL_BYTES); k < n; k++) {
            tail[tailPos++] = bytes[offset + k];
            if (tailPos == TAIL_BYTES) {
                tailPos = 0;
                tailWrapped = true;
            }
        }
    }

    /** The last bytes accepted, oldest first (at most {@link #TAIL_BYTES}). */
    public byte[] tail() {
        byte[] t = tail;
        if (t == null) {
            return new byte[0];
        }
        int pos = tailPos;
        if (!tailWrapped) {
            return java.util.Arrays.copyOf(t, pos);
        }
        byte[] out = new byte[TAIL_BYTES];
        System.arraycopy(t, pos, out, 0, TAIL_BYTES - pos);
        System.arraycopy(t, 0, out, TAIL_BYTES - pos, pos);
        return out;
    }

    /**
     * Puts back the tail a VM had when it was swapped out (from
     * {@link #tail}), so what it last wrote survives the swap. Owner thread,
     * before the guest writes.
     */
    public void restoreTail(byte[] saved) {
        if (saved.length > 0) {
            keep(saved, 0, Math.min(saved.length, TAIL_BYTES));
        }
    }

    /** Heap bytes this console holds beyond its fixed fields (the tail, once allocated). */
    public long bufferBytes() {
        return tail == null ? 0 : 16 + TAIL_BYTES;
    }

    public long acceptedBytes() {
        return acceptedBytes;
    }

    @Override
    public long droppedBytes() {
        return droppedBytes;
    }
}
