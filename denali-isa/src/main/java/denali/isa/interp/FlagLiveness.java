package denali.isa.interp;

import denali.isa.decode.Insn;
import denali.isa.decode.Op;

/**
 * Which arithmetic flags each instruction of a block reads and writes, and the
 * substitutions that knowledge allows. Scanning a block backwards from its
 * end, where every flag counts as read (the next block, an exit or the VMM may
 * look at them), an instruction whose flags are all overwritten before anything
 * reads them need not produce them:
 * <ul>
 *   <li>INC and DEC of a 32-bit register whose carry is dead run as ADD or SUB
 *       of 1: the same result and the same other flags, without saving the
 *       carry that INC and DEC must preserve;</li>
 *   <li>a 32-bit IMUL whose CF and OF are dead runs as a plain multiply.</li>
 * </ul>
 * A conditional jump counts as reading every flag: when taken it leaves the
 * block, and the code it reaches may read any of them.
 * Instructions it does not know count as reading every flag and writing none,
 * which keeps every flag before them exact. Only a fault in the middle of a
 * block can observe the difference (EFLAGS in the faulted VM's state may show
 * an earlier instruction's flags); a fault ends the VM.
 */
final class FlagLiveness {
    static final int CF = CpuState.CF, PF = CpuState.PF, AF = CpuState.AF, ZF = CpuState.ZF, SF = CpuState.SF,
            OF = CpuState.OF, ALL = CpuState.ARITH_FLAGS;

    private FlagLiveness() {
    }

    /**
     * The instructions a full run of the block executes: {@code insns} with
     * the substitutions above. Returns {@code insns} itself when nothing changes.
     */
    static Insn[] substitute(Insn[] insns) {
        Insn[] out = insns;
        int live = ALL;
        for (int k = insns.length - 1; k >= 0; k--) {
            Insn i = insns[k];
            Insn s = substitution(i, live);
            if (s != i) {
                if (out == insns) {
                    out = insns.clone();
                }
                out[k] = s;
            }
            live = (live & ~writes(i)) | reads(i);
        }
        return out;
    }

    /** {@code i}, or an equivalent cheaper form given the flags live after it. */
    private static Insn substitution(Insn i, int liveAfter) {
        switch (i.op) {
            case Op.INC32_R -> {
                if ((liveAfter & CF) == 0) {
                    return i.withHandler(Op.ADD32_RI, 1);
                }
            }
            case Op.DEC32_R -> {
                if ((liveAfter & CF) == 0) {
                    return i.withHandler(Op.SUB32_RI, 1);
                }
            }
            case Op.IMUL32_GE -> {
                if ((liveAfter & (CF | OF)) == 0) {
                    return i.withHandler(Op.IMUL32_GE_NF, i.imm);
                }
            }
            case Op.IMUL32_GEI -> {
                if ((liveAfter & (CF | OF)) == 0) {
                    return i.withHandler(Op.IMUL32_GEI_NF, i.imm);
                }
            }
            default -> {
            }
        }
        return i;
    }

    /** The flags {@code i} sets whatever its operands (flags it may leave alone are not in it). */
    static int writes(Insn i) {
        int op = i.op;
        if (op >= Op.ALU32_RR_BASE && op <= Op.TEST32_MI) {
            return ALL;
        }
        return switch (op) {
            case Op.ALU_RR, Op.ALU_RM, Op.ALU_MR, Op.ALU_RI, Op.ALU_MI, Op.NEG, Op.XADD, Op.CMPXCHG, Op.BSF, Op.BSR,
                    Op.SHL32_RI, Op.SHR32_RI, Op.SAR32_RI, Op.POPF -> ALL;
            case Op.INC32_R, Op.DEC32_R, Op.INC, Op.DEC -> ALL & ~CF;
            case Op.MUL1, Op.IMUL_GE, Op.IMUL_GEI, Op.IMUL32_GE, Op.IMUL32_GEI -> CF | OF;
            case Op.CLC, Op.STC, Op.CMC, Op.BT_EG, Op.BT_EI -> CF;
            case Op.SAHF -> SF | ZF | AF | PF | CF;
            case Op.CMPS, Op.SCAS -> i.sub == Op.REP_NONE ? ALL : 0; // a repeat with ECX = 0 sets nothing
            default -> 0;
        };
    }

    /** The flags {@code i} may read; every flag for an instruction this class does not know. */
    static int reads(Insn i) {
        int op = i.op;
        if (op >= Op.ALU32_RR_BASE && op <= Op.TEST32_MI) {
            int sub = (op - Op.ALU32_RR_BASE) % 10;
            return sub == Op.ADC || sub == Op.SBB ? CF : 0;
        }
        return switch (op) {
            case Op.ALU_RR, Op.ALU_RM, Op.ALU_MR, Op.ALU_RI, Op.ALU_MI -> i.sub == Op.ADC || i.sub == Op.SBB ? CF : 0;
            case Op.CMOV, Op.SETCC -> condition(i.sub);
            case Op.LOOPE, Op.LOOPNE -> ZF;
            case Op.CMC -> CF;
            case Op.LAHF -> SF | ZF | AF | PF | CF;
            case Op.NOP, Op.MOV32_RR, Op.MOV32_RM, Op.MOV32_MR, Op.MOV32_RI, Op.MOV32_MI, Op.MOV_RR, Op.MOV_RM,
                    Op.MOV_MR, Op.MOV_RI, Op.MOV_MI, Op.LEA, Op.MOVX, Op.MOVZB32, Op.XCHG, Op.CBW, Op.CWD, Op.XLAT,
                    Op.BSWAP, Op.XADD, Op.CMPXCHG, Op.NOT, Op.NEG, Op.INC32_R, Op.DEC32_R, Op.INC, Op.DEC, Op.MUL1,
                    Op.IMUL_GE, Op.IMUL_GEI, Op.IMUL32_GE, Op.IMUL32_GEI, Op.SHL32_RI, Op.SHR32_RI, Op.SAR32_RI,
                    Op.BT_EG, Op.BT_EI, Op.BSF, Op.BSR, Op.PUSH32_R, Op.POP32_R, Op.PUSH_I, Op.PUSH_E, Op.POP_E,
                    Op.PUSHA, Op.POPA, Op.LEAVE, Op.ENTER, Op.POPF, Op.JMP, Op.CALL, Op.RET, Op.RET_I, Op.JMP_E,
                    Op.CALL_E, Op.LOOP, Op.JECXZ, Op.CLC, Op.STC, Op.CLD, Op.STD, Op.SAHF, Op.MOVS, Op.STOS,
                    Op.LODS -> 0;
            case Op.CMPS, Op.SCAS -> i.sub == Op.REP_NONE ? 0 : ZF;
            default -> ALL;
        };
    }

    /** The flags condition code {@code cc} (Jcc, SETcc, CMOVcc) tests. */
    static int condition(int cc) {
        return switch (cc >> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }
}
