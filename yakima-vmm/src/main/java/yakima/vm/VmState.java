package yakima.vm;

/**
 * The states of a VM and the only transitions between them.
 *
 * <pre>
 *   create ──► WAITING ──admit──► RUNNABLE ◄──────────────┐
 *                 │                 │   ▲                  │ deadline passed,
 *                 │                 │   │ quantum over,    │ interrupt raised
 *                 │            run  ▼   │ yield            │
 *                 │               RUNNING ──IDLE insn──► IDLE
 *                 │               │     │                  │
 *                 │           TERM│     │fault             │
 *                 │               ▼     ▼                  │
 *                 │        TERMINATED  FAULTED             │
 *                 │               │     │                  │
 *                 └──destroy──► DESTROYED ◄──destroy───────┘ (from any state but RUNNING)
 *
 *   IDLE or RUNNABLE ──evict──► SWAPPED ──(record written)──► the VM object is dropped
 *                                  │                             for a stub in the host
 *                                  └──taken back before that──► WAITING
 *   WAITING ──clean stop──► SWAPPED (a host stopping swaps out every VM, admitted or not)
 * </pre>
 *
 * <p>WAITING: created, its memory not yet admitted by the gatekeeper.
 * RUNNING is held only inside a quantum on the VM's owner thread; a destroy
 * request for a running VM takes effect when the quantum ends. TERMINATED
 * and FAULTED keep the VM (its exit code or fault reason, its counters) for
 * inspection until it is destroyed. SWAPPED: taken off its scheduler thread
 * by the gatekeeper to be written to the swap store; once the record is
 * written the host keeps only a stub (which reports SWAPPED too), and a VM
 * brought back is a new object built from the record, starting WAITING. A
 * snapshot takes a VM off its thread the same way, SWAPPED while it is
 * captured, and puts it back (WAITING, then admitted at once) or destroys it.
 */
public enum VmState {
    WAITING, RUNNABLE, RUNNING, IDLE, TERMINATED, FAULTED, DESTROYED, SWAPPED;

    /**
     * The states this one may go to, one bit per ordinal: a mask, not an
     * EnumSet, because the scheduler checks two transitions a quantum.
     */
    private int next;

    static {
        WAITING.next = mask(RUNNABLE, DESTROYED, SWAPPED); // SWAPPED: a clean stop, see Host.swapOutAll
        RUNNABLE.next = mask(RUNNING, DESTROYED, SWAPPED, IDLE); // IDLE: back from swap, see SchedulerThread
        RUNNING.next = mask(RUNNABLE, IDLE, TERMINATED, FAULTED);
        IDLE.next = mask(RUNNABLE, DESTROYED, SWAPPED);
        TERMINATED.next = mask(DESTROYED);
        FAULTED.next = mask(DESTROYED);
        DESTROYED.next = 0;
        SWAPPED.next = mask(WAITING, DESTROYED);
    }

    private static int mask(VmState... states) {
        int m = 0;
        for (VmState s : states) {
            m |= 1 << s.ordinal();
        }
        return m;
    }

    /** True when a VM in this state may go to {@code to}. */
    public boolean canGoTo(VmState to) {
        return (next & 1 << to.ordinal()) != 0;
    }

    /** True once the guest can never run again. */
    public boolean isFinal() {
        return this == TERMINATED || this == FAULTED || this == DESTROYED;
    }

    /** The name the CLI and admin API show: lower case. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
