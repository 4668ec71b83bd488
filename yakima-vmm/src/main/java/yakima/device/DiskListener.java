package yakima.device;

/**
 * Told when a request of a {@link DiskDevice} has finished, so the host can
 * wake the VM (if it is idle) to run {@link DiskDevice#complete} in its next
 * quantum.
 *
 * <p>Threading: called on the {@link DiskService} I/O thread, once per finished
 * request, after the completion is queued for the owner thread. It must return
 * quickly and never block (the I/O thread serves every VM's disk): typically it
 * offers the VM to its scheduler's wake-up queue. It must not touch the VM's
 * memory or call {@link DiskDevice#complete}; those belong to the owner thread.
 * An exception it throws is counted ({@link DiskService#listenerErrors}) and
 * otherwise ignored.
 */
@FunctionalInterface
public interface DiskListener {
    /** A listener that does nothing, for a host that polls. */
    DiskListener NONE = device -> {
    };

    void diskDone(DiskDevice device);
}
