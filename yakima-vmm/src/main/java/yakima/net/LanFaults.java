package yakima.net;

import java.util.Locale;

/**
 * Faults the {@link VirtualSwitch} injects into the frames it forwards, to test
 * guests' network stacks against a lossy LAN. Each delivery of a frame to a port
 * (a unicast frame, or one port's copy of a broadcast) draws, from a
 * {@link java.util.SplittableRandom} seeded with {@link #seed}, in this order:
 * <ol>
 *   <li>with probability {@link #dropPercent} the delivery is dropped (counted
 *       under {@link SwitchDrop#FAULT_INJECTED});</li>
 *   <li>else, if the port holds no frame back already, with probability
 *       {@link #reorderPercent} it is held back and delivered right after the
 *       next frame for the same port ({@link VirtualSwitch#framesReordered}),
 *       or at the end of the pump if none comes;</li>
 *   <li>else with probability {@link #duplicatePercent} it is delivered twice
 *       ({@link VirtualSwitch#framesDuplicated}).</li>
 * </ol>
 * So for a given seed and the same frames in the same order the same faults
 * happen. {@link #NONE} turns fault injection off (and costs nothing).
 *
 * @param dropPercent      chance in percent, 0 to 100, that a delivery is dropped
 * @param reorderPercent   chance in percent, 0 to 100, that a delivery is held back behind the next one
 * @param duplicatePercent chance in percent, 0 to 100, that a delivery is made twice
 * @param seed             seed of the switch's random numbers
 */
public record LanFaults(double dropPercent, double reorderPercent, double duplicatePercent, long seed) {
    /** No faults. */
    public static final LanFaults NONE = new LanFaults(0, 0, 0, 0);

    public LanFaults {
        check("drop", dropPercent);
        check("reorder", reorderPercent);
        check("duplicate", duplicatePercent);
    }

    private static void check(String what, double percent) {
        if (!(percent >= 0 && percent <= 100)) { // also refuses NaN
            throw new IllegalArgumentException(what + " must be a percentage from 0 to 100, not " + percent);
        }
    }

    /** True if any fault has a chance above zero. */
    public boolean enabled() {
        return dropPercent > 0 || reorderPercent > 0 || duplicatePercent > 0;
    }

    /**
     * Parses {@code drop=1.5,reorder=2,duplicate=1,seed=42}: comma-separated
     * {@code key=value} pairs in any order, each key at most once, at least one;
     * a missing percentage is 0 and a missing seed is {@code defaultSeed}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static LanFaults parse(String spec, long defaultSeed) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("expected drop=P,reorder=P,duplicate=P[,seed=N] with percentages from 0 to 100");
        }
        double[] percent = new double[3];
        boolean[] seen = new boolean[4];
        long seed = defaultSeed;
        for (String part : spec.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not KEY=VALUE (keys: drop, reorder, duplicate, seed)");
            }
            String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = part.substring(eq + 1).strip();
            int index = switch (key) {
                case "drop" -> 0;
                case "reorder" -> 1;
                case "duplicate", "dup" -> 2;
                case "seed" -> 3;
                default -> throw new IllegalArgumentException("unknown key '" + key + "' (keys: drop, reorder, duplicate, seed)");
            };
            if (seen[index]) {
                throw new IllegalArgumentException(key + " is given twice");
            }
            seen[index] = true;
            if (index == 3) {
                try {
                    seed = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("seed must be a whole number, not '" + value + "'");
                }
            } else {
                percent[index] = parsePercent(key, value);
            }
        }
        return new LanFaults(percent[0], percent[1], percent[2], seed);
    }

    private static double parsePercent(String key, String value) {
        String number = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        double p;
        try {
            // Double.parseDouble would take "NaN", "Infinity", "1d" and hex: only plain decimals here.
            if (!number.matches("[0-9]+(\\.[0-9]*)?|\\.[0-9]+")) {
                throw new NumberFormatException();
            }
            p = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a percentage from 0 to 100, not '" + value + "'");
        }
        if (p > 100) {
            throw new IllegalArgumentException(key + " must be a percentage from 0 to 100, not " + value);
        }
        return p;
    }

    /** {@code drop=1.5%, reorder=2%, duplicate=1%, seed=42}: the form {@link #parse} reads, with % signs. */
    @Override
    public String toString() {
        return "drop=" + format(dropPercent) + "%, reorder=" + format(reorderPercent) + "%, duplicate="
            + format(duplicatePercent) + "%, seed=" + seed;
    }

    private static String format(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
