package denali.isa.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import denali.isa.memory.GuestMemory;

/**
 * One {@link Cpu} running several guests in turn, as a scheduler thread does:
 * {@link Cpu#load} and {@link Cpu#save} must carry everything a guest can
 * observe (registers, EIP, live flags, DF, instruction count), and the code
 * cached for where a guest resumes must follow stores to that code.
 */
class CpuSwitchTest {
    /**
     * ecx = count; loop: add $0x9e3779b9,%eax ; adc $0,%ebx ; dec %ecx ; jnz loop ; then TERM.
     * The carry is live between the ADD and the ADC, so a switch that lands there must keep it.
     */
    private static final String CARRY_LOOP = "05 b9 79 37 9e 83 d3 00 49 75 f5";

    @Test
    void guestsTakingTurnsOnOneCpuEndAsEachEndsAlone() {
        int[] counts = {700, 1111, 1};
        String[] dfs = {"fc", "fd", "fd"}; // CLD or STD first: DF must survive the switches too
        CpuState[] alone = new CpuState[counts.length];
        for (int g = 0; g < counts.length; g++) {
            Machine m = new Machine(dfs[g] + " " + CARRY_LOOP).reg(CpuState.ECX, counts[g]).runToEnd();
            alone[g] = m.cpu.saveState();
        }

        Cpu cpu = new Cpu();
        GuestMemory[] mems = new GuestMemory[counts.length];
        CpuContext[] ctxs = new CpuContext[counts.length];
        for (int g = 0; g < counts.length; g++) {
            Machine m = new Machine(dfs[g] + " " + CARRY_LOOP); // only for its memory image
            mems[g] = m.mem;
            ctxs[g] = new CpuContext();
            ctxs[g].runsIn(mems[g]);
            ctxs[g].setEip(Machine.CODE);
            ctxs[g].setReg(CpuState.ESP, Machine.STACK_TOP);
            ctxs[g].setReg(CpuState.ECX, counts[g]);
        }
        boolean[] done = new boolean[counts.length];
        int left = counts.length;
        // 7 instructions a turn: the turns end at every point of the 4-instruction loop
        for (int turn = 0; left > 0 && turn < 100_000; turn++) {
            int g = turn % counts.length;
            if (done[g]) {
                continue;
            }
            cpu.load(ctxs[g], mems[g]);
            ExitReason why = cpu.run(7);
            cpu.save(ctxs[g]);
            if (why == ExitReason.TERMINATE) {
                done[g] = true;
                left--;
            } else {
                assertEquals(ExitReason.BUDGET, why);
            }
        }
        assertEquals(0, left, "every guest terminated");
        for (int g = 0; g < counts.length; g++) {
            CpuState want = alone[g];
            for (int r = 0; r < 8; r++) {
                assertEquals(want.regs[r], ctxs[g].reg(r), "guest " + g + " " + CpuState.REG_NAMES[r]);
            }
            assertEquals(want.eip, ctxs[g].eip(), "guest " + g + " eip");
            assertEquals(want.eflags & ~CpuState.FIXED_ONE, ctxs[g].flags(), "guest " + g + " flags");
            assertEquals(want.insnCount, ctxs[g].insnCount(), "guest " + g + " instructions");
        }
    }

    @Test
    void aStoreIntoTheCodeAGuestResumesInIsRunAtItsNextTurn() {
        // loop: inc %eax ; jmp loop
        Machine m = new Machine("40 eb fd");
        CpuContext ctx = new CpuContext();
        ctx.runsIn(m.mem);
        ctx.setEip(Machine.CODE);
        Machine other = new Machine("eb fe");
        CpuContext spin = new CpuContext();
        spin.runsIn(other.mem);
        spin.setEip(Machine.CODE);

        Cpu cpu = new Cpu();
        cpu.load(ctx, m.mem);
        assertEquals(ExitReason.BUDGET, cpu.run(10)); // five turns of the loop: it stops at the INC again
        cpu.save(ctx);
        assertEquals(Machine.CODE, ctx.eip());
        assertEquals(5, ctx.reg(CpuState.EAX));
        cpu.load(spin, other.mem); // another guest in between
        cpu.run(3);
        cpu.save(spin);

        m.mem.write8(Machine.CODE, 0x43); // the INC %eax the guest resumes at becomes INC %ebx
        cpu.load(ctx, m.mem);
        assertEquals(ExitReason.BUDGET, cpu.run(10));
        cpu.save(ctx);
        assertEquals(5, ctx.reg(CpuState.EAX), "the old instruction no longer runs");
        assertEquals(5, ctx.reg(CpuState.EBX), "the new one does");
    }
}
