package denali.isa.loader;

/**
 * One accepted PT_LOAD segment: {@code fileSize} bytes from file offset
 * {@code fileOffset} appear at guest-physical {@code address}, followed by
 * zeros up to {@code memSize} bytes. {@code index} is the program header's
 * index in the file (0-based, as {@code readelf -l} numbers them), which is
 * also how refusals name segments.
 *
 * <p>All values are validated: {@code address >= IMAGE_BASE},
 * {@code address + memSize <= memory size <= 256 MiB}, so {@link #end()}
 * never overflows an {@code int}.
 */
public record Segment(int index, int address, int memSize, int fileOffset, int fileSize, int flags) {
    public static final int PF_X = Elf32.PF_X, PF_W = Elf32.PF_W, PF_R = Elf32.PF_R;

    /** One past the last byte in memory. */
    public int end() {
        return address + memSize;
    }

    /** One past the last byte that comes from the file; bss follows up to {@link #end()}. */
    public int fileEnd() {
        return address + fileSize;
    }

    public boolean isExecutable() {
        return (flags & PF_X) != 0;
    }

    public boolean isWritable() {
        return (flags & PF_W) != 0;
    }

    public boolean contains(int addr) {
        return Integer.compareUnsigned(addr, address) >= 0 && Integer.compareUnsigned(addr, end()) < 0;
    }

    /** Flags the way {@code readelf} shows them, e.g. {@code "R E"} becomes {@code "r-x"}. */
    public String flagString() {
        return ((flags & PF_R) != 0 ? "r" : "-") + ((flags & PF_W) != 0 ? "w" : "-") + ((flags & PF_X) != 0 ? "x" : "-");
    }

    @Override
    public String toString() {
        return String.format("segment %d [0x%08x, 0x%08x) %s file %d bytes at 0x%x", index, address, end(), flagString(), fileSize, fileOffset);
    }
}
