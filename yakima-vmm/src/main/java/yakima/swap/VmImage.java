package yakima.swap;

import java.util.List;
import java.util.Objects;

/**
 * Everything a VM is, as plain data: what an encapsulation record holds
 * (see {@link Descriptor} for its layout on disk). Capturing a VM into one
 * and building a VM from one is {@code yakima.swap.Encapsulation}; writing
 * one to bytes and reading it back is {@link RecordWriter} and
 * {@link RecordReader}.
 *
 * <p>Memory: only the VM's private pages are here. A page still shared with
 * the image is not: restoring maps the image again (checked to be the same
 * image by {@link #imageDigest}) and then lays the private pages over it.
 * Page 0, the virtual registers, is always private and is {@link #vregs}.
 *
 * <p>Arrays are not copied in or out: an image built by a capture holds
 * the VM's own page arrays (the VM no longer runs once captured), and one
 * built by a reader holds fresh arrays. Nobody may change them afterwards.
 *
 * @param id               the VM's id on the host that captured it
 * @param name             the name it was given, or null
 * @param imageName        the image it was created from (a built-in name or a path)
 * @param imageDigest      SHA-256 of the image file's bytes, 32 bytes
 * @param memSizeBytes     its memory size: a positive multiple of 4096
 * @param mac              its NIC's MAC address, the low 48 bits
 * @param ipv4             its NIC's IPv4 address
 * @param regs             EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI: 8 values
 * @param eip              the instruction it resumes at
 * @param flags            the arithmetic flags and DF as EFLAGS bits
 * @param insns            instructions retired so far
 * @param idle             true when it was IDLE (waiting for an interrupt or its deadline), false when RUNNABLE
 * @param vmTimeNs         its clock ({@code TIME_NS}) when it was captured
 * @param idleDeadlineVmNs when idle with a deadline, the VM time it falls due; else -1
 * @param raised           interrupt bits raised and not yet delivered into INT_PENDING
 * @param counters         the VM's counters, carried across swaps: quanta, yields, wakes, hypercalls
 * @param vregs            page 0, the virtual registers: 1024 words
 * @param pageNumbers      the page numbers of {@link #pages}, ascending, each from 1 to pages-1
 * @param pages            the private pages other than page 0: 1024 words each, in the order of {@code pageNumbers}
 * @param rxFrames         frames waiting in its NIC's receive queue, oldest first
 * @param disk             its disk, or null when it has none
 * @param consoleTail      the last bytes it wrote to its console (at most 512), oldest first
 */
public record VmImage(int id, String name, String imageName, byte[] imageDigest, int memSizeBytes, long mac, int ipv4,
        int[] regs, int eip, int flags, long insns, boolean idle, long vmTimeNs, long idleDeadlineVmNs, int raised,
        Counters counters, int[] vregs, int[] pageNumbers, int[][] pages, List<byte[]> rxFrames, Disk disk,
        byte[] consoleTail) {

    /** 4 KiB pages of 1024 words. */
    public static final int PAGE_WORDS = 1024;
    public static final int DIGEST_BYTES = 32;

    public VmImage {
        Objects.requireNonNull(imageName, "imageName");
        Objects.requireNonNull(imageDigest, "imageDigest");
        Objects.requireNonNull(regs, "regs");
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(vregs, "vregs");
        Objects.requireNonNull(pageNumbers, "pageNumbers");
        Objects.requireNonNull(pages, "pages");
        Objects.requireNonNull(rxFrames, "rxFrames");
        Objects.requireNonNull(consoleTail, "consoleTail");
        if (imageDigest.length != DIGEST_BYTES || regs.length != 8 || vregs.length != PAGE_WORDS
                || pageNumbers.length != pages.length) {
            throw new IllegalArgumentException("malformed VM image");
        }
    }

    /**
     * This image with its memory (page 0 and the private pages) copied: for
     * an image that is kept and restored many times (a template's, for each
     * clone), since a restored VM takes the arrays as its own memory.
     */
    public VmImage withOwnMemory() {
        int[][] copies = new int[pages.length][];
        for (int k = 0; k < pages.length; k++) {
            copies[k] = pages[k].clone();
        }
        return new VmImage(id, name, imageName, imageDigest, memSizeBytes, mac, ipv4, regs.clone(), eip, flags, insns,
                idle, vmTimeNs, idleDeadlineVmNs, raised, counters, vregs.clone(), pageNumbers, copies, rxFrames, disk,
                consoleTail);
    }

    /** Private pages including page 0. */
    public int privatePages() {
        return pages.length + 1;
    }

    /**
     * The VM's counters, kept across swaps so the admin API's figures do not
     * restart at zero.
     */
    public record Counters(long quanta, long yields, long wakes, long hypercalls) {
        public static final Counters ZERO = new Counters(0, 0, 0, 0);
    }

    /**
     * A VM's disk: what opens it again, and the device's state. A VM is
     * captured only with no disk request in flight, so there is none here.
     *
     * @param path          the disk file (the overlay file when {@code base} is set)
     * @param sizeBlocks    blocks of a new private disk (as the VM was created with)
     * @param base          the read-only base disk under an overlay, or null
     * @param lastRequestId the id of the last request the guest submitted (ids continue from it)
     */
    public record Disk(String path, long sizeBlocks, String base, int lastRequestId) {
        public Disk {
            Objects.requireNonNull(path, "path");
        }
    }
}
