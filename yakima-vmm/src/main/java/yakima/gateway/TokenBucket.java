package yakima.gateway;

/**
 * A token bucket: {@code ratePerSecond} tokens a second accrue up to
 * {@code burst}; taking tokens spends them. The gateway keeps one for the bytes
 * and one for the frames each VM may receive from outside ({@link VmIngress}).
 *
 * <p>Not thread-safe: one owner thread (the gateway's event loop). Time comes
 * from the caller, so tests need no clock.
 */
final class TokenBucket {
    private static final long NS_PER_S = 1_000_000_000L;

    private final long ratePerSecond;
    private final long burst;
    private long tokens;
    private long lastNs;

    /** A full bucket at time {@code nowNs}. A rate of 0 means unlimited. */
    TokenBucket(long ratePerSecond, long burst, long nowNs) {
        if (ratePerSecond < 0 || burst < 1) {
            throw new IllegalArgumentException("a token bucket needs a rate of at least 0 and a burst of at least 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
        this.lastNs = nowNs;
    }

    boolean unlimited() {
        return ratePerSecond == 0;
    }

    private void refill(long nowNs) {
        long elapsed = nowNs - lastNs;
        if (elapsed <= 0) {
            return;
        }
        long product = elapsed * ratePerSecond;
        boolean overflow = Math.multiplyHigh(elapsed, ratePerSecond) != 0 || product < 0;
        long earned = overflow ? burst : Math.min(burst, product / NS_PER_S);
        if (earned > 0) {
            tokens = Math.min(burst, tokens + earned);
            // keep the remainder of a partly earned token: advance time only by what was paid for
            lastNs = tokens == burst ? nowNs : lastNs + earned * NS_PER_S / ratePerSecond;
        }
    }

    /** Tokens available now (the whole burst at most). */
    long available(long nowNs) {
        if (unlimited()) {
            return Long.MAX_VALUE;
        }
        refill(nowNs);
        return tokens;
    }

    /** Spends {@code n} tokens if there are that many; false (nothing spent) if not. */
    boolean tryTake(long n, long nowNs) {
        if (unlimited()) {
            return true;
        }
        refill(nowNs);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** Spends up to {@code n} tokens and returns how many it spent. */
    long takeUpTo(long n, long nowNs) {
        if (unlimited()) {
            return n;
        }
        refill(nowNs);
        long taken = Math.min(n, tokens);
        tokens -= taken;
        return taken;
    }

    /** Nanoseconds until {@code n} tokens (at most the burst) will be there; 0 if they are now. */
    long nanosUntil(long n, long nowNs) {
        if (unlimited()) {
            return 0;
        }
        refill(nowNs);
        long missing = Math.min(n, burst) - tokens;
        return missing <= 0 ? 0 : (missing * NS_PER_S + ratePerSecond - 1) / ratePerSecond;
    }
}
