package loadgen.core;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Chooses the service (1..n) of each request: Zipf with exponent alpha, so
 * service k is chosen with probability proportional to k^-alpha (service 1 is
 * the most popular), or uniform when alpha is 0. Web object and site
 * popularity roughly follow Zipf, which is why Denali's experiments spread
 * requests over VMs this way.
 *
 * <p>Draws use Commons RNG's rejection-inversion Zipf sampler, which takes
 * constant time and memory whatever n is, over a seeded
 * XoRoShiRo128++ generator: the same seed gives the same sequence.
 *
 * <p>Not thread-safe: use one instance per thread.
 */
public final class TargetChooser {
    private final int n;
    private final UniformRandomProvider rng;
    /** Null when uniform (alpha 0) or n is 1. */
    private final SharedStateDiscreteSampler zipf;

    /**
     * @param n     how many services, at least 1
     * @param alpha the Zipf exponent, &gt;= 0; 0 means uniform
     * @param seed  the random seed
     */
    public TargetChooser(int n, double alpha, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("services must be at least 1, not " + n);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("the Zipf exponent must be a finite number >= 0, not " + alpha);
        }
        this.n = n;
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        this.zipf = alpha == 0 || n == 1 ? null : RejectionInversionZipfSampler.of(rng, n, alpha);
    }

    /** The next service number, 1..n. */
    public int next() {
        if (zipf != null) {
            return zipf.sample();
        }
        return n == 1 ? 1 : rng.nextInt(n) + 1;
    }

    /**
     * The exact probability that {@link #next()} returns {@code rank}:
     * rank^-alpha / (1^-alpha + ... + n^-alpha). Takes time proportional to n.
     */
    public static double probability(int rank, int n, double alpha) {
        if (n < 1 || rank < 1 || rank > n) {
            throw new IllegalArgumentException("rank must be 1.." + n + ", not " + rank);
        }
        if (alpha < 0) {
            throw new IllegalArgumentException("the Zipf exponent must be >= 0, not " + alpha);
        }
        double norm = 0;
        for (int k = n; k >= 1; k--) { // smallest terms first, for accuracy
            norm += Math.pow(k, -alpha);
        }
        return Math.pow(rank, -alpha) / norm;
    }
}
