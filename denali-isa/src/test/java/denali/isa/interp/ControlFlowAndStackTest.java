package denali.isa.interp;

import static denali.isa.interp.CpuState.CF;
import static denali.isa.interp.CpuState.EAX;
import static denali.isa.interp.CpuState.EBP;
import static denali.isa.interp.CpuState.EBX;
import static denali.isa.interp.CpuState.ECX;
import static denali.isa.interp.CpuState.EDI;
import static denali.isa.interp.CpuState.EDX;
import static denali.isa.interp.CpuState.ESI;
import static denali.isa.interp.CpuState.ESP;
import static denali.isa.interp.CpuState.ZF;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Jumps, calls, returns, loops, conditions, and the stack instructions. */
class ControlFlowAndStackTest {

    @Test
    void callAndReturnThroughTheStack() {
        // 0: call 0xc ; 5: mov $7,%ebx ; a: jmp 0x12 (TERM) ; c: mov $42,%eax ; 11: ret
        Machine m = new Machine("e8 07 00 00 00 bb 07 00 00 00 eb 06 b8 2a 00 00 00 c3");
        m.runToEnd();
        assertEquals(42, m.r(EAX));
        assertEquals(7, m.r(EBX));
        assertEquals(Machine.STACK_TOP, m.r(ESP));
    }

    @Test
    void conditionalBranchesFollowSignedAndUnsignedComparisons() {
        // cmp %ecx,%eax ; jl +5 ; mov $1,%edx ; (TERM)  -> with a jump taken edx stays 0
        String jl = "39 c8 7c 05 ba 01 00 00 00";
        assertEquals(0, new Machine(jl).reg(EAX, -1).reg(ECX, 1).runToEnd().r(EDX));
        assertEquals(1, new Machine(jl).reg(EAX, 2).reg(ECX, 1).runToEnd().r(EDX));
        String jb = "39 c8 72 05 ba 01 00 00 00";
        assertEquals(1, new Machine(jb).reg(EAX, -1).reg(ECX, 1).runToEnd().r(EDX));
        assertEquals(0, new Machine(jb).reg(EAX, 0).reg(ECX, 1).runToEnd().r(EDX));
        // rel32 form: 0f 8e (jle)
        String jle = "39 c8 0f 8e 05 00 00 00 ba 01 00 00 00";
        assertEquals(0, new Machine(jle).reg(EAX, 3).reg(ECX, 3).runToEnd().r(EDX));
        assertEquals(1, new Machine(jle).reg(EAX, 4).reg(ECX, 3).runToEnd().r(EDX));
    }

    @Test
    void everyConditionCodeAgreesWithItsDefinition() {
        int[] flagSets = {0, CF, ZF, CpuState.SF, CpuState.OF, CpuState.PF, CF | ZF, CpuState.SF | CpuState.OF, ZF | CpuState.SF};
        for (int cc = 0; cc < 16; cc++) {
            for (int f : flagSets) {
                // setcc %al
                Machine m = new Machine("0f " + Integer.toHexString(0x90 + cc) + " c0").flags(f).runToEnd();
                boolean expected = conditionHolds(cc, f);
                assertEquals(expected ? 1 : 0, m.r(EAX), "cc " + cc + " flags " + Integer.toHexString(f));
            }
        }
    }

    /**
     * A compare or test directly followed by a conditional jump runs as one
     * macro-op that evaluates the condition from the operands. For every
     * condition and compare form, the jump must go the way the flags say, and
     * the flags left behind (read back with pushf) must be the compare's.
     */
    @Test
    void compareAndBranchPairsJumpAsTheirFlagsSay() {
        int[][] pairs = {{0, 0}, {1, 2}, {2, 1}, {-1, 1}, {0x7FFFFFFF, -1}, {0x80000000, 1}, {0x7F, 0x80}, {0x180, 0x7F}};
        // the compare under test; its operands are eax (or al/ah or the byte at DATA) and ecx (cl/ch)
        String[][] forms = {
            {"cmp r32", "39 c8"}, {"cmp imm32", "81 f8 IMM"}, {"test r32", "85 c8"}, {"test imm32", "f7 c0 IMM"},
            {"cmp mem8", "38 0b"}, {"cmp r8", "38 c8"}, {"cmp high r8", "38 ec"},
        };
        for (String[] form : forms) {
            for (int[] p : pairs) {
                int a = p[0], b = p[1];
                int expectFlags = form[0].startsWith("test") ? logicFlags(a & b)
                        : form[0].endsWith("8") ? subFlags(a << 24, b << 24, 24) : subFlags(a, b, 0);
                for (int cc = 0; cc < 16; cc++) {
                    // <compare> ; j<cc> +5 ; mov $1,%esi ; pushf ; pop %edx
                    String imm = String.format("%02x %02x %02x %02x", b & 0xFF, b >>> 8 & 0xFF, b >>> 16 & 0xFF, b >>> 24);
                    String code = form[1].replace("IMM", imm) + " " + Integer.toHexString(0x70 + cc) + " 05 be 01 00 00 00 9c 5a";
                    Machine m = new Machine(code).reg(EAX, form[0].equals("cmp high r8") ? a << 8 : a)
                            .reg(ECX, form[0].equals("cmp high r8") ? b << 8 : b).reg(EBX, Machine.DATA);
                    m.mem.write8(Machine.DATA, a);
                    m.runToEnd();
                    String what = form[0] + " " + Integer.toHexString(a) + "," + Integer.toHexString(b) + " cc " + cc;
                    int flags = m.r(EDX) & CpuState.ARITH_FLAGS & ~CpuState.AF;
                    assertEquals(expectFlags, flags, what + ": flags");
                    assertEquals(conditionHolds(cc, flags) ? 0 : 1, m.r(ESI), what + ": jump taken?");
                }
            }
        }
    }

