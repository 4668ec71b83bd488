package denali.isa.decode;

/**
 * Handler numbers of decoded instructions ({@link Insn#op}). Each is one case
 * of the interpreter's dispatch switch. Hot 32-bit forms have their own
 * handlers; other operand sizes go through size-generic handlers that read
 * {@link Insn#size}.
 *
 * <p>Suffixes name operand kinds: R register, M memory, I immediate, E either
 * register or memory (the handler checks {@link Insn#rm}).
 */
public final class Op {
    private Op() {
    }

    // ALU sub-operations (Insn.sub), in x86's /digit order, plus TEST.
    public static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7, TEST = 8;
    // Shift and rotate sub-operations, in x86's /digit order (6 is SAL, an alias of SHL).
    public static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;
    // Bit-test sub-operations.
    public static final int BT = 0, BTS = 1, BTR = 2, BTC = 3;
    // Repeat kinds of string instructions (Insn.sub).
    public static final int REP_NONE = 0, REP_E = 1, REP_NE = 2;

    public static final int INVALID = 0;
    /** The instruction runs past the end of the VM's memory: a fetch fault. */
    public static final int TRUNCATED = 1;
    public static final int NOP = 2;

    // 32-bit ALU forms, as the decoder first classifies them; build() turns each into one handler per
    // operation: rm = rm op reg | reg = reg op mem | mem = mem op reg | rm = rm op imm | mem = mem op imm
    public static final int ALU32_RR = 10, ALU32_RM = 11, ALU32_MR = 12, ALU32_RI = 13, ALU32_MI = 14;
    /** First handler of each specialised 32-bit ALU form; add the ALU sub-operation (ADD..TEST). */
    public static final int ALU32_RR_BASE = 100, ALU32_RI_BASE = 110, ALU32_RM_BASE = 120, ALU32_MR_BASE = 130,
            ALU32_MI_BASE = 140;
    // any-size ALU, same forms
    public static final int ALU_RR = 15, ALU_RM = 16, ALU_MR = 17, ALU_RI = 18, ALU_MI = 19;

    // Moves. MOV32_RR: rm = reg; MOV32_RM: reg = [mem]; MOV32_MR: [mem] = reg; RI: rm = imm; MI: [mem] = imm.
    public static final int MOV32_RR = 20, MOV32_RM = 21, MOV32_MR = 22, MOV32_RI = 23, MOV32_MI = 24;
    public static final int MOV_RR = 25, MOV_RM = 26, MOV_MR = 27, MOV_RI = 28, MOV_MI = 29;
    public static final int LEA = 30;
    /** reg(size) = zero- or sign-extended E(size2); sub 0 = zero, 1 = sign. */
    public static final int MOVX = 31;
    public static final int XCHG = 32;
    public static final int CBW = 33; // CBW / CWDE by size
    public static final int CWD = 34; // CWD / CDQ by size
    public static final int XLAT = 35;
    public static final int BSWAP = 36;
    public static final int XADD = 37;
    public static final int CMPXCHG = 38;
    /** reg = E if condition sub holds. */
    public static final int CMOV = 39;
    /** E8 = condition sub ? 1 : 0. */
    public static final int SETCC = 40;

    // Unary arithmetic
    public static final int INC32_R = 41, DEC32_R = 42, INC = 43, DEC = 44, NEG = 45, NOT = 46;

    // Multiply and divide
    /** EDX:EAX = EAX * E (unsigned); sub 0 = mul, 1 = imul. */
    public static final int MUL1 = 47;
    /** EAX, EDX = EDX:EAX / E; sub 0 = div, 1 = idiv. */
    public static final int DIV = 48;
    /** reg = reg * E (0F AF). */
    public static final int IMUL_GE = 49;
    /** reg = E * imm (69, 6B). */
    public static final int IMUL_GEI = 50;

    // Shifts and rotates: sub is the operation; count from imm, 1 or CL.
    public static final int SHIFT_I = 51, SHIFT_CL = 52;
    /** sub 0 = shld, 1 = shrd; count in imm. */
    public static final int SHXD_I = 53;
    public static final int SHXD_CL = 54;

    // Bit operations: sub is BT, BTS, BTR, BTC.
    public static final int BT_EG = 55, BT_EI = 56, BSF = 57, BSR = 58;

    // Stack
    public static final int PUSH32_R = 60, POP32_R = 61, PUSH_I = 62, PUSH_E = 63, POP_E = 64;
    public static final int PUSHA = 65, POPA = 66, PUSHF = 67, POPF = 68, LEAVE = 69, ENTER = 70;

