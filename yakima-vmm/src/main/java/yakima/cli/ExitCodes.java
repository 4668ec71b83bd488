package yakima.cli;

/**
 * The process exit codes of {@code yakima}. {@code yakima run} otherwise exits
 * with the guest's own exit code (EBX at TERM, low 8 bits, as a shell sees
 * any exit code), so a guest that exits with 124 or 125 looks like the
 * monitor's own outcome; the message on stderr tells them apart.
 */
public final class ExitCodes {
    private ExitCodes() {
    }

    public static final int OK = 0;
    /** Yakima could not do what was asked: image not found or refused, toolchain missing. */
    public static final int ERROR = 1;
    /** Bad command line (picocli's usage error). */
    public static final int USAGE = 2;
    /** A bug or a missing part of Yakima itself (an exception escaped); see YAKIMA_DEBUG. */
    public static final int INTERNAL = 70;
    /** The VM did not finish: --max-insns was reached, or it idled forever with nothing to wake it. */
    public static final int DID_NOT_FINISH = 124;
    /** The guest faulted (invalid instruction, memory outside the VM, ...). */
    public static final int GUEST_FAULT = 125;
}
