package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import denali.isa.memory.GuestMemory;
import denali.isa.memory.MemoryFault;
import denali.isa.spec.DenaliAbi;

class VirtualRegistersTest {
    @Test
    void bootFillsTheReadOnlyRegisters() {
        GuestMemory mem = new GuestMemory(1 << 20);
        VirtualRegisters.initialise(mem, 100, DenaliAbi.DEV_CONSOLE);
        assertEquals(DenaliAbi.VREGS_MAGIC, mem.read32(DenaliAbi.VREG_MAGIC));
        assertEquals(DenaliAbi.ABI_VERSION, mem.read32(DenaliAbi.VREG_ABI_VERSION));
        assertEquals(1 << 20, mem.read32(DenaliAbi.VREG_MEM_SIZE));
        assertEquals(100, mem.read32(DenaliAbi.VREG_INSN_RATE));
        assertEquals(DenaliAbi.DEV_CONSOLE, mem.read32(DenaliAbi.VREG_DEVICE_STATUS));
        assertEquals(0, mem.read64(DenaliAbi.VREG_TIME_NS));
        assertEquals(0, mem.read32(DenaliAbi.VREG_MAC));
        assertEquals(0, mem.read32(DenaliAbi.VREG_INT_HANDLER));
        // still read-only for the guest
        assertThrows(MemoryFault.class, () -> mem.write32(DenaliAbi.VREG_TIME_NS, 1));
    }

    @Test
    void clockUpdatesAreSixtyFourBits() {
        GuestMemory mem = new GuestMemory(1 << 16);
        VirtualRegisters.updateClock(mem, 0x1_2345_6789L, 0xAB_CDEF_0123L);
        assertEquals(0x1_2345_6789L, mem.read64(DenaliAbi.VREG_TIME_NS));
        assertEquals(0xAB_CDEF_0123L, mem.read64(DenaliAbi.VREG_INSN_COUNT));
    }
}
