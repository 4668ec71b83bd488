package loadgen.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The service chooser draws from the Zipf (or uniform) distribution it claims, reproducibly. */
class TargetChooserTest {
    private static final int N = 100;
    private static final int DRAWS = 200_000;
    /**
     * The 0.999 quantile of the chi-square distribution with N - 1 = 99 degrees
     * of freedom (148.230, from scipy.stats.chi2.ppf(0.999, 99); the
     * Wilson-Hilferty approximation gives 148.28). If the draws follow the
     * distribution, the statistic exceeds it with probability 0.001; the seed
     * is fixed, so the test is deterministic, and a wrong distribution lands
     * far above it (see {@link #theTestCanTellDistributionsApart}).
     */
    private static final double CHI2_999_DF99 = 148.230;

    private static long[] histogram(int n, double alpha, long seed, int draws) {
        TargetChooser chooser = new TargetChooser(n, alpha, seed);
        long[] counts = new long[n + 1];
        for (int i = 0; i < draws; i++) {
            int k = chooser.next();
            assertTrue(k >= 1 && k <= n, "drew " + k);
            counts[k]++;
        }
        return counts;
    }

    /** Pearson's statistic: the sum over ranks of (observed - expected)^2 / expected. */
    private static double chiSquare(long[] counts, int n, double alpha, int draws) {
        double stat = 0;
        for (int k = 1; k <= n; k++) {
            double expected = draws * TargetChooser.probability(k, n, alpha);
            assertTrue(expected >= 5, "too few expected draws for rank " + k + " for the chi-square test");
            double d = counts[k] - expected;
            stat += d * d / expected;
        }
        return stat;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.6, 1.0, 1.4, 0.0})
    void frequenciesFitTheDistribution(double alpha) {
        long[] counts = histogram(N, alpha, 42, DRAWS);
        double stat = chiSquare(counts, N, alpha, DRAWS);
        assertTrue(stat < CHI2_999_DF99, "chi-square " + stat + " for alpha " + alpha);
        if (alpha > 0) {
            assertEquals(1, argMax(counts), "service 1 is the most popular");
        }
    }

    @Test
    void theTestCanTellDistributionsApart() {
        long[] zipf1 = histogram(N, 1.0, 42, DRAWS);
        assertTrue(chiSquare(zipf1, N, 1.1, DRAWS) > 10 * CHI2_999_DF99);
        assertTrue(chiSquare(zipf1, N, 0.0, DRAWS) > 100 * CHI2_999_DF99);
    }

    @Test
    void sameSeedSameSequenceOtherSeedOtherSequence() {
        assertArrayEquals(sequence(1000, 1.0, 7), sequence(1000, 1.0, 7));
        assertArrayEquals(sequence(1000, 0.0, 7), sequence(1000, 0.0, 7));
        assertFalse(Arrays.equals(sequence(1000, 1.0, 7), sequence(1000, 1.0, 8)));
    }

    private static int[] sequence(int n, double alpha, long seed) {
        TargetChooser c = new TargetChooser(n, alpha, seed);
        int[] s = new int[1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = c.next();
        }
        return s;
    }

    @Test
    void oneServiceIsAlwaysChosen() {
        TargetChooser c = new TargetChooser(1, 1.0, 3);
        for (int i = 0; i < 100; i++) {
            assertEquals(1, c.next());
        }
    }

    @Test
    void probabilityIsTheNormalisedPowerLaw() {
        assertEquals(0.01, TargetChooser.probability(7, 100, 0.0), 1e-15);
        // Zipf 1.0 over 3: 1, 1/2, 1/3 over 11/6
        assertEquals(6.0 / 11, TargetChooser.probability(1, 3, 1.0), 1e-15);
        assertEquals(2.0 / 11, TargetChooser.probability(3, 3, 1.0), 1e-15);
        double sum = 0;
        for (int k = 1; k <= 1000; k++) {
            sum += TargetChooser.probability(k, 1000, 0.8);
        }
        assertEquals(1.0, sum, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> TargetChooser.probability(0, 10, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new TargetChooser(0, 1.0, 1));
    }

    private static int argMax(long[] counts) {
        int best = 1;
        for (int k = 2; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return best;
    }
}
