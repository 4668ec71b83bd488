package denali.isa.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import denali.isa.disasm.Disassembler;
import denali.isa.memory.GuestMemory;

/**
 * Random instruction streams over random register and memory state: every run
 * ends in a defined exit, budget accounting is exact, and nothing throws into
 * the host. A fresh seed each run explores new streams; the seed is in every
 * failure message (rerun with -Ddenali.fuzz.seed=N).
 */
class CpuFuzzTest {
    private static final int STREAMS = Integer.getInteger("denali.fuzz.streams", 100_000);
    private static final int MEM = 64 * 1024;

    /** Opcode starts that lead into the interesting parts of the decoder; random bytes follow them. */
    private static final int[][] STARTS = {
        {0x01}, {0x03}, {0x29}, {0x31}, {0x39}, {0x81}, {0x83}, {0x80}, {0x85}, {0x89}, {0x8b}, {0x8d}, {0xc7},
        {0xc1}, {0xd1}, {0xd3}, {0xc0}, {0xf7}, {0xf6}, {0xff}, {0xfe}, {0x0f, 0xaf}, {0x0f, 0xb6}, {0x0f, 0xbf},
        {0x0f, 0xa4}, {0x0f, 0xad}, {0x0f, 0xa3}, {0x0f, 0xba}, {0x0f, 0xbc}, {0x0f, 0xbd}, {0x0f, 0xc1},
        {0x0f, 0xb1}, {0x0f, 0x44}, {0x0f, 0x94}, {0x0f, 0x85}, {0xf3, 0xa5}, {0xf3, 0xab}, {0xf3, 0xa6},
        {0xf2, 0xae}, {0xa4}, {0xac}, {0x66}, {0x66, 0x0f}, {0xe8}, {0xc3}, {0xc2}, {0x50}, {0x58}, {0x60},
        {0x61}, {0x9c}, {0x9d}, {0xc8}, {0xc9}, {0x0f, 0x04}, {0x0f, 0x0a}, {0x0f, 0x36}, {0x74}, {0xe2},
        {0x99}, {0xd7}, {0x9e}, {0xf0}, {0x0f, 0xc8},
    };

    @Test
    void randomStreamsAlwaysEndInADefinedExit() {
        long seed = Long.getLong("denali.fuzz.seed", System.nanoTime());
        SplittableRandom rnd = new SplittableRandom(seed);
        int faults = 0;
        int budgets = 0;
        for (int s = 0; s < STREAMS; s++) {
            try {
                ExitReason e = runOne(rnd);
                if (e == ExitReason.FAULT) {
                    faults++;
                } else if (e == ExitReason.BUDGET) {
                    budgets++;
                }
            } catch (Throwable t) {
                AssertionError error = new AssertionError("stream " + s + " with -Ddenali.fuzz.seed=" + seed + " threw " + t, t);
                throw error;
            }
        }
        // The mix must exercise both ends: streams that fault and streams that run to their budget.
        assertTrue(faults > STREAMS / 20, "too few faults: " + faults);
        assertTrue(budgets > STREAMS / 100, "too few budget exits: " + budgets);
    }

    private static ExitReason runOne(SplittableRandom rnd) {
        GuestMemory mem = new GuestMemory(MEM);
        // random data in a few pages
        for (int p = 0; p < 3; p++) {
            int page = 1 + rnd.nextInt(MEM / GuestMemory.PAGE_SIZE - 1);
            for (int i = 0; i < 64; i++) {
                mem.write32(page * GuestMemory.PAGE_SIZE + 4 * rnd.nextInt(1024), rnd.nextInt());
            }
        }
        int codeAt = GuestMemory.PAGE_SIZE + rnd.nextInt(MEM - GuestMemory.PAGE_SIZE - 80);
        byte[] code = new byte[1 + rnd.nextInt(64)];
        int n = 0;
        while (n < code.length) {
            if (rnd.nextInt(3) == 0) {
                code[n++] = (byte) rnd.nextInt(256);
            } else {
                for (int b : STARTS[rnd.nextInt(STARTS.length)]) {
                    if (n < code.length) {
                        code[n++] = (byte) b;
                    }
                }
            }
        }
        mem.writeBytes(codeAt, code, 0, code.length);
        Cpu cpu = new Cpu(mem);
        for (int r = 0; r < 8; r++) {
            cpu.setReg(r, switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt();
                case 1 -> rnd.nextInt(MEM);
                case 2 -> rnd.nextInt(64) - 32;
                default -> MEM - rnd.nextInt(256);
            });
        }
        cpu.setEflags(rnd.nextInt());
        cpu.setEip(codeAt);
        Disassembler.disassemble(code, 0, code.length, codeAt);
        ExitReason e = null;
        for (int round = 0; round < 3; round++) {
            long before = cpu.insnCount();
            long budget = 1 + rnd.nextInt(300);
            e = cpu.run(budget);
            assertNotNull(e);
            long retired = cpu.insnCount() - before;
            if (e == ExitReason.BUDGET) {
                assertEquals(budget, retired, "a budget exit retires exactly the budget");
            } else {
                assertTrue(retired <= budget, "retired " + retired + " of budget " + budget);
            }
            if (e == ExitReason.FAULT) {
                Fault f = cpu.fault();
                assertNotNull(f);
                assertTrue(!f.describe().isEmpty());
                assertEquals(f.eip(), cpu.eip(), "eip stays at the faulting instruction");
                return e;
            }
            if (e == ExitReason.TERMINATE) {
                return e;
            }
            if (e != ExitReason.BUDGET && e != ExitReason.HYPERCALL && e != ExitReason.IDLE) {
                fail("unexpected exit " + e);
            }
        }
        return e;
    }
}
