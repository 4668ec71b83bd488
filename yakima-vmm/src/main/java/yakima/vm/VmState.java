package yakima.vm;

import java.util.EnumSet;
import java.util.Set;

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
 * </pre>
 *
 * <p>WAITING: created, its memory not yet admitted by the gatekeeper.
 * RUNNING is held only inside a quantum on the VM's owner thread; a destroy
 * request for a running VM takes effect when the quantum ends. TERMINATED
 * and FAULTED keep the VM (its exit code or fault reason, its counters) for
 * inspection until it is destroyed.
 */
public enum VmState {
    WAITING, RUNNABLE, RUNNING, IDLE, TERMINATED, FAULTED, DESTROYED;

    private Set<VmState> next;

    static {
        WAITING.next = EnumSet.of(RUNNABLE, DESTROYED);
        RUNNABLE.next = EnumSet.of(RUNNING, DESTROYED);
        RUNNING.next = EnumSet.of(RUNNABLE, IDLE, TERMINATED, FAULTED);
        IDLE.next = EnumSet.of(RUNNABLE, DESTROYED);
        TERMINATED.next = EnumSet.of(DESTROYED);
        FAULTED.next = EnumSet.of(DESTROYED);
        DESTROYED.next = EnumSet.noneOf(VmState.class);
    }

    /** True when a VM in this state may go to {@code to}. */
    public boolean canGoTo(VmState to) {
        return next.contains(to);
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
