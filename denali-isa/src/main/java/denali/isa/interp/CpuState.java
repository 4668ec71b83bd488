package denali.isa.interp;

import java.util.Arrays;

/**
 * The architectural state of one Denali CPU as a plain value: the eight
 * general registers, EIP, EFLAGS and the count of retired instructions.
 * Copying it out of a {@link Cpu} and back in restores the CPU exactly, which
 * is what swap and snapshots rely on.
 */
public final class CpuState {
    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    public static final String[] REG_NAMES = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

    /** EFLAGS bits the Denali ISA keeps; all others read as 0 except bit 1, which reads as 1. */
    public static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, IF = 1 << 9, DF = 1 << 10, OF = 1 << 11;
    public static final int ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
    public static final int FIXED_ONE = 1 << 1;

    /** EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, in the x86 encoding order. */
    public final int[] regs = new int[8];
    public int eip;
    /** The arithmetic flags and DF; IF is not kept here (it is the virtual interrupt-enable register). */
    public int eflags = FIXED_ONE;
    public long insnCount;

    public CpuState copy() {
        CpuState c = new CpuState();
        System.arraycopy(regs, 0, c.regs, 0, 8);
        c.eip = eip;
        c.eflags = eflags;
        c.insnCount = insnCount;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuState s && Arrays.equals(regs, s.regs) && eip == s.eip && eflags == s.eflags && insnCount == s.insnCount;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(regs) * 31 + eip * 17 + eflags + Long.hashCode(insnCount);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            b.append(REG_NAMES[i]).append('=').append(String.format("%08x ", regs[i]));
        }
        return b.append(String.format("eip=%08x eflags=%08x insns=%d", eip, eflags, insnCount)).toString();
    }
}
