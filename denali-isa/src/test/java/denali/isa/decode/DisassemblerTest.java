package denali.isa.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import denali.isa.disasm.Disassembler;

/**
 * Decoding plus formatting reproduce objdump's text and lengths for a
 * reference list of instructions assembled by GNU as (see the resource's header).
 */
class DisassemblerTest {

    static List<String[]> reference() throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                DisassemblerTest.class.getResourceAsStream("/disasm/objdump-reference.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
        }
        return rows;
    }

    static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    private static String normalise(String s) {
        return s.trim().replaceAll("\\s+", " ");
    }

    @Test
    void matchesObjdumpTextAndLength() throws IOException {
        List<String[]> rows = reference();
        assertTrue(rows.size() > 80, "reference list too short");
        List<String> mismatches = new ArrayList<>();
        for (String[] row : rows) {
            int address = Integer.parseInt(row[0], 16);
            byte[] bytes = hex(row[1]);
            Insn insn = Decoder.decodeOne(bytes, 0, bytes.length, address);
            String text = normalise(Disassembler.format(insn));
            if (insn.len != bytes.length || !text.equals(normalise(row[2]))) {
                mismatches.add(row[1] + ": expected '" + normalise(row[2]) + "' (" + bytes.length + " bytes), got '" + text + "' (" + insn.len + " bytes)");
            }
        }
        assertEquals(List.of(), mismatches);
    }

    @Test
    void disassemblesARangeInstructionByInstruction() {
        byte[] code = hex("55 89 e5 8b 45 08 0f af c0 5d c3");
        List<Disassembler.Line> lines = Disassembler.disassemble(code, 0, code.length, 0x1000);
        assertEquals(List.of("push %ebp", "mov %esp,%ebp", "mov 0x8(%ebp),%eax", "imul %eax,%eax", "pop %ebp", "ret"),
                lines.stream().map(l -> normalise(l.text())).toList());
        assertEquals(0x1009, lines.get(4).address());
        assertEquals(3, lines.get(2).bytes().length);
    }
}
