package denali.isa.disasm;

import java.util.List;

/** Formats decoded instructions in AT&T syntax, close to what {@code objdump -d} prints. */
public final class Disassembler {
    private Disassembler() {
    }

    /** One disassembled instruction: its address, its bytes and its text. */
    public record Line(int address, byte[] bytes, String text) {
    }

    /** Disassembles {@code length} bytes of {@code code} from {@code offset}, as loaded at {@code address}. */
    public static List<Line> disassemble(byte[] code, int offset, int length, int address) {
        throw new UnsupportedOperationException("not yet written");
    }
}
