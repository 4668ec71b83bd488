package denali.isa.loader;

import static denali.isa.loader.Elf32.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import denali.isa.memory.GuestMemory;
import denali.isa.memory.SharedPage;
import denali.isa.spec.DenaliAbi;

/**
 * A validated, statically linked ELF32 i386 executable, laid out as the 4 KiB
 * pages it puts into guest memory. Parse once; load into as many VMs as you
 * like: {@link #mapInto} shares the pages (copy on write), {@link #copyInto}
 * gives the VM private copies.
 *
 * <h2>What is accepted</h2>
 * ELF32, little-endian, ident version 1, {@code EM_386}, {@code ET_EXEC},
 * {@code e_version} 1, {@code e_ehsize} 52, {@code e_phentsize} 32, between 1
 * and {@value #MAX_PROGRAM_HEADERS} program headers inside the file. Each
 * {@code PT_LOAD} must have {@code p_filesz <= p_memsz}, its file bytes inside
 * the file, and its memory range {@code [p_vaddr, p_vaddr + p_memsz)} must not
 * wrap past 4 GiB, must start at or above {@link DenaliAbi#IMAGE_BASE} (page 0
 * is the virtual-registers page) and must end inside the VM's memory.
 * {@code PT_DYNAMIC} and {@code PT_INTERP} are refused: there is no dynamic
 * linker. Every other type ({@code PT_NOTE}, {@code PT_GNU_STACK},
 * {@code PT_PHDR}, {@code PT_TLS}, ...) is ignored. {@code p_align} is ignored:
 * bytes are copied, so file offset and address need not agree modulo 4096.
 *
 * <h2>Overlap</h2>
 * No two {@code PT_LOAD} segments may share a byte of memory. Two segments may
 * share a <em>page</em> (as {@code ld -z noseparate-code} or a tight linker
 * script produces): the page then holds both segments' bytes. The Denali ISA
 * has no page protections, so segment flags do not apply per page; they only
 * decide which segments hold code (for the entry check and the disassembler).
 *
 * <h2>Entry</h2>
 * {@code e_entry} must lie in the file-backed bytes of an executable
 * ({@code PF_X}) segment: an entry in bss would execute zeros.
 *
 * <h2>Pages</h2>
 * A page is kept when some segment has file bytes in it; its content is those
 * bytes with zeros everywhere else (including the bss that shares the page).
 * Pages that hold only bss are not kept: fresh guest memory reads zero
 * already. So both load methods expect <em>fresh</em> memory.
 *
 * <h2>Hostile files</h2>
 * Every field is checked against the file length or the memory size before it
 * sizes anything, every sum is done in 64 bits, and every refusal is a
 * {@link LoadException}. The symbol table is optional and read tolerantly: a
 * damaged one yields no symbols rather than a refusal, because running the
 * image never needs it.
 *
 * <p>Threading: immutable once parsed; any thread may load it into any VM.
 */
public final class ElfImage {
    /** Real linkers emit fewer than a dozen; this only bounds hostile input. */
    public static final int MAX_PROGRAM_HEADERS = 64;

    private static final int PAGE = GuestMemory.PAGE_SIZE;

    private final int entry;
    private final int lowestAddress;
    private final int highestAddress;
    private final List<Segment> segments;
    private final int[] pageNumbers;
    private final byte[][] pageBytes;
    private final SharedPage[] sharedPages;
    private final List<ElfSymbol> symbols;

    private ElfImage(int entry, List<Segment> segments, TreeMap<Integer, byte[]> pages, List<ElfSymbol> symbols) {
        this.entry = entry;
        this.segments = List.copyOf(segments);
        this.lowestAddress = segments.stream().mapToInt(Segment::address).min().orElseThrow();
        this.highestAddress = segments.stream().mapToInt(Segment::end).max().orElseThrow();
        this.pageNumbers = new int[pages.size()];
        this.pageBytes = new byte[pages.size()][];
        this.sharedPages = new SharedPage[pages.size()];
        int i = 0;
        for (Map.Entry<Integer, byte[]> e : pages.entrySet()) {
            pageNumbers[i] = e.getKey();
            pageBytes[i] = e.getValue();
            sharedPages[i] = new SharedPage(e.getValue());
            i++;
        }
        this.symbols = List.copyOf(symbols);
    }

