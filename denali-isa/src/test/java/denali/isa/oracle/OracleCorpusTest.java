package denali.isa.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.ExitReason;
import denali.isa.interp.Fault;
import denali.isa.memory.GuestMemory;

/**
 * Replays the differential corpus recorded on a real x86 CPU by
 * {@code tools/x86-oracle} (see its README.md for the line format) against
 * {@link Cpu}: one instruction per vector, every register, the arithmetic
 * flags and DF, and the 256-byte data window must come out exactly as the
 * hardware left them.
 *
 * <p>The recording CPU (an AMD Zen 4 EPYC) and the rules it follows for the
 * flags the manuals call undefined (MUL/IMUL leave SF ZF AF PF unchanged, DIV
 * leaves CF OF unchanged and sets AF, clears SF ZF PF, shifts set AF, BSF/BSR
 * with a zero source leave the destination unchanged, ...) are listed in
 * {@code tools/x86-oracle/README.md}.
 *
 * <p>Each group file becomes one dynamic test that runs all its vectors and,
 * on failure, reports the first {@value #MAX_REPORTED} mismatches in full
 * and a count of mismatches per instruction tag.
 *
 * <p>System properties (pass them on the mvn command line):
 * <ul>
 *   <li>{@code oracle.groups=alu,shift}: replay only these groups;</li>
 *   <li>{@code oracle.tags=adc32,rcl8}: replay only vectors with these tags;</li>
 *   <li>{@code oracle.ignoreUndefined=true}: do not compare what the Intel SDM
 *       calls undefined (flags after MUL, DIV, shifts by more than 1, ...;
 *       the destination of BSF/BSR with a zero source; SHLD/SHRD 16-bit results
 *       with a count above 16). By default everything the recording CPU
 *       did is compared.</li>
 * </ul>
 */
class OracleCorpusTest {

    /** The group files, in the order the generator writes them. */
    static final List<String> GROUPS = List.of(
            "alu", "unary", "muldiv", "shift", "shld", "bit", "mov", "lea", "xchg", "cond", "misc", "stack", "string");

    /** Fewer vectors than this in a group file means the corpus is broken (it holds thousands). */
    static final int MIN_VECTORS_PER_GROUP = 1000;

    static final int CODE = 0x00010000;
    static final int DATA = 0x00020000;
    static final int WINDOW = 256;
    static final int MEMORY_SIZE = 0x100000;
    static final int MAX_REPORTED = 20;
    /** Budget for REP string vectors: at most 8 iterations plus TERM. */
    static final int REP_BUDGET = 1000;

    static final int CF = CpuState.CF, PF = CpuState.PF, AF = CpuState.AF, ZF = CpuState.ZF, SF = CpuState.SF,
            DF = CpuState.DF, OF = CpuState.OF;
    /** The EFLAGS bits compared: CF PF AF ZF SF OF DF. */
    static final int FLAG_MASK = CF | PF | AF | ZF | SF | OF | DF;

    /**
     * Flags excluded per mnemonic because the recording CPU was inconsistent
     * about them (same inputs, different outputs). The generator runs every
     * vector twice and found no such case on the recording CPU, so this is empty.
     */
    static final Map<String, Integer> INCONSISTENT_FLAGS = Map.of();

    static final int ARITH = CF | PF | AF | ZF | SF | OF;

    /**
     * Architecturally undefined flags per mnemonic (Intel SDM) for instructions
     * whose undefined set does not depend on the operands; shifts, rotates and
     * SHLD/SHRD are handled in {@link #undefinedFlags}. Used only with
     * -Doracle.ignoreUndefined=true.
     */
    static final Map<String, Integer> UNDEFINED_FLAGS = Map.ofEntries(
            Map.entry("and", AF), Map.entry("or", AF), Map.entry("xor", AF), Map.entry("test", AF),
            Map.entry("mul", SF | ZF | AF | PF), Map.entry("imul", SF | ZF | AF | PF),
            Map.entry("div", ARITH), Map.entry("idiv", ARITH),
            Map.entry("bt", OF | SF | AF | PF), Map.entry("bts", OF | SF | AF | PF),
            Map.entry("btr", OF | SF | AF | PF), Map.entry("btc", OF | SF | AF | PF),
            Map.entry("bsf", CF | OF | SF | AF | PF), Map.entry("bsr", CF | OF | SF | AF | PF));

    static final String[] FLAG_NAMES = {"CF", null, "PF", null, "AF", null, "ZF", "SF", null, null, "DF", "OF"};

    // ------------------------------------------------------------------ the corpus

