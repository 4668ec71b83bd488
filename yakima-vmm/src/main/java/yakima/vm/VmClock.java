package yakima.vm;

/**
 * A VM's virtual time, in ns since the VM booted. In single-VM foreground
 * mode it is host monotonic time since boot; tests inject their own.
 */
@FunctionalInterface
public interface VmClock {
    long nowNs();

    /** Host monotonic time ({@link System#nanoTime()}) since the moment this is called. */
    static VmClock monotonicSinceNow() {
        long boot = System.nanoTime();
        return () -> System.nanoTime() - boot;
    }
}
