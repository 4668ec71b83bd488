package denali.isa.interp;

import denali.isa.memory.GuestMemory;

/** A 1 MiB test VM: code at {@link #CODE}, the stack near the top, everything else zero. */
final class Machine {
    static final int CODE = 0x1000;
    static final int DATA = 0x8000;
    static final int MEM = 1 << 20;
    static final int STACK_TOP = MEM - 0x100;
    static final byte[] TERM = {0x0F, 0x0C};

    final GuestMemory mem = new GuestMemory(MEM);
    final Cpu cpu = new Cpu(mem);

    /** Loads {@code hex} (bytes separated by spaces) at CODE, followed by TERM. */
    Machine(String hex) {
        byte[] code = hex(hex);
        mem.writeBytes(CODE, code, 0, code.length);
        mem.writeBytes(CODE + code.length, TERM, 0, TERM.length);
        cpu.setEip(CODE);
        cpu.setReg(CpuState.ESP, STACK_TOP);
    }

    static byte[] hex(String s) {
        String t = s.trim();
        if (t.isEmpty()) {
            return new byte[0];
        }
        String[] parts = t.split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    Machine reg(int r, int v) {
        cpu.setReg(r, v);
        return this;
    }

    Machine flags(int f) {
        cpu.setEflags(f);
        return this;
    }

    /** Runs to TERM (or at most 10,000 instructions) and returns the exit. */
    ExitReason run() {
        return cpu.run(10_000);
    }

    /** Runs to TERM and fails unless it got there. */
    Machine runToEnd() {
        ExitReason e = run();
        if (e != ExitReason.TERMINATE) {
            throw new AssertionError("expected TERMINATE, got " + e + (cpu.fault() != null ? ": " + cpu.fault().describe() : ""));
        }
        return this;
    }

    int r(int n) {
        return cpu.reg(n);
    }

    int arith() {
        return cpu.eflags() & CpuState.ARITH_FLAGS;
    }
}
