package denali.isa.interp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import denali.isa.memory.CodeDropListener;
import denali.isa.memory.GuestMemory;
import denali.isa.memory.PageCode;

/**
 * A guest's CPU state while the guest is off the CPU: the eight general
 * registers, EIP, the arithmetic flags with DF, and the instructions it has
 * retired. A {@link Cpu} runs one guest at a time: {@link Cpu#load} puts a
 * context on it, {@link Cpu#save} takes it off again, as a hardware CPU's
 * registers are saved and restored on a context switch. A host with many
 * VMs needs one {@code Cpu} per thread, not per VM.
 *
 * <p>Meant to be extended by the object that owns the guest (a VM), so the
 * registers sit at the front of that object, in the same cache lines as the
 * rest of what a switch touches, rather than in an object of their own.
 *
 * <p>Threading: the guest's owner thread reads and writes it; other threads
 * may read {@link #insnCount()}, which {@link Cpu#save} publishes.
 */
public class CpuContext implements CodeDropListener {
    private static final VarHandle INSN_COUNT;
    static {
        try {
            INSN_COUNT = MethodHandles.lookup().findVarHandle(CpuContext.class, "insnCount", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    long insnCount;
    int eax, ecx, edx, ebx, esp, ebp, esi, edi;
    int eip;
    /** The arithmetic flags and DF, as EFLAGS bits. */
    int flags;
    /**
     * Where the guest resumed last: the page and its decoded code, so the
     * next resume in that page finds its code here instead of in the
     * memory's code table (one cache miss fewer per VM switch). The memory
     * tells the context when that code is dropped ({@link #codeDropped}).
     */
    int resumePage = -1;
    PageCode resumeCode;

    /**
     * Makes this the context that caches code of {@code memory}: call once,
     * before the guest first runs, for the memory it runs in.
     */
    public void runsIn(GuestMemory memory) {
        memory.setCodeDropListener(this);
    }

    /** The memory dropped the decoded code of {@code pageNumber} (a store to it, or a remap). */
    @Override
    public void codeDropped(int pageNumber) {
        if (pageNumber == resumePage) {
            resumeCode = null;
        }
    }

    /** Register {@code n} (0-7 in the x86 encoding order: EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI). */
    public int reg(int n) {
        return switch (n & 7) {
            case 0 -> eax;
            case 1 -> ecx;
            case 2 -> edx;
            case 3 -> ebx;
            case 4 -> esp;
            case 5 -> ebp;
            case 6 -> esi;
            default -> edi;
        };
    }

    /** Sets register {@code n} (see {@link #reg}). */
    public void setReg(int n, int value) {
        switch (n & 7) {
            case 0 -> eax = value;
            case 1 -> ecx = value;
            case 2 -> edx = value;
            case 3 -> ebx = value;
            case 4 -> esp = value;
            case 5 -> ebp = value;
            case 6 -> esi = value;
            default -> edi = value;
        }
    }

    public int eip() {
        return eip;
    }

    public void setEip(int eip) {
        this.eip = eip;
    }

    /** The arithmetic flags and DF (IF is the virtual interrupt-enable register, not kept here). */
    public int flags() {
        return flags;
    }

    /**
     * Sets the whole saved state at once (a VM brought back from a record,
     * before it first runs): the eight registers in {@link #reg} order, EIP,
     * the flags and the instructions retired.
     */
    public void restoreRegisters(int[] regs, int eip, int flags, long insns) {
        for (int n = 0; n < 8; n++) {
            setReg(n, regs[n]);
        }
        this.eip = eip;
        this.flags = flags;
        publishInsnCount(insns);
    }

    /** Instructions retired, as of the last {@link Cpu#save}. Any thread. */
    public long insnCount() {
        return (long) INSN_COUNT.getAcquire(this);
    }

    /** The owner's copy: a plain store on x86, readers see it through {@link #insnCount()}. */
    final void publishInsnCount(long count) {
        INSN_COUNT.setRelease(this, count);
    }
}
