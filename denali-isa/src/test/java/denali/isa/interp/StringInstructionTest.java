package denali.isa.interp;

import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.ECX;
import static denali.isa.interp.CpuState.EDI;
import static denali.isa.interp.CpuState.ESI;
import static denali.isa.interp.CpuState.ZF;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MOVS, STOS, LODS, CMPS, SCAS with and without repeat prefixes, both directions, and budget interruption. */
class StringInstructionTest {
    private static final int SRC = Machine.DATA;
    private static final int DST = Machine.DATA + 0x1000;

    @Test
    void repMovsdCopiesForward() {
        Machine m = new Machine("f3 a5").reg(ESI, SRC).reg(EDI, DST).reg(ECX, 5);
        for (int i = 0; i < 6; i++) {
            m.mem.write32(SRC + 4 * i, 100 + i);
        }
        m.runToEnd();
        for (int i = 0; i < 5; i++) {
            assertEquals(100 + i, m.mem.read32(DST + 4 * i));
        }
        assertEquals(0, m.mem.read32(DST + 20), "copies exactly ECX elements");
        assertEquals(0, m.r(ECX));
        assertEquals(SRC + 20, m.r(ESI));
        assertEquals(DST + 20, m.r(EDI));
    }

    @Test
    void repStosbBackwardsWithDirectionFlag() {
        Machine m = new Machine("fd f3 aa fc").reg(EDI, DST + 9).reg(ECX, 10).reg(EAX, 0x5A).runToEnd();
        for (int i = 0; i < 10; i++) {
            assertEquals(0x5A, m.mem.read8(DST + i));
        }
        assertEquals(DST - 1, m.r(EDI));
    }

    @Test
    void repzCmpsbStopsAtTheFirstDifference() {
        Machine m = new Machine("f3 a6").reg(ESI, SRC).reg(EDI, DST).reg(ECX, 10);
        m.mem.writeBytes(SRC, "abcdefgh".getBytes(), 0, 8);
        m.mem.writeBytes(DST, "abcXefgh".getBytes(), 0, 8);
        m.runToEnd();
        assertEquals(6, m.r(ECX), "stopped after comparing the fourth byte");
        assertEquals(0, m.arith() & ZF);
        assertEquals(SRC + 4, m.r(ESI));
    }

    @Test
    void repnzScasbFindsAByte() {
        Machine m = new Machine("f2 ae").reg(EDI, DST).reg(ECX, -1).reg(EAX, 0);
        m.mem.writeBytes(DST, "hello\0".getBytes(), 0, 6);
        m.runToEnd();
        assertEquals(DST + 6, m.r(EDI));
        assertEquals(-1 - 6, m.r(ECX), "strlen idiom: not ecx - 1 = length");
    }

    @Test
    void lodsAndStosWord() {
        Machine m = new Machine("66 ad 66 ab").reg(ESI, SRC).reg(EDI, DST).reg(EAX, 0xFFFF0000);
        m.mem.write16(SRC, 0xBEEF);
        m.runToEnd();
        assertEquals(0xFFFFBEEF, m.r(EAX));
        assertEquals(0xBEEF, m.mem.read16(DST));
        assertEquals(SRC + 2, m.r(ESI));
    }

    @Test
    void repWithZeroCountDoesNothing() {
        Machine m = new Machine("f3 a4").reg(ESI, SRC).reg(EDI, DST).reg(ECX, 0).runToEnd();
        assertEquals(SRC, m.r(ESI));
        assertEquals(2, m.cpu.insnCount());
    }

    @Test
    void eachIterationCountsAgainstTheBudgetAndTheInstructionResumes() {
        Machine m = new Machine("f3 a4").reg(ESI, SRC).reg(EDI, DST).reg(ECX, 100);
        for (int i = 0; i < 100; i++) {
            m.mem.write8(SRC + i, i + 1);
        }
        assertEquals(ExitReason.BUDGET, m.cpu.run(10));
        assertEquals(Machine.CODE, m.cpu.eip(), "the interrupted rep instruction resumes");
        assertEquals(90, m.r(ECX));
        assertEquals(10, m.cpu.insnCount());
        assertEquals(ExitReason.TERMINATE, m.cpu.run(1000));
        assertEquals(101, m.cpu.insnCount());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + 1, m.mem.read8(DST + i));
        }
    }

    @Test
    void anEndlessRepIsBoundedByTheBudget() {
        Machine m = new Machine("f3 ab").reg(EDI, DST).reg(ECX, -1);
        assertEquals(ExitReason.BUDGET, m.cpu.run(5000));
        assertEquals(5000, m.cpu.insnCount());
    }

    @Test
    void aFaultMidRepKeepsCompletedIterations() {
        Machine m = new Machine("f3 aa").reg(EDI, Machine.MEM - 3).reg(ECX, 10).reg(EAX, 1);
        assertEquals(ExitReason.FAULT, m.run());
        assertEquals(Fault.Kind.MEMORY_OUT_OF_RANGE, m.cpu.fault().kind());
        assertEquals(Machine.MEM, m.cpu.fault().address());
        assertEquals(7, m.r(ECX));
        assertEquals(Machine.MEM, m.r(EDI));
    }
}
