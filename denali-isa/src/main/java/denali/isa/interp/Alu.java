package denali.isa.interp;

import denali.isa.decode.Op;
import denali.isa.memory.GuestMemory;

/**
 * Lazy EFLAGS and the arithmetic that sets them.
 *
 * <p>Most instructions only record their operands and result; flags are
 * computed when something reads them (a conditional jump, setcc, pushf...). To
 * treat 8-, 16- and 32-bit operations alike, operands and result are kept
 * shifted left by 24, 16 or 0 bits, so the operand's sign bit is always bit 31:
 * carry, sign, zero, overflow and the signed and unsigned comparisons then need
 * no masking. The shift lives in {@code fOp}'s bits 8 and up (so a 32-bit
 * operation records one field fewer); PF and AF shift back by it.
 *
 * <p>Instructions with irregular flag rules (shifts, rotates, multiply, bit
 * operations) compute all six flags at once into {@code fBits}.
 */
abstract class Alu extends CpuRegisters {
    static final int CF = CpuState.CF, PF = CpuState.PF, AF = CpuState.AF, ZF = CpuState.ZF, SF = CpuState.SF,
            OF = CpuState.OF, DF = CpuState.DF, ARITH = CpuState.ARITH_FLAGS;

    /** How the lazy flags were produced. */
    static final int F_ADD = 0, F_SUB = 1, F_ADC = 2, F_SBB = 3, F_LOGIC = 4, F_INC = 5, F_DEC = 6, F_BITS = 7;
    /** 32-bit shifts by a count in 1..31: fA is the operand, fB the count, fRes the result. */
    static final int F_SHL32 = 8, F_SHR32 = 9, F_SAR32 = 10;
    /** Multiply: CF = OF = fAux (the product overflowed); SF, ZF, AF, PF are those of the saved state. */
    static final int F_MUL = 11;
    /** The kind bits of {@link #fOp}. */
    static final int KIND = 0xFF;

    /** Low 8 bits ({@link #KIND}): how the flags were produced; bits 8 and up: the operand shift. */
    int fOp = F_BITS;
    int fA;
    int fB;
    int fRes;
    /** Carry-in of ADC/SBB, or the CF that INC/DEC preserve. */
    int fAux;
    /** All six flags, when fOp is F_BITS. */
    int fBits;

    /*
     * The saved state: what INC/DEC take CF from and what a multiply keeps SF, ZF,
     * AF and PF from, so neither has to compute flags when it executes. Only one
     * of them uses it at a time: INC/DEC keep just a carry source here (an ADD,
     * SUB, LOGIC or F_BITS state), a multiply keeps the whole previous state.
     */
    int sOp = F_BITS;
    int sA;
    int sB;
    int sRes;
    int sBits;
    Alu(GuestMemory mem) {
        super(mem);
    }

    // ---------------------------------------------------------------- flag reads

    final boolean cf() {
        return switch (fOp & KIND) {
            case F_ADD -> Integer.compareUnsigned(fRes, fA) < 0;
            case F_SUB -> Integer.compareUnsigned(fA, fB) < 0;
            case F_ADC -> fAux != 0 ? Integer.compareUnsigned(fRes, fA) <= 0 : Integer.compareUnsigned(fRes, fA) < 0;
            case F_SBB -> fAux != 0 ? Integer.compareUnsigned(fA, fB) <= 0 : Integer.compareUnsigned(fA, fB) < 0;
            case F_LOGIC -> false;
            case F_INC, F_DEC -> savedCarry();
            case F_MUL -> fAux != 0;
            case F_SHL32 -> ((fA >>> (32 - fB)) & 1) != 0;
            case F_SHR32, F_SAR32 -> ((fA >>> (fB - 1)) & 1) != 0;
            default -> (fBits & CF) != 0;
        };
    }

    final boolean zf() {
        return fOp == F_BITS ? (fBits & ZF) != 0 : fOp == F_MUL ? (savedFlags() & ZF) != 0 : fRes == 0;
    }

    final boolean sf() {
        return fOp == F_BITS ? (fBits & SF) != 0 : fOp == F_MUL ? (savedFlags() & SF) != 0 : fRes < 0;
    }