    /** One recorded instruction. Arrays are owned by the vector. */
    record Vector(String group, int lineNo, String tag, byte[] insn, int[] regsIn, int eflagsIn, int seed,
                  byte[] windowIn, int eflagsOut, int[] regsOut, byte[] windowOut) {

        /** The mnemonic: the tag without its size digits and REP prefix (for "rep_movs8": "movs"). */
        String mnemonic() {
            String m = tag.replaceFirst("^rep(e|ne)?_", "");
            int end = m.length();
            while (end > 0 && Character.isDigit(m.charAt(end - 1))) {
                end--;
            }
            return m.substring(0, end);
        }

        /** The operand size in bits from the tag's digits, or 32 when it has none. */
        int size() {
            int end = tag.length(), start = end;
            while (start > 0 && Character.isDigit(tag.charAt(start - 1))) {
                start--;
            }
            return start == end ? 32 : Integer.parseInt(tag, start, end, 10);
        }

        /** Index of the first opcode byte (after 66/F2/F3 prefixes). */
        int opcodeIndex() {
            int i = 0;
            while (i < insn.length - 1) {
                int x = insn[i] & 0xFF;
                if (x != 0x66 && x != 0xF2 && x != 0xF3) {
                    break;
                }
                i++;
            }
            return i;
        }

        /** True when an F2/F3 prefix precedes the opcode: a REP string instruction. */
        boolean rep() {
            for (byte b : insn) {
                int x = b & 0xFF;
                if (x == 0xF2 || x == 0xF3) {
                    return true;
                }
                if (x != 0x66) {
                    return false;
                }
            }
            return false;
        }

        String where() {
            return group + ".txt.gz:" + lineNo;
        }
    }

    /** The input data window: xorshift32 words from the seed (seed 0: all zeros), little-endian. */
    static byte[] windowFromSeed(int seed) {
        byte[] w = new byte[WINDOW];
        int x = seed;
        for (int i = 0; i < WINDOW / 4; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            w[4 * i] = (byte) x;
            w[4 * i + 1] = (byte) (x >>> 8);
            w[4 * i + 2] = (byte) (x >>> 16);
            w[4 * i + 3] = (byte) (x >>> 24);
        }
        return w;
    }

    static final HexFormat HEX = HexFormat.of();
    static final Map<String, Integer> REG_INDEX = new HashMap<>();

    static {
        for (int i = 0; i < 8; i++) {
            REG_INDEX.put(CpuState.REG_NAMES[i], i);
        }
    }

    /** Applies "off:hexbytes" to w; returns false if the token is not of that form. */
    private static boolean applyRun(String token, byte[] w) {
        int colon = token.indexOf(':');
        if (colon != 2) {
            return false;
        }
        int off = Integer.parseInt(token, 0, 2, 16);
        byte[] bytes = HEX.parseHex(token, 3, token.length());
        if (bytes.length == 0 || off + bytes.length > WINDOW) {
            throw new IllegalArgumentException("memory run outside the window: " + token);
        }
        System.arraycopy(bytes, 0, w, off, bytes.length);
        return true;
    }

    /**
     * Parses one line:
     * {@code tag insnhex | eax ecx edx ebx esp ebp esi edi eflags seed [off:hex]... | eflags [reg=hex]... [off:hex]...}
     */
    static Vector parse(String group, int lineNo, String line) {
        try {
            String[] parts = line.split(" \\| ", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("expected 3 fields separated by ' | '");
            }
            String[] head = parts[0].trim().split(" ");
            if (head.length != 2) {
                throw new IllegalArgumentException("expected 'tag insnhex'");
            }
            byte[] insn = HEX.parseHex(head[1]);
            if (insn.length == 0 || insn.length > 15) {
                throw new IllegalArgumentException("bad instruction length " + insn.length);
            }
            String[] in = parts[1].trim().split(" ");
            if (in.length < 10) {
                throw new IllegalArgumentException("input needs 8 registers, eflags and seed");
            }
            int[] regsIn = new int[8];
            for (int i = 0; i < 8; i++) {
                regsIn[i] = Integer.parseUnsignedInt(in[i], 16);
            }
            int eflagsIn = Integer.parseUnsignedInt(in[8], 16);
            int seed = Integer.parseUnsignedInt(in[9], 16);
            byte[] windowIn = windowFromSeed(seed);
            for (int i = 10; i < in.length; i++) {
                if (!applyRun(in[i], windowIn)) {
                    throw new IllegalArgumentException("bad input memory run '" + in[i] + "'");
                }
            }
            String[] out = parts[2].trim().split(" ");
            int eflagsOut = Integer.parseUnsignedInt(out[0], 16);
            int[] regsOut = regsIn.clone();
            byte[] windowOut = windowIn.clone();
            for (int i = 1; i < out.length; i++) {
                String t = out[i];
                int eq = t.indexOf('=');
                if (eq > 0) {
                    Integer r = REG_INDEX.get(t.substring(0, eq));
                    if (r == null) {
                        throw new IllegalArgumentException("bad register '" + t + "'");
                    }
                    regsOut[r] = Integer.parseUnsignedInt(t, eq + 1, t.length(), 16);
                } else if (!applyRun(t, windowOut)) {
                    throw new IllegalArgumentException("bad output token '" + t + "'");
                }
            }
            return new Vector(group, lineNo, head[0], insn, regsIn, eflagsIn, seed, windowIn, eflagsOut, regsOut,
                    windowOut);
        } catch (RuntimeException e) {
            throw new IllegalStateException("corpus parse error at " + group + ".txt.gz:" + lineNo + ": " + e.getMessage()
                    + "\n  " + line, e);
        }
    }