    /**
     * Validates {@code file} as an image for a VM of {@code memSizeBytes} bytes
     * and lays out its pages. {@code file} is not kept.
     *
     * @param memSizeBytes the VM's memory size: positive, a multiple of 4096
     *                     (a caller's mistake otherwise, hence an
     *                     {@link IllegalArgumentException}, not a refusal)
     * @throws LoadException the file is not an image this VM can run; the message says why
     */
    public static ElfImage parse(byte[] file, int memSizeBytes) throws LoadException {
        if (memSizeBytes <= 0 || memSizeBytes % PAGE != 0) {
            throw new IllegalArgumentException("memory size must be a positive multiple of 4096 bytes, not " + memSizeBytes);
        }
        checkHeader(file);
        List<Segment> loads = readProgramHeaders(file, memSizeBytes);
        checkNoOverlap(loads);
        List<Segment> nonEmpty = loads.stream().filter(s -> s.memSize() > 0).toList();
        if (nonEmpty.isEmpty()) {
            throw new LoadException("no loadable (PT_LOAD) segment with any bytes in it: nothing to run");
        }
        int entry = (int) u32(file, E_ENTRY);
        checkEntry(entry, nonEmpty);
        return new ElfImage(entry, nonEmpty, layOutPages(file, nonEmpty), ElfSymbolTable.read(file));
    }

    // ---------------------------------------------------------------- validation

    private static void checkHeader(byte[] f) throws LoadException {
        if (f.length == 0) {
            throw new LoadException("empty file: not an ELF executable");
        }
        if (f.length < 4 || f[0] != 0x7F || f[1] != 'E' || f[2] != 'L' || f[3] != 'F') {
            throw new LoadException("not an ELF file (it does not start with 0x7f 'E' 'L' 'F')");
        }
        if (f.length < EHDR_SIZE) {
            throw new LoadException("truncated ELF file: " + f.length + " bytes, but the ELF header alone is " + EHDR_SIZE);
        }
        int cls = u8(f, EI_CLASS);
        if (cls == ELFCLASS64) {
            throw new LoadException("ELF class 64 is not supported: need 32-bit i386");
        } else if (cls != ELFCLASS32) {
            throw new LoadException("invalid ELF class " + cls + ": need 1 (32-bit)");
        }
        int data = u8(f, EI_DATA);
        if (data == ELFDATA2MSB) {
            throw new LoadException("big-endian ELF is not supported: need little-endian i386");
        } else if (data != ELFDATA2LSB) {
            throw new LoadException("invalid ELF data encoding " + data + ": need 1 (little-endian)");
        }
        if (u8(f, EI_VERSION) != EV_CURRENT) {
            throw new LoadException("unsupported ELF ident version " + u8(f, EI_VERSION) + ": need 1");
        }
        int machine = u16(f, E_MACHINE);
        if (machine != EM_386) {
            String name = machine == EM_X86_64 ? " (x86-64)" : "";
            throw new LoadException("ELF machine " + machine + name + " is not supported: need i386 (EM_386 = 3)");
        }
        int type = u16(f, E_TYPE);
        if (type != ET_EXEC) {
            throw new LoadException(switch (type) {
                case ET_DYN -> "ELF type DYN (shared object or position-independent executable) is not supported: need a static executable (link with -static -no-pie)";
                case ET_REL -> "ELF type REL (relocatable object file) is not supported: need a linked executable";
                case ET_CORE -> "ELF type CORE (core dump) is not supported: need an executable";
                default -> "ELF type " + type + " is not supported: need EXEC (2)";
            });
        }
        if (u32(f, E_VERSION) != EV_CURRENT) {
            throw new LoadException("unsupported ELF version " + u32(f, E_VERSION) + ": need 1");
        }
        if (u16(f, E_EHSIZE) != EHDR_SIZE) {
            throw new LoadException("ELF header size (e_ehsize) is " + u16(f, E_EHSIZE) + ": need " + EHDR_SIZE);
        }
    }

