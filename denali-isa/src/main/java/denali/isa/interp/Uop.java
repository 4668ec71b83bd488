package denali.isa.interp;

import denali.isa.decode.Insn;
import denali.isa.decode.Op;

/**
 * An instruction as the interpreter's hot switch executes it: the handler
 * number and just the operands that handler reads, in a class chosen by the
 * handler. Each case of the switch casts to its class before reading operands.
 *
 * <p>Why classes: the JIT schedules a value used by several cases in the block
 * all cases share, so with one record type it loaded (and spilled) every
 * operand of every form before each dispatch. A cast is a check only the
 * matching case makes, so the loads behind it stay in that case.
 *
 * <p>Every Uop keeps its {@link Insn}, for faults, tracing and the rarer
 * instructions, which run from the decoded record.
 */
abstract class Uop {
    /** The handler: one of {@link Op}'s constants. */
    final int op;
    final Insn insn;
    /** The next Uop of the run, or null after the last: the interpreter follows these instead of indexing an array. */
    Uop next;
    /** Guest instructions before this Uop in its run (a fused pair counts two). */
    int index;

    private Uop(int op, Insn insn) {
        this.op = op;
        this.insn = insn;
    }

    /** Two registers: {@code dst op= src}. */
    static final class RR extends Uop {
        final int dst;
        final int src;

        RR(int op, Insn insn, int dst, int src) {
            super(op, insn);
            this.dst = dst;
            this.src = src;
        }
    }

    /** A register and an immediate (or the register alone). */
    static final class RI extends Uop {
        final int dst;
        final int imm;

        RI(int op, Insn insn, int dst, int imm) {
            super(op, insn);
            this.dst = dst;
            this.imm = imm;
        }
    }

    /** A register and a memory operand {@code base + (index << scale) + disp}. */
    static final class RM extends Uop {
        final int reg;
        final int base;
        final int index;
        final int scale;
        final int disp;

        RM(int op, Insn insn, int reg, int base, int index, int scale, int disp) {
            super(op, insn);
            this.reg = reg;
            this.base = base;
            this.index = index;
            this.scale = scale;
            this.disp = disp;
        }
    }

    /**
     * An 8-bit register and a memory operand. x86's byte registers 0-3 are
     * the low bytes of EAX-EBX and 4-7 the second bytes: {@code reg} is the
     * index in the register file and {@code sh} the byte's shift (0 or 8).
     */
    static final class RM8 extends Uop {
        final int reg;
        final int sh;
        final int base;
        final int index;
        final int scale;
        final int disp;

        RM8(int op, Insn insn, int reg8, int base, int index, int scale, int disp) {
            super(op, insn);
            this.reg = reg8 & 3;
            this.sh = reg8 < 4 ? 0 : 8;
            this.base = base;
            this.index = index;
            this.scale = scale;
            this.disp = disp;
        }
    }

    /** Two 8-bit registers, each as a register-file index and a shift (see {@link RM8}). */
    static final class RR8 extends Uop {
        final int dst;
        final int dsh;
        final int src;
        final int ssh;

        RR8(int op, Insn insn, int dst8, int src8) {
            super(op, insn);
            this.dst = dst8 & 3;
            this.dsh = dst8 < 4 ? 0 : 8;
            this.src = src8 & 3;
            this.ssh = src8 < 4 ? 0 : 8;
        }
    }

    /** A memory operand and an immediate. */
    static final class MI extends Uop {
        final int base;
        final int index;
        final int scale;
        final int disp;
        final int imm;

        MI(int op, Insn insn, int base, int index, int scale, int disp, int imm) {
            super(op, insn);
            this.base = base;
            this.index = index;
            this.scale = scale;
            this.disp = disp;
            this.imm = imm;
        }
    }

    /**
     * A direct branch: condition code, the compared register and register or
     * immediate of a fused compare, the target, and for CALL the return address.
     * A fused byte compare also has the shifts of its byte registers (as in
     * {@link RM8}) and, comparing memory with register {@code a}, the address.
     */
    static final class Br extends Uop {
        final int cc;
        final int a;
        final int b;
        final int imm;
        final int target;
        final int ash;
        final int bsh;
        final int base;
        final int index;
        final int scale;
        final int disp;
        /** Guest instructions of the run up to and including this one: what a taken branch retires. */
        int retired;
        /** The block at {@link #target} when it is in the same page (see {@link Block#fallThrough}). */
        Block link;
        /** Index in its block's {@link Block#branches}; beyond them for a run that is not a block's own. */
        int slot = Integer.MAX_VALUE;

        Br(int op, Insn insn, int cc, int a, int b, int imm, int target) {
            this(op, insn, cc, a, 0, b, 0, imm, target);
        }