    // Control transfer
    public static final int JMP = 71, JCC = 72, JMP_E = 73, CALL = 74, CALL_E = 75, RET = 76, RET_I = 77;
    public static final int LOOP = 78, LOOPE = 79, LOOPNE = 80, JECXZ = 81;

    // Flags
    public static final int CLC = 82, STC = 83, CMC = 84, CLD = 85, STD = 86, LAHF = 87, SAHF = 88;

    // String instructions: size in Insn.size, repeat kind in sub.
    public static final int MOVS = 89, CMPS = 90, STOS = 91, LODS = 92, SCAS = 93;

    // Denali paravirtual instructions
    public static final int HCALL = 94, IDLE = 95, TERM = 96, VIRET = 97;

    // The specialised 32-bit ALU handlers (the decoder emits these, never ALU32_RR and friends).
    public static final int ADD32_RR = 100, OR32_RR = 101, ADC32_RR = 102, SBB32_RR = 103, AND32_RR = 104, SUB32_RR = 105, XOR32_RR = 106, CMP32_RR = 107, TEST32_RR = 108;
    public static final int ADD32_RI = 110, OR32_RI = 111, ADC32_RI = 112, SBB32_RI = 113, AND32_RI = 114, SUB32_RI = 115, XOR32_RI = 116, CMP32_RI = 117, TEST32_RI = 118;
    public static final int ADD32_RM = 120, OR32_RM = 121, ADC32_RM = 122, SBB32_RM = 123, AND32_RM = 124, SUB32_RM = 125, XOR32_RM = 126, CMP32_RM = 127, TEST32_RM = 128;
    public static final int ADD32_MR = 130, OR32_MR = 131, ADC32_MR = 132, SBB32_MR = 133, AND32_MR = 134, SUB32_MR = 135, XOR32_MR = 136, CMP32_MR = 137, TEST32_MR = 138;
    public static final int ADD32_MI = 140, OR32_MI = 141, ADC32_MI = 142, SBB32_MI = 143, AND32_MI = 144, SUB32_MI = 145, XOR32_MI = 146, CMP32_MI = 147, TEST32_MI = 148;

    // Other specialised 32-bit forms
    /** 32-bit register shifted by an immediate count in 1..31: SHL (also SAL), SHR, SAR. */
    public static final int SHL32_RI = 150, SHR32_RI = 151, SAR32_RI = 152;
    public static final int IMUL32_GE = 153, IMUL32_GEI = 154;
    /** reg32 = zero-extended byte. */
    public static final int MOVZB32 = 155;

    // Macro-ops: a 32-bit register compare or test fused with the conditional jump after it.
    // Built by the CPU when it forms a block (see Insn#fuseCompareBranch), never by the decoder.
    // sub is the jump's condition code; they count as two instructions.
    public static final int CMP_JCC_RR = 156, CMP_JCC_RI = 157, TEST_JCC_RR = 158, TEST_JCC_RI = 159;

    // Forms the CPU substitutes when a block's later instructions overwrite the flags an instruction
    // would set before anything reads them (see the interpreter's FlagLiveness), never the decoder.
    /** IMUL32_GE and IMUL32_GEI whose CF and OF are never read: the product alone. */
    public static final int IMUL32_GE_NF = 160, IMUL32_GEI_NF = 161;
    /** The memory forms of MOVZB32 and IMUL32_GE_NF, when the CPU gives them their own handler. */
    public static final int MOVZB32_M = 162, IMUL32_GE_NF_M = 163;

    /** Byte forms given their own handlers: loads, stores and moves of 8-bit registers, and byte compares. */
    public static final int MOV8_RM = 164, MOV8_MR = 165, MOV8_RR = 166, CMP8_MR = 167, CMP8_RR = 168;

    /**
     * A direct JMP the block goes on through (its target is the next instruction
     * of the block): it leaves the block only when a store has dropped decoded code.
     */
    public static final int JMP_THROUGH = 169;

    /** 32-bit forms the CPU gives their own handlers: NEG of a register, shifts of a register by CL, PUSH of memory. */
    public static final int NEG32_R = 170, SHL32_CL = 171, SHR32_CL = 172, SAR32_CL = 173, PUSH32_M = 174;

    /** A byte compare of memory with a register, or of two registers, fused with the conditional jump after it. */
    public static final int CMP8_JCC_MR = 175, CMP8_JCC_RR = 176;
    /** One more than the largest handler number. */
    public static final int COUNT = 177;

    /** True for the compare-and-branch macro-ops, which count as two instructions. */
    public static boolean isFusedBranch(int op) {
        return op >= CMP_JCC_RR && op <= TEST_JCC_RI || op == CMP8_JCC_MR || op == CMP8_JCC_RR;
    }
}
