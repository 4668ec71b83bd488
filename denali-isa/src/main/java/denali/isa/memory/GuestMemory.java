package denali.isa.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

import denali.isa.spec.DenaliAbi;

/**
 * A VM's private, flat guest-physical memory: {@code sizeBytes} bytes from
 * address 0, held in 4 KiB pages. Every access at or beyond {@code sizeBytes}
 * raises a {@link MemoryFault}.
 *
 * <p>Pages live in two parallel tables, the way a software TLB works:
 * <ul>
 *   <li>{@code rd[p]}: the bytes to read. Untouched pages all point at one shared
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

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] ZERO_PAGE = new byte[PAGE_SIZE];

    /** First and one-past-last offsets of the guest-writable virtual registers. */
    private static final int VREG_GUEST_FIRST = DenaliAbi.VREG_INT_ENABLE;
    private static final int VREG_GUEST_END = DenaliAbi.VREG_GUEST_SCRATCH + 4;

    private final int sizeBytes;
    private final byte[][] rd;
    private final byte[][] wr;
    private final SharedPage[] shared;
    private final PageCode[] code;
    private int privatePages;
    private boolean codeWritten;

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
        rd = new byte[pages][];
        wr = new byte[pages][];
        shared = new SharedPage[pages];
        code = new PageCode[pages];
        Arrays.fill(rd, ZERO_PAGE);
        rd[0] = new byte[PAGE_SIZE];
        privatePages = 1;
    }

    public int sizeBytes() {
        return sizeBytes;
    }

    public int pageCount() {
        return rd.length;
    }

    /** Pages this VM owns privately (written at least once, or copied from a shared page). */
    public int privatePages() {
        return privatePages;
    }

    /** Pages currently mapped shared and not yet copied. */
    public int sharedPages() {
        int n = 0;
        for (SharedPage s : shared) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }

    /** True when [address, address + length) lies entirely inside this VM's memory. */
    public boolean contains(int address, int length) {
        long a = Integer.toUnsignedLong(address);
        return length >= 0 && a + length <= sizeBytes;
    }

    // ---------------------------------------------------------------- reads

    public int read8(int address) {
        int p = address >>> PAGE_SHIFT;
        if (p < rd.length) {
            return rd[p][address & PAGE_MASK] & 0xFF;
        }
        throw outOfRange(address, false);
    }

    public int read16(int address) {
        int p = address >>> PAGE_SHIFT;
        int o = address & PAGE_MASK;
        if (p < rd.length && o <= PAGE_SIZE - 2) {
            return (short) I16.get(rd[p], o) & 0xFFFF;
        }
        return read8(address) | read8(address + 1) << 8;
    }

    public int read32(int address) {
        int p = address >>> PAGE_SHIFT;
        int o = address & PAGE_MASK;
        if (p < rd.length && o <= PAGE_SIZE - 4) {
            return (int) I32.get(rd[p], o);
        }
        return read32Slow(address);
    }

    private int read32Slow(int address) {
        if (!contains(address, 4)) {
            throw outOfRange(address, false);
        }
        return read8(address) | read8(address + 1) << 8 | read8(address + 2) << 16 | read8(address + 3) << 24;
    }

    public long read64(int address) {
        int p = address >>> PAGE_SHIFT;
        int o = address & PAGE_MASK;
        if (p < rd.length && o <= PAGE_SIZE - 8) {
            return (long) I64.get(rd[p], o);
        }
        return Integer.toUnsignedLong(read32(address)) | (long) read32(address + 4) << 32;
    }

    /** Copies guest bytes out; faults (copying nothing) unless the whole range is inside memory. */
    public void readBytes(int address, byte[] dst, int dstOffset, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, false);
        }
        int done = 0;
        while (done < length) {
            int a = address + done;
            int o = a & PAGE_MASK;
            int n = Math.min(length - done, PAGE_SIZE - o);
            System.arraycopy(rd[a >>> PAGE_SHIFT], o, dst, dstOffset + done, n);
            done += n;
        }
    }

    // ---------------------------------------------------------------- writes

    public void write8(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        if (p < wr.length) {
            byte[] page = wr[p];
            if (page != null) {
                page[address & PAGE_MASK] = (byte) value;
                return;
            }
        }
        writablePage(address, 1)[address & PAGE_MASK] = (byte) value;
    }

    public void write16(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        int o = address & PAGE_MASK;
        if (p < wr.length && o <= PAGE_SIZE - 2) {
            byte[] page = wr[p];
            if (page == null) {
                page = writablePage(address, 2);
            }
            I16.set(page, o, (short) value);
            return;
        }
        writeUnaligned(address, value, 2);
    }

    public void write32(int address, int value) {
        int p = address >>> PAGE_SHIFT;
        int o = address & PAGE_MASK;
        if (p < wr.length && o <= PAGE_SIZE - 4) {
            byte[] page = wr[p];
            if (page == null) {
                page = writablePage(address, 4);
            }
            I32.set(page, o, value);
            return;
        }
        writeUnaligned(address, value, 4);
    }

    /** A store that crosses a page boundary: checked whole first, so a fault writes nothing. */
    private void writeUnaligned(int address, int value, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, true);
        }
        for (int i = 0; i < length; i++) {
            writablePage(address + i, 1);
        }
        for (int i = 0; i < length; i++) {
            write8(address + i, value >>> (8 * i));
        }
    }

    /** Copies bytes into guest memory; faults (copying nothing) unless the whole range is inside memory. */
    public void writeBytes(int address, byte[] src, int srcOffset, int length) {
        if (!contains(address, length)) {
            throw outOfRange(address, true);
        }
        int done = 0;
        while (done < length) {
            int a = address + done;
            int o = a & PAGE_MASK;
            int n = Math.min(length - done, PAGE_SIZE - o);
            System.arraycopy(src, srcOffset + done, writablePage(a, n), o, n);
            done += n;
        }
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
    private byte[] writablePage(int address, int length) {
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
        byte[] page = wr[p];
        if (page != null) {
            return page;
        }
        dropCode(p);
        if (shared[p] != null) {
            page = shared[p].data().clone();
            shared[p] = null;
            privatePages++;
        } else if (rd[p] == ZERO_PAGE) {
            page = new byte[PAGE_SIZE];
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

    /** The bytes of page {@code pageNumber} for reading (decoding). The caller checks the page is inside memory. */
    public byte[] pageForRead(int pageNumber) {
        return rd[pageNumber];
    }

    // ---------------------------------------------------------------- VMM access

    /** A VMM store to the virtual-registers page or any page, bypassing the guest-write checks. */
    public void vmmWrite32(int address, int value) {
        if (address >>> PAGE_SHIFT == 0) {
            I32.set(rd[0], address & PAGE_MASK, value);
        } else {
            write32(address, value);
        }
    }

    public void vmmWrite64(int address, long value) {
        vmmWrite32(address, (int) value);
        vmmWrite32(address + 4, (int) (value >>> 32));
    }

    private MemoryFault outOfRange(int address, boolean write) {
        return new MemoryFault(MemoryFault.Kind.OUT_OF_RANGE, address, write);
    }
}
