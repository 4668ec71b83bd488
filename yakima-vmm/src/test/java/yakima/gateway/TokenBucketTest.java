package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long MS = 1_000_000;

    @Test
    void aFullBucketGivesItsBurstThenRefillsAtTheRate() {
        TokenBucket b = new TokenBucket(1000, 100, 0); // 1 token a ms
        assertEquals(100, b.takeUpTo(500, 0));
        assertFalse(b.tryTake(1, 0));
        assertEquals(MS, b.nanosUntil(1, 0));
        assertEquals(10 * MS, b.nanosUntil(10, 0));
        assertTrue(b.tryTake(10, 10 * MS));
        assertFalse(b.tryTake(1, 10 * MS));
        assertEquals(100, b.available(10_000 * MS), "never more than the burst");
    }

    @Test
    void partTokensAreKeptNotLost() {
        TokenBucket b = new TokenBucket(1000, 100, 0);
        b.takeUpTo(100, 0);
        for (int i = 1; i <= 20; i++) {
            b.available(i * MS / 2); // every half millisecond
        }
        assertEquals(10, b.available(10 * MS));
    }

    @Test
    void aRateOfZeroIsUnlimited() {
        TokenBucket b = new TokenBucket(0, 1, 0);
        assertTrue(b.tryTake(Long.MAX_VALUE / 2, 0));
        assertEquals(5, b.takeUpTo(5, 0));
        assertEquals(0, b.nanosUntil(1_000_000, 0));
    }

    @Test
    void longGapsDoNotOverflow() {
        TokenBucket b = new TokenBucket(Long.MAX_VALUE / 4, 1 << 20, 0);
        b.takeUpTo(1 << 20, 0);
        assertEquals(1 << 20, b.available(Long.MAX_VALUE / 2));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
    }
}
