package denali.isa.interp;

import static denali.isa.interp.CpuState.AF;
import static denali.isa.interp.CpuState.CF;
import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.EBX;
import static denali.isa.interp.CpuState.ECX;
import static denali.isa.interp.CpuState.EDX;
import static denali.isa.interp.CpuState.OF;
import static denali.isa.interp.CpuState.PF;
import static denali.isa.interp.CpuState.SF;
import static denali.isa.interp.CpuState.ZF;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Flags that pass through several instructions: INC/DEC keep the CF of
 * whatever came before, a multiply keeps SF, ZF, AF and PF of whatever came
 * before, in every order. (The oracle corpus starts each vector from explicit
 * flags, so chains are tested here.)
 */
class FlagChainTest {

    @Test
    void incAndDecKeepTheCarryOfAnAdd() {
        // add %ecx,%eax (carries) ; inc %edx ; dec %ebx ; setc %bl (0f 92 c3)
        Machine m = new Machine("01 c8 42 4b 0f 92 c3").reg(EAX, -1).reg(ECX, 1).reg(EBX, 0x100).runToEnd();
        assertEquals(1, m.r(EBX) & 0xFF);
        assertEquals(CF, m.arith() & CF);
    }

    @Test
    void incKeepsTheCarryOfASubtractAndOfALogicOp() {
        // cmp %ecx,%eax (borrow) ; inc %edx ; adc $0,%ebx (83 d3 00)
        Machine m = new Machine("39 c8 42 83 d3 00").reg(EAX, 1).reg(ECX, 2).runToEnd();
        assertEquals(1, m.r(EBX));
        // stc ; xor %eax,%eax (clears CF) ; inc %edx ; adc $0,%ebx
        Machine l = new Machine("f9 31 c0 42 83 d3 00").runToEnd();
        assertEquals(0, l.r(EBX));
    }

    @Test
    void incAfterAMultiplyKeepsTheMultiplysCarry() {
        // imul %ecx,%eax (overflows: CF=OF=1) ; inc %edx ; setc %bl ; seto %bh (0f 90 c7)
        Machine m = new Machine("0f af c1 42 0f 92 c3 0f 90 c7").reg(EAX, 0x10000).reg(ECX, 0x10000).runToEnd();
        assertEquals(1, m.r(EBX) & 0xFF, "CF survives inc");
        assertEquals(0, (m.r(EBX) >> 8) & 0xFF, "inc computes OF itself");
    }

    @Test
    void aMultiplyKeepsTheZeroSignParityAndAuxiliaryOfWhatCameBefore() {
        // sub %eax,%eax (ZF PF) ; imul %edx,%ecx (no overflow)
        Machine z = new Machine("29 c0 0f af ca").reg(ECX, 3).reg(EDX, 4).runToEnd();
        assertEquals(12, z.r(ECX));
        assertEquals(ZF | PF, z.arith());
        // dec %eax from 0 (SF AF PF, CF kept from stc) ; imul $3,%ecx,%ecx ; imul again
        Machine d = new Machine("f9 48 6b c9 03 6b c9 03").reg(EAX, 0).reg(ECX, 1).runToEnd();
        assertEquals(9, d.r(ECX));
        assertEquals(SF | AF | PF, d.arith(), "CF and OF from the multiply (no overflow), the rest from dec");
        // mul after an overflowing imul: the second multiply's CF/OF, the saved SF/ZF/AF/PF
        Machine mm = new Machine("31 db 0f af c1 f7 e3").reg(EAX, 0x10000).reg(ECX, 0x10000).reg(EBX, 0).runToEnd();
        assertEquals(ZF | PF, mm.arith());
        // inc after dec after multiply: carry from the multiply
        Machine chain = new Machine("0f af c1 48 40 0f 92 c2").reg(EAX, 0x10000).reg(ECX, 0x10000).reg(EDX, 0).runToEnd();
        assertEquals(1, chain.r(EDX) & 0xFF);
        assertEquals(OF, OF & new Machine("0f af c1").reg(EAX, 0x10000).reg(ECX, 0x10000).runToEnd().arith());
    }
}
