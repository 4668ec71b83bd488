package yakima.admin;

import java.util.List;

/**
 * What the admin API needs from the host: the supervisor's verbs. The
 * host implements it; {@link AdminServer} turns HTTP requests into calls on
 * it and its answers into JSON.
 *
 * <p><b>Threads.</b> Every method is called on one of the admin server's own
 * threads ({@link AdminServer#THREADS} of them, possibly at once), never on a
 * VM's owner thread or a scheduler thread. An implementation must therefore be
 * thread-safe, and should hand anything that touches a VM to that VM's owner
 * thread (through its proxy) rather than reach into it. A method may block
 * while it waits for the owner thread; that holds one admin thread, not a VM.
 *
 * <p><b>Errors.</b> A refusal the caller can act on is an {@link AdminException}
 * carrying its HTTP status. Any {@link RuntimeException} is a bug in the host:
 * the server answers 500 and keeps serving.
 */
public interface AdminBackend {
    /**
     * Creates and starts a VM.
     *
     * @throws AdminException 404 no such image, 400 an image or name the host
     *         refuses, 409 the name is taken, 503 over the resident-memory budget
     */
    VmView create(CreateVmRequest request) throws AdminException;

    /** Every VM the host knows, in the order the host chooses (by id, say). */
    List<VmView> list();

    /**
     * One VM, by id ({@code vm-12}) or by name.
     *
     * @throws AdminException 404 no such VM
     */
    VmView inspect(String vm) throws AdminException;

    /**
     * Stops a VM, releases its memory, and returns its final view (state
     * {@code destroyed}).
     *
     * @throws AdminException 404 no such VM, 409 the VM cannot be destroyed in its state
     */
    VmView destroy(String vm) throws AdminException;

    /** The host as a whole: uptime, VMs by state, memory, counters. */
    HostView host();

    /**
     * A snapshot of one VM (by id or name): its encapsulation record, to be
     * restored here or on another host. With {@code stop} the VM is destroyed
     * once the record is taken (it moves rather than being copied).
     *
     * @throws AdminException 404 no such VM, 409 the VM cannot be snapshotted
     *         in its state (ended, a snapshot of it under way, not paused in time)
     */
    byte[] snapshot(String vm, boolean stop) throws AdminException;

    /**
     * Starts a VM from a snapshot's {@code record}, with a new id and
     * addresses; {@code name} null keeps the record's.
     *
     * @throws AdminException 400 a bad record (truncated, damaged, an image
     *         missing or changed on this host...), 409 the name is taken, 503
     *         the host holds its maximum of VMs
     */
    VmView restore(byte[] record, String name) throws AdminException;
}
