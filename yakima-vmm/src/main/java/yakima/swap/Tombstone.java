package yakima.swap;

import java.util.Arrays;

/**
 * What a host writes in a destroyed VM's place in its swap store when
 * deleting the VM's record is not enough: the VM is a clone that a
 * {@link CloneManifest} names, so with no record of its own a host
 * restarted on the store would bring it back from the template. A
 * tombstone says it is gone. Twelve bytes, stored like a record under the
 * VM's id (so it replaces the VM's own record, if it had one, in one
 * atomic rename).
 *
 * <pre>
 *  0                   8       10      12
 *  +-------------------+-------+-------+
 *  | magic (8 bytes)   |version| flags |   magic: 89 59 4B 44 0D 0A 1A 0A ("\211YKD\r\n\032\n"); version 1; flags 0
 *  +-------------------+-------+-------+
 * </pre>
 *
 * <p>Threading: pure functions, any thread.
 */
public final class Tombstone {
    private static final byte[] BYTES = {(byte) 0x89, 'Y', 'K', 'D', '\r', '\n', 0x1A, '\n', 1, 0, 0, 0};

    private Tombstone() {
    }

    /** A tombstone's bytes, to be written to the store under the destroyed VM's id. */
    public static byte[] bytes() {
        return BYTES.clone();
    }

    /** True if {@code record} is a tombstone (exactly; anything else under a VM's id is taken for a record). */
    public static boolean is(byte[] record) {
        return Arrays.equals(record, BYTES);
    }
}
