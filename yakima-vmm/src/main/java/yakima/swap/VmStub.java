package yakima.swap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import yakima.vm.HostedVm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * What the host keeps of a VM that is swapped out: who it is and where its
 * state is. Everything else (its memory, registers, devices) is in its
 * record in the swap store. About 48 bytes, plus its entry in the host's
 * table; its addresses follow from its id ({@link VmAddresses}).
 *
 * <p>A stub whose swap-in failed (its record unreadable) stays, FAULTED,
 * with the reason, until the VM is destroyed: it fails alone, nothing else
 * is touched.
 *
 * <p>Threading: immutable but for the swap-in claim and the fault, both
 * safe from any thread.
 */
public final class VmStub implements HostedVm {
    private static final VarHandle SWAP_IN_ASKED;
    static {
        try {
            SWAP_IN_ASKED = MethodHandles.lookup().findVarHandle(VmStub.class, "swapInAsked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int id;
    private final String name;
    private final String imageName;
    private final int memSizeBytes;
    /** The scheduler time its clock counts from: it runs on while the VM is away. */
    private final long bootNs;
    /** The id whose record holds this VM's state: its own, or a template's for a clone never swapped out itself. */
    private final int recordId;
    /** Bytes of its record (0 for a clone, whose record is the template's). */
    private final int recordBytes;
    private volatile int swapInAsked;
    private volatile String faultReason;

    public VmStub(int id, String name, String imageName, int memSizeBytes, long bootNs, int recordId, int recordBytes) {
        this.id = id;
        this.name = name;
        this.imageName = imageName;
        this.memSizeBytes = memSizeBytes;
        this.bootNs = bootNs;
        this.recordId = recordId;
        this.recordBytes = recordBytes;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String imageName() {
        return imageName;
    }

    @Override
    public int memSizeBytes() {
        return memSizeBytes;
    }

    @Override
    public long mac() {
        return VmAddresses.mac(id);
    }

    @Override
    public int ipv4() {
        return VmAddresses.ipv4(id);
    }

    public long bootNs() {
        return bootNs;
    }

    public int recordId() {
        return recordId;
    }

    /** True for a clone that has never been swapped out itself: its state is its template's record. */
    public boolean isClone() {
        return recordId != id;
    }

    public int recordBytes() {
        return recordBytes;
    }

    @Override
    public VmState state() {
        return faultReason == null ? VmState.SWAPPED : VmState.FAULTED;
    }

    @Override
    public boolean destroyRequested() {
        return false;
    }

    @Override
    public String faultReason() {
        return faultReason;
    }

    /** Its swap-in failed: it stays, FAULTED, until destroyed. */
    public void fail(String reason) {
        faultReason = reason;
    }

    /** Claims the right to ask for this VM's swap-in: true for the one caller that should queue it. */
    public boolean claimSwapIn() {
        return SWAP_IN_ASKED.compareAndSet(this, 0, 1);
    }

    /** The swap-in request was taken (or could not be queued). */
    public void clearSwapIn() {
        swapInAsked = 0;
    }
}