        private Br(int op, Insn insn, int cc, int a, int ash, int b, int bsh, int imm, int target) {
            super(op, insn);
            this.cc = cc;
            this.a = a;
            this.ash = ash;
            this.b = b;
            this.bsh = bsh;
            this.imm = imm;
            this.target = target;
            this.base = insn.base;
            this.index = insn.index;
            this.scale = insn.scale;
            this.disp = insn.disp;
        }

        /** A byte compare of byte register {@code reg8a} (with memory, or with byte register {@code reg8b}) and branch. */
        static Br compareBytes(int op, Insn insn, int reg8a, int reg8b) {
            return new Br(op, insn, insn.sub, reg8a & 3, reg8a < 4 ? 0 : 8, reg8b & 3, reg8b < 4 ? 0 : 8, 0, insn.target);
        }
    }

    /** Anything else: the handler reads the decoded record. */
    static final class Gen extends Uop {
        Gen(int op, Insn insn) {
            super(op, insn);
        }
    }

    /** The Uop that executes {@code i}. */
    static Uop of(Insn i) {
        int op = i.op;
        boolean mem = i.rm < 0;
        switch (op) {
            case Op.ADC32_RR, Op.SBB32_RR, Op.MOV32_RR, Op.ADD32_RR, Op.OR32_RR, Op.AND32_RR, Op.SUB32_RR, Op.XOR32_RR, Op.CMP32_RR,
                    Op.TEST32_RR -> {
                return new RR(op, i, i.rm, i.reg);
            }
            case Op.ADC32_RI, Op.MOV32_RI, Op.ADD32_RI, Op.OR32_RI, Op.AND32_RI, Op.SUB32_RI, Op.XOR32_RI, Op.CMP32_RI,
                    Op.TEST32_RI, Op.SHL32_RI, Op.SHR32_RI, Op.SAR32_RI, Op.PUSH32_R, Op.POP32_R -> {
                return new RI(op, i, i.rm, i.imm);
            }
            case Op.ADC32_RM, Op.SBB32_RM, Op.MOV32_RM, Op.ADD32_RM, Op.OR32_RM, Op.AND32_RM, Op.SUB32_RM, Op.XOR32_RM, Op.CMP32_RM,
                    Op.MOV32_MR, Op.ADD32_MR, Op.CMP32_MR -> {
                return new RM(op, i, i.reg, i.base, i.index, i.scale, i.disp);
            }
            case Op.MOV32_MI, Op.ADD32_MI, Op.SUB32_MI, Op.CMP32_MI, Op.TEST32_MI -> {
                return new MI(op, i, i.base, i.index, i.scale, i.disp, i.imm);
            }
            case Op.LEA -> {
                if (i.size == 4) {
                    return new RM(op, i, i.reg, i.base, i.index, i.scale, i.disp);
                }
            }
            case Op.MOVZB32 -> {
                return mem ? new RM(Op.MOVZB32_M, i, i.reg, i.base, i.index, i.scale, i.disp) : new RR(op, i, i.reg, i.rm);
            }
            case Op.IMUL32_GE_NF -> {
                return mem ? new RM(Op.IMUL32_GE_NF_M, i, i.reg, i.base, i.index, i.scale, i.disp) : new RR(op, i, i.reg, i.rm);
            }
            case Op.CMP_JCC_RR, Op.TEST_JCC_RR, Op.CMP_JCC_RI, Op.TEST_JCC_RI, Op.JCC, Op.JMP, Op.JMP_THROUGH -> {
                return new Br(op, i, i.sub, i.rm, i.reg, i.imm, i.target);
            }
            case Op.CMP8_JCC_MR -> {
                return Br.compareBytes(op, i, i.reg, 0); // cmp [mem], reg: a is the register
            }
            case Op.CMP8_JCC_RR -> {
                return Br.compareBytes(op, i, i.rm, i.reg); // cmp rm, reg
            }
            case Op.CALL -> {
                return new Br(op, i, 0, 0, 0, i.next(), i.target);
            }
            case Op.NEG -> {
                if (i.size == 4 && !mem) {
                    return new RI(Op.NEG32_R, i, i.rm, 0);
                }
            }
            case Op.SHIFT_CL -> {
                if (i.size == 4 && !mem) {
                    int h = switch (i.sub) {
                        case Op.SHL, Op.SAL -> Op.SHL32_CL;
                        case Op.SHR -> Op.SHR32_CL;
                        case Op.SAR -> Op.SAR32_CL;
                        default -> -1;
                    };
                    if (h >= 0) {
                        return new RI(h, i, i.rm, 0);
                    }
                }
            }
            case Op.PUSH_E -> {
                if (i.size == 4 && mem) {
                    return new RM(Op.PUSH32_M, i, 0, i.base, i.index, i.scale, i.disp);
                }
            }
            case Op.MOV_RM, Op.MOV_MR -> {
                if (i.size == 1) {
                    return new RM8(op == Op.MOV_RM ? Op.MOV8_RM : Op.MOV8_MR, i, i.reg, i.base, i.index, i.scale, i.disp);
                }
            }
            case Op.MOV_RR -> {
                if (i.size == 1) {
                    return new RR8(Op.MOV8_RR, i, i.rm, i.reg);
                }
            }
            case Op.ALU_MR -> {
                if (i.size == 1 && i.sub == Op.CMP) {
                    return new RM8(Op.CMP8_MR, i, i.reg, i.base, i.index, i.scale, i.disp);
                }
            }
            case Op.ALU_RR -> {
                if (i.size == 1 && i.sub == Op.CMP) {
                    return new RR8(Op.CMP8_RR, i, i.rm, i.reg);
                }
            }
            default -> {
            }
        }
        return switch (op) {
            // in the hot switch, reading the decoded record
            case Op.RET, Op.NOP, Op.MOVX, Op.ALU_RR, Op.ALU_RM, Op.MOV_RR, Op.MOV_RM, Op.MOV_MR -> new Gen(op, i);
            default -> new Gen(OTHER, i);
        };
    }

