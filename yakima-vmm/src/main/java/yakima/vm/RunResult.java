package yakima.vm;

import denali.isa.interp.Fault;

/**
 * How a foreground VM ended.
 *
 * @param outcome  which way it ended
 * @param exitCode the guest's exit code (EBX at TERM), for {@link Outcome#TERMINATED}
 * @param fault    why it faulted, for {@link Outcome#FAULTED}
 * @param eip      EIP when it stopped
 * @param insns    instructions retired
 */
public record RunResult(Outcome outcome, int exitCode, Fault fault, int eip, long insns) {
    public enum Outcome {
        /** The guest executed TERM. */
        TERMINATED,
        /** The guest faulted; the VM is finished. */
        FAULTED,
        /** The instruction limit (--max-insns) was reached. */
        INSN_LIMIT,
        /** The guest idled with no deadline and nothing could ever raise an interrupt to wake it. */
        STUCK
    }
}
