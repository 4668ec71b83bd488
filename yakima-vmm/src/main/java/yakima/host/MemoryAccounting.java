package yakima.host;

import denali.isa.memory.GuestMemory;
import yakima.net.VirtualNic;
import yakima.vm.Vm;

/**
 * How many host bytes a VM holds, by kind. The model is HotSpot's layout with
 * compressed references (64-bit JVM, heap under 32 GiB): an array is a 16-byte
 * header plus its elements, rounded up to 8; a reference is 4 bytes.
 *
 * <ul>
 *   <li><b>private</b>: pages only this VM maps (page 0, written pages): an
 *       {@code int[1024]} each.</li>
 *   <li><b>shared</b>: image pages this VM maps and has not written. They are
 *       held once per image however many VMs map them, so the host total
 *       counts each image once, not each VM.</li>
 *   <li><b>page tables</b>: the VM's four page-indexed tables (read, write,
 *       shared, decoded code), one reference per page of its memory.</li>
 *   <li><b>bookkeeping</b>: the VM's fixed objects (saved registers, memory,
 *       devices, counters), {@link #VM_OBJECT_BYTES}, its NIC
 *       ({@link #NIC_OBJECT_BYTES} and a 4-byte slot per queued frame it can
 *       hold), plus buffers its devices allocated (the console's tail once the
 *       guest writes). Frames waiting in NIC queues and disk requests in flight
 *       are transient and not counted.</li>
 * </ul>
 * Decoded code lives with the pages it came from and is shared the same way;
 * it is not counted here.
 */
public final class MemoryAccounting {
    /** One guest page as the host holds it. */
    public static final long PAGE_BYTES = align(16 + GuestMemory.PAGE_SIZE);
    /**
     * The fixed objects of one VM: {@code Vm} (224 bytes, its saved
     * registers inside: a VM has no {@code Cpu} of its own, its scheduler
     * thread has one), {@code GuestMemory}, the hypercall dispatcher and the
     * console, with their small fields, and its entries in the host's and the
     * scheduler's tables. Measured on JDK 25 (compressed oops) with a class
     * histogram of the heap growth over 10,000 idle VMs
     * ({@code benchmarks/run-vm-bench.sh}, {@code VmIdleMemoryBenchmark}):
     * about 660 bytes, rounded up.
     */
    public static final long VM_OBJECT_BYTES = 672;
    /**
     * A NIC without its queues' slot arrays: the {@code VirtualNic}, its two
     * queue objects, counters, MAC, switch port, listener and the switch's map
     * entries. Measured the same way (the benchmark's total minus the rest).
     */
    public static final long NIC_OBJECT_BYTES = 512;

    /**
     * What a swapped-out VM holds: its {@code VmStub} (48 bytes) and its
     * entry in the host's table of stubs (a hash-map node and a boxed id, 48
     * bytes). Measured like the others ({@code benchmarks/run-swap-bench.sh}).
     */
    public static final long STUB_BYTES = 96;

    private MemoryAccounting() {
    }

    public static long privateBytes(Vm vm) {
        return vm.privatePages() * PAGE_BYTES;
    }

    public static long sharedBytes(Vm vm) {
        return vm.sharedPages() * PAGE_BYTES;
    }

    /** The four page tables of a VM with memory of {@code memSizeBytes}; 0 once its memory is released. */
    public static long pageTableBytes(Vm vm) {
        if (vm.state().isFinal()) {
            return 0;
        }
        long pages = vm.memSizeBytes() / GuestMemory.PAGE_SIZE;
        return 4 * align(16 + 4 * pages);
    }

    public static long bookkeepingBytes(Vm vm) {
        VirtualNic nic = vm.nic();
        long nicBytes = nic == null ? 0 : NIC_OBJECT_BYTES + 4L * (nic.txCapacity() + nic.rxCapacity());
        return VM_OBJECT_BYTES + nicBytes + vm.console().bufferBytes();
    }

    /** What admitting a fresh VM of this size costs before it runs: tables, page 0, fixed objects. */
    public static long admissionBytes(int memSizeBytes) {
        long pages = memSizeBytes / GuestMemory.PAGE_SIZE;
        return 4 * align(16 + 4 * pages) + PAGE_BYTES + VM_OBJECT_BYTES;
    }

    /** Everything this VM alone holds (shared pages excluded). */
    public static long residentBytes(Vm vm) {
        return privateBytes(vm) + pageTableBytes(vm) + bookkeepingBytes(vm);
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }
}