    final boolean of() {
        return switch (fOp & KIND) {
            case F_ADD, F_ADC, F_INC -> ((fA ^ fRes) & (fB ^ fRes)) < 0;
            case F_SUB, F_SBB, F_DEC -> ((fA ^ fB) & (fA ^ fRes)) < 0;
            case F_LOGIC, F_SAR32 -> false;
            case F_MUL -> fAux != 0;
            case F_SHL32 -> (fRes < 0) != cf();
            case F_SHR32 -> fB == 1 ? fA < 0 : ((fRes ^ (fRes << 1)) < 0);
            default -> (fBits & OF) != 0;
        };
    }

    final boolean pf() {
        return fOp == F_BITS ? (fBits & PF) != 0 : fOp == F_MUL ? (savedFlags() & PF) != 0 : parity(fRes >>> (fOp >>> 8));
    }

    final boolean af() {
        return switch (fOp & KIND) {
            case F_LOGIC -> false;
            case F_SHL32, F_SHR32, F_SAR32 -> true; // the reference CPU sets AF after a shift
            case F_MUL -> (savedFlags() & AF) != 0;
            case F_BITS -> (fBits & AF) != 0;
            default -> (((fA ^ fB ^ fRes) >>> (fOp >>> 8)) & 0x10) != 0;
        };
    }

    /** CF of the carry source INC/DEC saved. */
    private boolean savedCarry() {
        return switch (sOp & KIND) {
            case F_ADD -> Integer.compareUnsigned(sRes, sA) < 0;
            case F_SUB -> Integer.compareUnsigned(sA, sB) < 0;
            case F_LOGIC -> false;
            default -> (sBits & CF) != 0;
        };
    }

    /** Before INC/DEC: make the saved state a source for the CF they preserve. */
    private void saveCarrySource() {
        switch (fOp & KIND) {
            case F_INC, F_DEC -> {
                // the saved state is still the carry source
            }
            case F_ADD, F_SUB, F_LOGIC -> {
                sOp = fOp;
                sA = fA;
                sB = fB;
                sRes = fRes;
            }
            default -> {
                boolean c = cf();
                sOp = F_BITS;
                sBits = c ? CF : 0;
            }
        }
    }

    /** Before a multiply: save the state whose SF, ZF, AF and PF it keeps. */
    private void saveStateForMultiply() {
        if (fOp == F_MUL) {
            return; // a multiply after a multiply keeps the same flags
        }
        int kind = fOp & KIND;
        if (kind == F_INC || kind == F_DEC) {
            fBits = flagsNow(); // their CF lives in the saved state, which is about to be replaced
            fOp = F_BITS;
        }
        sOp = fOp;
        sA = fA;
        sB = fB;
        sRes = fRes;
        sBits = fBits;
    }

    /**
     * SF, ZF, AF and PF of the state a multiply saved. That state is never a
     * multiply or INC/DEC (saveStateForMultiply turns those into F_BITS).
     */
    private int savedFlags() {
        if (sOp == F_BITS) {
            return sBits & (SF | ZF | AF | PF);
        }
        int sh = sOp >>> 8;
        int af = switch (sOp & KIND) {
            case F_LOGIC -> 0;
            case F_SHL32, F_SHR32, F_SAR32 -> AF;
            default -> ((sA ^ sB ^ sRes) >>> sh) & AF;
        };
        return (sRes < 0 ? SF : 0) | (sRes == 0 ? ZF : 0) | (parity(sRes >>> sh) ? PF : 0) | af;
    }

    static boolean parity(int v) {
        return (Integer.bitCount(v & 0xFF) & 1) == 0;
    }

    /** The six arithmetic flags as EFLAGS bits. */
    final int flagsNow() {
        if (fOp == F_BITS) {
            return fBits;
        }
        if (fOp == F_MUL) {
            return (savedFlags() & (SF | ZF | AF | PF)) | (fAux != 0 ? CF | OF : 0);
        }
        return (cf() ? CF : 0) | (pf() ? PF : 0) | (af() ? AF : 0) | (zf() ? ZF : 0) | (sf() ? SF : 0) | (of() ? OF : 0);
    }

