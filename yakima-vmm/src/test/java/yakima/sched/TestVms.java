package yakima.sched;

import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import yakima.vm.ConsoleSink;
import yakima.vm.RateLimitedConsole;
import yakima.vm.TinyElf;
import yakima.vm.Vm;

/** Hand-assembled guests and a hand-driven clock for scheduler tests. */
final class TestVms {
    static final int MEM = 64 << 10;

    /** A clock the test moves. */
    static final class Clock {
        long nowNs;

        long now() {
            return nowNs;
        }
    }

    private TestVms() {
    }

    /** jmp $ : runs forever. */
    static final byte[] SPINNER = {(byte) 0xEB, (byte) 0xFE};

    /**
     * Reads TIME_NS, idles until TIME_NS + period (the period is the u32 at data+8), then stores
     * the deadline at data and the time it woke at data+4, and terminates.
     */
    static byte[] sleeperCode() {
        int data = TinyElf.BASE + 64; // the code is padded to 64 bytes below
        byte[] code = TinyElf.concat(
                new byte[] {(byte) 0xA1, 0x10, 0, 0, 0}, // mov 0x10,%eax  (TIME_NS low)
                new byte[] {(byte) 0x8B, 0x15, 0x14, 0, 0, 0}, // mov 0x14,%edx  (TIME_NS high)
                concat(new byte[] {0x03, 0x05}, le(data + 8)), // add period,%eax
                new byte[] {(byte) 0x83, (byte) 0xD2, 0x00}, // adc $0,%edx
                concat(new byte[] {(byte) 0xA3}, le(data)), // mov %eax,data
                TinyElf.op(0x0A), // IDLE
                new byte[] {(byte) 0x8B, 0x0D, 0x10, 0, 0, 0}, // mov 0x10,%ecx
                concat(new byte[] {(byte) 0x89, 0x0D}, le(data + 4)), // mov %ecx,data+4
                TinyElf.movEbx(0), TinyElf.op(0x0C)); // TERM 0
        return java.util.Arrays.copyOf(code, 64);
    }

    static int sleeperData() {
        return TinyElf.BASE + 64;
    }

    static ElfImage image(byte[] code) {
        try {
            return ElfImage.parse(TinyElf.of(code, new byte[16]), MEM);
        } catch (LoadException e) {
            throw new AssertionError(e);
        }
    }

    static Vm vm(int id, ElfImage image, Clock clock) {
        return vm(id, image, clock, ConsoleSink.discarding());
    }

    static Vm vm(int id, ElfImage image, Clock clock, ConsoleSink out) {
        RateLimitedConsole console = new RateLimitedConsole(out, clock::now, 1 << 20, 1 << 16);
        return new Vm(id, null, "test", image, MEM, 0x020000000000L | id, 0x0A000000 | id, 100, clock.now(), console);
    }

    static byte[] le(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] concat(byte[] a, byte[] b) {
        return TinyElf.concat(a, b);
    }

    /** Machine code written as objdump prints it: hex bytes separated by spaces ("8b 3d 00 20 00 00"). */
    static byte[] hex(String bytes) {
        String[] parts = bytes.trim().split("\\s+");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }
}
