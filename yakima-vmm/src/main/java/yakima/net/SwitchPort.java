package yakima.net;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One attachment of a {@link VirtualNic} to a {@link VirtualSwitch}: a new one
 * for every {@code attach}, dead for good after {@code detach}. Because a port
 * is never reused, a stale reference to it (in the switch's ready queue, or read
 * by an owner thread just before a detach) can be recognised and ignored, and a
 * NIC attached again starts with a clean {@link #scheduled} flag.
 *
 * <p>Fields and who may touch them:
 * <ul>
 *   <li>{@link #scheduled}: true while the port is, or is about to be, in the
 *       switch's ready queue or rotation. Set by compare-and-set by whoever first
 *       sees TX work (the owner in {@code send}, or the switch), cleared only by
 *       the switch thread when it takes the port out of its rotation, which then
 *       looks at the TX queue once more. Any thread.</li>
 *   <li>{@link #prev}, {@link #next}, {@link #detached}: the switch's port list;
 *       under the switch's lock only.</li>
 *   <li>{@link #inRotation}: switch thread only, under the lock.</li>
 * </ul>
 */
final class SwitchPort {
    private static final VarHandle SCHEDULED;

    static {
        try {
            SCHEDULED = MethodHandles.lookup().findVarHandle(SwitchPort.class, "scheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final VirtualSwitch owner;
    final VirtualNic nic;
    @SuppressWarnings("unused") // through SCHEDULED
    private volatile boolean scheduled;

    // Under the switch's lock.
    SwitchPort prev;
    SwitchPort next;
    boolean detached;
    /** Out of the port list, still draining its TX queue (see {@code VirtualSwitch.retire}); under the lock. */
    boolean retiring;
    // Switch thread only.
    boolean inRotation;
    /**
     * A frame for this port that {@link LanFaults fault injection} holds back to
     * deliver after the next one; null if none. Switch thread only, under the lock;
     * never set once a pump has returned.
     */
    byte[] held;

    SwitchPort(VirtualSwitch owner, VirtualNic nic) {
        this.owner = owner;
        this.nic = nic;
    }

    /**
     * The TX queue has (or may have) gained a frame: puts the port on the
     * switch's ready queue unless it is scheduled already. The caller must have
     * issued a full fence between queuing the frame and this call (see
     * {@link VirtualNic#send}). Any thread.
     */
    void txQueued() {
        if (!(boolean) SCHEDULED.getVolatile(this) && SCHEDULED.compareAndSet(this, false, true)) {
            owner.ready(this);
        }
    }

    /** Claims the port for the switch's rotation; false if someone else did first. Any thread. */
    boolean trySchedule() {
        return SCHEDULED.compareAndSet(this, false, true);
    }

    /** Marks the port scheduled whatever it was (the switch's full scan). Switch thread. */
    void forceScheduled() {
        SCHEDULED.setVolatile(this, true);
    }

    /** Clears the flag; the caller then issues a full fence and looks at the TX queue again. Switch thread. */
    void clearScheduled() {
        SCHEDULED.setVolatile(this, false);
    }

    @Override
    public String toString() {
        return "SwitchPort[" + nic + (detached ? ", detached" : "") + "]";
    }
}