    /** CF ZF SF OF PF of {@code a - b}, for operands shifted left by {@code sh} (24 for bytes). */
    private static int subFlags(int a, int b, int sh) {
        int res = a - b;
        return (Integer.compareUnsigned(a, b) < 0 ? CF : 0) | (res == 0 ? ZF : 0) | (res < 0 ? CpuState.SF : 0)
                | (((a ^ b) & (a ^ res)) < 0 ? CpuState.OF : 0) | parity(res >>> sh);
    }

    private static int logicFlags(int res) {
        return (res == 0 ? ZF : 0) | (res < 0 ? CpuState.SF : 0) | parity(res);
    }

    private static int parity(int res) {
        return Integer.bitCount(res & 0xFF) % 2 == 0 ? CpuState.PF : 0;
    }

    /** Condition {@code cc} by its definition in the Intel manual, given the flags {@code f}. */
    private static boolean conditionHolds(int cc, int f) {
        boolean cf = (f & CF) != 0, zf = (f & ZF) != 0, sf = (f & CpuState.SF) != 0, of = (f & CpuState.OF) != 0,
                pf = (f & CpuState.PF) != 0;
        return switch (cc >> 1) {
            case 0 -> of;
            case 1 -> cf;
            case 2 -> zf;
            case 3 -> cf || zf;
            case 4 -> sf;
            case 5 -> pf;
            case 6 -> sf != of;
            default -> zf || sf != of;
        } ^ ((cc & 1) != 0);
    }

    @Test
    void aFaultingByteCompareBeforeABranchFaultsAsTheCompare() {
        // cmp %cl,(%ebx) with ebx beyond memory ; jne +5
        Machine m = new Machine("38 0b 75 05 be 01 00 00 00").reg(EBX, Machine.MEM);
        assertEquals(ExitReason.FAULT, m.run());
        assertEquals(Fault.Kind.MEMORY_OUT_OF_RANGE, m.cpu.fault().kind());
        assertEquals("memory access outside the VM's memory (address 0x00100000) at eip 0x00001000: cmp   %cl,(%ebx)",
                m.cpu.fault().describe());
        assertEquals(0, m.cpu.insnCount(), "neither the compare nor the jump retired");
    }

    @Test
    void loopAndJecxz() {
        // inc %eax ; loop -3
        Machine l = new Machine("40 e2 fd").reg(ECX, 10).runToEnd();
        assertEquals(10, l.r(EAX));
        assertEquals(0, l.r(ECX));
        // jecxz +1 ; inc %eax
        assertEquals(0, new Machine("e3 01 40").reg(ECX, 0).runToEnd().r(EAX));
        assertEquals(1, new Machine("e3 01 40").reg(ECX, 3).runToEnd().r(EAX));
    }

    @Test
    void indirectJumpThroughATable() {
        Machine m = new Machine("ff 24 8d 00 80 00 00 b8 01 00 00 00 0f 0c b8 02 00 00 00");
        m.mem.write32(Machine.DATA + 8, Machine.CODE + 14);
        m.reg(ECX, 2).runToEnd();
        assertEquals(2, m.r(EAX));
    }

    @Test
    void indirectCallAndRetImm() {
        // call *%ebx ; ... function at +9: pop-arg style: ret $8
        Machine m = new Machine("6a 01 6a 02 ff d3 0f 0c 90 b8 05 00 00 00 c2 08 00");
        m.reg(EBX, Machine.CODE + 9).runToEnd();
        assertEquals(5, m.r(EAX));
        assertEquals(Machine.STACK_TOP, m.r(ESP));
    }

    @Test
    void pushPopForms() {
        // push $0x12 ; push $0x12345 ; pop %ecx ; pop %edx ; push %esp ; pop %eax
        Machine m = new Machine("6a 12 68 45 23 01 00 59 5a 54 58").runToEnd();
        assertEquals(0x12345, m.r(ECX));
        assertEquals(0x12, m.r(EDX));
        assertEquals(Machine.STACK_TOP, m.r(EAX));
        // pushl 0x4(%esp) ; popl (%ebx)
        Machine p = new Machine("ff 74 24 04 8f 03");
        p.mem.write32(Machine.STACK_TOP + 4, 0xCAFEBABE);
        p.reg(EBX, Machine.DATA).runToEnd();
        assertEquals(0xCAFEBABE, p.mem.read32(Machine.DATA));
    }

