package yakima.vm;

import denali.isa.interp.CpuContext;
import denali.isa.memory.GuestMemory;

/**
 * The fields of a {@link Vm} that every quantum reads or writes, declared
 * in a class of their own so the JVM lays them out together: a class's
 * fields come after its superclass's (here the saved registers,
 * {@link CpuContext}) and before its subclass's. With 100,000 VMs a switch
 * finds almost nothing of the next VM in the cache; these fields then span
 * two or three cache lines (108 bytes with the registers) instead of the
 * four or five of the whole VM, and each line is a miss (JCTools orders its
 * queues' fields the same way). What only some quanta need (the devices,
 * wake lateness, idle bookkeeping) stays in {@link Vm}.
 *
 * <p>Only {@link Vm} extends it; its methods are the VM's (see there for
 * which thread may touch what).
 */
abstract class VmSwitchFields extends CpuContext {
    /** The scheduler clock at boot: the VM's {@code TIME_NS} counts from here. */
    final long bootNs;
    /** Quanta run; published by the owner (release store), read by anyone. */
    volatile long quanta;
    /** YIELD hypercalls made; published like {@link #quanta}. */
    volatile long yields;

    /**
     * The state's ordinal. An int, not a VmState: the scheduler stores it twice a quantum, and a
     * reference store into an old object costs G1's post-write barrier (card marking and
     * refinement): 0.6 us of a 1.5 us switch with 100,000 VMs (see README, VM switch).
     */
    volatile int state = VmState.WAITING.ordinal();
    /**
     * Interrupt bits raised by other threads, not yet copied into INT_PENDING (owner thread does
     * that). An int updated through a VarHandle, not an AtomicInteger: another object would be
     * another cache miss per switch.
     */
    volatile int raised;
    /**
     * What NIC_RX_FRAMES says (the guest cannot write it): kept here so a quantum of a VM with no
     * frames waiting reads no further into the virtual-registers page (owner thread only).
     */
    int rxFramesShown;
    volatile boolean destroyRequested;
    /**
     * Set by the owner each quantum, cleared by the gatekeeper's clock hand:
     * the reference bit of the CLOCK eviction policy. Plain: a lost update
     * only makes one eviction choice a little less exact.
     */
    boolean referenced;

    /** The guest's memory; null once released. */
    GuestMemory mem;
    /** Its page 0, the virtual registers ({@link GuestMemory#virtualRegisters}), written every quantum. */
    int[] vregs;

    VmSwitchFields(long bootNs) {
        this.bootNs = bootNs;
    }
}
