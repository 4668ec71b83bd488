package yakima.vm;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * The VMM's side of the virtual-registers page (page 0; layout in
 * {@link DenaliAbi} and {@code denali/abi.h}): fills the read-only fields at
 * boot and keeps the clock fields current. Writes go through
 * {@link GuestMemory#vmmWrite32}, which bypasses the guest's read-only checks.
 */
public final class VirtualRegisters {
    private VirtualRegisters() {
    }

    /**
     * Sets magic, ABI version, memory size, instruction rate and device status,
     * and zeroes the clock. The network fields stay zero: this VM has no NIC.
     */
    public static void initialise(GuestMemory mem, int insnRatePerUs, int deviceStatus) {
        mem.vmmWrite32(DenaliAbi.VREG_MAGIC, DenaliAbi.VREGS_MAGIC);
        mem.vmmWrite32(DenaliAbi.VREG_ABI_VERSION, DenaliAbi.ABI_VERSION);
        mem.vmmWrite32(DenaliAbi.VREG_MEM_SIZE, mem.sizeBytes());
        mem.vmmWrite32(DenaliAbi.VREG_INSN_RATE, insnRatePerUs);
        mem.vmmWrite32(DenaliAbi.VREG_DEVICE_STATUS, deviceStatus);
        updateClock(mem, 0, 0);
    }

    /** Sets the NIC's MAC (6 bytes, then 2 zero bytes) and IPv4 address (network byte order). */
    public static void setNetwork(GuestMemory mem, long mac, int ipv4) {
        // MAC bytes in wire order: the first octet at the lowest address
        int lo = 0;
        for (int k = 0; k < 4; k++) {
            lo |= (int) (mac >>> (8 * (5 - k)) & 0xFF) << (8 * k);
        }
        int hi = (int) (mac >>> 8 & 0xFF) | (int) (mac & 0xFF) << 8;
        mem.vmmWrite32(DenaliAbi.VREG_MAC, lo);
        mem.vmmWrite32(DenaliAbi.VREG_MAC + 4, hi);
        mem.vmmWrite32(DenaliAbi.VREG_IPV4, Integer.reverseBytes(ipv4));
    }

    /** {@link #updateClock(GuestMemory, long, long)}, on page 0 as an array ({@link GuestMemory#virtualRegisters}). */
    public static void updateClock(int[] vregs, long timeNs, long insnCount) {
        vregs[DenaliAbi.VREG_TIME_NS >>> 2] = (int) timeNs;
        vregs[(DenaliAbi.VREG_TIME_NS >>> 2) + 1] = (int) (timeNs >>> 32);
        vregs[DenaliAbi.VREG_INSN_COUNT >>> 2] = (int) insnCount;
        vregs[(DenaliAbi.VREG_INSN_COUNT >>> 2) + 1] = (int) (insnCount >>> 32);
    }

    /** Publishes virtual time and retired instructions; called before each run and after each hypercall. */
    public static void updateClock(GuestMemory mem, long timeNs, long insnCount) {
        mem.vmmWrite64(DenaliAbi.VREG_TIME_NS, timeNs);
        mem.vmmWrite64(DenaliAbi.VREG_INSN_COUNT, insnCount);
    }
}