    final void setFlagBits(int bits) {
        fOp = F_BITS;
        fBits = bits & ARITH;
    }

    /** Flags SF, ZF, PF of an n-bit result (value already masked), as EFLAGS bits. */
    static int szp(int res, int size) {
        int sh = 32 - 8 * size;
        int shifted = res << sh;
        return (shifted < 0 ? SF : 0) | (shifted == 0 ? ZF : 0) | (parity(res) ? PF : 0);
    }

    /**
     * Evaluates condition code {@code cc} (the low nibble of Jcc, SETcc,
     * CMOVcc). Small on purpose, so the JIT inlines it into the dispatch loop:
     * after CMP/SUB or a logic op the condition comes straight from the
     * recorded operands; anything else goes through the flag getters.
     */
    final boolean cond(int cc) {
        int kind = fOp & KIND;
        if (kind == F_SUB) {
            return compareCond(cc, fA, fB);
        }
        if (kind == F_LOGIC) {
            return testCond(cc, fRes);
        }
        return flagCond(cc);
    }

    /*
     * Condition codes come in pairs: cc ^ 1 is the negation of cc. The two
     * helpers below evaluate the even member and flip it for the odd one, so
     * each is a switch of half the size: they are inlined wherever a branch
     * is, and the JIT inlines only so many bytecodes into the hot switch.
     */

    /** A condition after a 32-bit compare of a with b (or after SUB, whose operands are recorded shifted). */
    final boolean compareCond(int cc, int a, int b) {
        boolean even = switch (cc >>> 1) {
            case 1 -> Integer.compareUnsigned(a, b) < 0; // B, AE
            case 2 -> a == b; // E, NE
            case 3 -> Integer.compareUnsigned(a, b) <= 0; // BE, A
            case 6 -> a < b; // L, GE
            case 7 -> a <= b; // LE, G
            default -> flagCond(cc & ~1); // O, S, P
        };
        return even ^ (cc & 1) != 0;
    }

    /** A condition after a logic operation whose (shifted) result is v: CF = OF = 0. */
    final boolean testCond(int cc, int v) {
        boolean even = switch (cc >>> 1) {
            case 0, 1 -> false; // O, B: OF = CF = 0
            case 2, 3 -> v == 0; // E, BE
            case 4, 6 -> v < 0; // S, L: SF != OF
            case 7 -> v <= 0; // LE
            default -> flagCond(cc & ~1); // P
        };
        return even ^ (cc & 1) != 0;
    }

    private boolean flagCond(int cc) {
        return switch (cc) {
            case 0 -> of();
            case 1 -> !of();
            case 2 -> cf();
            case 3 -> !cf();
            case 4 -> zf();
            case 5 -> !zf();
            case 6 -> cf() || zf();
            case 7 -> !cf() && !zf();
            case 8 -> sf();
            case 9 -> !sf();
            case 10 -> pf();
            case 11 -> !pf();
            case 12 -> sf() != of();
            case 13 -> sf() == of();
            case 14 -> zf() || sf() != of();
            default -> !zf() && sf() == of();
        };
    }

    /** CMP a,b then Jcc: sets the flags as CMP does and evaluates the condition from the operands. */
    final boolean compareBranch(int cc, int a, int b) {
        sub32(a, b);
        return compareCond(cc, a, b);
    }

    /** Byte CMP a,b (the low 8 bits of each) then Jcc: sets the flags as CMP does and evaluates the condition. */
    final boolean compareBranch8(int cc, int a, int b) {
        sub8(a, b);
        return compareCond(cc, a << 24, b << 24);
    }

    // ---------------------------------------------------------------- ALU

