package denali.isa.decode;

import denali.isa.spec.DenaliAbi;

/**
 * Decodes the real x86 encoding of one Denali instruction: prefixes, opcode
 * (one or two bytes), ModRM, SIB, displacement and immediate. Pure: bytes in,
 * {@link Insn} out; it reads no guest state and executes nothing.
 *
 * <p>Everything outside the Denali ISA (privileged, I/O, segment and far
 * transfer, x87/MMX/SSE, BCD, 16-bit addressing) decodes to
 * {@link Op#INVALID}, which faults only when executed. Bytes running out before
 * the instruction is complete decode to {@link Op#TRUNCATED}.
 *
 * <p>A Decoder keeps scratch state while decoding, so each thread uses its own.
 */
public final class Decoder {
    /** Longest legal x86 instruction. */
    public static final int MAX_LENGTH = 15;

    private static final String[] ALU_NAMES = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] SHIFT_NAMES = {"rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"};
    private static final String[] CC_NAMES = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    private static final String[] BT_NAMES = {"bt", "bts", "btr", "btc"};

    /** Thrown internally when the bytes run out; never escapes. */
    private static final class OutOfBytes extends RuntimeException {
        OutOfBytes() {
            super(null, null, false, false);
        }
    }

    private static final OutOfBytes OUT_OF_BYTES = new OutOfBytes();

    // Input
    private byte[] buf;
    private int start;
    private int end;
    private int pos;
    private int eip;

    // Fields of the instruction being built
    private int op;
    private int size;
    private int size2;
    private int reg;
    private int rm;
    private int base;
    private int index;
    private int scale;
    private int disp;
    private int imm;
    private int imm2;
    private int sub;
    private int target;
    private int flags;
    private String mnemonic;
    private int fmt;
    // ModRM fields
    private int mod;
    private int modReg;
    private int modRm;

    /**
     * Decodes the instruction at {@code buf[offset]}, of which {@code available}
     * bytes may be read, located at guest address {@code eip}.
     */
    public Insn decode(byte[] buf, int offset, int available, int eip) {
        this.buf = buf;
        this.start = offset;
        this.end = offset + Math.min(available, MAX_LENGTH);
        this.pos = offset;
        this.eip = eip;
        op = Op.INVALID;
        size = 4;
        size2 = 4;
        reg = -1;
        rm = -1;
        base = Insn.NO_REG;
        index = Insn.NO_REG;
        scale = 0;
        disp = 0;
        imm = 0;
        imm2 = 0;
        sub = 0;
        target = 0;
        flags = 0;
        mnemonic = "(bad)";
        fmt = Insn.FMT_NONE;
        try {
            decodeInstruction();
        } catch (OutOfBytes e) {
            if (available >= MAX_LENGTH) {
                // Fifteen bytes and still not complete: too long to be legal.
                return build(Op.INVALID, MAX_LENGTH, "(bad)");
            }
            return build(Op.TRUNCATED, Math.max(1, available), "(truncated)");
        }
        if (op == Op.INVALID) {
            return build(Op.INVALID, Math.max(1, pos - start), "(bad)");
        }
        return build(op, pos - start, mnemonic);
    }

    /** Convenience for one-off use (disassembly, tests): decodes with a fresh decoder. */
    public static Insn decodeOne(byte[] buf, int offset, int available, int eip) {
        return new Decoder().decode(buf, offset, available, eip);
    }

    private Insn build(int opCode, int len, String mnem) {
        if (opCode == Op.INVALID || opCode == Op.TRUNCATED) {
            flags |= Insn.F_ENDS_BLOCK;
            return new Insn(opCode, eip, len, 4, 4, -1, -1, Insn.NO_REG, Insn.NO_REG, 0, 0, 0, 0, 0, 0, flags, mnem, Insn.FMT_NONE);
        }
        return new Insn(specialise(opCode), eip, len, size, size2, reg, rm, base, index, scale, disp, imm, imm2, sub, target,
                flags, mnem, fmt);
    }

    /** The handler for the hottest 32-bit forms, with the operation folded into the handler number. */
    private int specialise(int opCode) {
        switch (opCode) {
            case Op.ALU32_RR:
                return Op.ALU32_RR_BASE + sub;
            case Op.ALU32_RI:
                return Op.ALU32_RI_BASE + sub;
            case Op.ALU32_RM:
                return Op.ALU32_RM_BASE + sub;
            case Op.ALU32_MR:
                return Op.ALU32_MR_BASE + sub;
            case Op.ALU32_MI:
                return Op.ALU32_MI_BASE + sub;
            case Op.SHIFT_I:
                if (size == 4 && rm >= 0 && (imm & 31) != 0) {
                    imm &= 31;
                    switch (sub) {
                        case Op.SHL, Op.SAL:
                            return Op.SHL32_RI;
                        case Op.SHR:
                            return Op.SHR32_RI;
                        case Op.SAR:
                            return Op.SAR32_RI;
                        default:
                            break;
                    }
                }
                return opCode;
            case Op.IMUL_GE:
                return size == 4 ? Op.IMUL32_GE : opCode;
            case Op.IMUL_GEI:
                return size == 4 ? Op.IMUL32_GEI : opCode;
            case Op.MOVX:
                return size == 4 && size2 == 1 && sub == 0 ? Op.MOVZB32 : opCode;
            default:
                return opCode;
        }
    }

    // ------------------------------------------------------------------ byte input

    private int u8() {
        if (pos >= end) {
            throw OUT_OF_BYTES;
        }
        return buf[pos++] & 0xFF;
    }

    private int s8() {
        return (byte) u8();
    }

    private int u16() {
        return u8() | u8() << 8;
    }

    private int u32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    /** An immediate of the operand size (Iz): 16 bits with the 0x66 prefix, else 32. */
    private int immZ() {
        return size == 2 ? (short) u16() : u32();
    }

    private int immOfSize() {
        return size == 1 ? s8() : immZ();
    }

    // ------------------------------------------------------------------ ModRM

    /** Reads ModRM, and the SIB byte and displacement it calls for (32-bit addressing only). */
    private void modrm() {
        int b = u8();
        mod = b >>> 6;
        modReg = (b >>> 3) & 7;
        modRm = b & 7;
        reg = modReg;
        if (mod == 3) {
            rm = modRm;
            return;
        }
        rm = -1;
        int r = modRm;
        if (r == 4) {
            flags |= Insn.F_HAS_SIB;
            int sib = u8();
            scale = sib >>> 6;
            int idx = (sib >>> 3) & 7;
            index = idx == 4 ? Insn.NO_REG : idx;
            int bs = sib & 7;
            if (bs == 5 && mod == 0) {
                base = Insn.NO_REG;
                disp = u32();
                flags |= Insn.F_HAS_DISP;
            } else {
                base = bs;
            }
        } else if (r == 5 && mod == 0) {
            base = Insn.NO_REG;
            disp = u32();
            flags |= Insn.F_HAS_DISP;
        } else {
            base = r;
        }
        if (mod == 1) {
            disp = s8();
            flags |= Insn.F_HAS_DISP;
        } else if (mod == 2) {
            disp = u32();
            flags |= Insn.F_HAS_DISP;
        }
    }

    private boolean isMem() {
        return rm < 0;
    }

    // ------------------------------------------------------------------ main decode

    private void decodeInstruction() {
        boolean addr16 = false;
        int b;
        // Prefixes
        while (true) {
            b = u8();
            switch (b) {
                case 0x66 -> {
                    flags |= Insn.F_OPSIZE;
                    size = 2;
                }
                case 0x67 -> addr16 = true;
                case 0xF0 -> flags |= Insn.F_LOCK;
                case 0xF2 -> flags = (flags | Insn.F_REPNE) & ~Insn.F_REP;
                case 0xF3 -> flags = (flags | Insn.F_REP) & ~Insn.F_REPNE;
                // CS, SS, DS, ES overrides are no-ops in the flat model (and gcc's branch hints).
                case 0x26, 0x2E, 0x36, 0x3E -> {
                }
                // FS and GS have bases that the Denali ISA does not virtualize.
                case 0x64, 0x65 -> {
                    return;
                }
                default -> {
                    if (addr16) {
                        return; // 16-bit addressing is not part of the Denali ISA
                    }
                    size2 = size;
                    if (b == 0x0F) {
                        twoByte(u8());
                    } else {
                        oneByte(b);
                    }
                    return;
                }
            }
        }
    }

    private void set(int opCode, String mnem, int format) {
        op = opCode;
        mnemonic = mnem;
        fmt = format;
    }

    private void endsBlock() {
        flags |= Insn.F_ENDS_BLOCK;
    }

    private void stack() {
        flags |= Insn.F_STACK;
    }

    /** Opcode 0x00-0x3F ALU rows: ADD OR ADC SBB AND SUB XOR CMP in six encodings each. */
    private void aluRow(int b) {
        int aluOp = b >>> 3;
        sub = aluOp;
        String name = ALU_NAMES[aluOp];
        switch (b & 7) {
            case 0, 1 -> { // Eb,Gb / Ev,Gv : E = E op G
                if ((b & 1) == 0) {
                    size = 1;
                }
                modrm();
                if (isMem()) {
                    set(size == 4 ? Op.ALU32_MR : Op.ALU_MR, name, Insn.FMT_G_E);
                } else {
                    set(size == 4 ? Op.ALU32_RR : Op.ALU_RR, name, Insn.FMT_G_E);
                }
            }
            case 2, 3 -> { // Gb,Eb / Gv,Ev : G = G op E
                if ((b & 1) == 0) {
                    size = 1;
                }
                modrm();
                if (isMem()) {
                    set(size == 4 ? Op.ALU32_RM : Op.ALU_RM, name, Insn.FMT_E_G);
                } else {
                    // normalise: rm is the destination, reg the source
                    int dst = reg;
                    reg = rm;
                    rm = dst;
                    set(size == 4 ? Op.ALU32_RR : Op.ALU_RR, name, Insn.FMT_G_E);
                }
            }
            case 4, 5 -> { // AL,Ib / eAX,Iz
                if ((b & 1) == 0) {
                    size = 1;
                }
                imm = immOfSize();
                rm = 0;
                set(size == 4 ? Op.ALU32_RI : Op.ALU_RI, name, Insn.FMT_I_E);
            }
            default -> {
                // 06/07/0E/16/17/1E/1F segment push/pop, 27/2F/37/3F BCD: not in the ISA.
            }
        }
    }

    private void oneByte(int b) {
        if (b < 0x40) {
            if (b == 0x0F) {
                return;
            }
            aluRow(b);
            return;
        }
        switch (b >>> 3) {
            case 0x40 >>> 3 -> { // INC r
                reg = b & 7;
                rm = reg;
                set(size == 4 ? Op.INC32_R : Op.INC, "inc", Insn.FMT_E);
                return;
            }
            case 0x48 >>> 3 -> {
                reg = b & 7;
                rm = reg;
                set(size == 4 ? Op.DEC32_R : Op.DEC, "dec", Insn.FMT_E);
                return;
            }
            case 0x50 >>> 3 -> {
                reg = b & 7;
                rm = reg;
                stack();
                set(size == 4 ? Op.PUSH32_R : Op.PUSH_E, "push", Insn.FMT_E);
                return;
            }
            case 0x58 >>> 3 -> {
                reg = b & 7;
                rm = reg;
                stack();
                set(size == 4 ? Op.POP32_R : Op.POP_E, "pop", Insn.FMT_E);
                return;
            }
            case 0x70 >>> 3, 0x78 >>> 3 -> { // Jcc rel8
                if (size == 2) {
                    return;
                }
                sub = b & 15;
                int rel = s8();
                target = eip + (pos - start) + rel;
                endsBlock();
                set(Op.JCC, "j" + CC_NAMES[sub], Insn.FMT_J);
                return;
            }
            case 0x90 >>> 3 -> { // NOP, PAUSE, XCHG eAX, r
                if (b == 0x90) {
                    if (size == 2) {
                        set(Op.NOP, "xchg", Insn.FMT_NONE);
                        mnemonic = "xchg %ax,%ax";
                    } else {
                        set(Op.NOP, (flags & Insn.F_REP) != 0 ? "pause" : "nop", Insn.FMT_NONE);
                        flags &= ~Insn.F_REP;
                    }
                } else {
                    reg = 0;
                    rm = b & 7;
                    set(Op.XCHG, "xchg", Insn.FMT_G_E);
                }
                return;
            }
            case 0xB0 >>> 3 -> { // MOV r8, imm8
                size = 1;
                size2 = 1;
                rm = b & 7;
                imm = u8();
                set(Op.MOV_RI, "mov", Insn.FMT_I_E);
                return;
            }
            case 0xB8 >>> 3 -> { // MOV r, imm
                rm = b & 7;
                imm = immZ();
                set(size == 4 ? Op.MOV32_RI : Op.MOV_RI, "mov", Insn.FMT_I_E);
                return;
            }
            case 0xD8 >>> 3 -> { // x87 escape: not in the ISA
                return;
            }
            default -> {
            }
        }
        switch (b) {
            case 0x60 -> {
                stack();
                set(Op.PUSHA, size == 2 ? "pushaw" : "pusha", Insn.FMT_NONE);
            }
            case 0x61 -> {
                stack();
                set(Op.POPA, size == 2 ? "popaw" : "popa", Insn.FMT_NONE);
            }
            case 0x68 -> {
                imm = immZ();
                stack();
                set(Op.PUSH_I, size == 2 ? "pushw" : "push", Insn.FMT_I);
            }
            case 0x6A -> {
                imm = s8();
                stack();
                set(Op.PUSH_I, size == 2 ? "pushw" : "push", Insn.FMT_I);
            }
            case 0x69, 0x6B -> {
                modrm();
                imm = b == 0x6B ? s8() : immZ();
                set(Op.IMUL_GEI, "imul", Insn.FMT_I_E_G);
            }
            case 0x80, 0x81, 0x82, 0x83 -> {
                if (b == 0x80 || b == 0x82) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                sub = modReg;
                imm = b == 0x81 ? immZ() : s8();
                if (isMem()) {
                    set(size == 4 ? Op.ALU32_MI : Op.ALU_MI, ALU_NAMES[sub], Insn.FMT_I_E);
                } else {
                    set(size == 4 ? Op.ALU32_RI : Op.ALU_RI, ALU_NAMES[sub], Insn.FMT_I_E);
                }
            }
            case 0x84, 0x85 -> {
                if (b == 0x84) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                sub = Op.TEST;
                if (isMem()) {
                    set(size == 4 ? Op.ALU32_MR : Op.ALU_MR, "test", Insn.FMT_G_E);
                } else {
                    set(size == 4 ? Op.ALU32_RR : Op.ALU_RR, "test", Insn.FMT_G_E);
                }
            }
            case 0x86, 0x87 -> {
                if (b == 0x86) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                set(Op.XCHG, "xchg", Insn.FMT_G_E);
            }
            case 0x88, 0x89 -> { // MOV E, G
                if (b == 0x88) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                if (isMem()) {
                    set(size == 4 ? Op.MOV32_MR : Op.MOV_MR, "mov", Insn.FMT_G_E);
                } else {
                    set(size == 4 ? Op.MOV32_RR : Op.MOV_RR, "mov", Insn.FMT_G_E);
                }
            }
            case 0x8A, 0x8B -> { // MOV G, E
                if (b == 0x8A) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                if (isMem()) {
                    set(size == 4 ? Op.MOV32_RM : Op.MOV_RM, "mov", Insn.FMT_E_G);
                } else {
                    int dst = reg;
                    reg = rm;
                    rm = dst;
                    set(size == 4 ? Op.MOV32_RR : Op.MOV_RR, "mov", Insn.FMT_G_E);
                }
            }
            case 0x8D -> {
                modrm();
                if (isMem()) {
                    set(Op.LEA, "lea", Insn.FMT_E_G);
                }
            }
            case 0x8F -> {
                modrm();
                if (modReg == 0) {
                    stack();
                    set(Op.POP_E, "pop", Insn.FMT_E);
                }
            }
            case 0x98 -> set(Op.CBW, size == 2 ? "cbtw" : "cwtl", Insn.FMT_NONE);
            case 0x99 -> set(Op.CWD, size == 2 ? "cwtd" : "cltd", Insn.FMT_NONE);
            case 0x9C -> {
                stack();
                set(Op.PUSHF, size == 2 ? "pushfw" : "pushf", Insn.FMT_NONE);
            }
            case 0x9D -> {
                stack();
                set(Op.POPF, size == 2 ? "popfw" : "popf", Insn.FMT_NONE);
            }
            case 0x9E -> set(Op.SAHF, "sahf", Insn.FMT_NONE);
            case 0x9F -> set(Op.LAHF, "lahf", Insn.FMT_NONE);
            case 0xA0, 0xA1, 0xA2, 0xA3 -> { // MOV with a 32-bit absolute address
                if (b == 0xA0 || b == 0xA2) {
                    size = 1;
                    size2 = 1;
                }
                disp = u32();
                flags |= Insn.F_HAS_DISP;
                reg = 0;
                rm = -1;
                if (b <= 0xA1) {
                    set(size == 4 ? Op.MOV32_RM : Op.MOV_RM, "mov", Insn.FMT_E_G);
                } else {
                    set(size == 4 ? Op.MOV32_MR : Op.MOV_MR, "mov", Insn.FMT_G_E);
                }
            }
            case 0xA4, 0xA5 -> stringOp(b, Op.MOVS, "movs");
            case 0xA6, 0xA7 -> stringOp(b, Op.CMPS, "cmps");
            case 0xAA, 0xAB -> stringOp(b, Op.STOS, "stos");
            case 0xAC, 0xAD -> stringOp(b, Op.LODS, "lods");
            case 0xAE, 0xAF -> stringOp(b, Op.SCAS, "scas");
            case 0xA8, 0xA9 -> {
                if (b == 0xA8) {
                    size = 1;
                    size2 = 1;
                }
                imm = immOfSize();
                rm = 0;
                sub = Op.TEST;
                set(size == 4 ? Op.ALU32_RI : Op.ALU_RI, "test", Insn.FMT_I_E);
            }
            case 0xC0, 0xC1, 0xD0, 0xD1, 0xD2, 0xD3 -> {
                if ((b & 1) == 0) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                sub = modReg;
                String name = SHIFT_NAMES[sub];
                if (b <= 0xC1) {
                    imm = u8();
                    set(Op.SHIFT_I, name, Insn.FMT_I_E);
                } else if (b <= 0xD1) {
                    imm = 1;
                    set(Op.SHIFT_I, name, Insn.FMT_E);
                } else {
                    set(Op.SHIFT_CL, name, Insn.FMT_CL_E);
                }
            }
            case 0xC2 -> {
                if (size == 4) {
                    imm = u16();
                    stack();
                    endsBlock();
                    set(Op.RET_I, "ret", Insn.FMT_I);
                }
            }
            case 0xC3 -> {
                if (size == 4) {
                    stack();
                    endsBlock();
                    set(Op.RET, (flags & Insn.F_REP) != 0 ? "repz ret" : "ret", Insn.FMT_NONE);
                    flags &= ~Insn.F_REP;
                }
            }
            case 0xC6, 0xC7 -> {
                if (b == 0xC6) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                if (modReg == 0) {
                    imm = immOfSize();
                    if (isMem()) {
                        set(size == 4 ? Op.MOV32_MI : Op.MOV_MI, "mov", Insn.FMT_I_E);
                    } else {
                        set(size == 4 ? Op.MOV32_RI : Op.MOV_RI, "mov", Insn.FMT_I_E);
                    }
                }
            }
            case 0xC8 -> {
                imm = u16();
                imm2 = u8();
                stack();
                set(Op.ENTER, size == 2 ? "enterw" : "enter", Insn.FMT_I_I);
            }
            case 0xC9 -> {
                stack();
                set(Op.LEAVE, size == 2 ? "leavew" : "leave", Insn.FMT_NONE);
            }
            case 0xD7 -> {
                size = 1;
                size2 = 1;
                set(Op.XLAT, "xlat   %ds:(%ebx)", Insn.FMT_NONE);
            }
            case 0xE0, 0xE1, 0xE2, 0xE3 -> {
                if (size == 2) {
                    return;
                }
                int rel = s8();
                target = eip + (pos - start) + rel;
                endsBlock();
                switch (b) {
                    case 0xE0 -> set(Op.LOOPNE, "loopne", Insn.FMT_J);
                    case 0xE1 -> set(Op.LOOPE, "loope", Insn.FMT_J);
                    case 0xE2 -> set(Op.LOOP, "loop", Insn.FMT_J);
                    default -> set(Op.JECXZ, "jecxz", Insn.FMT_J);
                }
            }
            case 0xE8, 0xE9, 0xEB -> {
                if (size == 2) {
                    return;
                }
                int rel = b == 0xEB ? s8() : u32();
                target = eip + (pos - start) + rel;
                endsBlock();
                if (b == 0xE8) {
                    stack();
                    set(Op.CALL, "call", Insn.FMT_J);
                } else {
                    set(Op.JMP, "jmp", Insn.FMT_J);
                }
            }
            case 0xF5 -> set(Op.CMC, "cmc", Insn.FMT_NONE);
            case 0xF6, 0xF7 -> group3(b);
            case 0xF8 -> set(Op.CLC, "clc", Insn.FMT_NONE);
            case 0xF9 -> set(Op.STC, "stc", Insn.FMT_NONE);
            case 0xFC -> set(Op.CLD, "cld", Insn.FMT_NONE);
            case 0xFD -> set(Op.STD, "std", Insn.FMT_NONE);
            case 0xFE -> {
                size = 1;
                size2 = 1;
                modrm();
                if (modReg == 0) {
                    set(Op.INC, "inc", Insn.FMT_E);
                } else if (modReg == 1) {
                    set(Op.DEC, "dec", Insn.FMT_E);
                }
            }
            case 0xFF -> group5();
            default -> {
                // Everything else: privileged, I/O, segment, far transfer, BCD, interrupts.
            }
        }
    }

    private void stringOp(int b, int opCode, String name) {
        if ((b & 1) == 0) {
            size = 1;
            size2 = 1;
        }
        if ((flags & Insn.F_REP) != 0) {
            sub = Op.REP_E;
        } else if ((flags & Insn.F_REPNE) != 0) {
            sub = Op.REP_NE;
        }
        if (sub != Op.REP_NONE) {
            endsBlock(); // may stop part-way when the budget runs out, and resume
        }
        set(opCode, name, Insn.FMT_STRING);
    }

    private void group3(int b) {
        if (b == 0xF6) {
            size = 1;
            size2 = 1;
        }
        modrm();
        switch (modReg) {
            case 0, 1 -> {
                imm = immOfSize();
                sub = Op.TEST;
                if (isMem()) {
                    set(size == 4 ? Op.ALU32_MI : Op.ALU_MI, "test", Insn.FMT_I_E);
                } else {
                    set(size == 4 ? Op.ALU32_RI : Op.ALU_RI, "test", Insn.FMT_I_E);
                }
            }
            case 2 -> set(Op.NOT, "not", Insn.FMT_E);
            case 3 -> set(Op.NEG, "neg", Insn.FMT_E);
            case 4 -> set(Op.MUL1, "mul", Insn.FMT_E);
            case 5 -> {
                sub = 1;
                set(Op.MUL1, "imul", Insn.FMT_E);
            }
            case 6 -> set(Op.DIV, "div", Insn.FMT_E);
            default -> {
                sub = 1;
                set(Op.DIV, "idiv", Insn.FMT_E);
            }
        }
    }

    private void group5() {
        modrm();
        switch (modReg) {
            case 0 -> set(size == 4 && !isMem() ? Op.INC32_R : Op.INC, "inc", Insn.FMT_E);
            case 1 -> set(size == 4 && !isMem() ? Op.DEC32_R : Op.DEC, "dec", Insn.FMT_E);
            case 2 -> {
                if (size == 4) {
                    stack();
                    endsBlock();
                    set(Op.CALL_E, "call", Insn.FMT_STAR_E);
                }
            }
            case 4 -> {
                if (size == 4) {
                    endsBlock();
                    set(Op.JMP_E, "jmp", Insn.FMT_STAR_E);
                }
            }
            case 6 -> {
                stack();
                set(Op.PUSH_E, "push", Insn.FMT_E);
            }
            default -> {
                // 3 and 5 are far call/jump; 7 is undefined.
            }
        }
    }

    private void twoByte(int b) {
        switch (b >>> 4) {
            case 0x4 -> { // CMOVcc
                modrm();
                sub = b & 15;
                set(Op.CMOV, "cmov" + CC_NAMES[sub], Insn.FMT_E_G);
                return;
            }
            case 0x8 -> { // Jcc rel32
                if (size == 2) {
                    return;
                }
                sub = b & 15;
                int rel = u32();
                target = eip + (pos - start) + rel;
                endsBlock();
                set(Op.JCC, "j" + CC_NAMES[sub], Insn.FMT_J);
                return;
            }
            case 0x9 -> { // SETcc
                size = 1;
                size2 = 1;
                modrm();
                sub = b & 15;
                set(Op.SETCC, "set" + CC_NAMES[sub], Insn.FMT_E);
                return;
            }
            default -> {
            }
        }
        if (b >= 0xC8 && b <= 0xCF) {
            if (size == 4) {
                reg = b & 7;
                rm = reg;
                set(Op.BSWAP, "bswap", Insn.FMT_E);
            }
            return;
        }
        switch (b) {
            case DenaliAbi.OP_HCALL -> {
                endsBlock();
                set(Op.HCALL, "hcall", Insn.FMT_NONE);
            }
            case DenaliAbi.OP_IDLE -> {
                endsBlock();
                set(Op.IDLE, "idle", Insn.FMT_NONE);
            }
            case DenaliAbi.OP_TERM -> {
                endsBlock();
                set(Op.TERM, "term", Insn.FMT_NONE);
            }
            case DenaliAbi.OP_VIRET -> {
                stack();
                endsBlock();
                set(Op.VIRET, "viret", Insn.FMT_NONE);
            }
            case 0x1F -> { // multi-byte NOP
                modrm();
                if (modReg == 0) {
                    set(Op.NOP, "nop", Insn.FMT_E);
                }
            }
            case 0xA3, 0xAB, 0xB3, 0xBB -> {
                modrm();
                sub = (b >>> 3) & 3;
                set(Op.BT_EG, BT_NAMES[sub], Insn.FMT_G_E);
            }
            case 0xBA -> {
                modrm();
                if (modReg >= 4) {
                    sub = modReg - 4;
                    imm = u8();
                    set(Op.BT_EI, BT_NAMES[sub], Insn.FMT_I_E);
                }
            }
            case 0xA4, 0xA5, 0xAC, 0xAD -> {
                modrm();
                sub = b >= 0xAC ? 1 : 0;
                String name = sub == 0 ? "shld" : "shrd";
                if ((b & 1) == 0) {
                    imm = u8();
                    set(Op.SHXD_I, name, Insn.FMT_I_G_E);
                } else {
                    set(Op.SHXD_CL, name, Insn.FMT_CL_G_E);
                }
            }
            case 0xAF -> {
                modrm();
                set(Op.IMUL_GE, "imul", Insn.FMT_E_G);
            }
            case 0xB0, 0xB1 -> {
                if (b == 0xB0) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                set(Op.CMPXCHG, "cmpxchg", Insn.FMT_G_E);
            }
            case 0xC0, 0xC1 -> {
                if (b == 0xC0) {
                    size = 1;
                    size2 = 1;
                }
                modrm();
                set(Op.XADD, "xadd", Insn.FMT_G_E);
            }
            case 0xB6, 0xB7, 0xBE, 0xBF -> {
                size2 = (b & 1) == 0 ? 1 : 2;
                modrm();
                sub = b >= 0xBE ? 1 : 0;
                String name = (sub == 0 ? "movz" : "movs") + (size2 == 1 ? "b" : "w") + (size == 2 ? "w" : "l");
                set(Op.MOVX, name, Insn.FMT_E_G);
            }
            case 0xBC, 0xBD -> {
                modrm();
                flags &= ~Insn.F_REP; // i386 semantics: a REP prefix on BSF/BSR is ignored
                set(b == 0xBC ? Op.BSF : Op.BSR, b == 0xBC ? "bsf" : "bsr", Insn.FMT_E_G);
            }
            default -> {
                // Everything else in the two-byte map is privileged, SSE/MMX, or undefined.
            }
        }
    }
}
