package denali.isa.interp;

/** Why {@link Cpu#run(long)} returned. Details are read from the CPU afterwards. */
public enum ExitReason {
    /** The instruction budget is spent; EIP is the next instruction. */
    BUDGET,
    /** The guest executed HCALL; EIP is past it, EAX holds the number, the VMM writes the result to EAX. */
    HYPERCALL,
    /** The guest executed IDLE; {@link Cpu#idleDeadlineNs()} holds the deadline; EIP is past it. */
    IDLE,
    /** The guest executed TERM; {@link Cpu#exitCode()} holds EBX. The VM is finished. */
    TERMINATE,
    /** The guest faulted; {@link Cpu#fault()} says why. The VM is finished. */
    FAULT
}
