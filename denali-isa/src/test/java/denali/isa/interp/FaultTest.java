package denali.isa.interp;

import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.ESP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every guest error ends only that VM, with a reason, the guest EIP and the instruction. */
class FaultTest {

    /** Instructions outside the Denali ISA: privileged, I/O, segment, far transfer, x87/MMX/SSE, BCD, and more. */
    private static final String[] REMOVED = {
        "0f 0b", "f4", "fa", "fb", "cd 80", "cc", "ce", "f1", "e4 60", "e6 60", "ec", "ee", "6c", "6d", "6e", "6f",
        "8e d8", "8c d8", "06", "07", "0e", "16", "17", "1e", "1f", "0f a0", "0f a1", "0f a8", "0f a9",
        "9a 00 00 00 00 08 00", "ea 00 00 00 00 08 00", "ff 18", "ff 28", "ca 04 00", "cb", "cf", "c4 00", "c5 00",
        "d8 c1", "d9 e8", "dd 05 00 00 00 00", "df e0", "9b", "0f 6f c1", "0f 28 c1", "66 0f ef c0", "0f 77",
        "27", "2f", "37", "3f", "d4 0a", "d5 0a", "d6", "62 00", "63 c0", "0f a2", "0f 31", "0f 05", "0f 34", "0f 35",
        "0f 00 c0", "0f 01 d0", "0f 20 c0", "0f 22 c0", "0f 06", "0f 08", "0f 09", "0f 30", "0f 32", "0f 0e",
        "64 8b 00", "65 8b 00", "67 8b 00", "8d c0", "0f ff", "fe d0", "ff f8", "8f c8", "c6 c8 00", "0f c7 08",
        "66 e8 00 00", "66 c3",
    };

    @Test
    void removedInstructionsFaultAsInvalidAndChangeNothing() {
        for (String hex : REMOVED) {
            Machine m = new Machine(hex).reg(EAX, 0x1234);
            assertEquals(ExitReason.FAULT, m.run(), hex);
            Fault f = m.cpu.fault();
            assertEquals(Fault.Kind.INVALID_INSTRUCTION, f.kind(), hex);
            assertEquals(Machine.CODE, f.eip(), hex);
            assertEquals(0x1234, m.r(EAX), hex);
            assertEquals(Machine.STACK_TOP, m.r(ESP), hex);
            assertTrue(f.describe().startsWith("invalid instruction at eip 0x00001000: (bad) ["), f.describe());
        }
    }

    @Test
    void accessOutsideMemoryFaultsWithTheAddress() {
        Machine m = new Machine("8b 00").reg(EAX, Machine.MEM);
        assertEquals(ExitReason.FAULT, m.run());
        assertEquals(Fault.Kind.MEMORY_OUT_OF_RANGE, m.cpu.fault().kind());
        assertEquals(Machine.MEM, m.cpu.fault().address());
        assertEquals("memory access outside the VM's memory (address 0x00100000) at eip 0x00001000: mov   (%eax),%eax",
                m.cpu.fault().describe());
        // an access straddling the end of memory faults too, and writes nothing
        Machine s = new Machine("89 00").reg(EAX, Machine.MEM - 2);
        assertEquals(ExitReason.FAULT, s.run());
        assertEquals(0, s.mem.read16(Machine.MEM - 2));
    }

    @Test
    void stackOverflowBeyondMemory() {
        Machine push = new Machine("50").reg(ESP, 2);
        assertEquals(ExitReason.FAULT, push.run());
        assertEquals(Fault.Kind.STACK_OVERFLOW, push.cpu.fault().kind());
        assertEquals(2, push.r(ESP), "a faulting push leaves esp");
        Machine ret = new Machine("c3").reg(ESP, Machine.MEM);
        assertEquals(ExitReason.FAULT, ret.run());
        assertEquals(Fault.Kind.STACK_OVERFLOW, ret.cpu.fault().kind());
        // endless recursion with the stack growing down toward the virtual-registers page
        Machine rec = new Machine("e8 fb ff ff ff").reg(ESP, 0x1000);
        assertEquals(ExitReason.FAULT, rec.cpu.run(10_000_000));
        assertEquals(Fault.Kind.STACK_OVERFLOW, rec.cpu.fault().kind(), rec.cpu.fault().describe());
        assertEquals(0xFFC, rec.cpu.fault().address());
    }

    @Test
    void fetchingOutsideMemoryFaults() {
        Machine m = new Machine("ff e0").reg(EAX, Machine.MEM + 0x1000);
        assertEquals(ExitReason.FAULT, m.run());
        assertEquals(Fault.Kind.FETCH_OUT_OF_RANGE, m.cpu.fault().kind());
        assertEquals(Machine.MEM + 0x1000, m.cpu.fault().eip());
        // an instruction cut off by the end of memory
        Machine cut = new Machine("ff e0").reg(EAX, Machine.MEM - 2);
        cut.mem.write8(Machine.MEM - 2, 0xB8);
        cut.mem.write8(Machine.MEM - 1, 0x01);
        assertEquals(ExitReason.FAULT, cut.run());
        assertEquals(Fault.Kind.FETCH_OUT_OF_RANGE, cut.cpu.fault().kind());
        assertEquals(Machine.MEM - 2, cut.cpu.fault().eip());
    }

    @Test
    void callingANullFunctionPointerFaultsAtOnce() {
        Machine m = new Machine("31 c0 ff d0"); // xor %eax,%eax ; call *%eax
        assertEquals(ExitReason.FAULT, m.run());
        assertEquals(Fault.Kind.EXECUTE_VREGS, m.cpu.fault().kind());
        assertEquals(0, m.cpu.fault().eip());
        assertEquals(Machine.STACK_TOP - 4, m.r(ESP), "the call itself completed");
    }

    @Test
    void anUpcallWithoutStackRoomFaultsTheVmAndNeverThrows() {
        for (int sp : new int[] {0x1004, 0x1000, 4, Machine.MEM + 4, 0}) {
            Machine m = new Machine("90").reg(ESP, sp);
            m.mem.vmmWrite32(denali.isa.spec.DenaliAbi.VREG_INT_ENABLE, 1);
            m.mem.vmmWrite32(denali.isa.spec.DenaliAbi.VREG_INT_PENDING, 1);
            m.mem.vmmWrite32(denali.isa.spec.DenaliAbi.VREG_INT_HANDLER, Machine.CODE);
            assertEquals(false, m.cpu.deliverInterrupts());
            assertEquals(Fault.Kind.STACK_OVERFLOW, m.cpu.fault().kind(), "esp " + sp);
            assertEquals(sp, m.r(ESP), "esp is left as it was");
            assertEquals(ExitReason.FAULT, m.run());
        }
    }

    @Test
    void anInstructionAcrossAPageBoundaryExecutes() {
        Machine m = new Machine("e9 f9 0f 00 00"); // jmp to CODE + 0xffe
        m.mem.writeBytes(Machine.CODE + 0xFFE, Machine.hex("b8 2a 00 00 00 0f 0c"), 0, 7);
        m.runToEnd();
        assertEquals(42, m.r(EAX));
    }
}
