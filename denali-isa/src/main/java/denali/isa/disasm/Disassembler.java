package denali.isa.disasm;

import java.util.ArrayList;
import java.util.List;

import denali.isa.decode.Decoder;
import denali.isa.decode.Insn;
import denali.isa.decode.Op;

/**
 * Formats decoded instructions in AT&amp;T syntax, close to what
 * {@code objdump -d} prints, so a person can compare the two side by side.
 */
public final class Disassembler {
    private static final String[] REG32 = {"%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi"};
    private static final String[] REG16 = {"%ax", "%cx", "%dx", "%bx", "%sp", "%bp", "%si", "%di"};
    private static final String[] REG8 = {"%al", "%cl", "%dl", "%bl", "%ah", "%ch", "%dh", "%bh"};

    private Disassembler() {
    }

    /** One disassembled instruction: its address, its bytes and its text. */
    public record Line(int address, byte[] bytes, String text) {
    }

    /** Disassembles {@code length} bytes of {@code code} from {@code offset}, as loaded at {@code address}. */
    public static List<Line> disassemble(byte[] code, int offset, int length, int address) {
        List<Line> lines = new ArrayList<>();
        Decoder decoder = new Decoder();
        int pos = 0;
        while (pos < length) {
            Insn insn = decoder.decode(code, offset + pos, length - pos, address + pos);
            int len = Math.min(insn.len, length - pos);
            byte[] bytes = new byte[len];
            System.arraycopy(code, offset + pos, bytes, 0, len);
            lines.add(new Line(address + pos, bytes, format(insn)));
            pos += len;
        }
        return lines;
    }

    /** The instruction in AT&T syntax, e.g. {@code movl $0x1,0x4(%esp)}. */
    public static String format(Insn i) {
        if (!i.isValid()) {
            return i.mnemonic;
        }
        StringBuilder b = new StringBuilder();
        if ((i.flags & Insn.F_LOCK) != 0) {
            b.append("lock ");
        }
        if (i.fmt == Insn.FMT_STRING) {
            return formatString(b, i);
        }
        b.append(i.mnemonic);
        if (needsSuffix(i)) {
            b.append(suffix(i.size));
        }
        String ops = operands(i);
        if (!ops.isEmpty()) {
            pad(b);
            b.append(ops);
        }
        return b.toString();
    }

    private static void pad(StringBuilder b) {
        b.append(' ');
        while (b.length() < 6) {
            b.append(' ');
        }
    }

    /** objdump adds a size suffix when no register operand tells the size. */
    private static boolean needsSuffix(Insn i) {
        return i.isMemory() && i.op != Op.SETCC && i.op != Op.PUSH_E && i.op != Op.POP_E
                && (i.fmt == Insn.FMT_E || i.fmt == Insn.FMT_I_E || i.fmt == Insn.FMT_CL_E);
    }

    private static String suffix(int size) {
        return size == 1 ? "b" : size == 2 ? "w" : "l";
    }

    private static String operands(Insn i) {
        return switch (i.fmt) {
            case Insn.FMT_E -> e(i, i.size);
            case Insn.FMT_STAR_E -> "*" + e(i, i.size);
            case Insn.FMT_G_E -> reg(i.reg, i.size) + "," + e(i, i.size);
            case Insn.FMT_E_G -> e(i, i.op == Op.MOVX || i.op == Op.MOVZB32 ? i.size2 : i.size) + "," + reg(i.reg, i.size);
            case Insn.FMT_I_E -> imm(i.imm, i.size) + "," + e(i, i.size);
            case Insn.FMT_I_E_G -> imm(i.imm, i.size) + "," + e(i, i.size) + "," + reg(i.reg, i.size);
            case Insn.FMT_CL_E -> "%cl," + e(i, i.size);
            case Insn.FMT_I_G_E -> imm(i.imm, 1) + "," + reg(i.reg, i.size) + "," + e(i, i.size);
            case Insn.FMT_CL_G_E -> "%cl," + reg(i.reg, i.size) + "," + e(i, i.size);
            case Insn.FMT_I -> imm(i.imm, i.op == Op.RET_I ? 2 : i.size);
            case Insn.FMT_I_I -> imm(i.imm, 2) + "," + imm(i.imm2, 1);
            case Insn.FMT_J -> "0x" + Integer.toHexString(i.target);
            default -> "";
        };
    }

    private static String formatString(StringBuilder b, Insn i) {
        if (i.sub == Op.REP_E) {
            b.append(i.op == Op.CMPS || i.op == Op.SCAS ? "repz " : "rep ");
        } else if (i.sub == Op.REP_NE) {
            b.append("repnz ");
        }
        String acc = reg(0, i.size);
        String src = "%ds:(%esi)";
        String dst = "%es:(%edi)";
        b.append(i.mnemonic);
        String ops;
        switch (i.op) {
            case Op.MOVS -> {
                b.append(suffix(i.size));
                ops = src + "," + dst;
            }
            case Op.CMPS -> {
                b.append(suffix(i.size));
                ops = dst + "," + src;
            }
            case Op.STOS -> ops = acc + "," + dst;
            case Op.LODS -> ops = src + "," + acc;
            default -> ops = dst + "," + acc;
        }
        pad(b);
        return b.append(ops).toString();
    }

    private static String reg(int n, int size) {
        return size == 4 ? REG32[n] : size == 2 ? REG16[n] : REG8[n];
    }

    private static String imm(int v, int size) {
        long value = size == 4 ? Integer.toUnsignedLong(v) : size == 2 ? v & 0xFFFF : v & 0xFF;
        return "$0x" + Long.toHexString(value);
    }

    /** The r/m operand: a register, or memory as disp(base,index,scale). */
    private static String e(Insn i, int size) {
        if (!i.isMemory()) {
            return reg(i.rm, size);
        }
        StringBuilder b = new StringBuilder();
        boolean hasBase = i.base != Insn.NO_REG;
        boolean hasIndex = i.index != Insn.NO_REG;
        if ((i.flags & Insn.F_HAS_DISP) != 0 || (!hasBase && !hasIndex)) {
            if (hasBase || hasIndex) {
                b.append(i.disp < 0 ? "-0x" + Integer.toHexString(-i.disp) : "0x" + Integer.toHexString(i.disp));
            } else {
                b.append("0x").append(Integer.toHexString(i.disp));
            }
        }
        if (hasBase || hasIndex) {
            b.append('(');
            if (hasBase) {
                b.append(REG32[i.base]);
            }
            if (hasIndex) {
                b.append(',').append(REG32[i.index]).append(',').append(1 << i.scale);
            } else if ((i.flags & Insn.F_HAS_SIB) != 0 && hasBase && i.base != 4) {
                b.append(",%eiz,").append(1 << i.scale);
            }
            b.append(')');
        }
        return b.toString();
    }
}
