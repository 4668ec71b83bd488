package yakima.host;

import java.nio.ByteBuffer;

import denali.isa.memory.GuestMemory;
import yakima.vm.Vm;

/**
 * Everything a guest can see of itself, as bytes to compare before and after
 * a swap, an adoption or a snapshot: its memory from some address on, then
 * its eight registers, EIP, EFLAGS and instruction count.
 */
final class GuestView {
    private GuestView() {
    }

    /** The whole memory, then the registers. */
    static byte[] of(Vm vm) {
        return from(vm, 0);
    }

    /** Memory from {@code firstByte} on (a restore under a new identity rewrites page 0), then the registers. */
    static byte[] from(Vm vm, int firstByte) {
        GuestMemory mem = vm.memory();
        int size = mem.sizeBytes() - firstByte;
        byte[] all = new byte[size + 4 * 11];
        mem.readBytes(firstByte, all, 0, size);
        ByteBuffer b = ByteBuffer.wrap(all, size, 44);
        for (int n = 0; n < 8; n++) {
            b.putInt(vm.reg(n));
        }
        b.putInt(vm.eip()).putInt(vm.flags()).putInt((int) vm.insnCount());
        return all;
    }
}
