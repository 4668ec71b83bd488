package denali.isa.interp;

import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.ECX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

import denali.isa.memory.GuestMemory;
import denali.isa.memory.SharedPage;

/** run(budget) stops exactly on budget; decoded code follows every write to its page; state round-trips. */
class BudgetAndCodeCacheTest {

    @Test
    void runStopsAfterExactlyTheBudget() {
        Machine m = new Machine("90 90 90 90 90 90 90 90 90 90");
        assertEquals(ExitReason.BUDGET, m.cpu.run(3));
        assertEquals(Machine.CODE + 3, m.cpu.eip());
        assertEquals(3, m.cpu.insnCount());
        assertEquals(ExitReason.TERMINATE, m.cpu.run(100));
        assertEquals(11, m.cpu.insnCount());
    }

    @Test
    void aSpinningGuestGivesBackTheCpuOnBudget() {
        Machine m = new Machine("eb fe");
        for (int i = 1; i <= 5; i++) {
            assertEquals(ExitReason.BUDGET, m.cpu.run(1000));
            assertEquals(1000L * i, m.cpu.insnCount());
        }
    }

    @Test
    void aStoreIntoDecodedCodeIsSeenAtTheNextBlock() {
        // 0: movb $0x2a,0x1101 (patch the immediate of the mov at 0x1100) ; 7: jmp 0x1100
        assertPatchThenJumpRunsTheNewCode("c6 05 01 11 00 00 2a e9 f4 00 00 00");
    }

    @Test
    void aTakenConditionalJumpAfterAStoreIntoCodeRunsTheNewCode() {
        // 0: movb $0x2a,0x1101 ; 7: cmp %eax,%eax ; 9: je 0x1100 (blocks go on past untaken jumps only)
        assertPatchThenJumpRunsTheNewCode("c6 05 01 11 00 00 2a 39 c0 0f 84 f1 00 00 00");
    }

    /** {@code main} patches the immediate of "mov $1,%eax; term" at 0x1100 to 42 and then jumps there. */
    private static void assertPatchThenJumpRunsTheNewCode(String main) {
        Machine m = new Machine(main);
        m.mem.writeBytes(0x1100, Machine.hex("b8 01 00 00 00 0f 0c"), 0, 7);
        CpuState start = m.cpu.saveState();
        m.cpu.setEip(0x1100);
        m.runToEnd();
        assertEquals(1, m.r(EAX), "the code at 0x1100 ran once and is now decoded");
        m.cpu.loadState(start);
        m.runToEnd();
        assertEquals(42, m.r(EAX), "the patched instruction ran, not the stale decode");
    }

    @Test
    void vmsSharingAnImagePageDivergeOnWrite() {
        byte[] page = new byte[GuestMemory.PAGE_SIZE];
        byte[] code = Machine.hex("b8 01 00 00 00 0f 0c");
        System.arraycopy(code, 0, page, 0, code.length);
        SharedPage shared = new SharedPage(page);
        GuestMemory a = new GuestMemory(1 << 16);
        GuestMemory b = new GuestMemory(1 << 16);
        a.mapShared(1, shared);
        b.mapShared(1, shared);
        Cpu ca = new Cpu(a);
        Cpu cb = new Cpu(b);
        ca.setEip(0x1000);
        cb.setEip(0x1000);
        assertEquals(ExitReason.TERMINATE, ca.run(10));
        assertEquals(1, ca.reg(EAX));
        a.write8(0x1001, 7); // copy on write: only a's view changes
        assertEquals(1, page[1], "the shared page itself never changes");
        assertEquals(2, a.privatePages());
        assertEquals(1, b.privatePages());
        assertEquals(ExitReason.TERMINATE, cb.run(10));
        assertEquals(1, cb.reg(EAX));
        ca.loadState(new CpuState());
        ca.setEip(0x1000);
        assertEquals(ExitReason.TERMINATE, ca.run(10));
        assertEquals(7, ca.reg(EAX));
    }

    @Test
    void stateRoundTripsExactlyThroughAPlainValue() {
        Machine m = new Machine("01 c8 41 eb fb").reg(EAX, 0x7FFFFFF0).reg(ECX, 3);
        m.cpu.run(7);
        CpuState saved = m.cpu.saveState();
        CpuState copy = saved.copy();
        m.cpu.run(50);
        Machine other = new Machine("01 c8 41 eb fb");
        other.cpu.loadState(copy);
        assertEquals(saved, other.cpu.saveState());
        other.cpu.run(50);
        assertEquals(m.cpu.saveState(), other.cpu.saveState());
        assertNotSame(saved.regs, copy.regs);
    }
}
