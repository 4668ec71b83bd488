package denali.isa.interp;

import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.EBX;
import static denali.isa.interp.CpuState.ECX;
import static denali.isa.interp.CpuState.EDX;
import static denali.isa.interp.CpuState.ESP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import denali.isa.spec.DenaliAbi;

/** The Denali instructions: HCALL, IDLE, TERM, VIRET, interrupt upcalls and PUSHF/POPF's interrupt flag. */
class ParavirtualTest {

    @Test
    void hypercallExitsPastTheInstructionAndResumes() {
        // mov $1,%eax ; hcall ; mov %eax,%ebx
        Machine m = new Machine("b8 01 00 00 00 0f 04 89 c3");
        assertEquals(ExitReason.HYPERCALL, m.run());
        assertEquals(1, m.r(EAX));
        assertEquals(Machine.CODE + 7, m.cpu.eip());
        m.cpu.setReg(EAX, 42); // the VMM's result
        assertEquals(ExitReason.TERMINATE, m.run());
        assertEquals(42, m.r(EBX));
    }

    @Test
    void idleCarriesItsDeadline() {
        Machine m = new Machine("0f 0a").reg(EDX, 1).reg(EAX, 0x80000000);
        assertEquals(ExitReason.IDLE, m.run());
        assertEquals(0x180000000L, m.cpu.idleDeadlineNs());
        assertEquals(Machine.CODE + 2, m.cpu.eip());
        Machine forever = new Machine("0f 0a").reg(EDX, -1).reg(EAX, -1);
        assertEquals(ExitReason.IDLE, forever.run());
        assertEquals(-1L, forever.cpu.idleDeadlineNs());
    }

    @Test
    void terminateReportsTheExitCodeAndStaysTerminated() {
        Machine m = new Machine("bb 03 00 00 00").runToEnd();
        assertEquals(3, m.cpu.exitCode());
        assertEquals(ExitReason.TERMINATE, m.run());
    }

    @Test
    void upcallDeliversPendingInterruptsAndViretReturns() {
        // main: 0: inc %ecx ; 1: jmp 0 (spins)   handler at +0x10: mov pending,%ebx ; movl $0,pending ; viret
        String main = "41 eb fd";
        String pad = " 90".repeat(0x10 - 3);
        String handler = " 8b 1d 24 00 00 00 c7 05 24 00 00 00 00 00 00 00 0f 36";
        Machine m = new Machine(main + pad + handler);
        int handlerAddr = Machine.CODE + 0x10;
        m.mem.vmmWrite32(DenaliAbi.VREG_INT_HANDLER, handlerAddr);
        m.mem.vmmWrite32(DenaliAbi.VREG_INT_PENDING, DenaliAbi.INT_TIMER | DenaliAbi.INT_NIC_RX);
        assertFalse(m.cpu.deliverInterrupts(), "masked: nothing delivered");
        m.mem.vmmWrite32(DenaliAbi.VREG_INT_ENABLE, 1);
        assertEquals(ExitReason.BUDGET, m.cpu.run(4));
        int eipBefore = m.cpu.eip();
        assertTrue(m.cpu.deliverInterrupts());
        assertEquals(handlerAddr, m.cpu.eip());
        assertEquals(0, m.mem.read32(DenaliAbi.VREG_INT_ENABLE), "the upcall masks interrupts");
        assertEquals(Machine.STACK_TOP - 8, m.r(ESP));
        assertEquals(eipBefore, m.mem.read32(Machine.STACK_TOP - 8));
        assertEquals(ExitReason.BUDGET, m.cpu.run(3));
        assertEquals(DenaliAbi.INT_TIMER | DenaliAbi.INT_NIC_RX, m.r(EBX));
        assertEquals(eipBefore, m.cpu.eip(), "viret returns to the interrupted instruction");
        assertEquals(1, m.mem.read32(DenaliAbi.VREG_INT_ENABLE), "viret re-enables interrupts");
        assertEquals(Machine.STACK_TOP, m.r(ESP));
    }

    @Test
    void pushfShowsTheVirtualInterruptFlagAndPopfSetsIt() {
        Machine m = new Machine("9c 5b 68 00 02 00 00 9d");
        m.mem.vmmWrite32(DenaliAbi.VREG_INT_ENABLE, 0);
        m.runToEnd();
        assertEquals(0, m.r(EBX) & CpuState.IF);
        assertEquals(2, m.r(EBX) & 2, "bit 1 always reads as 1");
        assertEquals(1, m.mem.read32(DenaliAbi.VREG_INT_ENABLE));
    }

    @Test
    void theGuestMayWriteOnlyItsOwnVirtualRegisters() {
        Machine ok = new Machine("c7 05 28 00 00 00 00 20 00 00").runToEnd();
        assertEquals(0x2000, ok.mem.read32(DenaliAbi.VREG_INT_HANDLER));
        Machine bad = new Machine("c7 05 08 00 00 00 00 00 00 01");
        assertEquals(ExitReason.FAULT, bad.run());
        assertEquals(Fault.Kind.READ_ONLY_VREG, bad.cpu.fault().kind());
        assertEquals(DenaliAbi.VREG_MEM_SIZE, bad.cpu.fault().address());
        // reading any virtual register never traps
        Machine read = new Machine("8b 0d 08 00 00 00");
        read.mem.vmmWrite32(DenaliAbi.VREG_MEM_SIZE, Machine.MEM);
        assertEquals(Machine.MEM, read.runToEnd().r(ECX));
    }
}
