package denali.isa.decode;

/**
 * One decoded Denali instruction: a compact, immutable record that the
 * interpreter dispatches on with a {@code switch} over {@link #op}, and that the
 * disassembler formats. It holds no guest state, so instructions decoded from a
 * page shared by many VMs are shared by all of them.
 *
 * <p>Operand conventions (execution view):
 * <ul>
 *   <li>{@link #reg}: the register operand (ModRM.reg, or the register coded in
 *       the opcode). For two-register forms the decoder normalises so that
 *       {@link #rm} is the destination and {@link #reg} the source (an AT&amp;T
 *       reading: {@code op %reg,%rm}).</li>
 *   <li>{@link #rm}: the r/m operand's register when it is a register, or
 *       {@code -1} when it is memory.</li>
 *   <li>Memory operand: {@code base + (index << scale) + disp}, where a missing
 *       base or index is register number {@link #NO_REG}, which the CPU keeps at
 *       zero.</li>
 *   <li>8-bit register numbers are x86's: 0-3 are AL, CL, DL, BL and 4-7 are AH,
 *       CH, DH, BH.</li>
 * </ul>
 */
public final class Insn {
    /** Register number meaning "none" in a memory operand; the CPU's register file keeps it at 0. */
    public static final int NO_REG = 8;

    // Operand formats, in AT&T order (source first), for the disassembler.
    public static final int FMT_NONE = 0;
    /** One r/m operand. */
    public static final int FMT_E = 1;
    /** {@code %reg, r/m}: the destination is the r/m operand. */
    public static final int FMT_G_E = 2;
    /** {@code r/m, %reg}: the destination is the register. */
    public static final int FMT_E_G = 3;
    /** {@code $imm, r/m}. */
    public static final int FMT_I_E = 4;
    /** {@code $imm, r/m, %reg} (three-operand imul). */
    public static final int FMT_I_E_G = 5;
    /** {@code %cl, r/m}. */
    public static final int FMT_CL_E = 6;
    /** {@code $imm, %reg, r/m} (shld/shrd by immediate). */
    public static final int FMT_I_G_E = 7;
    /** {@code %cl, %reg, r/m} (shld/shrd by CL). */
    public static final int FMT_CL_G_E = 8;
    /** {@code $imm}. */
    public static final int FMT_I = 9;
    /** {@code $imm, $imm2} (enter). */
    public static final int FMT_I_I = 10;
    /** A branch target address. */
    public static final int FMT_J = 11;
    /** A string instruction; operands are implied. */
    public static final int FMT_STRING = 12;
    /** {@code r/m} of a near indirect call or jump, printed with a star. */
    public static final int FMT_STAR_E = 13;

    // Bits of {@link #flags}.
    public static final int F_REP = 1;
    public static final int F_REPNE = 1 << 1;
    public static final int F_LOCK = 1 << 2;
    public static final int F_OPSIZE = 1 << 3;
    /** The memory operand was encoded with a displacement (even a zero one). */
    public static final int F_HAS_DISP = 1 << 4;
    /** The memory operand was encoded with a SIB byte. */
    public static final int F_HAS_SIB = 1 << 5;
    /** The instruction ends a basic block (it may change EIP or leave the CPU). */
    public static final int F_ENDS_BLOCK = 1 << 6;
    /** The instruction touches the stack (push, pop, call, ret, enter, leave...). */
    public static final int F_STACK = 1 << 7;

    /** The handler, one of {@link Op}'s constants. */
    public final int op;
    /** Address of the first byte. */
    public final int eip;
    /** Length in bytes (1..15). */
    public final int len;
    /** Operand size in bytes: 1, 2 or 4. */
    public final int size;
    /** A second operand size: the source of movzx/movsx; otherwise equal to {@link #size}. */
    public final int size2;
    public final int reg;
    public final int rm;
    public final int base;
    public final int index;
    public final int scale;
    public final int disp;
    public final int imm;
    public final int imm2;
    /** Sub-operation: ALU or shift operation, condition code, repeat kind... (see {@link Op}). */
    public final int sub;
    /** Branch target for relative branches (absolute address). */
    public final int target;
    public final int flags;
    /** Mnemonic without size suffix, as objdump prints it. */
    public final String mnemonic;
    /** One of the FMT_ constants. */
    public final int fmt;

