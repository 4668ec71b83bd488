package denali.isa.loader;

import static denali.isa.loader.ElfBuilder.R;
import static denali.isa.loader.ElfBuilder.W;
import static denali.isa.loader.ElfBuilder.X;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.memory.GuestMemory;

class ElfImageTest {
    private static final int MEM = 1 << 20;

    @Test
    void validImageHasTheRightEntryRangeAndSegments() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().build(), MEM);
        assertEquals(0x1000, img.entry());
        assertEquals(0x1000, img.lowestAddress());
        assertEquals(0x6000, img.highestAddress());
        List<Segment> s = img.segments();
        assertEquals(2, s.size());
        assertEquals(0x1000, s.get(0).address());
        assertTrue(s.get(0).isExecutable());
        assertEquals("r-x", s.get(0).flagString());
        assertEquals(0x3000, s.get(1).address());
        assertEquals(16, s.get(1).fileSize());
        assertEquals(0x3000, s.get(1).memSize());
        assertTrue(s.get(1).isWritable());
        // one page of code, one page of data; the two pure-bss pages are not kept
        assertEquals(2, img.pageCount());
    }

    @Test
    void mapIntoPutsTheBytesAtTheirAddressesAndZeroesBss() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().build(), MEM);
        GuestMemory mem = new GuestMemory(MEM);
        img.mapInto(mem);
        byte[] code = ElfBuilder.code();
        for (int i = 0; i < code.length; i++) {
            assertEquals(code[i] & 0xFF, mem.read8(0x1000 + i));
        }
        assertEquals(0, mem.read8(0x1000 + code.length));
        for (int i = 0; i < 16; i++) {
            assertEquals(0x40 + i, mem.read8(0x3000 + i));
        }
        for (int a = 0x3010; a < 0x6000; a += 97) {
            assertEquals(0, mem.read8(a), "bss at " + Integer.toHexString(a));
        }
        assertEquals(2, mem.sharedPages());
        assertEquals(1, mem.privatePages());
    }

    @Test
    void copyIntoGivesPrivatePagesWithTheSameBytes() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().build(), MEM);
        GuestMemory shared = new GuestMemory(MEM), copied = new GuestMemory(MEM);
        img.mapInto(shared);
        img.copyInto(copied);
        assertEquals(0, copied.sharedPages());
        assertEquals(3, copied.privatePages());
        for (int a = 0; a < 0x7000; a++) {
            assertEquals(shared.read8(a), copied.read8(a));
        }
    }

    @Test
    void oneImageServesManyVmsWithoutLeakingWrites() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().build(), MEM);
        GuestMemory a = new GuestMemory(MEM), b = new GuestMemory(MEM);
        img.mapInto(a);
        img.mapInto(b);
        a.write8(0x3000, 0x99);
        assertEquals(0x99, a.read8(0x3000));
        assertEquals(0x40, b.read8(0x3000));
        GuestMemory c = new GuestMemory(MEM);
        img.mapInto(c);
        assertEquals(0x40, c.read8(0x3000));
    }

    @Test
    void segmentsMayShareAPageWhenTheirBytesDoNot() throws LoadException {
        byte[] data = ElfBuilder.counting(8, 0x70);
        byte[] file = new ElfBuilder()
                .load(0x1000, ElfBuilder.code(), 0x100, R | X)
                .load(0x1100, data, 0x20, R | W)
                .build();
        ElfImage img = ElfImage.parse(file, MEM);
        assertEquals(1, img.pageCount());
        GuestMemory mem = new GuestMemory(MEM);
        img.mapInto(mem);
        assertEquals(0xbb, mem.read8(0x1000));
        assertEquals(0x70, mem.read8(0x1100));
        assertEquals(0x77, mem.read8(0x1107));
        assertEquals(0x1120, img.highestAddress());
    }

    @Test
    void segmentsNeedNotBeSortedOrPageAligned() throws LoadException {
        byte[] file = new ElfBuilder()
                .load(0x5123, ElfBuilder.counting(0x2000, 1), 0x2000, R | W) // crosses three pages
                .load(0x2ffe, ElfBuilder.code(), 9, R | X) // crosses a page boundary
                .entry(0x3001)
                .build();
        ElfImage img = ElfImage.parse(file, MEM);
        assertEquals(0x2ffe, img.lowestAddress());
        assertEquals(0x7123, img.highestAddress());
        GuestMemory mem = new GuestMemory(MEM);
        img.mapInto(mem);
        assertArrayEquals(ElfBuilder.code(), img.read(0x2ffe, 9));
        for (int i = 0; i < 0x2000; i++) {
            assertEquals((1 + i) & 0xFF, mem.read8(0x5123 + i));
        }
        assertEquals(0, mem.read8(0x5122));
    }

    @Test
    void otherSegmentTypesAreIgnored() throws LoadException {
        byte[] file = ElfBuilder.standard()
                .segment(ElfBuilder.PT_NOTE, 0x1000, new byte[4], 4, R)
                .segment(ElfBuilder.PT_GNU_STACK, 0, new byte[0], 0, R | W)
                .segment(ElfBuilder.PT_PHDR, 0, new byte[0], 0, R)
                .segment(0, 0, new byte[0], 0, 0) // PT_NULL
                .load(0x9000, new byte[0], 0, R) // an empty PT_LOAD contributes nothing
                .build();
        ElfImage img = ElfImage.parse(file, MEM);
        assertEquals(2, img.segments().size());
        assertEquals(0x6000, img.highestAddress());
    }

    @Test
    void aSegmentMayEndExactlyAtTheEndOfMemory() throws LoadException {
        byte[] file = ElfBuilder.standard().load(0x10000, new byte[1], 0xF0000, R | W).build();
        assertEquals(MEM, ElfImage.parse(file, MEM).highestAddress());
    }

    @Test
    void entryMayBeAnywhereInTheFileBytesOfACodeSegment() throws LoadException {
        assertEquals(0x1008, ElfImage.parse(ElfBuilder.standard().entry(0x1008).build(), MEM).entry());
    }

    @Test
    void readGivesZerosWhereTheImagePutsNothing() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().build(), MEM);
        byte[] b = img.read(0x2ff8, 0x18);
        for (int i = 0; i < 8; i++) {
            assertEquals(0, b[i]);
        }
        assertEquals(0x40, b[8]);
        assertEquals(0, img.read(0xFFFFFFF0, 16)[0]);
        assertThrows(IllegalArgumentException.class, () -> img.read(0xFFFFFFF0, 17));
    }

    @Test
    void loadingIntoTooSmallAMemoryIsACallerMistake() throws LoadException {
        ElfImage img = ElfImage.parse(ElfBuilder.standard().load(0x20000, new byte[1], 1, R).build(), MEM);
        assertThrows(IllegalArgumentException.class, () -> img.mapInto(new GuestMemory(0x10000)));
        assertThrows(IllegalArgumentException.class, () -> img.copyInto(new GuestMemory(0x10000)));
        assertThrows(IllegalArgumentException.class, () -> ElfImage.parse(new byte[0], 12345));
    }

    @Test
    void symbolsAreReadSortedByAddress() throws LoadException {
        byte[] file = ElfBuilder.standard()
                .symbol("main", 0x1005, 4, 2)
                .symbol("_start", 0x1000, 5, 2)
                .symbol("counter", 0x3000, 4, 1)
                .symbol("file.c", 0, 0, 4) // STT_FILE: skipped
                .build();
        List<ElfSymbol> syms = ElfImage.parse(file, MEM).symbols();
        assertEquals(List.of(
                new ElfSymbol("_start", 0x1000, 5, ElfSymbol.Kind.FUNCTION),
                new ElfSymbol("main", 0x1005, 4, ElfSymbol.Kind.FUNCTION),
                new ElfSymbol("counter", 0x3000, 4, ElfSymbol.Kind.OBJECT)), syms);
    }

    @Test
    void aDamagedSymbolTableMeansNoSymbolsNotARefusal() throws LoadException {
        byte[] file = ElfBuilder.standard().symbol("main", 0x1000, 4, 2).build();
        int sh = ElfBuilder.symtabSectionHeader(file);
        ElfBuilder.put32(file, sh + 20, 0x7FFFFFF0); // sh_size far beyond the file
        assertEquals(List.of(), ElfImage.parse(file, MEM).symbols());
        ElfBuilder.put32(file, 32, 0xFFFFFFF0); // e_shoff beyond the file
        assertEquals(List.of(), ElfImage.parse(file, MEM).symbols());
    }

    /** A real image from the system's gcc, when it can build one: proves the builder's layout is not the only one we accept. */
    @Test
    void acceptsAStaticImageBuiltByGcc(@TempDir Path dir) throws IOException, InterruptedException, LoadException {
        Path src = dir.resolve("t.c"), elf = dir.resolve("t.elf");
        Files.writeString(src, "int data = 7; static char bss[20000];\n"
                + "void _start(void) { bss[5] = (char) data; for (;;) { } }\n");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-m32", "-march=i386", "-ffreestanding", "-nostdlib", "-static", "-fno-pie", "-no-pie",
                    "-O2", "-Wl,-Ttext-segment=0x1000", "-Wl,--build-id=none", "-o", elf.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no gcc: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, () -> "gcc -m32 cannot build here: " + out);
        ElfImage img = ElfImage.parse(Files.readAllBytes(elf), MEM);
        assertTrue(img.segments().stream().anyMatch(s -> s.isExecutable() && s.contains(img.entry())));
        assertTrue(img.symbols().stream().anyMatch(s -> s.name().equals("_start") && s.address() == img.entry()));
        GuestMemory mem = new GuestMemory(MEM);
        img.mapInto(mem);
        int data = img.symbols().stream().filter(s -> s.name().equals("data")).findFirst().orElseThrow().address();
        assertEquals(7, mem.read32(data));
    }
}