    private static List<Segment> readProgramHeaders(byte[] f, int memSize) throws LoadException {
        int phnum = u16(f, E_PHNUM);
        if (phnum == 0) {
            throw new LoadException("no program headers: not a loadable executable");
        }
        if (phnum > MAX_PROGRAM_HEADERS) {
            throw new LoadException("too many program headers (" + phnum + "): at most " + MAX_PROGRAM_HEADERS + " are accepted");
        }
        if (u16(f, E_PHENTSIZE) != PHDR_SIZE) {
            throw new LoadException("program header size (e_phentsize) is " + u16(f, E_PHENTSIZE) + ": need " + PHDR_SIZE);
        }
        long phoff = u32(f, E_PHOFF);
        long phend = phoff + (long) phnum * PHDR_SIZE;
        if (phend > f.length) {
            throw new LoadException(String.format("program header table [0x%x, 0x%x) lies beyond the end of the %d-byte file", phoff, phend, f.length));
        }
        List<Segment> loads = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + i * PHDR_SIZE;
            long type = u32(f, ph + P_TYPE);
            if (type == PT_DYNAMIC) {
                throw new LoadException("segment " + i + " is PT_DYNAMIC: dynamically linked executables are not supported (link with -static)");
            } else if (type == PT_INTERP) {
                throw new LoadException("segment " + i + " is PT_INTERP (asks for a dynamic linker): only static executables are supported");
            } else if (type == PT_LOAD) {
                loads.add(checkLoad(f, ph, i, memSize));
            }
        }
        return loads;
    }

    private static Segment checkLoad(byte[] f, int ph, int i, int memSize) throws LoadException {
        long offset = u32(f, ph + P_OFFSET);
        long vaddr = u32(f, ph + P_VADDR);
        long filesz = u32(f, ph + P_FILESZ);
        long memsz = u32(f, ph + P_MEMSZ);
        int flags = (int) u32(f, ph + P_FLAGS);
        if (filesz > memsz) {
            throw new LoadException(String.format("segment %d: file size 0x%x is larger than its memory size 0x%x", i, filesz, memsz));
        }
        if (filesz == 0) {
            offset = 0; // an all-bss segment's offset means nothing (and linkers may point it past the end)
        } else if (offset + filesz > f.length) {
            throw new LoadException(String.format("segment %d: file bytes [0x%x, 0x%x) lie beyond the end of the %d-byte file", i, offset, offset + filesz, f.length));
        }
        long end = vaddr + memsz;
        if (end > 0x1_0000_0000L) {
            throw new LoadException(String.format("segment %d [0x%08x, +0x%x) wraps past the end of the 32-bit address space", i, vaddr, memsz));
        }
        if (memsz == 0) {
            return new Segment(i, (int) vaddr, 0, (int) offset, 0, flags); // contributes nothing; dropped by the caller
        }
        if (vaddr < DenaliAbi.IMAGE_BASE) {
            throw new LoadException(String.format("segment %d [0x%08x, 0x%08x) starts below 0x%08x: page 0 holds the virtual registers", i, vaddr, end, DenaliAbi.IMAGE_BASE));
        }
        if (end > memSize) {
            throw new LoadException(String.format("segment %d [0x%08x, 0x%08x) extends beyond the VM's %s memory", i, vaddr, end, sizeText(memSize)));
        }
        return new Segment(i, (int) vaddr, (int) memsz, (int) offset, (int) filesz, flags);
    }

    private static void checkNoOverlap(List<Segment> loads) throws LoadException {
        List<Segment> sorted = loads.stream().filter(s -> s.memSize() > 0).sorted(Comparator.comparingInt(Segment::address)).toList();
        for (int k = 1; k < sorted.size(); k++) {
            Segment a = sorted.get(k - 1), b = sorted.get(k);
            if (a.end() > b.address()) {
                Segment first = a.index() < b.index() ? a : b, second = first == a ? b : a;
                throw new LoadException(String.format("segments %d [0x%08x, 0x%08x) and %d [0x%08x, 0x%08x) overlap",
                        first.index(), first.address(), first.end(), second.index(), second.address(), second.end()));
            }
        }
    }

    private static void checkEntry(int entry, List<Segment> loads) throws LoadException {
        for (Segment s : loads) {
            long into = Integer.toUnsignedLong(entry) - s.address();
            if (s.isExecutable() && into >= 0 && into < s.fileSize()) {
                return;
            }
        }
        throw new LoadException(String.format("entry point 0x%08x is not in the file bytes of any executable (PF_X) segment", entry));
    }

    /** Copies each segment's file bytes into zeroed pages; pages holding only bss are not created. */
    private static TreeMap<Integer, byte[]> layOutPages(byte[] f, List<Segment> loads) {
        TreeMap<Integer, byte[]> pages = new TreeMap<>();
        for (Segment s : loads) {
            int done = 0;
            while (done < s.fileSize()) {
                int addr = s.address() + done;
                int inPage = addr & (PAGE - 1);
                int n = Math.min(s.fileSize() - done, PAGE - inPage);
                byte[] page = pages.computeIfAbsent(addr / PAGE, p -> new byte[PAGE]);
                System.arraycopy(f, s.fileOffset() + done, page, inPage, n);
                done += n;
            }
        }
        return pages;
    }

    static String sizeText(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + "-byte";
    }

    // ---------------------------------------------------------------- the image

    /** The initial EIP. */
    public int entry() {
        return entry;
    }

    /** The lowest address any segment occupies. */
    public int lowestAddress() {
        return lowestAddress;
    }

    /** One past the last byte of the highest segment, bss included: where a heap may start. */
    public int highestAddress() {
        return highestAddress;
    }

    /** The non-empty PT_LOAD segments, in program-header order. */
    public List<Segment> segments() {
        return segments;
    }

    /** Functions, objects and labels from {@code .symtab}, sorted by address; empty when stripped. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** How many pages the image contributes (pages with file bytes in them). */
    public int pageCount() {
        return pageNumbers.length;
    }

    /**
     * Maps the image's pages into {@code mem} as shared pages: no copying; the
     * first guest store to a page gives that VM a private copy. {@code mem}
     * must be fresh (zero beyond the virtual-registers page), since pure-bss
     * pages are not touched.
     *
     * @throws IllegalArgumentException {@code mem} is smaller than {@link #highestAddress()}
     */
    public void mapInto(GuestMemory mem) {
        checkFits(mem);
        for (int i = 0; i < pageNumbers.length; i++) {
            mem.mapShared(pageNumbers[i], sharedPages[i]);
        }
    }

    /**
     * Copies the image's pages into {@code mem} as private pages, for a VM
     * that should share nothing. Same preconditions as {@link #mapInto}.
     */
    public void copyInto(GuestMemory mem) {
        checkFits(mem);
        for (int i = 0; i < pageNumbers.length; i++) {
            mem.writeBytes(pageNumbers[i] * PAGE, pageBytes[i], 0, PAGE);
        }
    }

    private void checkFits(GuestMemory mem) {
        if (mem.sizeBytes() < highestAddress) {
            throw new IllegalArgumentException(String.format("image ends at 0x%08x, beyond this VM's %s memory", highestAddress, sizeText(mem.sizeBytes())));
        }
    }

    /**
     * The bytes the image puts at {@code [address, address + length)}, zeros
     * where it puts nothing. For disassemblers and tests; loading uses the pages.
     */
    public byte[] read(int address, int length) {
        if (length < 0 || Integer.toUnsignedLong(address) + length > 0x1_0000_0000L) {
            throw new IllegalArgumentException("range [" + Integer.toUnsignedString(address) + ", +" + length + ") is outside the 32-bit address space");
        }
        byte[] out = new byte[length];
        int done = 0;
        while (done < length) {
            int addr = address + done;
            int inPage = addr & (PAGE - 1);
            int n = Math.min(length - done, PAGE - inPage);
            int k = Arrays.binarySearch(pageNumbers, addr >>> 12);
            if (k >= 0) {
                System.arraycopy(pageBytes[k], inPage, out, done, n);
            }
            done += n;
        }
        return out;
    }

    @Override
    public String toString() {
        return String.format("ElfImage[entry=0x%08x, [0x%08x, 0x%08x), %d segments, %d pages, %d symbols]",
                entry, lowestAddress, highestAddress, segments.size(), pageNumbers.length, symbols.size());
    }
}
