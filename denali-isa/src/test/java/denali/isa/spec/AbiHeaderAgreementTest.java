package denali.isa.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The C header and the Java class that describe the Denali ABI hold the same constants. */
class AbiHeaderAgreementTest {
    private static final Path HEADER = Path.of("..", "ilwaco-guestos", "include", "denali", "abi.h");
    private static final Pattern DEFINE = Pattern.compile("^#define\\s+DENALI_(\\w+)\\s+(0x[0-9A-Fa-f]+|\\d+)\\b");

    private static Map<String, Long> headerConstants() throws IOException {
        Map<String, Long> constants = new TreeMap<>();
        for (String line : Files.readAllLines(HEADER)) {
            Matcher m = DEFINE.matcher(line);
            if (m.find()) {
                String v = m.group(2);
                long value = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
                constants.put(m.group(1), value);
            }
        }
        return constants;
    }

    private static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> constants = new TreeMap<>();
        for (Field f : DenaliAbi.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class) {
                constants.put(f.getName(), Integer.toUnsignedLong(f.getInt(null)));
            }
        }
        return constants;
    }

    @Test
    void everyHeaderConstantHasTheSameValueInJava() throws Exception {
        Map<String, Long> header = headerConstants();
        Map<String, Long> java = javaConstants();
        assertTrue(header.size() >= 50, "the header parser found only " + header.size() + " constants");
        for (Map.Entry<String, Long> e : header.entrySet()) {
            assertTrue(java.containsKey(e.getKey()), "DENALI_" + e.getKey() + " is missing from DenaliAbi");
            assertEquals(e.getValue(), java.get(e.getKey()), "DENALI_" + e.getKey() + " differs between abi.h and DenaliAbi");
        }
    }

    @Test
    void everyJavaConstantIsInTheHeader() throws Exception {
        Map<String, Long> header = headerConstants();
        for (String name : javaConstants().keySet()) {
            assertTrue(header.containsKey(name), "DenaliAbi." + name + " is missing from abi.h");
        }
    }

    @Test
    void virtualRegistersFitTheirPageAndDoNotOverlap() throws Exception {
        int[][] fields = {
            {DenaliAbi.VREG_MAGIC, 4}, {DenaliAbi.VREG_ABI_VERSION, 4}, {DenaliAbi.VREG_MEM_SIZE, 4},
            {DenaliAbi.VREG_INSN_RATE, 4}, {DenaliAbi.VREG_TIME_NS, 8}, {DenaliAbi.VREG_INSN_COUNT, 8},
            {DenaliAbi.VREG_INT_ENABLE, 4}, {DenaliAbi.VREG_INT_PENDING, 4}, {DenaliAbi.VREG_INT_HANDLER, 4},
            {DenaliAbi.VREG_GUEST_SCRATCH, 4}, {DenaliAbi.VREG_MAC, 8}, {DenaliAbi.VREG_IPV4, 4},
            {DenaliAbi.VREG_NETMASK, 4}, {DenaliAbi.VREG_GATEWAY, 4}, {DenaliAbi.VREG_DEVICE_STATUS, 4},
            {DenaliAbi.VREG_NIC_RX_FRAMES, 4}, {DenaliAbi.VREG_DISK_BLOCKS, 4}, {DenaliAbi.VREG_CONSOLE_DROPPED, 4},
            {DenaliAbi.VREG_DISK_DONE, 4},
        };
        boolean[] used = new boolean[DenaliAbi.VREGS_SIZE];
        for (int[] f : fields) {
            assertEquals(0, f[0] % Math.min(f[1], 4), "field at " + f[0] + " is not aligned");
            for (int b = f[0]; b < f[0] + f[1]; b++) {
                assertTrue(b < DenaliAbi.VREGS_SIZE, "field at " + f[0] + " runs past VREGS_SIZE");
                assertTrue(!used[b], "fields overlap at byte " + b);
                used[b] = true;
            }
        }
        assertTrue(DenaliAbi.VREGS_SIZE <= DenaliAbi.PAGE_SIZE);
    }
}
