package denali.isa.interp;

import denali.isa.memory.GuestMemory;

/**
 * One Denali CPU bound to one VM's memory. {@link #run(long)} executes at most
 * a budget of guest instructions and says why it stopped.
 *
 * <p>Threading: only the VM's owner thread may call any method.
 */
public final class Cpu {
    private final GuestMemory memory;

    public Cpu(GuestMemory memory) {
        this.memory = memory;
    }

    public GuestMemory memory() {
        return memory;
    }

    /** Executes at most {@code budgetInsns} instructions. Never throws for anything the guest does. */
    public ExitReason run(long budgetInsns) {
        throw new UnsupportedOperationException("interpreter not yet written");
    }

    /** After {@link ExitReason#IDLE}: the absolute deadline in guest ns, or -1 for none. */
    public long idleDeadlineNs() {
        throw new UnsupportedOperationException();
    }

    /** After {@link ExitReason#TERMINATE}: the guest's exit code (EBX). */
    public int exitCode() {
        throw new UnsupportedOperationException();
    }

    /** After {@link ExitReason#FAULT}: why. */
    public Fault fault() {
        throw new UnsupportedOperationException();
    }

    public int reg(int r) {
        throw new UnsupportedOperationException();
    }

    public void setReg(int r, int value) {
        throw new UnsupportedOperationException();
    }

    public int eip() {
        throw new UnsupportedOperationException();
    }

    public void setEip(int eip) {
        throw new UnsupportedOperationException();
    }

    /** EFLAGS as the guest would see it (arithmetic flags, DF, bit 1 set; IF from the virtual register). */
    public int eflags() {
        throw new UnsupportedOperationException();
    }

    /** Sets CF, PF, AF, ZF, SF, OF and DF from {@code value}; other bits are ignored. */
    public void setEflags(int value) {
        throw new UnsupportedOperationException();
    }

    public long insnCount() {
        throw new UnsupportedOperationException();
    }

    public CpuState saveState() {
        throw new UnsupportedOperationException();
    }

    public void loadState(CpuState state) {
        throw new UnsupportedOperationException();
    }

    /**
     * Delivers pending interrupts as one upcall if the virtual registers allow
     * it (enabled, something pending, a handler set): pushes EFLAGS and EIP,
     * masks interrupts and jumps to the handler. Returns whether it did; a
     * stack fault during the push ends the VM with a fault on the next run.
     */
    public boolean deliverInterrupts() {
        throw new UnsupportedOperationException();
    }

    /** Receives each instruction just before it executes, for --trace. Null turns tracing off. */
    public void setTracer(Tracer tracer) {
        throw new UnsupportedOperationException();
    }

    /** Sees every executed instruction; tracing runs the slow path. */
    public interface Tracer {
        void beforeInstruction(int eip, String disassembly, Cpu cpu);
    }
}
