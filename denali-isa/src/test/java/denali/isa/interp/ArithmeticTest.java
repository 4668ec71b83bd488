package denali.isa.interp;

import static denali.isa.interp.CpuState.AF;
import static denali.isa.interp.CpuState.CF;
import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.ECX;
import static denali.isa.interp.CpuState.EDX;
import static denali.isa.interp.CpuState.OF;
import static denali.isa.interp.CpuState.PF;
import static denali.isa.interp.CpuState.SF;
import static denali.isa.interp.CpuState.ZF;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ALU, inc/dec/neg/not, multiply and divide: results and all six arithmetic flags. */
class ArithmeticTest {

    private static Machine m(String hex) {
        return new Machine(hex);
    }

    @Test
    void addSetsOverflowSignAuxiliaryAndParity() {
        Machine m = m("01 c8").reg(EAX, 0x7FFFFFFF).reg(ECX, 1).runToEnd();
        assertEquals(0x80000000, m.r(EAX));
        assertEquals(OF | SF | AF | PF, m.arith());
    }

    @Test
    void subBorrowsThroughEveryBit() {
        Machine m = m("29 c8").reg(EAX, 0).reg(ECX, 1).runToEnd();
        assertEquals(0xFFFFFFFF, m.r(EAX));
        assertEquals(CF | SF | AF | PF, m.arith());
    }

    @Test
    void cmpLeavesOperandsAndSetsZero() {
        Machine m = m("39 c8").reg(EAX, 5).reg(ECX, 5).runToEnd();
        assertEquals(5, m.r(EAX));
        assertEquals(ZF | PF, m.arith());
    }

    @Test
    void adcAndSbbUseTheCarryIn() {
        Machine a = m("11 c8").reg(EAX, 0xFFFFFFFF).reg(ECX, 0).flags(CF).runToEnd();
        assertEquals(0, a.r(EAX));
        assertEquals(CF | ZF | PF | AF, a.arith());
        Machine s = m("19 c8").reg(EAX, 0).reg(ECX, 0).flags(CF).runToEnd();
        assertEquals(0xFFFFFFFF, s.r(EAX));
        assertEquals(CF | SF | AF | PF, s.arith());
        Machine s2 = m("19 c8").reg(EAX, 5).reg(ECX, 5).flags(0).runToEnd();
        assertEquals(0, s2.r(EAX));
        assertEquals(ZF | PF, s2.arith());
    }

    @Test
    void eightBitAddKeepsTheUpperBytesAndOverflows() {
        Machine m = m("04 7f").reg(EAX, 0x12345601).runToEnd();
        assertEquals(0x12345680, m.r(EAX));
        assertEquals(OF | SF | AF, m.arith());
    }

    @Test
    void sixteenBitAddCarriesOutOfBit15() {
        Machine m = m("66 83 c0 01").reg(EAX, 0xAAAAFFFF).runToEnd();
        assertEquals(0xAAAA0000, m.r(EAX));
        assertEquals(CF | ZF | PF | AF, m.arith());
    }

    @Test
    void highByteRegistersAreAddressable() {
        // add %ah,%bl (00 e3) ; mov %bl,%ah (88 dc)
        Machine m = m("00 e3 88 dc").reg(EAX, 0x00001200).reg(3, 0x34).runToEnd();
        assertEquals(0x46, m.r(3));
        assertEquals(0x00004600, m.r(EAX));
    }

    @Test
    void incAndDecPreserveCarry() {
        Machine i = m("40").reg(EAX, 0xFFFFFFFF).flags(CF).runToEnd();
        assertEquals(0, i.r(EAX));
        assertEquals(CF | ZF | PF | AF, i.arith());
        Machine d = m("48").reg(EAX, 0x80000000).flags(0).runToEnd();
        assertEquals(0x7FFFFFFF, d.r(EAX));
        assertEquals(OF | AF | PF, d.arith());
    }

    @Test
    void negSetsCarryUnlessZero() {
        Machine z = m("f7 d8").reg(EAX, 0).flags(CF).runToEnd();
        assertEquals(ZF | PF, z.arith());
        Machine n = m("f7 d8").reg(EAX, 5).runToEnd();
        assertEquals(-5, n.r(EAX));
        assertEquals(CF | SF | AF, n.arith());
    }

    @Test
    void logicClearsCarryAndOverflowNotLeavesFlags() {
        Machine x = m("31 c0").reg(EAX, 77).flags(CF | OF).runToEnd();
        assertEquals(0, x.r(EAX));
        assertEquals(ZF | PF, x.arith());
        Machine n = m("f7 d0").reg(EAX, 0x0F0F0F0F).flags(CF | SF).runToEnd();
        assertEquals(0xF0F0F0F0, n.r(EAX));
        assertEquals(CF | SF, n.arith());
    }