    @Test
    void pushaPopaRoundTrip() {
        Machine m = new Machine("60 31 c0 31 c9 31 d2 31 db 31 ed 31 f6 31 ff 61");
        for (int n = 0; n < 8; n++) {
            if (n != ESP) {
                m.reg(n, 0x11111111 * (n + 1));
            }
        }
        m.runToEnd();
        for (int n = 0; n < 8; n++) {
            assertEquals(n == ESP ? Machine.STACK_TOP : 0x11111111 * (n + 1), m.r(n), CpuState.REG_NAMES[n]);
        }
        assertEquals(Machine.STACK_TOP, m.mem.read32(Machine.STACK_TOP - 20), "pusha stores the original esp");
    }

    @Test
    void enterAndLeaveBuildAndDropAFrame() {
        // enter $0x10,$0 ; mov %ebp,%esi ; mov %esp,%edi ; leave
        Machine m = new Machine("c8 10 00 00 89 ee 89 e7 c9").reg(EBP, 0x777).runToEnd();
        assertEquals(Machine.STACK_TOP - 4, m.r(ESI));
        assertEquals(Machine.STACK_TOP - 4 - 0x10, m.r(EDI));
        assertEquals(0x777, m.r(EBP));
        assertEquals(Machine.STACK_TOP, m.r(ESP));
    }

    @Test
    void flagInstructions() {
        assertEquals(CF, new Machine("f9").runToEnd().arith() & CF);
        assertEquals(0, new Machine("f8").flags(CF).runToEnd().arith() & CF);
        assertEquals(0, new Machine("f5").flags(CF).runToEnd().arith() & CF);
        assertEquals(CpuState.DF, new Machine("fd").runToEnd().cpu.eflags() & CpuState.DF);
        // lahf ; mov %ah,%bl ; sahf from ah=0xd5
        Machine l = new Machine("9f 88 e3").flags(CF | ZF).runToEnd();
        assertEquals(CF | ZF | 2, l.r(EBX) & 0xFF);
        Machine s = new Machine("9e").reg(EAX, 0xD500).runToEnd();
        assertEquals(0xD5, s.arith() & 0xFF);
    }

    @Test
    void cmovAndXchg() {
        // cmp %edx,%eax ; cmovg %ecx,%eax
        assertEquals(100, new Machine("39 d0 0f 4f c1").reg(EAX, 5).reg(EDX, 3).reg(ECX, 100).runToEnd().r(EAX));
        assertEquals(5, new Machine("39 d0 0f 4f c1").reg(EAX, 5).reg(EDX, 7).reg(ECX, 100).runToEnd().r(EAX));
        Machine x = new Machine("91 86 c4").reg(EAX, 0x1122).reg(ECX, 0x33).runToEnd();
        assertEquals(0x1122, x.r(ECX));
        assertEquals(0x3300, x.r(EAX));
    }

    @Test
    void bitOperations() {
        assertEquals(CF, new Machine("0f a3 c8").reg(EAX, 8).reg(ECX, 3).runToEnd().arith() & CF);
        assertEquals(8, new Machine("0f ba e8 03").runToEnd().r(EAX));
        Machine btr = new Machine("0f b3 0c 24").reg(ECX, 33);
        btr.mem.write32(Machine.STACK_TOP + 4, 0xFFFFFFFF);
        btr.runToEnd();
        assertEquals(0xFFFFFFFD, btr.mem.read32(Machine.STACK_TOP + 4), "bit offset 33 addresses the next dword");
        Machine bsf = new Machine("0f bc c1").reg(ECX, 0x80).reg(EAX, 99).runToEnd();
        assertEquals(7, bsf.r(EAX));
        assertEquals(0, bsf.arith() & ZF);
        Machine zero = new Machine("0f bd c1").reg(ECX, 0).reg(EAX, 99).runToEnd();
        assertEquals(99, zero.r(EAX), "bsr of zero leaves the destination");
        assertEquals(ZF, zero.arith() & ZF);
        assertEquals(0x78563412, new Machine("0f c8").reg(EAX, 0x12345678).runToEnd().r(EAX));
    }

    @Test
    void atomicsWorkOnOneCpu() {
        Machine x = new Machine("0f c1 c8").reg(EAX, 5).reg(ECX, 7).runToEnd();
        assertEquals(12, x.r(EAX));
        assertEquals(5, x.r(ECX));
        Machine eq = new Machine("f0 0f b1 0b").reg(EAX, 3).reg(ECX, 9).reg(EBX, Machine.DATA);
        eq.mem.write32(Machine.DATA, 3);
        eq.runToEnd();
        assertEquals(9, eq.mem.read32(Machine.DATA));
        assertEquals(ZF, eq.arith() & ZF);
        Machine ne = new Machine("0f b1 0b").reg(EAX, 4).reg(ECX, 9).reg(EBX, Machine.DATA);
        ne.mem.write32(Machine.DATA, 3);
        ne.runToEnd();
        assertEquals(3, ne.mem.read32(Machine.DATA));
        assertEquals(3, ne.r(EAX));
        assertEquals(0, ne.arith() & ZF);
    }
}