    /** Streams every vector of a group to the consumer; returns how many. */
    static int forEachVector(String group, Consumer<Vector> consumer) {
        String resource = "/oracle/" + group + ".txt.gz";
        InputStream raw = OracleCorpusTest.class.getResourceAsStream(resource);
        if (raw == null) {
            throw new IllegalStateException("missing corpus resource " + resource + " (regenerate with tools/x86-oracle/generate.sh)");
        }
        int n = 0;
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(raw, 1 << 16), StandardCharsets.US_ASCII), 1 << 16)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                consumer.accept(parse(group, lineNo, line));
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    // ------------------------------------------------------------------ replay

    static Set<String> csvProperty(String name) {
        String v = System.getProperty(name, "").trim();
        return v.isEmpty() ? Set.of() : Arrays.stream(v.split(",")).map(String::trim).collect(Collectors.toSet());
    }

    static final boolean IGNORE_UNDEFINED = Boolean.getBoolean("oracle.ignoreUndefined");

    /** The flags compared for this vector. */
    static int flagMask(Vector v) {
        int mask = FLAG_MASK & ~INCONSISTENT_FLAGS.getOrDefault(v.mnemonic(), 0);
        if (IGNORE_UNDEFINED) {
            mask &= ~undefinedFlags(v);
        }
        return mask;
    }

    /** The shift count before masking for shifts, rotates and SHLD/SHRD, else -1. */
    static int shiftCount(Vector v) {
        byte[] insn = v.insn();
        int i = v.opcodeIndex();
        int op = insn[i] & 0xFF;
        if (op == 0x0F) {
            op = 0x100 | (insn[i + 1] & 0xFF);
        }
        return switch (op) {
            case 0xC0, 0xC1, 0x1A4, 0x1AC -> insn[insn.length - 1] & 0xFF;
            case 0xD0, 0xD1 -> 1;
            case 0xD2, 0xD3, 0x1A5, 0x1AD -> v.regsIn()[CpuState.ECX] & 0xFF;
            default -> -1;
        };
    }

    /** The flags the Intel SDM leaves undefined for this vector. */
    static int undefinedFlags(Vector v) {
        String m = v.mnemonic();
        int size = v.size();
        switch (m) {
            case "shl", "sal", "shr", "sar", "rol", "ror", "rcl", "rcr" -> {
                int c = shiftCount(v) & 31;
                if (c == 0) {
                    return 0; // flags unaffected
                }
                int u = c > 1 ? OF : 0;
                if (!m.startsWith("r")) {
                    u |= AF;
                    if (c >= size && !m.equals("sar")) {
                        u |= CF;
                    }
                }
                return u;
            }
            case "shld", "shrd" -> {
                int c = shiftCount(v) & 31;
                if (c == 0) {
                    return 0;
                }
                if (c > size) {
                    return ARITH;
                }
                return AF | (c > 1 ? OF : 0);
            }
            default -> {
                return UNDEFINED_FLAGS.getOrDefault(m, 0);
            }
        }
    }

    /** SHLD/SHRD on 16 bits with a masked count above 16: result and flags undefined per the SDM. */
    static boolean undefinedShldResult(Vector v) {
        return (v.mnemonic().equals("shld") || v.mnemonic().equals("shrd")) && (shiftCount(v) & 31) > v.size();
    }

    /** Registers whose value the SDM leaves undefined for this vector (ignored only with oracle.ignoreUndefined). */
    static int undefinedRegs(Vector v) {
        if (!IGNORE_UNDEFINED) {
            return 0;
        }
        String m = v.mnemonic();
        if ((m.equals("bsf") || m.equals("bsr")) && (v.eflagsOut() & ZF) != 0) {
            return 0xFF; // zero source: destination undefined (AMD: unchanged); compare nothing but flags
        }
        if (undefinedShldResult(v)) {
            return 0xFF;
        }
        return 0;
    }

    /** Runs one vector on a fresh CPU; returns null when it matches the hardware, else what differs. */
    static String replay(Vector v) {
        GuestMemory memory = new GuestMemory(MEMORY_SIZE);
        byte[] code = Arrays.copyOf(v.insn(), v.insn().length + 2);
        code[code.length - 2] = 0x0F; // TERM
        code[code.length - 1] = 0x0C;
        memory.writeBytes(CODE, code, 0, code.length);
        memory.writeBytes(DATA, v.windowIn(), 0, WINDOW);
        int pagesBefore = memory.privatePages();

        Cpu cpu = new Cpu(memory);
        for (int r = 0; r < 8; r++) {
            cpu.setReg(r, v.regsIn()[r]);
        }
        cpu.setEip(CODE);
        cpu.setEflags(v.eflagsIn());

        boolean rep = v.rep();
        ExitReason exit = cpu.run(rep ? REP_BUDGET : 1);
        List<String> diffs = new ArrayList<>();
        ExitReason wantExit = rep ? ExitReason.TERMINATE : ExitReason.BUDGET;
        if (exit != wantExit) {
            String why = "";
            if (exit == ExitReason.FAULT) {
                Fault f = cpu.fault();
                why = " (" + (f == null ? "no fault recorded" : f.describe()) + ")";
            }
            diffs.add("exit " + exit + why + ", expected " + wantExit);
        }
        if (!rep && exit == ExitReason.BUDGET) {
            int wantEip = CODE + v.insn().length;
            if (cpu.eip() != wantEip) {
                diffs.add(String.format("eip %08x, expected %08x (instruction length %d)", cpu.eip(), wantEip, v.insn().length));
            }
        }
        int skipRegs = undefinedRegs(v);
        for (int r = 0; r < 8; r++) {
            int got = cpu.reg(r);
            if ((skipRegs >> r & 1) == 0 && got != v.regsOut()[r]) {
                diffs.add(String.format("%s %08x, expected %08x", CpuState.REG_NAMES[r], got, v.regsOut()[r]));
            }
        }
        int mask = flagMask(v);
        int gotFlags = cpu.eflags();
        int bad = (gotFlags ^ v.eflagsOut()) & mask;
        if (bad != 0) {
            diffs.add(String.format("eflags %08x [%s], expected %08x [%s]; wrong: %s", gotFlags & FLAG_MASK,
                    flagNames(gotFlags), v.eflagsOut() & FLAG_MASK, flagNames(v.eflagsOut()), flagNames(bad)));
        }
        byte[] window = new byte[WINDOW];
        memory.readBytes(DATA, window, 0, WINDOW);
        if (!Arrays.equals(window, v.windowOut())) {
            StringBuilder b = new StringBuilder("data window differs:");
            int shown = 0;
            for (int i = 0; i < WINDOW && shown < 8; i++) {
                if (window[i] != v.windowOut()[i]) {
                    b.append(String.format(" [%08x] %02x expected %02x (was %02x);", DATA + i, window[i] & 0xFF,
                            v.windowOut()[i] & 0xFF, v.windowIn()[i] & 0xFF));
                    shown++;
                }
            }
            diffs.add(b.toString());
        }
        if (memory.privatePages() != pagesBefore) {
            diffs.add("stored outside the code and data pages (" + (memory.privatePages() - pagesBefore) + " more page(s) written)");
        }
        return diffs.isEmpty() ? null : String.join("\n      ", diffs);
    }

    static String flagNames(int flags) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if (FLAG_NAMES[i] != null && (flags >> i & 1) != 0) {
                if (!b.isEmpty()) {
                    b.append(' ');
                }
                b.append(FLAG_NAMES[i]);
            }
        }
        return b.toString();
    }

    /** The full picture of one failing vector, for the person fixing the interpreter. */
    static String describe(Vector v, String problem) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%s %s  [%s]%s%n", v.where(), v.tag(), spacedHex(v.insn()), v.rep() ? "  (REP)" : ""));
        b.append("    in : ");
        for (int r = 0; r < 8; r++) {
            b.append(String.format("%s=%08x ", CpuState.REG_NAMES[r], v.regsIn()[r]));
        }
        b.append(String.format("eflags=%08x [%s]%n", v.eflagsIn() & FLAG_MASK, flagNames(v.eflagsIn())));
        b.append(String.format("         window seed %08x%s%n", v.seed(), runs(windowFromSeed(v.seed()), v.windowIn(), "patched")));
        b.append("    out: ");
        boolean any = false;
        for (int r = 0; r < 8; r++) {
            if (v.regsOut()[r] != v.regsIn()[r]) {
                b.append(String.format("%s=%08x ", CpuState.REG_NAMES[r], v.regsOut()[r]));
                any = true;
            }
        }
        if (!any) {
            b.append("(registers unchanged) ");
        }
        b.append(String.format("eflags=%08x [%s]%s%n", v.eflagsOut() & FLAG_MASK, flagNames(v.eflagsOut()),
                runs(v.windowIn(), v.windowOut(), "stored")));
        b.append("    got: ").append(problem);
        return b.toString();
    }

    private static String runs(byte[] before, byte[] after, String label) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < WINDOW; ) {
            if (before[i] == after[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < WINDOW && before[j] != after[j]) {
                j++;
            }
            b.append(String.format(" [%08x]=%s", DATA + i, HEX.formatHex(after, i, j)));
            i = j;
        }
        return b.isEmpty() ? "" : ", " + label + b;
    }

    private static String spacedHex(byte[] bytes) {
        StringBuilder b = new StringBuilder();
        for (byte x : bytes) {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(String.format("%02x", x & 0xFF));
        }
        return b.toString();
    }

    /** Replays one group; fails listing the first mismatches and a count per tag. */
    static void replayGroup(String group) {
        Set<String> tags = csvProperty("oracle.tags");
        List<String> reports = new ArrayList<>();
        Map<String, Integer> perTag = new TreeMap<>();
        Map<String, Integer> total = new LinkedHashMap<>();
        int[] counts = new int[2]; // run, mismatched
        forEachVector(group, v -> {
            if (!tags.isEmpty() && !tags.contains(v.tag())) {
                return;
            }
            counts[0]++;
            total.merge(v.tag(), 1, Integer::sum);
            String problem;
            try {
                problem = replay(v);
            } catch (RuntimeException | StackOverflowError e) {
                StackTraceElement[] st = e.getStackTrace();
                problem = "threw " + e + (st.length > 0 ? " at " + st[0] : "");
            }
            if (problem != null) {
                counts[1]++;
                perTag.merge(v.tag(), 1, Integer::sum);
                if (reports.size() < MAX_REPORTED) {
                    reports.add(describe(v, problem));
                }
            }
        });
        if (counts[1] > 0) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%s: %d of %d vectors differ from the hardware%s%n", group, counts[1], counts[0],
                    IGNORE_UNDEFINED ? " (ignoring SDM-undefined flags and results)" : ""));
            b.append("  mismatches per tag: ");
            b.append(perTag.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue() + "/" + total.get(e.getKey()))
                    .collect(Collectors.joining(", ")));
            b.append(String.format("%n  first %d:%n", reports.size()));
            for (String r : reports) {
                b.append("  ").append(r).append(System.lineSeparator());
            }
            fail(b.toString());
        }
    }

    @TestFactory
    Stream<DynamicTest> replayCorpus() {
        Set<String> only = csvProperty("oracle.groups");
        return GROUPS.stream()
                .filter(g -> only.isEmpty() || only.contains(g))
                .map(g -> DynamicTest.dynamicTest(g, () -> replayGroup(g)));
    }

    // ------------------------------------------------------------------ corpus sanity

    /** Every group file exists, parses, and holds enough vectors that an empty corpus cannot pass. */
    @Test
    void corpusIsPresentAndComplete() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String g : GROUPS) {
            int n = forEachVector(g, v -> {
                assertTrue(v.regsIn()[CpuState.ESP] >= DATA && v.regsIn()[CpuState.ESP] < DATA + WINDOW,
                        () -> v.where() + ": input ESP outside the data window");
            });
            counts.put(g, n);
            assertTrue(n >= MIN_VECTORS_PER_GROUP, g + ".txt.gz holds only " + n + " vectors");
        }
        int sum = counts.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(sum >= 100_000, "corpus holds only " + sum + " vectors: " + counts);
    }

    /** The window generator agrees with the C generator (xorshift32, seed 1, first word 0x00042021). */
    @Test
    void windowPrngMatchesGenerator() {
        byte[] w = windowFromSeed(1);
        int first = (w[0] & 0xFF) | (w[1] & 0xFF) << 8 | (w[2] & 0xFF) << 16 | (w[3] & 0xFF) << 24;
        assertEquals(0x00042021, first);
        assertEquals(WINDOW, windowFromSeed(0).length);
        for (byte b : windowFromSeed(0)) {
            assertEquals(0, b);
        }
    }
}