    Insn(int op, int eip, int len, int size, int size2, int reg, int rm, int base, int index, int scale, int disp,
         int imm, int imm2, int sub, int target, int flags, String mnemonic, int fmt) {
        this.op = op;
        this.eip = eip;
        this.len = len;
        this.size = size;
        this.size2 = size2;
        this.reg = reg;
        this.rm = rm;
        this.base = base;
        this.index = index;
        this.scale = scale;
        this.disp = disp;
        this.imm = imm;
        this.imm2 = imm2;
        this.sub = sub;
        this.target = target;
        this.flags = flags;
        this.mnemonic = mnemonic;
        this.fmt = fmt;
    }

    /**
     * A macro-op for {@code cmp} or {@code test} between 32-bit registers or
     * with an immediate, or a byte {@code cmp} of registers or of memory with a
     * register, followed by the conditional jump {@code jcc}: one dispatch
     * instead of two, and the condition evaluated straight from the operands.
     * Returns null when the pair does not qualify. The macro-op keeps the
     * compare's operands, address, mnemonic and operand format (so it
     * disassembles, and a fault names it, as the compare) and the jump's
     * condition and target.
     */
    public static Insn fuseCompareBranch(Insn cmp, Insn jcc) {
        if (jcc.op != Op.JCC || cmp.next() != jcc.eip) {
            return null;
        }
        boolean byteCmp = cmp.size == 1 && cmp.sub == Op.CMP;
        int fused = switch (cmp.op) {
            case Op.CMP32_RR -> Op.CMP_JCC_RR;
            case Op.CMP32_RI -> Op.CMP_JCC_RI;
            case Op.TEST32_RR -> Op.TEST_JCC_RR;
            case Op.TEST32_RI -> Op.TEST_JCC_RI;
            case Op.ALU_MR -> byteCmp ? Op.CMP8_JCC_MR : -1;
            case Op.ALU_RR -> byteCmp ? Op.CMP8_JCC_RR : -1;
            default -> -1;
        };
        if (fused < 0) {
            return null;
        }
        return new Insn(fused, cmp.eip, cmp.len + jcc.len, cmp.size, cmp.size2, cmp.reg, cmp.rm, cmp.base, cmp.index,
                cmp.scale, cmp.disp, cmp.imm, 0, jcc.sub, jcc.target, jcc.flags, cmp.mnemonic, cmp.fmt);
    }

    /**
     * The same instruction executed by another handler with another immediate:
     * for the CPU's substitutions of equivalent forms (an INC whose carry is
     * never read runs as an ADD of 1, for example). Operands, address and
     * length are kept, so faults and disassembly still name this instruction.
     */
    public Insn withHandler(int newOp, int newImm) {
        return new Insn(newOp, eip, len, size, size2, reg, rm, base, index, scale, disp, newImm, imm2, sub, target, flags,
                mnemonic, fmt);
    }

    /**
     * This conditional jump with the opposite condition and the next
     * instruction as its target: it jumps exactly when this one falls through.
     * The CPU uses it to unroll a loop inside a block (the copy falls through
     * into the next iteration and jumps out when the loop ends).
     */
    public Insn invertedBranch() {
        if (op != Op.JCC) {
            throw new IllegalStateException("not a conditional jump: " + mnemonic);
        }
        return new Insn(op, eip, len, size, size2, reg, rm, base, index, scale, disp, imm, imm2, sub ^ 1, next(), flags,
                mnemonic, fmt);
    }

    /** Address of the next instruction in sequence. */
    public int next() {
        return eip + len;
    }

    /** True when the r/m operand is in memory. */
    public boolean isMemory() {
        return rm < 0;
    }

    public boolean endsBlock() {
        return (flags & F_ENDS_BLOCK) != 0;
    }

    public boolean isValid() {
        return op != Op.INVALID && op != Op.TRUNCATED;
    }
}
