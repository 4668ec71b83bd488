package denali.isa.loader;

import static denali.isa.loader.Elf32.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads function, object and label symbols from an image's {@code .symtab}
 * for the disassembler and traces. Tolerant by design: running an image never
 * needs its symbols, so a missing, truncated or inconsistent section or symbol
 * table yields fewer (or no) symbols, never a refusal or an exception. Every
 * offset is checked against the file length before it is used.
 */
final class ElfSymbolTable {
    /** Bounds work on hostile files; a real table for a guest image is far smaller. */
    static final int MAX_SECTIONS = 4096;
    static final int MAX_SYMBOLS = 1 << 18;
    static final int MAX_NAME_BYTES = 1024;

    private ElfSymbolTable() {
    }

    /** The symbols of a file whose ELF header has already been validated. */
    static List<ElfSymbol> read(byte[] f) {
        long shoff = u32(f, E_SHOFF);
        int shnum = u16(f, E_SHNUM);
        if (shoff == 0 || shnum == 0 || shnum > MAX_SECTIONS || u16(f, E_SHENTSIZE) != SHDR_SIZE
                || shoff + (long) shnum * SHDR_SIZE > f.length) {
            return List.of();
        }
        List<ElfSymbol> out = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int sh = (int) shoff + i * SHDR_SIZE;
            if (u32(f, sh + SH_TYPE) == SHT_SYMTAB) {
                readSymtab(f, sh, (int) shoff, shnum, out);
            }
        }
        out.sort(Comparator.comparingLong((ElfSymbol s) -> Integer.toUnsignedLong(s.address())).thenComparing(ElfSymbol::name));
        return out;
    }

    private static void readSymtab(byte[] f, int sh, int shoff, int shnum, List<ElfSymbol> out) {
        long off = u32(f, sh + SH_OFFSET), size = u32(f, sh + SH_SIZE), link = u32(f, sh + SH_LINK);
        if (u32(f, sh + SH_ENTSIZE) != SYM_SIZE || off + size > f.length || link >= shnum) {
            return;
        }
        int str = shoff + (int) link * SHDR_SIZE;
        long strOff = u32(f, str + SH_OFFSET), strSize = u32(f, str + SH_SIZE);
        if (u32(f, str + SH_TYPE) != SHT_STRTAB || strOff + strSize > f.length) {
            return;
        }
        long count = Math.min(size / SYM_SIZE, MAX_SYMBOLS);
        for (int k = 1; k < count && out.size() < MAX_SYMBOLS; k++) { // entry 0 is the null symbol
            int sym = (int) off + k * SYM_SIZE;
            int type = u8(f, sym + ST_INFO) & 0xF;
            ElfSymbol.Kind kind = switch (type) {
                case STT_FUNC -> ElfSymbol.Kind.FUNCTION;
                case STT_OBJECT -> ElfSymbol.Kind.OBJECT;
                case STT_NOTYPE -> ElfSymbol.Kind.NOTYPE;
                default -> null; // sections, files, TLS...
            };
            if (kind == null || u16(f, sym + ST_SHNDX) == SHN_UNDEF) {
                continue;
            }
            String name = name(f, (int) strOff, (int) strSize, u32(f, sym + ST_NAME));
            if (name != null) {
                out.add(new ElfSymbol(name, (int) u32(f, sym + ST_VALUE), (int) u32(f, sym + ST_SIZE), kind));
            }
        }
    }

    /** The NUL-terminated name at {@code index} in the string table, or null if empty, unterminated or too long. */
    private static String name(byte[] f, int strOff, int strSize, long index) {
        if (index == 0 || index >= strSize) {
            return null;
        }
        int start = strOff + (int) index;
        int limit = strOff + strSize;
        for (int p = start; p < limit && p - start <= MAX_NAME_BYTES; p++) {
            if (f[p] == 0) {
                return p == start ? null : new String(f, start, p - start, StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
