package denali.isa.loader;

/**
 * An image the loader refuses. The message is one line a person can act on,
 * naming the problem and, where there is one, the field or segment at fault:
 * {@code "ELF class 64 is not supported: need 32-bit i386"},
 * {@code "segment 2 [0x00001000, 0x40001000) extends beyond the VM's 1 MiB memory"}.
 *
 * <p>Checked on purpose: every caller that loads an untrusted file must decide
 * what a refusal means for it (the CLI prints the message and exits 1; a VMM
 * refuses to create the VM).
 */
public final class LoadException extends Exception {
    public LoadException(String message) {
        super(message);
    }
}
