package denali.isa.interp;

/**
 * Why a VM stopped with a fault: the kind, the guest EIP of the faulting
 * instruction, the address involved (for memory faults), and the instruction
 * disassembled.
 */
public record Fault(Kind kind, int eip, int address, String instruction) {

    public enum Kind {
        INVALID_INSTRUCTION("invalid instruction"),
        DIVIDE_ERROR("divide error"),
        MEMORY_OUT_OF_RANGE("memory access outside the VM's memory"),
        FETCH_OUT_OF_RANGE("instruction fetch outside the VM's memory"),
        EXECUTE_VREGS("instruction fetch from the virtual-registers page"),
        STACK_OVERFLOW("stack overflow beyond the VM's memory"),
        READ_ONLY_VREG("write to a read-only virtual register");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** One line for a person: reason, EIP, address where it matters, instruction. */
    public String describe() {
        StringBuilder b = new StringBuilder(kind.text());
        if (kind == Kind.MEMORY_OUT_OF_RANGE || kind == Kind.STACK_OVERFLOW || kind == Kind.READ_ONLY_VREG
                || kind == Kind.FETCH_OUT_OF_RANGE || kind == Kind.EXECUTE_VREGS) {
            b.append(String.format(" (address 0x%08x)", address));
        }
        b.append(String.format(" at eip 0x%08x", eip));
        if (instruction != null && !instruction.isEmpty()) {
            b.append(": ").append(instruction);
        }
        return b.toString();
    }
}