    /**
     * ADD OR ADC SBB AND SUB XOR CMP TEST on {@code size}-byte operands; sets
     * the flags and returns the result masked to the size.
     */
    final int alu(int sub, int a, int b, int size) {
        int sh = 32 - 8 * size;
        int x = a << sh;
        int y = b << sh;
        int res;
        int kind;
        switch (sub) {
            case Op.ADD -> {
                res = x + y;
                kind = F_ADD;
            }
            case Op.OR -> {
                res = x | y;
                kind = F_LOGIC;
            }
            case Op.ADC -> {
                int c = cf() ? 1 : 0;
                res = x + y + (c << sh);
                kind = F_ADC;
                fAux = c;
            }
            case Op.SBB -> {
                int c = cf() ? 1 : 0;
                res = x - y - (c << sh);
                kind = F_SBB;
                fAux = c;
            }
            case Op.AND, Op.TEST -> {
                res = x & y;
                kind = F_LOGIC;
            }
            case Op.XOR -> {
                res = x ^ y;
                kind = F_LOGIC;
            }
            default -> { // SUB, CMP
                res = x - y;
                kind = F_SUB;
            }
        }
        fOp = kind | sh << 8;
        fA = x;
        fB = y;
        fRes = res;
        return res >>> sh;
    }

    final int add32(int a, int b) {
        return record32(F_ADD, a, b, a + b);
    }

    final int sub32(int a, int b) {
        return record32(F_SUB, a, b, a - b);
    }

    /** CMP of two bytes (the low 8 bits of a and b), flags only. */
    final void sub8(int a, int b) {
        int x = a << 24;
        int y = b << 24;
        fOp = F_SUB | 24 << 8;
        fA = x;
        fB = y;
        fRes = x - y;
    }

    /** 32-bit ADC: the carry in comes from the flags. */
    final int adc32(int a, int b) {
        int c = cf() ? 1 : 0;
        fAux = c;
        return record32(F_ADC, a, b, a + b + c);
    }

    /** 32-bit SBB: the borrow in comes from the flags. */
    final int sbb32(int a, int b) {
        int c = cf() ? 1 : 0;
        fAux = c;
        return record32(F_SBB, a, b, a - b - c);
    }

    /** AND, OR, XOR, TEST: only the result matters for the flags. */
    final int logic32(int res) {
        fOp = F_LOGIC;
        fRes = res;
        return res;
    }

    /** SHL by {@code c} in 1..31, flags kept lazily. */
    final int shl32(int v, int c) {
        return record32(F_SHL32, v, c, v << c);
    }

    final int shr32(int v, int c) {
        return record32(F_SHR32, v, c, v >>> c);
    }

    final int sar32(int v, int c) {
        return record32(F_SAR32, v, c, v >> c);
    }

    /** Records a 32-bit operation for the lazy flags and returns its result. */
    private int record32(int kind, int a, int b, int res) {
        fOp = kind;
        fA = a;
        fB = b;
        fRes = res;
        return res;
    }

    final int inc(int a, int size) {
        saveCarrySource();
        int sh = 32 - 8 * size;
        fA = a << sh;
        fB = 1 << sh;
        fRes = fA + fB;
        fOp = F_INC | sh << 8;
        return fRes >>> sh;
    }

    final int dec(int a, int size) {
        saveCarrySource();
        int sh = 32 - 8 * size;
        fA = a << sh;
        fB = 1 << sh;
        fRes = fA - fB;
        fOp = F_DEC | sh << 8;
        return fRes >>> sh;
    }

    final int neg(int a, int size) {
        return alu(Op.SUB, 0, a, size);
    }

    // ---------------------------------------------------------------- shifts and rotates

