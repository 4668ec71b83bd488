package denali.isa.memory;

/**
 * A guest access that memory refused: outside the VM's memory, or a write to a
 * read-only virtual register. The CPU turns it into a fault exit of that VM;
 * it never escapes to the host. It carries no stack trace: it is control flow,
 * not a host error.
 */
public final class MemoryFault extends RuntimeException {
    /** Why the access was refused. */
    public enum Kind { OUT_OF_RANGE, READ_ONLY_VREG }

    private final Kind kind;
    private final int address;
    private final boolean write;

    public MemoryFault(Kind kind, int address, boolean write) {
        super(null, null, false, false);
        this.kind = kind;
        this.address = address;
        this.write = write;
    }

    public Kind kind() {
        return kind;
    }

    public int address() {
        return address;
    }

    public boolean isWrite() {
        return write;
    }

    @Override
    public String getMessage() {
        return (write ? "write to " : "read of ") + String.format("0x%08x", address)
                + (kind == Kind.OUT_OF_RANGE ? " outside the VM's memory" : ", a read-only virtual register");
    }
}
