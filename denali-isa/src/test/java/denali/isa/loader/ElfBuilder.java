package denali.isa.loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small ELF32 i386 executables in memory for the loader tests. The
 * layout is fixed so tests can patch fields by offset afterwards:
 * <pre>
 *   0                ELF header (52 bytes)
 *   52               program headers, 32 bytes each, in the order added
 *   after them       each segment's file bytes, 16-byte aligned, in the order added
 *   then             optional .symtab, .strtab, and the section header table
 * </pre>
 */
final class ElfBuilder {
    static final int PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551;
    static final int R = 4, W = 2, X = 1;

    record Ph(int type, int vaddr, byte[] bytes, int memsz, int flags) {
    }

    record Sym(String name, int value, int size, int type) {
    }

    private final List<Ph> phs = new ArrayList<>();
    private final List<Sym> syms = new ArrayList<>();
    private int entry = 0x1000;

    /** The usual shape: code at 0x1000 (entry), data at 0x3000 with 0x2ff0 bytes of bss after 16 data bytes. */
    static ElfBuilder standard() {
        return new ElfBuilder()
                .load(0x1000, code(), code().length, R | X)
                .load(0x3000, counting(16, 0x40), 0x3000, R | W)
                .entry(0x1000);
    }

    /** A few bytes of i386 code: mov $1,%ebx; hlt-free loop; not executed by these tests. */
    static byte[] code() {
        return new byte[] {(byte) 0xbb, 1, 0, 0, 0, (byte) 0xeb, (byte) 0xfe, (byte) 0x90, (byte) 0xc3};
    }

    static byte[] counting(int n, int from) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    ElfBuilder load(int vaddr, byte[] bytes, int memsz, int flags) {
        return segment(PT_LOAD, vaddr, bytes, memsz, flags);
    }

    ElfBuilder segment(int type, int vaddr, byte[] bytes, int memsz, int flags) {
        phs.add(new Ph(type, vaddr, bytes, memsz, flags));
        return this;
    }

    ElfBuilder entry(int entry) {
        this.entry = entry;
        return this;
    }

    ElfBuilder symbol(String name, int value, int size, int type) {
        syms.add(new Sym(name, value, size, type));
        return this;
    }

    /** File offset of program header {@code i}'s field at {@code field}. */
    static int ph(int i, int field) {
        return 52 + 32 * i + field;
    }

    byte[] build() {
        int off = 52 + 32 * phs.size();
        int[] offsets = new int[phs.size()];
        for (int i = 0; i < phs.size(); i++) {
            off = align(off, 16);
            offsets[i] = off;
            off += phs.get(i).bytes().length;
        }
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        ByteBuffer symtab = le(16 * (syms.size() + 1));
        symtab.position(16);
        for (Sym s : syms) {
            symtab.putInt(strtab.size()).putInt(s.value()).putInt(s.size()).put((byte) (0x10 | s.type())).put((byte) 0).putShort((short) 1);
            strtab.writeBytes(s.name().getBytes(StandardCharsets.UTF_8));
            strtab.write(0);
        }
        int symOff = align(off, 4);
        int strOff = symOff + symtab.capacity();
        int shOff = align(strOff + strtab.size(), 4);
        boolean withSyms = !syms.isEmpty();
        int total = withSyms ? shOff + 3 * 40 : off;

        ByteBuffer b = le(total);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0});
        b.position(16);
        b.putShort((short) 2).putShort((short) 3).putInt(1).putInt(entry).putInt(52).putInt(withSyms ? shOff : 0).putInt(0)
                .putShort((short) 52).putShort((short) 32).putShort((short) phs.size())
                .putShort((short) 40).putShort((short) (withSyms ? 3 : 0)).putShort((short) 0);
        for (int i = 0; i < phs.size(); i++) {
            Ph p = phs.get(i);
            b.position(ph(i, 0));
            b.putInt(p.type()).putInt(offsets[i]).putInt(p.vaddr()).putInt(p.vaddr())
                    .putInt(p.bytes().length).putInt(p.memsz()).putInt(p.flags()).putInt(0x1000);
            b.position(offsets[i]);
            b.put(p.bytes());
        }
        if (withSyms) {
            b.position(symOff);
            b.put(symtab.array());
            b.put(strtab.toByteArray());
            b.position(shOff + 40); // section 0 is the null section
            b.putInt(0).putInt(2).putInt(0).putInt(0).putInt(symOff).putInt(symtab.capacity()).putInt(2).putInt(1).putInt(4).putInt(16);
            b.putInt(0).putInt(3).putInt(0).putInt(0).putInt(strOff).putInt(strtab.size()).putInt(0).putInt(0).putInt(1).putInt(0);
        }
        return b.array();
    }

    static int symtabSectionHeader(byte[] file) {
        int shoff = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getInt(32);
        return shoff + 40;
    }

    static void put16(byte[] f, int off, int v) {
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putShort(off, (short) v);
    }

    static void put32(byte[] f, int off, int v) {
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putInt(off, v);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int align(int v, int a) {
        return (v + a - 1) & -a;
    }
}
