package denali.isa.interp;

import denali.isa.decode.Insn;
import denali.isa.memory.GuestMemory;

/**
 * The register file and operand access shared by the CPU's layers: general
 * registers (with 8- and 16-bit views), EIP, the direction flag, effective
 * addresses, sized memory access and the stack.
 *
 * <p>The register array has a ninth slot, {@link Insn#NO_REG}, that always
 * holds 0, so an effective address is {@code r[base] + (r[index] << scale) +
 * disp} without a branch for missing base or index.
 */
abstract class CpuRegisters {
    static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

    /** The memory of the guest on this CPU (replaced by {@link Cpu#load}). */
    GuestMemory mem;
    final int[] r = new int[9];
    int eip;
    boolean df;

    CpuRegisters(GuestMemory mem) {
        this.mem = mem;
    }

    final int ea(Insn i) {
        return r[i.base] + (r[i.index] << i.scale) + i.disp;
    }

    // ---------------------------------------------------------------- sized registers

    final int getReg(int size, int n) {
        if (size == 4) {
            return r[n];
        }
        if (size == 2) {
            return r[n] & 0xFFFF;
        }
        return n < 4 ? r[n] & 0xFF : (r[n - 4] >>> 8) & 0xFF;
    }

    final void setReg(int size, int n, int v) {
        if (size == 4) {
            r[n] = v;
        } else if (size == 2) {
            r[n] = (r[n] & 0xFFFF0000) | (v & 0xFFFF);
        } else if (n < 4) {
            r[n] = (r[n] & 0xFFFFFF00) | (v & 0xFF);
        } else {
            r[n - 4] = (r[n - 4] & 0xFFFF00FF) | ((v & 0xFF) << 8);
        }
    }

    // ---------------------------------------------------------------- sized memory

    final int read(int size, int a) {
        return size == 4 ? mem.read32(a) : size == 2 ? mem.read16(a) : mem.read8(a);
    }

    final void write(int size, int a, int v) {
        if (size == 4) {
            mem.write32(a, v);
        } else if (size == 2) {
            mem.write16(a, v);
        } else {
            mem.write8(a, v);
        }
    }

    /** The r/m operand's value (zero-extended to 32 bits for 8- and 16-bit operands). */
    final int getE(Insn i, int size) {
        return i.rm >= 0 ? getReg(size, i.rm) : read(size, ea(i));
    }

    final void setE(Insn i, int size, int v) {
        if (i.rm >= 0) {
            setReg(size, i.rm, v);
        } else {
            write(size, ea(i), v);
        }
    }

    // ---------------------------------------------------------------- stack

    final void push32(int v) {
        int sp = r[ESP] - 4;
        mem.write32(sp, v);
        r[ESP] = sp;
    }

    final int pop32() {
        int v = mem.read32(r[ESP]);
        r[ESP] += 4;
        return v;
    }

    final void push(int size, int v) {
        int sp = r[ESP] - size;
        write(size, sp, v);
        r[ESP] = sp;
    }

    final int pop(int size) {
        int v = read(size, r[ESP]);
        r[ESP] += size;
        return v;
    }

    static int signExtend(int v, int size) {
        return size == 4 ? v : size == 2 ? (short) v : (byte) v;
    }

    static int mask(int size) {
        return size == 4 ? -1 : size == 2 ? 0xFFFF : 0xFF;
    }
}
