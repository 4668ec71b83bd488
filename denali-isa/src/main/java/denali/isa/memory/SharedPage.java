package denali.isa.memory;

/**
 * One 4 KiB page that several VMs may map read-only, for example a page of a
 * loaded image. A VM that writes to it gets a private copy first (copy on
 * write), so no guest can observe that the page was ever shared.
 *
 * <p>The decoded-code cache of a shared page is shared too: every VM that runs
 * the same image reuses the same decoded instructions. The cache slot is
 * written by whichever scheduler thread decodes first; {@link PageCode} objects
 * are immutable once published, so a benign race only decodes twice.
 */
public final class SharedPage {
    private final int[] data;
    private volatile PageCode code;

    /** A page holding a copy of {@code bytes}, which must be exactly one page long. */
    public SharedPage(byte[] bytes) {
        if (bytes.length != GuestMemory.PAGE_SIZE) {
            throw new IllegalArgumentException("a shared page holds exactly " + GuestMemory.PAGE_SIZE + " bytes, not " + bytes.length);
        }
        this.data = new int[GuestMemory.PAGE_WORDS];
        GuestMemory.copyIn(bytes, 0, data, 0, bytes.length);
    }

    int[] data() {
        return data;
    }

    PageCode code() {
        return code;
    }

    void setCode(PageCode code) {
        this.code = code;
    }
}