    /**
     * Shift or rotate {@code v} ({@code size} bytes, zero-extended) by {@code count}
     * (already taken from imm or CL, not yet masked). Returns the new value and
     * updates flags as this machine's reference CPU does.
     */
    final int shift(int sub, int v, int count, int size) {
        int n = 8 * size;
        int m = mask(size);
        int c = count & 31;
        if (c == 0) {
            return v;
        }
        int msb = n - 1;
        int flags = flagsNow();
        int res;
        int cfOut;
        int ofOut;
        switch (sub) {
            case Op.ROL -> {
                int k = c % n;
                res = k == 0 ? v : ((v << k) | (v >>> (n - k))) & m;
                cfOut = res & 1;
                ofOut = ((res >>> msb) & 1) ^ cfOut;
                return setRotateFlags(flags, res, cfOut, ofOut);
            }
            case Op.ROR -> {
                int k = c % n;
                res = k == 0 ? v : ((v >>> k) | (v << (n - k))) & m;
                cfOut = (res >>> msb) & 1;
                ofOut = cfOut ^ ((res >>> (msb - 1)) & 1);
                return setRotateFlags(flags, res, cfOut, ofOut);
            }
            case Op.RCL -> {
                int k = size == 4 ? c : c % (n + 1);
                long wide = (Integer.toUnsignedLong(v) | ((long) (flags & CF) << n)); // n+1 bits: CF above the value
                for (int i = 0; i < k; i++) {
                    long top = (wide >>> n) & 1;
                    wide = ((wide << 1) | top) & ((1L << (n + 1)) - 1);
                }
                res = (int) (wide & Integer.toUnsignedLong(m));
                cfOut = (int) (wide >>> n) & 1;
                ofOut = ((res >>> msb) & 1) ^ cfOut;
                return setRotateFlags(flags, res, cfOut, ofOut);
            }
            case Op.RCR -> {
                int k = size == 4 ? c : c % (n + 1);
                long wide = (Integer.toUnsignedLong(v) | ((long) (flags & CF) << n));
                for (int i = 0; i < k; i++) {
                    long low = wide & 1;
                    wide = (wide >>> 1) | (low << n);
                }
                res = (int) (wide & Integer.toUnsignedLong(m));
                cfOut = (int) (wide >>> n) & 1;
                ofOut = ((res >>> msb) & 1) ^ ((res >>> (msb - 1)) & 1);
                return setRotateFlags(flags, res, cfOut, ofOut);
            }
            case Op.SHR -> {
                res = c >= 32 ? 0 : (v >>> c) & m;
                cfOut = c > n ? 0 : (v >>> (c - 1)) & 1;
                ofOut = c == 1 ? (v >>> msb) & 1 : ((res >>> msb) & 1) ^ ((res >>> (msb - 1)) & 1);
            }
            case Op.SAR -> {
                int sv = signExtend(v, size);
                res = (sv >> Math.min(c, 31)) & m;
                cfOut = (sv >> Math.min(c - 1, 31)) & 1;
                ofOut = 0;
            }
            default -> { // SHL, SAL
                long wide = Integer.toUnsignedLong(v) << c;
                res = (int) wide & m;
                cfOut = (int) (wide >>> n) & 1;
                ofOut = ((res >>> msb) & 1) ^ cfOut;
            }
        }
        setFlagBits(szp(res, size) | (cfOut != 0 ? CF : 0) | (ofOut != 0 ? OF : 0) | shiftAf(flags));
        return res;
    }

    /** AF after a shift by a non-zero count: the reference CPU's choice (kept in one place). */
    static int shiftAf(int oldFlags) {
        return AF;
    }

    private int setRotateFlags(int oldFlags, int res, int cfOut, int ofOut) {
        setFlagBits((oldFlags & ~(CF | OF)) | (cfOut != 0 ? CF : 0) | (ofOut != 0 ? OF : 0));
        return res;
    }

