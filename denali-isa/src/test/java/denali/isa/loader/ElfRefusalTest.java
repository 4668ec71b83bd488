package denali.isa.loader;

import static denali.isa.loader.ElfBuilder.R;
import static denali.isa.loader.ElfBuilder.W;
import static denali.isa.loader.ElfBuilder.X;
import static denali.isa.loader.ElfBuilder.ph;
import static denali.isa.loader.ElfBuilder.put16;
import static denali.isa.loader.ElfBuilder.put32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a file can be wrong, each refused with its own message. */
class ElfRefusalTest {
    private static final int MEM = 1 << 20;
    // program header field offsets
    private static final int P_TYPE = 0, P_OFFSET = 4, P_VADDR = 8, P_FILESZ = 16, P_MEMSZ = 20, P_FLAGS = 24;

    private static String refusal(byte[] file) {
        return assertThrows(LoadException.class, () -> ElfImage.parse(file, MEM)).getMessage();
    }

    private static byte[] standardWith(Consumer<byte[]> patch) {
        byte[] f = ElfBuilder.standard().build();
        patch.accept(f);
        return f;
    }

    static Stream<Arguments> hostileFiles() {
        return Stream.of(
                Arguments.of("empty file", new byte[0], "empty file: not an ELF executable"),
                Arguments.of("text", "hello, world\n".getBytes(), "not an ELF file (it does not start with 0x7f 'E' 'L' 'F')"),
                Arguments.of("class 64", standardWith(f -> f[4] = 2), "ELF class 64 is not supported: need 32-bit i386"),
                Arguments.of("class 0", standardWith(f -> f[4] = 0), "invalid ELF class 0: need 1 (32-bit)"),
                Arguments.of("big-endian", standardWith(f -> f[5] = 2), "big-endian ELF is not supported: need little-endian i386"),
                Arguments.of("data 7", standardWith(f -> f[5] = 7), "invalid ELF data encoding 7: need 1 (little-endian)"),
                Arguments.of("ident version", standardWith(f -> f[6] = 0), "unsupported ELF ident version 0: need 1"),
                Arguments.of("x86-64", standardWith(f -> put16(f, 18, 62)), "ELF machine 62 (x86-64) is not supported: need i386 (EM_386 = 3)"),
                Arguments.of("ARM", standardWith(f -> put16(f, 18, 40)), "ELF machine 40 is not supported: need i386 (EM_386 = 3)"),
                Arguments.of("ET_DYN", standardWith(f -> put16(f, 16, 3)),
                        "ELF type DYN (shared object or position-independent executable) is not supported: need a static executable (link with -static -no-pie)"),
                Arguments.of("ET_REL", standardWith(f -> put16(f, 16, 1)), "ELF type REL (relocatable object file) is not supported: need a linked executable"),
                Arguments.of("ET_CORE", standardWith(f -> put16(f, 16, 4)), "ELF type CORE (core dump) is not supported: need an executable"),
                Arguments.of("type 0x1234", standardWith(f -> put16(f, 16, 0x1234)), "ELF type 4660 is not supported: need EXEC (2)"),
                Arguments.of("e_version", standardWith(f -> put32(f, 20, 2)), "unsupported ELF version 2: need 1"),
                Arguments.of("e_ehsize", standardWith(f -> put16(f, 40, 64)), "ELF header size (e_ehsize) is 64: need 52"),
                Arguments.of("phnum 0", standardWith(f -> put16(f, 44, 0)), "no program headers: not a loadable executable"),
                Arguments.of("phnum 65535", standardWith(f -> put16(f, 44, 65535)), "too many program headers (65535): at most 64 are accepted"),
                Arguments.of("phentsize", standardWith(f -> put16(f, 42, 56)), "program header size (e_phentsize) is 56: need 32"),
                Arguments.of("phoff beyond file", standardWith(f -> put32(f, 28, 0x10000)), "program header table [0x10000, 0x10040) lies beyond the end of the"),
                Arguments.of("phoff overflow", standardWith(f -> put32(f, 28, 0xFFFFFFF0)), "program header table [0xfffffff0, 0x100000030) lies beyond the end of the"),
                Arguments.of("phnum 64 past the end", standardWith(f -> put16(f, 44, 64)), "program header table [0x34, 0x834) lies beyond the end of the"),
                Arguments.of("PT_DYNAMIC", standardWith(f -> put32(f, ph(1, P_TYPE), 2)),
                        "segment 1 is PT_DYNAMIC: dynamically linked executables are not supported (link with -static)"),
                Arguments.of("PT_INTERP", standardWith(f -> put32(f, ph(0, P_TYPE), 3)),
                        "segment 0 is PT_INTERP (asks for a dynamic linker): only static executables are supported"),
                Arguments.of("filesz > memsz", standardWith(f -> put32(f, ph(1, P_MEMSZ), 8)), "segment 1: file size 0x10 is larger than its memory size 0x8"),
                Arguments.of("huge filesz", standardWith(f -> {
                    put32(f, ph(1, P_FILESZ), 0x7FFFFFFF);
                    put32(f, ph(1, P_MEMSZ), 0xFFFFFFFF);
                }), "segment 1: file bytes [0x"),
                Arguments.of("offset beyond file", standardWith(f -> put32(f, ph(0, P_OFFSET), 0x100000)), "segment 0: file bytes [0x100000, 0x100009) lie beyond the end of the"),
                Arguments.of("offset overflow", standardWith(f -> put32(f, ph(0, P_OFFSET), 0xFFFFFFFC)), "segment 0: file bytes [0xfffffffc, 0x100000005) lie beyond the end"),
                Arguments.of("huge memsz", standardWith(f -> put32(f, ph(1, P_MEMSZ), 0x40000000)),
                        "segment 1 [0x00003000, 0x40003000) extends beyond the VM's 1 MiB memory"),
                Arguments.of("memsz wraps", standardWith(f -> put32(f, ph(1, P_MEMSZ), 0xFFFFF000)),
                        "segment 1 [0x00003000, +0xfffff000) wraps past the end of the 32-bit address space"),
                Arguments.of("vaddr wraps", standardWith(f -> put32(f, ph(1, P_VADDR), 0xFFFFF000)),
                        "segment 1 [0xfffff000, +0x3000) wraps past the end of the 32-bit address space"),
                Arguments.of("segment at 0", standardWith(f -> put32(f, ph(1, P_VADDR), 0)),
                        "segment 1 [0x00000000, 0x00003000) starts below 0x00001000: page 0 holds the virtual registers"),
                Arguments.of("segment at 0xfff", standardWith(f -> put32(f, ph(1, P_VADDR), 0xFFF)),
                        "segment 1 [0x00000fff, 0x00003fff) starts below 0x00001000: page 0 holds the virtual registers"),
                Arguments.of("segment beyond memory", standardWith(f -> put32(f, ph(1, P_VADDR), 0x100000)),
                        "segment 1 [0x00100000, 0x00103000) extends beyond the VM's 1 MiB memory"),
                Arguments.of("segment one byte past memory", standardWith(f -> put32(f, ph(1, P_VADDR), 0xFD001)),
                        "segment 1 [0x000fd001, 0x00100001) extends beyond the VM's 1 MiB memory"),
                Arguments.of("overlap", standardWith(f -> put32(f, ph(1, P_VADDR), 0x1008)),
                        "segments 0 [0x00001000, 0x00001009) and 1 [0x00001008, 0x00004008) overlap"),
                Arguments.of("overlap, reversed order", standardWith(f -> put32(f, ph(0, P_VADDR), 0x5000)),
                        "segments 0 [0x00005000, 0x00005009) and 1 [0x00003000, 0x00006000) overlap"),
                Arguments.of("same address", standardWith(f -> put32(f, ph(1, P_VADDR), 0x1000)),
                        "segments 0 [0x00001000, 0x00001009) and 1 [0x00001000, 0x00004000) overlap"),
                Arguments.of("only empty PT_LOADs", standardWith(f -> {
                    for (int i = 0; i < 2; i++) {
                        put32(f, ph(i, P_FILESZ), 0);
                        put32(f, ph(i, P_MEMSZ), 0);
                    }
                }), "no loadable (PT_LOAD) segment with any bytes in it: nothing to run"),
                Arguments.of("no PT_LOAD", standardWith(f -> {
                    put32(f, ph(0, P_TYPE), 4);
                    put32(f, ph(1, P_TYPE), 0x6474e551);
                }), "no loadable (PT_LOAD) segment with any bytes in it: nothing to run"),
                Arguments.of("entry 0", standardWith(f -> put32(f, 24, 0)),
                        "entry point 0x00000000 is not in the file bytes of any executable (PF_X) segment"),
                Arguments.of("entry in data", standardWith(f -> put32(f, 24, 0x3000)),
                        "entry point 0x00003000 is not in the file bytes of any executable (PF_X) segment"),
                Arguments.of("entry just past code", standardWith(f -> put32(f, 24, 0x1009)),
                        "entry point 0x00001009 is not in the file bytes of any executable (PF_X) segment"),
                Arguments.of("entry 0xffffffff", standardWith(f -> put32(f, 24, 0xFFFFFFFF)),
                        "entry point 0xffffffff is not in the file bytes of any executable (PF_X) segment"),
                Arguments.of("code not executable", standardWith(f -> put32(f, ph(0, P_FLAGS), R)),
                        "entry point 0x00001000 is not in the file bytes of any executable (PF_X) segment"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void refused(String what, byte[] file, String expected) {
        String msg = refusal(file);
        assertTrue(msg.startsWith(expected), () -> "expected \"" + expected + "\"...\n but got \"" + msg + "\"");
        assertTrue(!msg.contains("\n"), "one line");
    }

    @Test
    void entryInTheBssOfACodeSegmentIsRefused() {
        byte[] file = new ElfBuilder().load(0x1000, ElfBuilder.code(), 0x100, R | W | X).entry(0x1080).build();
        assertEquals("entry point 0x00001080 is not in the file bytes of any executable (PF_X) segment", refusal(file));
    }

    @Test
    void theMemorySizeDecidesWhatFits() throws LoadException {
        byte[] file = ElfBuilder.standard().load(0x20000, new byte[4], 0x1000, R | W).build();
        ElfImage.parse(file, 0x21000);
        assertEquals("segment 2 [0x00020000, 0x00021000) extends beyond the VM's 64 KiB memory",
                assertThrows(LoadException.class, () -> ElfImage.parse(file, 0x10000)).getMessage());
    }

    /** Cutting a valid file anywhere before its end must be refused, with the message for the part that is missing. */
    @Test
    void truncatedAtEveryLength() {
        byte[] full = ElfBuilder.standard().build();
        int phEnd = 52 + 2 * 32;
        int seg0End = 128 + ElfBuilder.code().length; // the builder puts segment 0's bytes at the next 16-byte boundary
        for (int len = 0; len < full.length; len++) {
            String msg = refusal(Arrays.copyOf(full, len));
            String expected;
            if (len == 0) {
                expected = "empty file";
            } else if (len < 4) {
                expected = "not an ELF file";
            } else if (len < 52) {
                expected = "truncated ELF file: " + len + " bytes, but the ELF header alone is 52";
            } else if (len < phEnd) {
                expected = "program header table [0x34, 0x74) lies beyond the end of the " + len + "-byte file";
            } else if (len < seg0End) {
                expected = "segment 0: file bytes [0x80, 0x89) lie beyond the end of the " + len + "-byte file";
            } else {
                expected = "segment 1: file bytes [0x90, 0xa0) lie beyond the end of the " + len + "-byte file";
            }
            if (!msg.startsWith(expected)) {
                fail("length " + len + ": expected \"" + expected + "\" but got \"" + msg + "\"");
            }
        }
    }

    @Test
    void randomGarbageIsNotAnElfFile() {
        Random rnd = new Random(42);
        for (int i = 0; i < 1000; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            if (junk.length >= 4 && junk[0] == 0x7f && junk[1] == 'E' && junk[2] == 'L' && junk[3] == 'F') {
                continue;
            }
            assertTrue(refusal(junk).startsWith("not an ELF file"));
        }
        // garbage behind a valid magic
        for (int i = 0; i < 1000; i++) {
            byte[] junk = new byte[4 + rnd.nextInt(300)];
            rnd.nextBytes(junk);
            junk[0] = 0x7f;
            junk[1] = 'E';
            junk[2] = 'L';
            junk[3] = 'F';
            refusal(junk);
        }
    }
}