    @Test
    void unsignedAndSignedWideningMultiply() {
        Machine u = m("f7 e1").reg(EAX, 0x80000000).reg(ECX, 4).runToEnd();
        assertEquals(0, u.r(EAX));
        assertEquals(2, u.r(EDX));
        assertEquals(CF | OF, u.arith() & (CF | OF));
        Machine s = m("f7 e9").reg(EAX, -2).reg(ECX, 3).runToEnd();
        assertEquals(-6, s.r(EAX));
        assertEquals(-1, s.r(EDX));
        assertEquals(0, s.arith() & (CF | OF));
    }

    @Test
    void truncatingMultiplyForms() {
        assertEquals(-21, m("6b c1 fd").reg(ECX, 7).runToEnd().r(EAX));
        assertEquals(7000, m("69 c1 e8 03 00 00").reg(ECX, 7).runToEnd().r(EAX));
        Machine o = m("0f af c1").reg(EAX, 0x10000).reg(ECX, 0x10000).runToEnd();
        assertEquals(0, o.r(EAX));
        assertEquals(CF | OF, o.arith() & (CF | OF));
    }

    @Test
    void divideAllSizes() {
        Machine d = m("f7 f1").reg(EDX, 0).reg(EAX, 100).reg(ECX, 7).runToEnd();
        assertEquals(14, d.r(EAX));
        assertEquals(2, d.r(EDX));
        Machine i = m("f7 f9").reg(EDX, -1).reg(EAX, -100).reg(ECX, 7).runToEnd();
        assertEquals(-14, i.r(EAX));
        assertEquals(-2, i.r(EDX));
        Machine b = m("f6 f1").reg(EAX, 0x0107).reg(ECX, 0x10).runToEnd();
        assertEquals(0x0710, b.r(EAX));
        Machine w = m("66 f7 f9").reg(EDX, 0xFFFF).reg(EAX, 0xFF9C).reg(ECX, 7).runToEnd();
        assertEquals(0xFFF2, w.r(EAX) & 0xFFFF);
        assertEquals(0xFFFE, w.r(EDX) & 0xFFFF);
        Machine big = m("f7 f1").reg(EDX, 0xFFFFFFFE).reg(EAX, 0xFFFFFFFF).reg(ECX, 0xFFFFFFFF).runToEnd();
        assertEquals(0xFFFFFFFF, big.r(EAX));
        assertEquals(0xFFFFFFFE, big.r(EDX));
    }

    @Test
    void divideErrorsFaultOnlyThisVmAndChangeNothing() {
        for (String[] c : new String[][] {{"f7 f1", "0", "100", "0"}, {"f7 f9", "-1", "-2147483648", "-1"},
                {"f7 f1", "7", "0", "7"}, {"f6 f1", "0", "0x1000", "0x10"}}) {
            Machine m = m(c[0]).reg(EDX, Integer.decode(c[1])).reg(EAX, Integer.decode(c[2])).reg(ECX, Integer.decode(c[3]));
            assertEquals(ExitReason.FAULT, m.run(), c[0]);
            assertEquals(Fault.Kind.DIVIDE_ERROR, m.cpu.fault().kind());
            assertEquals(Machine.CODE, m.cpu.fault().eip());
            assertEquals(Machine.CODE, m.cpu.eip());
            assertEquals(Integer.decode(c[2]), m.r(EAX));
            // A faulted VM stays faulted.
            assertEquals(ExitReason.FAULT, m.run());
        }
    }

    @Test
    void signExtensions() {
        assertEquals(0xFFFF8000, m("98").reg(EAX, 0x12348000).runToEnd().r(EAX));
        assertEquals(0x1234FF80, m("66 98").reg(EAX, 0x12340080).runToEnd().r(EAX));
        assertEquals(-1, m("99").reg(EAX, -5).runToEnd().r(EDX));
        assertEquals(0x0000FFFF, m("66 99").reg(EAX, 0x8000).reg(EDX, 0).runToEnd().r(EDX));
        assertEquals(0x000000F3, m("0f b6 d4").reg(EAX, 0xF300).runToEnd().r(EDX));
        assertEquals(0xFFFFFF80, m("0f be f3").reg(3, 0x80).runToEnd().r(6));
        assertEquals(0xFFFF8001, m("0f bf f9").reg(ECX, 0x8001).runToEnd().r(7));
    }
}