    /** The handler of every instruction outside the hot switch: it runs from the decoded record. */
    static final int OTHER = Op.COUNT;

    /**
     * The Uops of {@code insns}, linked in order; returns the first. With
     * {@code through}, a direct JMP that is not the last instruction (the
     * block went on at its target) becomes {@link Op#JMP_THROUGH}, or no Uop
     * at all when nothing since the run's start or the previous such JMP can
     * store to memory: no store, so no decoded code dropped to check for.
     */
    static Uop chain(Insn[] insns, boolean through) {
        int[] before = new int[insns.length];
        boolean[] skip = new boolean[insns.length];
        int done = 0;
        boolean stored = false;
        for (int k = 0; k < insns.length; k++) {
            before[k] = done;
            Insn i = insns[k];
            done += Op.isFusedBranch(i.op) ? 2 : 1;
            if (through && i.op == Op.JMP && k < insns.length - 1) {
                skip[k] = !stored;
                stored = false;
            } else {
                stored |= !storesNothing(i);
            }
        }
        Uop first = null;
        for (int k = insns.length - 1; k >= 0; k--) {
            if (skip[k]) {
                continue;
            }
            Insn i = insns[k];
            Uop u = of(through && i.op == Op.JMP && k < insns.length - 1 ? i.withHandler(Op.JMP_THROUGH, i.imm) : i);
            u.next = first;
            u.index = before[k];
            if (u instanceof Br br) {
                br.retired = k + 1 < insns.length ? before[k + 1] : done;
            }
            first = u;
        }
        return first;
    }

    /**
     * True when {@code i} certainly writes no guest memory: its only
     * destinations are registers and flags. Conservative: false for anything
     * not known here.
     */
    static boolean storesNothing(Insn i) {
        boolean toRegister = i.rm >= 0;
        return switch (i.op) {
            case Op.NOP, Op.MOV32_RR, Op.MOV32_RM, Op.MOV32_RI, Op.MOV_RR, Op.MOV_RM, Op.MOV_RI, Op.LEA, Op.MOVX,
                    Op.CBW, Op.CWD, Op.BSWAP, Op.CMOV, Op.MUL1, Op.DIV, Op.IMUL_GE, Op.IMUL_GEI, Op.IMUL32_GE,
                    Op.IMUL32_GEI, Op.IMUL32_GE_NF, Op.IMUL32_GEI_NF, Op.IMUL32_GE_NF_M, Op.MOVZB32, Op.MOVZB32_M,
                    Op.INC32_R, Op.DEC32_R, Op.BSF, Op.BSR, Op.MOV8_RM, Op.MOV8_RR, Op.CMP8_MR, Op.CMP8_RR,
                    Op.SHL32_RI, Op.SHR32_RI, Op.SAR32_RI, Op.NEG32_R, Op.SHL32_CL, Op.SHR32_CL, Op.SAR32_CL,
                    Op.CMP32_MR, Op.TEST32_MR, Op.CMP32_MI, Op.TEST32_MI, Op.ALU_RM,
                    Op.CMP_JCC_RR, Op.CMP_JCC_RI, Op.TEST_JCC_RR, Op.TEST_JCC_RI, Op.CMP8_JCC_MR, Op.CMP8_JCC_RR, Op.JCC,
                    Op.CLC, Op.STC, Op.CMC, Op.CLD, Op.STD, Op.LAHF, Op.SAHF -> true;
            case Op.ALU_RR, Op.ALU_RI, Op.SHIFT_I, Op.SHIFT_CL, Op.SHXD_I, Op.SHXD_CL, Op.INC, Op.DEC, Op.NEG,
                    Op.NOT, Op.SETCC -> toRegister;
            case Op.ALU_MR, Op.ALU_MI -> i.sub == Op.CMP || i.sub == Op.TEST;
            default -> (i.op >= Op.ADD32_RR && i.op <= Op.TEST32_RM) && i.op % 10 <= 8;
        };
    }
}
