package denali.isa.memory;

import java.util.Arrays;

import denali.isa.spec.DenaliAbi;

/**
 * A VM's private, flat guest-physical memory: {@code sizeBytes} bytes from
 * address 0, held in 4 KiB pages. Every access at or beyond {@code sizeBytes}
 * raises a {@link MemoryFault}.
 *
 * <p>A page is an {@code int[1024]}: word {@code i} holds guest bytes
 * {@code 4i..4i+3}, little-endian, so an aligned 32-bit access (nearly all of
 * them) is one array element and a byte is a shift and a mask. The hot
 * accessors are small so the JIT inlines them into the interpreter loop;
 * unaligned and page-crossing accesses take slower paths.
 *
 * <p>Pages live in two parallel tables, the way a software TLB works:
 * <ul>
 *   <li>{@code rd[p]}: the words to read. Untouched pages all point at one shared
 *       zero page, so memory a guest never writes costs one reference.</li>
 *   <li>{@code wr[p]}: the same array when a plain store may go straight to it,
 *       or {@code null} when a store must take the slow path first: the page is
 *       untouched (allocate it), shared with other VMs (copy it), has decoded
 *       code cached (drop the code), or is the virtual-registers page (check the
 *       field is guest-writable).</li>
 * </ul>
 * The tables are sized to this VM's memory, never to the 4 GiB address space.
 *
 * <p>Threading: only the VM's owner thread may call any method.
 */
