package yakima.vm;

/**
 * How to run one VM in the foreground.
 *
 * @param memSizeBytes  guest memory, validated by {@link MemorySize#check}
 * @param maxInsns      stop after this many instructions; 0 means no limit
 * @param trace         print every instruction to the trace writer (slow)
 * @param insnRatePerUs the nominal rate published in DENALI_VREG_INSN_RATE
 * @param quantumInsns  the budget of one {@code Cpu.run} call; the clock
 *                      virtual register is refreshed between calls
 */
public record RunOptions(int memSizeBytes, long maxInsns, boolean trace, int insnRatePerUs, long quantumInsns) {
    /** Nominal: 100 instructions per microsecond, an interpreter's order of magnitude. */
    public static final int DEFAULT_INSN_RATE_PER_US = 100;
    public static final long DEFAULT_QUANTUM_INSNS = 1_000_000;

    public RunOptions {
        MemorySize.check(memSizeBytes);
        if (maxInsns < 0 || insnRatePerUs <= 0 || quantumInsns <= 0) {
            throw new IllegalArgumentException("maxInsns must be >= 0, insnRatePerUs and quantumInsns > 0");
        }
    }

    public static RunOptions defaults(int memSizeBytes) {
        return new RunOptions(memSizeBytes, 0, false, DEFAULT_INSN_RATE_PER_US, DEFAULT_QUANTUM_INSNS);
    }

    public RunOptions withMaxInsns(long n) {
        return new RunOptions(memSizeBytes, n, trace, insnRatePerUs, quantumInsns);
    }

    public RunOptions withTrace(boolean t) {
        return new RunOptions(memSizeBytes, maxInsns, t, insnRatePerUs, quantumInsns);
    }
}