    /** SHLD (left = true) / SHRD of {@code dst} with bits from {@code src}. */
    final int shiftDouble(boolean left, int dst, int src, int count, int size) {
        int c = count & 31;
        if (c == 0) {
            return dst;
        }
        int n = 8 * size;
        int m = mask(size);
        int flags = flagsNow();
        int res;
        int cfOut;
        if (size == 4) {
            if (left) {
                res = (dst << c) | (src >>> (32 - c));
                cfOut = (dst >>> (32 - c)) & 1;
            } else {
                res = (dst >>> c) | (src << (32 - c));
                cfOut = (dst >>> (c - 1)) & 1;
            }
        } else {
            // 16-bit: counts above 16 shift through a 48-bit pattern; the reference CPU
            // fills it as dst:src:src (SHLD) or src:src:dst (SHRD, from the top).
            long d = dst & m;
            long s = src & m;
            if (left) {
                long pattern = (d << 32) | (s << 16) | s;
                res = (int) ((pattern << c) >>> 32) & m;
                cfOut = (int) (pattern >>> (48 - c)) & 1;
            } else {
                long pattern = (s << 32) | (s << 16) | d;
                res = (int) (pattern >>> c) & m;
                cfOut = (int) (pattern >>> (c - 1)) & 1;
            }
        }
        // The reference CPU: SHLD's OF is MSB(result) xor CF, SHRD's is the top two result bits xored.
        int top = (res >>> (n - 1)) & 1;
        int ofOut = left ? top ^ cfOut : top ^ ((res >>> (n - 2)) & 1);
        if (size == 2 && c >= 16) {
            // Counts past the operand on 16 bits (undefined in the manuals), as the reference CPU does them.
            if (c > 16) {
                cfOut = 0;
                ofOut = left ? 0 : ofOut;
            } else if (left) {
                ofOut = cfOut;
            }
        }
        setFlagBits(szp(res & m, size) | (cfOut != 0 ? CF : 0) | (ofOut != 0 ? OF : 0) | shiftAf(flags));
        return res & m;
    }

    // ---------------------------------------------------------------- multiply

    /** MUL/IMUL with one operand: EDX:EAX (or DX:AX, AX) = accumulator * src. */
    final void mul1(boolean signed, int src, int size) {
        boolean high;
        int lo;
        switch (size) {
            case 1 -> {
                int a = r[EAX] & 0xFF;
                int p = signed ? (byte) a * (byte) src : a * (src & 0xFF);
                setReg(2, EAX, p);
                high = signed ? p != (byte) p : (p & 0xFF00) != 0;
                lo = p & 0xFF;
            }
            case 2 -> {
                int a = r[EAX] & 0xFFFF;
                int p = signed ? (short) a * (short) src : a * (src & 0xFFFF);
                setReg(2, EAX, p);
                setReg(2, EDX, p >>> 16);
                high = signed ? p != (short) p : (p & 0xFFFF0000) != 0;
                lo = p & 0xFFFF;
            }
            default -> {
                long p = signed ? (long) r[EAX] * src : Integer.toUnsignedLong(r[EAX]) * Integer.toUnsignedLong(src);
                r[EAX] = (int) p;
                r[EDX] = (int) (p >>> 32);
                high = signed ? p != (int) p : (p >>> 32) != 0;
                lo = (int) p;
            }
        }
        setMulFlags(high, lo, size);
    }

    /** IMUL with two or three operands: the truncated product, flags set. */
    final int imul(int a, int b, int size) {
        int res;
        boolean overflow;
        if (size == 4) {
            long p = (long) a * b;
            res = (int) p;
            overflow = p != res;
        } else {
            int p = (short) a * (short) b;
            res = p & 0xFFFF;
            overflow = p != (short) p;
        }
        setMulFlags(overflow, res, size);
        return res;
    }

    /** CF = OF = the product did not fit; the reference CPU leaves SF, ZF, AF and PF as they were. */
    private void setMulFlags(boolean high, int lo, int size) {
        saveStateForMultiply();
        fOp = F_MUL;
        fAux = high ? 1 : 0;
    }

    /** After a divide the reference CPU keeps CF and OF, sets AF and clears SF, ZF and PF. */
    final void setDivideFlags() {
        setFlagBits((flagsNow() & (CF | OF)) | AF);
    }

    // ---------------------------------------------------------------- bit operations

    /**
     * BSF/BSR: ZF = source was zero, and then the destination is left
     * unchanged. Returns the index, or -1 for a zero source. The reference CPU
     * clears CF, OF, SF and AF and sets PF from the index (from 0 when none).
     */
    final int bitScan(boolean forward, int src, int size) {
        int v = src & mask(size);
        if (v == 0) {
            setFlagBits(ZF | PF);
            return -1;
        }
        int idx = forward ? Integer.numberOfTrailingZeros(v) : 31 - Integer.numberOfLeadingZeros(v);
        setFlagBits(parity(idx) ? PF : 0);
        return idx;
    }
}