public final class GuestMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    public static final int PAGE_MASK = PAGE_SIZE - 1;
    /** 32-bit words in a page. */
    public static final int PAGE_WORDS = PAGE_SIZE / 4;

    private static final int[] ZERO_PAGE = new int[PAGE_WORDS];

    /** First and one-past-last offsets of the guest-writable virtual registers. */
    private static final int VREG_GUEST_FIRST = DenaliAbi.VREG_INT_ENABLE;
    private static final int VREG_GUEST_END = DenaliAbi.VREG_GUEST_SCRATCH + 4;

    private final int sizeBytes;
    /** Page counts: written by the owner when a page is mapped or copied (rarely), read by any thread. */
    private volatile int privatePages;
    private volatile int sharedPages;
    private boolean codeWritten;
    /** Page 0, the virtual registers: always private, never remapped ({@code rd[0]}). */
    private final int[] vregs;
    private CodeDropListener codeDropListener;
    private final int[][] rd;
    private final int[][] wr;
    private final SharedPage[] shared;
    private final PageCode[] code;

    /**
     * Creates zero-filled memory. {@code sizeBytes} must be a positive multiple
     * of the page size; the virtual-registers page (page 0) is allocated at once.
     */
    public GuestMemory(int sizeBytes) {
        if (sizeBytes <= 0 || (sizeBytes & PAGE_MASK) != 0) {
            throw new IllegalArgumentException("memory size must be a positive multiple of 4096 bytes, not " + Integer.toUnsignedString(sizeBytes));
        }
        this.sizeBytes = sizeBytes;
        int pages = sizeBytes >>> PAGE_SHIFT;
        rd = new int[pages][];
        wr = new int[pages][];
        shared = new SharedPage[pages];
        code = new PageCode[pages];
        Arrays.fill(rd, ZERO_PAGE);
        vregs = new int[PAGE_WORDS];
        rd[0] = vregs;
        privatePages = 1;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public int pageCount() {
        return sizeBytes >>> PAGE_SHIFT;
    }

    /** Pages this VM owns privately (written at least once, or copied from a shared page). */
    public int privatePages() {
        return privatePages;
    }

    /** True when page {@code pageNumber} is one of the {@link #privatePages()}: page 0, or written or copied. Owner thread only. */
    public boolean isPrivatePage(int pageNumber) {
        return shared[pageNumber] == null && rd[pageNumber] != ZERO_PAGE;
    }

    /** Pages currently mapped shared and not yet copied. */
    public int sharedPages() {
        return sharedPages;
    }

    /** True when [address, address + length) lies entirely inside this VM's memory. */
    public boolean contains(int address, int length) {
        long a = Integer.toUnsignedLong(address);
        return length >= 0 && a + length <= sizeBytes;
    }

    // ---------------------------------------------------------------- words of a page

    /** The byte at page offset {@code o}. */
    static int byteAt(int[] page, int o) {
        return page[o >>> 2] >>> ((o & 3) << 3) & 0xFF;
    }

    static void setByteAt(int[] page, int o, int value) {
        int i = o >>> 2;
        int s = (o & 3) << 3;
        page[i] = page[i] & ~(0xFF << s) | (value & 0xFF) << s;
    }

    /** {@code length} (1..4) bytes at page offset {@code o}, little-endian; the caller keeps them inside the page. */
    static int valueAt(int[] page, int o, int length) {
        int v = 0;
        for (int k = length - 1; k >= 0; k--) {
            v = v << 8 | byteAt(page, o + k);
        }
        return v;
    }

    static void setValueAt(int[] page, int o, int value, int length) {
        for (int k = 0; k < length; k++) {
            setByteAt(page, o + k, value >>> (8 * k));
        }
    }

    // ---------------------------------------------------------------- reads

    public int read8(int address) {
        int p = address >>> PAGE_SHIFT;
        if (p < rd.length) {
            return rd[p][(address & PAGE_MASK) >>> 2] >>> ((address & 3) << 3) & 0xFF;
        }
        throw outOfRange(address, false);
    }

    public int read16(int address) {
        int p = address >>> PAGE_SHIFT;
        if (p < rd.length && (address & 3) != 3) {
            return rd[p][(address & PAGE_MASK) >>> 2] >>> ((address & 3) << 3) & 0xFFFF;
        }
        return readSlow(address, 2);
    }

    public int read32(int address) {
        int p = address >>> PAGE_SHIFT;
        if (p < rd.length && (address & 3) == 0) {
            return rd[p][(address & PAGE_MASK) >>> 2];
        }
        return readSlow(address, 4);
    }

    /** An unaligned read, possibly across a page boundary: checked whole first. */
    private int readSlow(int address, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, false);
        }
        int o = address & PAGE_MASK;
        if (o <= PAGE_SIZE - length) {
            return valueAt(rd[address >>> PAGE_SHIFT], o, length);
        }
        int v = 0;
        for (int k = length - 1; k >= 0; k--) {
            v = v << 8 | read8(address + k);
        }
        return v;
    }

    public long read64(int address) {
        if (!contains(address, 8)) {
            throw outOfRange(address, false);
        }
        return Integer.toUnsignedLong(read32(address)) | (long) read32(address + 4) << 32;
    }

    /** Copies guest bytes out; faults (copying nothing) unless the whole range is inside memory. */
    public void readBytes(int address, byte[] dst, int dstOffset, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, false);
        }
        for (int done = 0; done < length; ) {
            int a = address + done;
            int o = a & PAGE_MASK;
            int n = Math.min(length - done, PAGE_SIZE - o);
            copyOut(rd[a >>> PAGE_SHIFT], o, dst, dstOffset + done, n);
            done += n;
        }
    }

    private static void copyOut(int[] page, int o, byte[] dst, int d, int n) {
        int k = 0;
        for (; k < n && ((o + k) & 3) != 0; k++) {
            dst[d + k] = (byte) byteAt(page, o + k);
        }
        for (; k + 4 <= n; k += 4) {
            int w = page[(o + k) >>> 2];
            dst[d + k] = (byte) w;
            dst[d + k + 1] = (byte) (w >>> 8);
            dst[d + k + 2] = (byte) (w >>> 16);
            dst[d + k + 3] = (byte) (w >>> 24);
        }
        for (; k < n; k++) {
            dst[d + k] = (byte) byteAt(page, o + k);
        }
    }

    // ---------------------------------------------------------------- writes

    public void write8(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        if (p < wr.length) {
            int[] page = wr[p];
            if (page != null) {
                setByteAt(page, address & PAGE_MASK, value);
                return;
            }
        }
        writeSlow(address, value, 1);
    }

    public void write16(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        if (p < wr.length && (address & 1) == 0) {
            int[] page = wr[p];
            if (page != null) {
                int i = (address & PAGE_MASK) >>> 2;
                int s = (address & 2) << 3;
                page[i] = page[i] & ~(0xFFFF << s) | (value & 0xFFFF) << s;
                return;
            }
        }
        writeSlow(address, value, 2);
    }

    public void write32(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        if (p < wr.length && (address & 3) == 0) {
            int[] page = wr[p];
            if (page != null) {
                page[(address & PAGE_MASK) >>> 2] = value;
                return;
            }
        }
        writeSlow(address, value, 4);
    }

    /**
     * A store the fast path did not take: unaligned, across pages, or to a page
     * that needs preparing. Checked whole first, so a fault writes nothing.
     */
    private void writeSlow(int address, int value, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, true);
        }
        int o = address & PAGE_MASK;
        if (o <= PAGE_SIZE - length) {
            setValueAt(writablePage(address, length), o, value, length);
            return;
        }
        for (int k = 0; k < length; k++) {
            writablePage(address + k, 1);
        }
        for (int k = 0; k < length; k++) {
            setByteAt(writablePage(address + k, 1), (address + k) & PAGE_MASK, value >>> (8 * k));
        }
    }

    /** Copies bytes into guest memory; faults (copying nothing) unless the whole range is inside memory. */
    public void writeBytes(int address, byte[] src, int srcOffset, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, true);
        }
        for (int done = 0; done < length; ) {
            int a = address + done;
            int o = a & PAGE_MASK;
            int n = Math.min(length - done, PAGE_SIZE - o);
            copyIn(src, srcOffset + done, writablePage(a, n), o, n);
            done += n;
        }
    }

    /** Copies {@code n} bytes from {@code src[s..]} into page offsets {@code o..o+n}. */
    static void copyIn(byte[] src, int s, int[] page, int o, int n) {
        int k = 0;
        for (; k < n && ((o + k) & 3) != 0; k++) {
            setByteAt(page, o + k, src[s + k]);
        }
        for (; k + 4 <= n; k += 4) {
            page[(o + k) >>> 2] = src[s + k] & 0xFF | (src[s + k + 1] & 0xFF) << 8 | (src[s + k + 2] & 0xFF) << 16
                    | src[s + k + 3] << 24;
        }
        for (; k < n; k++) {
            setByteAt(page, o + k, src[s + k]);
        }
    }

    /** True when a store dropped decoded code since the last {@link #takeCodeWritten()}; does not clear it. */
    public boolean codeWrittenPending() {
        return codeWritten;
    }

    /**
     * True, once, after a store dropped decoded code: the CPU must stop using
     * the instructions it decoded from that page.
     */
    public boolean takeCodeWritten() {
        if (codeWritten) { // read first: this runs at every block boundary, and is almost always false
            codeWritten = false;
            return true;
        }
        return false;
    }

    /**
     * The page array a store of {@code length} bytes at {@code address} may
     * write, after allocating, copying, dropping code or checking the virtual
     * register as needed.
     */
    private int[] writablePage(int address, int length) {
        int p = address >>> PAGE_SHIFT;
        if (p >= wr.length) {
            throw outOfRange(address, true);
        }
        if (p == 0) {
            int o = address & PAGE_MASK;
            if (o < VREG_GUEST_FIRST || o + length > VREG_GUEST_END) {
                throw new MemoryFault(MemoryFault.Kind.READ_ONLY_VREG, address, true);
            }
            return rd[0];
        }
        int[] page = wr[p];
        if (page != null) {
            return page;
        }
        dropCode(p);
        if (shared[p] != null) {
            page = shared[p].data().clone();
            shared[p] = null;
            sharedPages--;
            privatePages++;
        } else if (rd[p] == ZERO_PAGE) {
            page = new int[PAGE_WORDS];
            privatePages++;
        } else {
            page = rd[p];
        }
        rd[p] = page;
        wr[p] = page;
        return page;
    }

    private void dropCode(int p) {
        PageCode c = code[p];
        if (c != null) {
            code[p] = null;
            if (codeDropListener != null) {
                codeDropListener.codeDropped(p);
            }
            codeWritten = true;
            // A shared page's code stays valid for the other VMs that still map the page.
            if (shared[p] == null) {
                c.invalidate();
            }
        }
    }

    // ---------------------------------------------------------------- sharing and code

    /**
     * Maps {@code page} read-only at page number {@code pageNumber}, replacing
     * whatever was there. The first store to it copies it privately.
     */
    public void mapShared(int pageNumber, SharedPage page) {
        if (pageNumber <= 0 || pageNumber >= rd.length) {
            throw new IllegalArgumentException("page " + pageNumber + " is not a mappable page of a " + sizeBytes + "-byte memory");
        }
        dropCode(pageNumber);
        codeWritten = false;
        if (shared[pageNumber] == null && rd[pageNumber] != ZERO_PAGE) {
            privatePages--;
        }
        if (shared[pageNumber] == null) {
            sharedPages++;
        }
        shared[pageNumber] = page;
        rd[pageNumber] = page.data();
        wr[pageNumber] = null;
    }

    /** The code cached for page {@code pageNumber}, or null. The caller checks the page is inside memory. */
    public PageCode code(int pageNumber) {
        PageCode c = code[pageNumber];
        if (c == null && shared[pageNumber] != null) {
            c = shared[pageNumber].code();
            code[pageNumber] = c;
        }
        return c;
    }

    /** Tells {@code listener} whenever decoded code of a page is dropped (one listener; null for none). */
    public void setCodeDropListener(CodeDropListener listener) {
        codeDropListener = listener;
    }

    /**
     * Attaches decoded code to page {@code pageNumber}. From now on stores to
     * that page take the slow path, which drops the code first.
     */
    public void setCode(int pageNumber, PageCode c) {
        code[pageNumber] = c;
        if (shared[pageNumber] != null) {
            shared[pageNumber].setCode(c);
        }
        if (pageNumber != 0) {
            wr[pageNumber] = null;
        }
    }

    /** Copies the bytes of page {@code pageNumber} into {@code dst} (for decoding). The caller checks the page is inside memory. */
    public void copyPageBytes(int pageNumber, byte[] dst) {
        copyOut(rd[pageNumber], 0, dst, 0, PAGE_SIZE);
    }

    // ---------------------------------------------------------------- encapsulation

    /**
     * The words of private page {@code pageNumber} (not page 0), the array
     * itself, or null when the page is not private: what a swap-out saves.
     * Owner thread, or any thread once the owner has stopped running the VM.
     */
    public int[] privatePageWords(int pageNumber) {
        return pageNumber > 0 && pageNumber < rd.length && isPrivatePage(pageNumber) ? rd[pageNumber] : null;
    }

    /**
     * Makes {@code words} (1024 of them; kept, not copied) private page
     * {@code pageNumber} (not page 0), replacing whatever was mapped there:
     * what a swap-in restores. Before the guest runs.
     */
    public void installPrivatePage(int pageNumber, int[] words) {
        if (pageNumber <= 0 || pageNumber >= rd.length || words.length != PAGE_WORDS) {
            throw new IllegalArgumentException("page " + pageNumber + " is not a restorable page of a " + sizeBytes + "-byte memory");
        }
        dropCode(pageNumber);
        codeWritten = false;
        if (shared[pageNumber] != null) {
            shared[pageNumber] = null;
            sharedPages--;
            privatePages++;
        } else if (rd[pageNumber] == ZERO_PAGE) {
            privatePages++;
        }
        rd[pageNumber] = words;
        wr[pageNumber] = words;
    }

    // ---------------------------------------------------------------- VMM access

    /** A VMM store to the virtual-registers page or any page, bypassing the guest-write checks. */
    public void vmmWrite32(int address, int value) {
        if ((address & ~(PAGE_MASK & ~3)) == 0) { // an aligned word of page 0: every virtual register
            vregs[address >>> 2] = value;
        } else if (address >>> PAGE_SHIFT == 0 && (address & PAGE_MASK) <= PAGE_SIZE - 4) {
            setValueAt(vregs, address, value, 4);
        } else {
            write32(address, value);
        }
    }

    public void vmmWrite64(int address, long value) {
        vmmWrite32(address, (int) value);
        vmmWrite32(address + 4, (int) (value >>> 32));
    }

    /** The virtual register at {@code offset} (a multiple of 4 in page 0), as the VMM reads it. */
    public int vreg(int offset) {
        return vregs[offset >>> 2];
    }

    /**
     * Page 0, the virtual registers, as the array the guest reads: for the
     * VMM to read and write them directly, without going through this
     * object (a VM keeps it at hand, so a switch touches one object fewer).
     * The guest's read-only rules do not apply to what is written here.
     */
    public int[] virtualRegisters() {
        return vregs;
    }

    private MemoryFault outOfRange(int address, boolean write) {
        return new MemoryFault(MemoryFault.Kind.OUT_OF_RANGE, address, write);
    }
}
