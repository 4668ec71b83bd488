package denali.isa.interp;

import denali.isa.decode.Decoder;
import denali.isa.decode.Insn;
import denali.isa.decode.Op;
import denali.isa.disasm.Disassembler;
import denali.isa.memory.GuestMemory;
import denali.isa.memory.MemoryFault;
import denali.isa.memory.PageCode;
import denali.isa.spec.DenaliAbi;

/**
 * One Denali CPU bound to one VM's memory. {@link #run(long)} executes at most
 * a budget of guest instructions and says why it stopped.
 *
 * <p>Execution goes by basic blocks: the instructions from an address up to
 * the next control transfer are decoded once, kept in the page's
 * {@link CodePage}, and executed by one {@code switch} over {@link Insn#op}.
 * A store to a page drops its decoded code; like the i386's prefetch queue, a
 * store into the block that is executing takes effect from the next block.
 *
 * <p>Nothing a guest does makes this class throw: every guest error becomes a
 * {@link ExitReason#FAULT} exit with a {@link Fault}.
 *
 * <p>Threading: only the VM's owner thread may call any method.
 */
public final class Cpu extends Alu {
    /** Longest basic block, in instructions. */
    static final int MAX_BLOCK = 64;

    private final Decoder decoder = new Decoder();
    private final byte[] fetchBuffer = new byte[Decoder.MAX_LENGTH];
    /**
     * The bytes of the page a block is decoded from (memory holds pages as
     * words): one buffer per thread, not per CPU, since a host keeps
     * thousands of CPUs and decodes rarely.
     */
    private static final ThreadLocal<byte[]> PAGE_BYTES = ThreadLocal.withInitial(() -> new byte[GuestMemory.PAGE_SIZE]);
    private long insnCount;
    private long budgetLeft;
    /*
     * The direct branch that ended the last execute by being taken: its slot in
     * the block (NOT_TAKEN when none) and the instructions it retired. Ints,
     * not a reference to the Uop: a reference store in the loop would pay the
     * garbage collector's write barrier on every taken branch.
     */
    private static final int NOT_TAKEN = -1;
    private int takenSlot = NOT_TAKEN;
    private int takenRetired;
    /** The Uop that faulted, between {@link #execute} and {@link #runBlocks}. */
    private Uop faultUop;
    /**
     * Why the last run stopped: an {@link ExitReason} ordinal, or {@link #NO_EXIT} while running.
     * An int, not the enum: it is stored on every run and hypercall, and a reference store into a
     * CPU that lives in the old generation costs G1's post-write barrier (card marking and
     * refinement), 0.35 us of a 0.8 us VM switch with 100,000 VMs on one host.
     */
    private int exit = NO_EXIT;
    private static final int NO_EXIT = -1;
    private static final ExitReason[] EXITS = ExitReason.values();
    private long idleDeadlineNs;
    private int exitCode;
    private Fault fault;
    private Tracer tracer;
    /**
     * The context of the guest on this CPU, for its resume cache: the one
     * {@link #load} put here, or for a CPU made for one memory, its own.
     */
    private CpuContext ctx;

    /** Starts with all registers 0, EIP 0 and EFLAGS 0x2. */
    public Cpu(GuestMemory memory) {
        super(memory);
        setFlagBits(0);
        ctx = new CpuContext();
        ctx.runsIn(memory);
    }

    public GuestMemory memory() {
        return mem;
    }

    /**
     * A CPU with no guest on it yet: {@link #load} gives it one. A host that
     * runs many VMs keeps one per scheduler thread and switches it between
     * them.
     */
    public Cpu() {
        super(null);
        setFlagBits(0);
    }

    /**
     * Puts the guest whose state is {@code ctx} and whose memory is
     * {@code memory} on this CPU: its registers, EIP, flags and instruction
     * count. Whatever the last guest left (why it stopped, its fault) is
     * forgotten; {@link #save} it first.
     */
    public void load(CpuContext ctx, GuestMemory memory) {
        mem = memory;
        this.ctx = ctx;
        final int[] r = this.r;
        r[EAX] = ctx.eax;
        r[ECX] = ctx.ecx;
        r[EDX] = ctx.edx;
        r[EBX] = ctx.ebx;
        r[ESP] = ctx.esp;
        r[EBP] = ctx.ebp;
        r[ESI] = ctx.esi;
        r[EDI] = ctx.edi;
        eip = ctx.eip;
        setEflags(ctx.flags);
        insnCount = ctx.insnCount;
        exit = NO_EXIT;
        takenSlot = NOT_TAKEN;
        if (fault != null) { // read first: storing a reference costs a GC barrier
            fault = null;
        }
    }

    /** Copies the guest's state back into {@code ctx} (and publishes its instruction count). */
    public void save(CpuContext ctx) {
        final int[] r = this.r;
        ctx.eax = r[EAX];
        ctx.ecx = r[ECX];
        ctx.edx = r[EDX];
        ctx.ebx = r[EBX];
        ctx.esp = r[ESP];
        ctx.ebp = r[EBP];
        ctx.esi = r[ESI];
        ctx.edi = r[EDI];
        ctx.eip = eip;
        ctx.flags = flagsNow() | (df ? DF : 0);
        ctx.publishInsnCount(insnCount);
    }

    // ================================================================== run loop

    /** Executes at most {@code budgetInsns} instructions. Never throws for anything the guest does. */
    public ExitReason run(long budgetInsns) {
        if (fault != null) {
            return ExitReason.FAULT;
        }
        if (exit == ExitReason.TERMINATE.ordinal()) {
            return ExitReason.TERMINATE;
        }
        exit = NO_EXIT;
        budgetLeft = budgetInsns;
        if (budgetInsns > 0) {
            runBlocks();
        }
        insnCount += budgetInsns - budgetLeft;
        if (exit == NO_EXIT) {
            exit = ExitReason.BUDGET.ordinal();
        }
        return EXITS[exit];
    }

    /** The block at {@code address}, decoded now if needed; null after recording a fetch fault. */
    private Block block(int address) {
        return block(address, false);
    }

    /**
     * {@link #block(int)}; when {@code resuming} (the first block of a run),
     * through the context's resume cache ({@link CpuContext#resumeCode}),
     * which usually answers without reading the memory at all: that object
     * and its code table are then not touched by a VM switch.
     */
    private Block block(int address, boolean resuming) {
        int p = address >>> GuestMemory.PAGE_SHIFT;
        CpuContext c = ctx;
        if (resuming && p == c.resumePage) {
            PageCode pc = c.resumeCode;
            if (pc != null) {
                Block b = ((CodePage) pc).blocks[address & GuestMemory.PAGE_MASK];
                if (b != null) {
                    return b;
                }
            }
        }
        if (p >= mem.pageCount() || p == 0) {
            // Page 0 holds the virtual registers: data, never code (a call through NULL lands here).
            fetchFault(p == 0 ? Fault.Kind.EXECUTE_VREGS : Fault.Kind.FETCH_OUT_OF_RANGE, address);
            return null;
        }
        PageCode pc = mem.code(p);
        CodePage cp;
        if (pc == null) {
            cp = new CodePage();
            mem.setCode(p, cp);
        } else {
            cp = (CodePage) pc;
        }
        if (resuming && (c.resumePage != p || c.resumeCode != cp)) { // a reference store only when it changes
            c.resumePage = p;
            c.resumeCode = cp;
        }
        int off = address & GuestMemory.PAGE_MASK;
        Block b = cp.blocks[off];
        if (b == null) {
            b = decodeBlock(address);
            if (b.cacheable) {
                cp.blocks[off] = b;
            }
        }
        return b;
    }

    private Block decodeBlock(int start) {
        byte[] page = PAGE_BYTES.get();
        mem.copyPageBytes(start >>> GuestMemory.PAGE_SHIFT, page);
        Insn[] insns = new Insn[MAX_BLOCK];
        int n = 0;
        int a = start;
        boolean cacheable = true;
        while (n < MAX_BLOCK) {
            int off = a & GuestMemory.PAGE_MASK;
            Insn in = decoder.decode(page, off, GuestMemory.PAGE_SIZE - off, a);
            if (in.op == Op.TRUNCATED) {
                if (n > 0) {
                    break; // the straddling instruction starts its own block
                }
                in = decodeAcrossPages(a);
                cacheable = false;
            }
            insns[n++] = in;
            a += in.len;
            if (in.op == Op.JMP && cacheable && (in.target ^ start) >>> GuestMemory.PAGE_SHIFT == 0) {
                a = in.target; // a direct jump within the page: the block goes on at its target
                continue;
            }
            if (in.op == Op.JCC && in.target == start && cacheable && 2 * n <= MAX_BLOCK) {
                // A loop back to the block's start: unroll it. This copy jumps out when the
                // loop ends and otherwise falls through into the next iteration.
                insns[n - 1] = in.invertedBranch();
                a = start;
                continue;
            }
            if ((in.endsBlock() && in.op != Op.JCC) || (a & GuestMemory.PAGE_MASK) == 0 || !cacheable) {
                break;
            }
        }
        Insn[] exact = new Insn[n];
        System.arraycopy(insns, 0, exact, 0, n);
        return new Block(exact, a, cacheable);
    }

    /** An instruction that runs past the end of its page: decoded from both pages, never cached. */
    private Insn decodeAcrossPages(int a) {
        int avail = 0;
        while (avail < Decoder.MAX_LENGTH && mem.contains(a + avail, 1)) {
            fetchBuffer[avail] = (byte) mem.read8(a + avail);
            avail++;
        }
        return decoder.decode(fetchBuffer, 0, avail, a);
    }

    /**
     * The interpreter loop: runs block after block until the budget is spent
     * or an instruction exits, and finds each next block through the links of
     * the block just run when possible, else through the page's code.
     */
    private void runBlocks() {
        // No takeCodeWritten() here (it would read the memory object): the first block comes from a
        // fresh lookup or the resume cache, which the memory clears when it drops that code; a flag
        // left from the last run makes the first block transition look up afresh, once.
        Block b = block(eip, true);
        try {
            while (b != null) {
                int next;
                int ran;
                if (b.count <= budgetLeft && tracer == null) {
                    next = execute(b.ops, b.endEip);
                    ran = b.count;
                } else {
                    // Cut short by the budget, or traced: one step per guest instruction.
                    int n = tracer != null ? 1 : (int) budgetLeft;
                    if (tracer != null) {
                        eip = b.startEip;
                        tracer.beforeInstruction(eip, Disassembler.format(b.insns[0]), this);
                    }
                    next = execute(b.steps(n), n == b.count ? b.endEip : b.insns[n].eip);
                    ran = n;
                }
                Uop.Br exitBranch = null;
                int slot = takenSlot;
                if (slot != NOT_TAKEN) {
                    takenSlot = NOT_TAKEN;
                    ran = takenRetired;
                    if (slot < b.branches.length) {
                        exitBranch = b.branches[slot];
                    }
                }
                budgetLeft -= ran;
                eip = next;
                if (exit != NO_EXIT || budgetLeft <= 0) {
                    return;
                }
                b = next(b, exitBranch, next);
            }
        } catch (MemoryFault f) {
            budgetLeft -= faultUop.index;
            memoryFault(faultUop.insn, f);
        } catch (CpuFault f) {
            budgetLeft -= faultUop.index;
            raise(f.kind, faultUop.insn, f.address);
        }
    }

    /**
     * Executes the run of Uops from {@code o} (one block, or part of one) and
     * returns the EIP to continue at: {@code next} unless an instruction
     * jumped. A taken direct branch leaves at once and is noted in
     * {@code takenSlot}, for the budget and the link to the next block. On a
     * fault it keeps the failing Uop in {@link #faultUop} before passing the
     * fault on.
     *
     * <p>Kept apart from the block-to-block loop so the JIT gives this loop the
     * machine registers. The switch holds the instructions compiled code
     * executes most, and nothing in it calls a method too large to inline.
     */
    private int execute(Uop o, int next) {
        final int[] r = this.r;
        final GuestMemory mem = this.mem;
        try {
            for (; o != null; o = o.next) {
                switch (o.op) {
                case Op.MOV32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp);
                }
                case Op.MOV32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = r[u.src];
                }
                case Op.MOV32_MR -> {
                    Uop.RM u = (Uop.RM) o;
                    mem.write32(r[u.base] + (r[u.index] << u.scale) + u.disp, r[u.reg]);
                }
                case Op.MOV32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = u.imm;
                }
                case Op.MOV32_MI -> {
                    Uop.MI u = (Uop.MI) o;
                    mem.write32(r[u.base] + (r[u.index] << u.scale) + u.disp, u.imm);
                }
                case Op.CMP_JCC_RR -> {
                    Uop.Br u = (Uop.Br) o;
                    if (compareBranch(u.cc, r[u.a], r[u.b])) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.CMP_JCC_RI -> {
                    Uop.Br u = (Uop.Br) o;
                    if (compareBranch(u.cc, r[u.a], u.imm)) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.TEST_JCC_RR -> {
                    Uop.Br u = (Uop.Br) o;
                    if (testCond(u.cc, logic32(r[u.a] & r[u.b]))) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.TEST_JCC_RI -> {
                    Uop.Br u = (Uop.Br) o;
                    if (testCond(u.cc, logic32(r[u.a] & u.imm))) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.CMP8_JCC_MR -> {
                    Uop.Br u = (Uop.Br) o;
                    int m = mem.read8(r[u.base] + (r[u.index] << u.scale) + u.disp);
                    if (compareBranch8(u.cc, m, r[u.a] >>> u.ash)) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.CMP8_JCC_RR -> {
                    Uop.Br u = (Uop.Br) o;
                    if (compareBranch8(u.cc, r[u.a] >>> u.ash, r[u.b] >>> u.bsh)) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.JCC -> {
                    Uop.Br u = (Uop.Br) o;
                    if (cond(u.cc)) {
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                case Op.JMP -> {
                    Uop.Br u = (Uop.Br) o;
                    takenSlot = u.slot;
                    takenRetired = u.retired;
                    return u.target;
                }
                case Op.JMP_THROUGH -> {
                    if (mem.codeWrittenPending()) { // what follows in the block may be stale: look it up afresh
                        Uop.Br u = (Uop.Br) o;
                        takenSlot = u.slot;
                        takenRetired = u.retired;
                        return u.target;
                    }
                }
                // add and subtract with carry (64-bit arithmetic)
                case Op.ADC32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = adc32(r[u.dst], r[u.src]);
                }
                case Op.ADC32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = adc32(r[u.dst], u.imm);
                }
                case Op.ADC32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = adc32(r[u.reg], mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.SBB32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = sbb32(r[u.dst], r[u.src]);
                }
                case Op.SBB32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = sbb32(r[u.reg], mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.XOR32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = logic32(r[u.dst] ^ r[u.src]);
                }
                case Op.ADD32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = add32(r[u.dst], r[u.src]);
                }
                case Op.ADD32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = add32(r[u.dst], u.imm);
                }
                case Op.SUB32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = sub32(r[u.dst], r[u.src]);
                }
                case Op.SUB32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = sub32(r[u.dst], u.imm);
                }
                case Op.AND32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = logic32(r[u.dst] & u.imm);
                }
                case Op.AND32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = logic32(r[u.dst] & r[u.src]);
                }
                case Op.OR32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] = logic32(r[u.dst] | r[u.src]);
                }
                case Op.OR32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = logic32(r[u.dst] | u.imm);
                }
                case Op.XOR32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = logic32(r[u.dst] ^ u.imm);
                }
                case Op.CMP32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    sub32(r[u.dst], r[u.src]);
                }
                case Op.CMP32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    sub32(r[u.dst], u.imm);
                }
                case Op.TEST32_RR -> {
                    Uop.RR u = (Uop.RR) o;
                    logic32(r[u.dst] & r[u.src]);
                }
                case Op.TEST32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    logic32(r[u.dst] & u.imm);
                }
                case Op.LEA -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = r[u.base] + (r[u.index] << u.scale) + u.disp;
                }
                case Op.MOVZB32 -> {
                    Uop.RR u = (Uop.RR) o;
                    int s = u.src;
                    r[u.dst] = s < 4 ? r[s] & 0xFF : r[s - 4] >>> 8 & 0xFF;
                }
                case Op.MOVZB32_M -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = mem.read8(r[u.base] + (r[u.index] << u.scale) + u.disp);
                }
                case Op.SHR32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = shr32(r[u.dst], u.imm);
                }
                case Op.SHL32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = shl32(r[u.dst], u.imm);
                }
                case Op.SAR32_RI -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = sar32(r[u.dst], u.imm);
                }
                case Op.IMUL32_GE_NF -> {
                    Uop.RR u = (Uop.RR) o;
                    r[u.dst] *= r[u.src];
                }
                case Op.IMUL32_GE_NF_M -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] *= mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp);
                }
                case Op.ADD32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = add32(r[u.reg], mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.SUB32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = sub32(r[u.reg], mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.CMP32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    sub32(r[u.reg], mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.XOR32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = logic32(r[u.reg] ^ mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.AND32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = logic32(r[u.reg] & mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.OR32_RM -> {
                    Uop.RM u = (Uop.RM) o;
                    r[u.reg] = logic32(r[u.reg] | mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp));
                }
                case Op.CMP32_MR -> {
                    Uop.RM u = (Uop.RM) o;
                    sub32(mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp), r[u.reg]);
                }
                case Op.CMP32_MI -> {
                    Uop.MI u = (Uop.MI) o;
                    sub32(mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp), u.imm);
                }
                case Op.ADD32_MR -> {
                    Uop.RM u = (Uop.RM) o;
                    int a = r[u.base] + (r[u.index] << u.scale) + u.disp;
                    mem.write32(a, add32(mem.read32(a), r[u.reg]));
                }
                case Op.ADD32_MI -> {
                    Uop.MI u = (Uop.MI) o;
                    int a = r[u.base] + (r[u.index] << u.scale) + u.disp;
                    mem.write32(a, add32(mem.read32(a), u.imm));
                }
                case Op.SUB32_MI -> {
                    Uop.MI u = (Uop.MI) o;
                    int a = r[u.base] + (r[u.index] << u.scale) + u.disp;
                    mem.write32(a, sub32(mem.read32(a), u.imm));
                }
                case Op.TEST32_MI -> {
                    Uop.MI u = (Uop.MI) o;
                    logic32(mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp) & u.imm);
                }
                case Op.PUSH32_R -> {
                    Uop.RI u = (Uop.RI) o;
                    int sp = r[ESP] - 4;
                    mem.write32(sp, r[u.dst]);
                    r[ESP] = sp;
                }
                case Op.POP32_R -> {
                    Uop.RI u = (Uop.RI) o;
                    int sp = r[ESP];
                    int v = mem.read32(sp);
                    r[ESP] = sp + 4;
                    r[u.dst] = v;
                }
                case Op.CALL -> {
                    Uop.Br u = (Uop.Br) o;
                    int sp = r[ESP] - 4;
                    mem.write32(sp, u.imm);
                    r[ESP] = sp;
                    takenSlot = u.slot;
                    takenRetired = u.retired;
                    return u.target;
                }
                case Op.PUSH32_M -> {
                    Uop.RM u = (Uop.RM) o;
                    int v = mem.read32(r[u.base] + (r[u.index] << u.scale) + u.disp);
                    int sp = r[ESP] - 4;
                    mem.write32(sp, v);
                    r[ESP] = sp;
                }
                case Op.NEG32_R -> {
                    Uop.RI u = (Uop.RI) o;
                    r[u.dst] = sub32(0, r[u.dst]);
                }
                case Op.SHL32_CL -> {
                    Uop.RI u = (Uop.RI) o;
                    int c = r[ECX] & 31;
                    if (c != 0) {
                        r[u.dst] = shl32(r[u.dst], c);
                    }
                }
                case Op.SHR32_CL -> {
                    Uop.RI u = (Uop.RI) o;
                    int c = r[ECX] & 31;
                    if (c != 0) {
                        r[u.dst] = shr32(r[u.dst], c);
                    }
                }
                case Op.SAR32_CL -> {
                    Uop.RI u = (Uop.RI) o;
                    int c = r[ECX] & 31;
                    if (c != 0) {
                        r[u.dst] = sar32(r[u.dst], c);
                    }
                }
                case Op.RET -> {
                    int sp = r[ESP];
                    next = mem.read32(sp);
                    r[ESP] = sp + 4;
                }
                case Op.NOP -> {
                }
                case Op.MOV8_RM -> {
                    Uop.RM8 u = (Uop.RM8) o;
                    int v = mem.read8(r[u.base] + (r[u.index] << u.scale) + u.disp);
                    r[u.reg] = r[u.reg] & ~(0xFF << u.sh) | v << u.sh;
                }
                case Op.MOV8_MR -> {
                    Uop.RM8 u = (Uop.RM8) o;
                    mem.write8(r[u.base] + (r[u.index] << u.scale) + u.disp, r[u.reg] >>> u.sh);
                }
                case Op.MOV8_RR -> {
                    Uop.RR8 u = (Uop.RR8) o;
                    r[u.dst] = r[u.dst] & ~(0xFF << u.dsh) | (r[u.src] >>> u.ssh & 0xFF) << u.dsh;
                }
                case Op.CMP8_MR -> {
                    Uop.RM8 u = (Uop.RM8) o;
                    sub8(mem.read8(r[u.base] + (r[u.index] << u.scale) + u.disp), r[u.reg] >>> u.sh);
                }
                case Op.CMP8_RR -> {
                    Uop.RR8 u = (Uop.RR8) o;
                    sub8(r[u.dst] >>> u.dsh, r[u.src] >>> u.ssh);
                }
                // Size-generic moves and ALU operations (byte loops, string code), from the decoded record.
                case Op.MOVX -> {
                    Insn i = ((Uop.Gen) o).insn;
                    int v = getE(i, i.size2);
                    setReg(i.size, i.reg, i.sub == 0 ? v : signExtend(v, i.size2));
                }
                case Op.ALU_RR -> {
                    Insn i = ((Uop.Gen) o).insn;
                    int v = alu(i.sub, getReg(i.size, i.rm), getReg(i.size, i.reg), i.size);
                    if (i.sub < Op.CMP) {
                        setReg(i.size, i.rm, v);
                    }
                }
                case Op.ALU_RM -> {
                    Insn i = ((Uop.Gen) o).insn;
                    int v = alu(i.sub, getReg(i.size, i.reg), read(i.size, ea(i)), i.size);
                    if (i.sub < Op.CMP) {
                        setReg(i.size, i.reg, v);
                    }
                }
                case Op.MOV_RR -> {
                    Insn i = ((Uop.Gen) o).insn;
                    setReg(i.size, i.rm, getReg(i.size, i.reg));
                }
                case Op.MOV_RM -> {
                    Insn i = ((Uop.Gen) o).insn;
                    setReg(i.size, i.reg, read(i.size, ea(i)));
                }
                case Op.MOV_MR -> {
                    Insn i = ((Uop.Gen) o).insn;
                    write(i.size, ea(i), getReg(i.size, i.reg));
                }
                default -> {
                    eip = next;
                    executeOther(o.insn, o.index);
                    next = eip;
                }
                }
            }
        } catch (MemoryFault | CpuFault f) {
            faultUop = o;
            throw f;
        }
        return next;
    }

    /**
     * The block at {@code target} after {@code b} ran, leaving through the
     * taken direct branch {@code exitBranch} or, when that is null, through its
     * end. The block's end and each direct branch remember the block they led
     * to when it is in the same page, so loops and straight code skip the page
     * lookup; a store that dropped any decoded code makes the next step look
     * up afresh.
     */
    private Block next(Block b, Uop.Br exitBranch, int target) {
        if (mem.takeCodeWritten()) {
            return block(target);
        }
        if (exitBranch != null) {
            Block nb = exitBranch.link;
            if (nb == null) {
                nb = block(target);
                if (nb != null && nb.cacheable && samePage(b, target)) {
                    exitBranch.link = nb;
                }
            }
            return nb;
        }
        if (target == b.endEip) {
            Block nb = b.fallThrough;
            if (nb == null) {
                nb = block(target);
                if (nb != null && nb.cacheable && samePage(b, target)) {
                    b.fallThrough = nb;
                }
            }
            return nb;
        }
        return block(target);
    }

    private static boolean samePage(Block b, int target) {
        return (b.startEip ^ target) >>> GuestMemory.PAGE_SHIFT == 0;
    }

    /** The less frequent instructions, kept out of the hot switch so it stays small enough to compile well. */
    private void executeOther(Insn i, int k) {
        switch (i.op) {
            case Op.LEA -> setReg(i.size, i.reg, ea(i));
            case Op.MOVZB32 -> r[i.reg] = getE(i, 1);
            case Op.IMUL32_GE_NF -> r[i.reg] *= getE(i, 4);
            case Op.IMUL32_GEI_NF -> r[i.reg] = getE(i, 4) * i.imm;
            case Op.INC32_R -> r[i.rm] = inc(r[i.rm], 4);
            case Op.DEC32_R -> r[i.rm] = dec(r[i.rm], 4);
            case Op.IMUL32_GE -> r[i.reg] = imul(r[i.reg], i.rm >= 0 ? r[i.rm] : mem.read32(ea(i)), 4);
            case Op.IMUL32_GEI -> r[i.reg] = imul(i.rm >= 0 ? r[i.rm] : mem.read32(ea(i)), i.imm, 4);
            case Op.ALU_MR -> {
                int a = ea(i);
                int v = alu(i.sub, read(i.size, a), getReg(i.size, i.reg), i.size);
                if (i.sub < Op.CMP) {
                    write(i.size, a, v);
                }
            }
            case Op.ALU_RI -> {
                int v = alu(i.sub, getReg(i.size, i.rm), i.imm, i.size);
                if (i.sub < Op.CMP) {
                    setReg(i.size, i.rm, v);
                }
            }
            case Op.ALU_MI -> {
                int a = ea(i);
                int v = alu(i.sub, read(i.size, a), i.imm, i.size);
                if (i.sub < Op.CMP) {
                    write(i.size, a, v);
                }
            }
            case Op.MOV_RI -> setReg(i.size, i.rm, i.imm);
            case Op.MOV_MI -> write(i.size, ea(i), i.imm);
            case Op.XCHG -> exchange(i);
            case Op.CBW -> {
                if (i.size == 2) {
                    setReg(2, EAX, (byte) r[EAX]);
                } else {
                    r[EAX] = (short) r[EAX];
                }
            }
            case Op.CWD -> {
                if (i.size == 2) {
                    setReg(2, EDX, ((short) r[EAX]) >> 15);
                } else {
                    r[EDX] = r[EAX] >> 31;
                }
            }
            case Op.XLAT -> setReg(1, EAX, mem.read8(r[EBX] + (r[EAX] & 0xFF)));
            case Op.BSWAP -> r[i.rm] = Integer.reverseBytes(r[i.rm]);
            case Op.XADD -> {
                int a = i.rm >= 0 ? 0 : ea(i);
                int d = i.rm >= 0 ? getReg(i.size, i.rm) : read(i.size, a);
                int s = getReg(i.size, i.reg);
                int sum = alu(Op.ADD, d, s, i.size);
                setReg(i.size, i.reg, d);
                if (i.rm >= 0) {
                    setReg(i.size, i.rm, sum);
                } else {
                    write(i.size, a, sum);
                }
            }
            case Op.CMPXCHG -> {
                int a = i.rm >= 0 ? 0 : ea(i);
                int d = i.rm >= 0 ? getReg(i.size, i.rm) : read(i.size, a);
                int acc = getReg(i.size, EAX);
                alu(Op.CMP, acc, d, i.size);
                if (acc == d) {
                    if (i.rm >= 0) {
                        setReg(i.size, i.rm, getReg(i.size, i.reg));
                    } else {
                        write(i.size, a, getReg(i.size, i.reg));
                    }
                } else {
                    setReg(i.size, EAX, d);
                }
            }
            case Op.CMOV -> {
                int v = getE(i, i.size);
                if (cond(i.sub)) {
                    setReg(i.size, i.reg, v);
                }
            }
            case Op.SETCC -> setE(i, 1, cond(i.sub) ? 1 : 0);
            case Op.INC, Op.DEC, Op.NEG, Op.NOT -> unary(i);
            case Op.MUL1 -> mul1(i.sub == 1, getE(i, i.size), i.size);
            case Op.DIV -> {
                divide(i.sub == 1, getE(i, i.size), i.size);
                setDivideFlags();
            }
            case Op.IMUL_GE -> setReg(i.size, i.reg, imul(getReg(i.size, i.reg), getE(i, i.size), i.size));
            case Op.IMUL_GEI -> setReg(i.size, i.reg, imul(getE(i, i.size), i.imm, i.size));
            case Op.SHIFT_I, Op.SHIFT_CL -> {
                int count = i.op == Op.SHIFT_I ? i.imm : r[ECX] & 0xFF;
                if (i.rm >= 0) {
                    setReg(i.size, i.rm, shift(i.sub, getReg(i.size, i.rm), count, i.size));
                } else {
                    int a = ea(i);
                    int v = read(i.size, a);
                    int res = shift(i.sub, v, count, i.size);
                    if ((count & 31) != 0) {
                        write(i.size, a, res);
                    }
                }
            }
            case Op.SHXD_I, Op.SHXD_CL -> {
                int count = i.op == Op.SHXD_I ? i.imm : r[ECX] & 0xFF;
                int a = i.rm >= 0 ? 0 : ea(i);
                int d = i.rm >= 0 ? getReg(i.size, i.rm) : read(i.size, a);
                int res = shiftDouble(i.sub == 0, d, getReg(i.size, i.reg), count, i.size);
                if (i.rm >= 0) {
                    setReg(i.size, i.rm, res);
                } else if ((count & 31) != 0) {
                    write(i.size, a, res);
                }
            }
            case Op.BT_EG, Op.BT_EI -> bitTest(i);
            case Op.BSF, Op.BSR -> {
                int idx = bitScan(i.op == Op.BSF, getE(i, i.size), i.size);
                if (idx >= 0) {
                    setReg(i.size, i.reg, idx);
                }
            }
            case Op.PUSH_I -> push(i.size, i.imm);
            case Op.PUSH_E -> push(i.size, getE(i, i.size));
            case Op.POP_E -> {
                int v = pop(i.size);
                setE(i, i.size, v);
            }
            case Op.PUSHA -> pushAll(i.size);
            case Op.POPA -> popAll(i.size);
            case Op.PUSHF -> push(i.size, eflags());
            case Op.POPF -> {
                int v = pop(i.size);
                setEflags(i.size == 2 ? (eflags() & 0xFFFF0000) | v : v);
                mem.vmmWrite32(DenaliAbi.VREG_INT_ENABLE, (v & CpuState.IF) != 0 ? 1 : 0);
            }
            case Op.LEAVE -> {
                r[ESP] = r[EBP];
                setReg(i.size, EBP, pop(i.size));
            }
            case Op.ENTER -> enter(i);
            case Op.JMP_E -> eip = getE(i, 4);
            case Op.CALL_E -> {
                int t = getE(i, 4);
                push32(i.eip + i.len);
                eip = t;
            }
            case Op.RET_I -> {
                int t = pop32();
                r[ESP] += i.imm;
                eip = t;
            }
            case Op.LOOP, Op.LOOPE, Op.LOOPNE -> {
                int c = r[ECX] - 1;
                r[ECX] = c;
                boolean take = c != 0 && (i.op == Op.LOOP || (i.op == Op.LOOPE) == zf());
                if (take) {
                    eip = i.target;
                }
            }
            case Op.JECXZ -> {
                if (r[ECX] == 0) {
                    eip = i.target;
                }
            }
            case Op.CLC -> setFlagBits(flagsNow() & ~CF);
            case Op.STC -> setFlagBits(flagsNow() | CF);
            case Op.CMC -> setFlagBits(flagsNow() ^ CF);
            case Op.CLD -> df = false;
            case Op.STD -> df = true;
            case Op.LAHF -> setReg(1, 4, (flagsNow() & (SF | ZF | AF | PF | CF)) | CpuState.FIXED_ONE);
            case Op.SAHF -> setFlagBits((flagsNow() & ~(SF | ZF | AF | PF | CF)) | (getReg(1, 4) & (SF | ZF | AF | PF | CF)));
            case Op.MOVS, Op.CMPS, Op.STOS, Op.LODS, Op.SCAS -> string(i, k);
            case Op.HCALL -> exit = ExitReason.HYPERCALL.ordinal();
            case Op.IDLE -> {
                long deadline = ((long) r[EDX] << 32) | Integer.toUnsignedLong(r[EAX]);
                idleDeadlineNs = deadline < 0 ? -1L : deadline; // bit 63 set: no deadline
                exit = ExitReason.IDLE.ordinal();
            }
            case Op.TERM -> {
                exitCode = r[EBX];
                exit = ExitReason.TERMINATE.ordinal();
            }
            case Op.VIRET -> {
                int target = pop32();
                int fl = pop32();
                setEflags(fl);
                mem.vmmWrite32(DenaliAbi.VREG_INT_ENABLE, (fl & CpuState.IF) != 0 ? 1 : 0);
                eip = target;
                deliverInterrupts();
            }
            case Op.TRUNCATED -> throw new CpuFault(Fault.Kind.FETCH_OUT_OF_RANGE, i.eip + i.len);
            default -> {
                if (i.op >= Op.ALU32_RR_BASE && i.op <= Op.TEST32_MI) {
                    alu32Form(i);
                } else {
                    throw new CpuFault(Fault.Kind.INVALID_INSTRUCTION, i.eip);
                }
            }
        }
    }

    /** The 32-bit ALU forms too rare for the hot switch (ADC, SBB, and most read-modify-write forms). */
    private void alu32Form(Insn i) {
        int form = (i.op - Op.ALU32_RR_BASE) / 10;
        boolean store = i.sub < Op.CMP;
        switch (form) {
            case 0 -> {
                int v = alu(i.sub, r[i.rm], r[i.reg], 4);
                if (store) {
                    r[i.rm] = v;
                }
            }
            case 1 -> {
                int v = alu(i.sub, r[i.rm], i.imm, 4);
                if (store) {
                    r[i.rm] = v;
                }
            }
            case 2 -> {
                int v = alu(i.sub, r[i.reg], mem.read32(ea(i)), 4);
                if (store) {
                    r[i.reg] = v;
                }
            }
            default -> {
                int a = ea(i);
                int v = alu(i.sub, mem.read32(a), form == 3 ? r[i.reg] : i.imm, 4);
                if (store) {
                    mem.write32(a, v);
                }
            }
        }
    }

    // ================================================================== instruction helpers

    private void exchange(Insn i) {
        int s = getReg(i.size, i.reg);
        if (i.rm >= 0) {
            int d = getReg(i.size, i.rm);
            setReg(i.size, i.rm, s);
            setReg(i.size, i.reg, d);
        } else {
            int a = ea(i);
            int d = read(i.size, a);
            write(i.size, a, s);
            setReg(i.size, i.reg, d);
        }
    }

    private void unary(Insn i) {
        int a = i.rm >= 0 ? 0 : ea(i);
        int v = i.rm >= 0 ? getReg(i.size, i.rm) : read(i.size, a);
        int res = switch (i.op) {
            case Op.INC -> inc(v, i.size);
            case Op.DEC -> dec(v, i.size);
            case Op.NEG -> neg(v, i.size);
            default -> ~v;
        };
        if (i.rm >= 0) {
            setReg(i.size, i.rm, res);
        } else {
            write(i.size, a, res);
        }
    }

    private void divide(boolean signed, int src, int size) {
        switch (size) {
            case 1 -> {
                int dividend = r[EAX] & 0xFFFF;
                int d = src & 0xFF;
                if (d == 0) {
                    throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                }
                int q;
                int rem;
                if (signed) {
                    q = (short) dividend / (byte) d;
                    rem = (short) dividend % (byte) d;
                    if (q != (byte) q) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                } else {
                    q = dividend / d;
                    rem = dividend % d;
                    if (q > 0xFF) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                }
                setReg(2, EAX, (q & 0xFF) | (rem & 0xFF) << 8);
            }
            case 2 -> {
                int dividend = (r[EDX] << 16) | (r[EAX] & 0xFFFF);
                int d = src & 0xFFFF;
                if (d == 0) {
                    throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                }
                int q;
                int rem;
                if (signed) {
                    q = dividend / (short) d;
                    rem = dividend % (short) d;
                    if (q != (short) q) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                } else {
                    q = Integer.divideUnsigned(dividend, d);
                    rem = Integer.remainderUnsigned(dividend, d);
                    if ((q & 0xFFFF0000) != 0) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                }
                setReg(2, EAX, q);
                setReg(2, EDX, rem);
            }
            default -> {
                long dividend = ((long) r[EDX] << 32) | Integer.toUnsignedLong(r[EAX]);
                if (src == 0) {
                    throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                }
                long q;
                long rem;
                if (signed) {
                    if (dividend == Long.MIN_VALUE && src == -1) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                    q = dividend / src;
                    rem = dividend % src;
                    if (q != (int) q) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                } else {
                    long d = Integer.toUnsignedLong(src);
                    q = Long.divideUnsigned(dividend, d);
                    rem = Long.remainderUnsigned(dividend, d);
                    if ((q >>> 32) != 0) {
                        throw new CpuFault(Fault.Kind.DIVIDE_ERROR, 0);
                    }
                }
                r[EAX] = (int) q;
                r[EDX] = (int) rem;
            }
        }
    }

    private void bitTest(Insn i) {
        int bits = 8 * i.size;
        int a = 0;
        int bit;
        int v;
        if (i.op == Op.BT_EI) {
            bit = i.imm & (bits - 1);
            if (i.rm < 0) {
                a = ea(i);
            }
        } else {
            int offset = signExtend(getReg(i.size, i.reg), i.size);
            bit = offset & (bits - 1);
            if (i.rm < 0) {
                a = ea(i) + (offset >> (i.size == 4 ? 5 : 4)) * i.size;
            }
        }
        v = i.rm >= 0 ? getReg(i.size, i.rm) : read(i.size, a);
        int cfOut = (v >>> bit) & 1;
        setFlagBits((flagsNow() & ~CF) | cfOut);
        int res = switch (i.sub) {
            case Op.BTS -> v | (1 << bit);
            case Op.BTR -> v & ~(1 << bit);
            case Op.BTC -> v ^ (1 << bit);
            default -> v;
        };
        if (i.sub != Op.BT) {
            if (i.rm >= 0) {
                setReg(i.size, i.rm, res);
            } else {
                write(i.size, a, res);
            }
        }
    }

    private void pushAll(int size) {
        int sp = r[ESP];
        int base = sp - 8 * size;
        // Check the whole frame first so a fault leaves the state untouched.
        if (!mem.contains(base, 8 * size)) {
            throw new MemoryFault(MemoryFault.Kind.OUT_OF_RANGE, base, true);
        }
        for (int n = 0; n < 8; n++) {
            write(size, sp - size * (n + 1), n == ESP ? sp : getReg(size, n));
        }
        r[ESP] = base;
    }

    private void popAll(int size) {
        int sp = r[ESP];
        if (!mem.contains(sp, 8 * size)) {
            throw new MemoryFault(MemoryFault.Kind.OUT_OF_RANGE, sp, false);
        }
        for (int n = 7; n >= 0; n--) {
            int v = read(size, sp + size * (7 - n));
            if (n != ESP) {
                setReg(size, n, v);
            }
        }
        r[ESP] = sp + 8 * size;
    }

    private void enter(Insn i) {
        int size = i.size;
        int level = i.imm2 & 31;
        push(size, getReg(size, EBP));
        int frame = r[ESP];
        for (int n = 1; n < level; n++) {
            int bp = r[EBP] - size * n;
            push(size, read(size, bp));
        }
        if (level > 0) {
            push(size, frame);
        }
        setReg(size, EBP, frame);
        r[ESP] -= i.imm;
    }

    /** A string instruction, repeated as its prefix says; each iteration counts against the budget. */
    private void string(Insn i, int k) {
        int size = i.size;
        int delta = df ? -size : size;
        if (i.sub == Op.REP_NONE) {
            stringStep(i.op, size, delta);
            return;
        }
        long avail = budgetLeft - k;
        long iterations = 0;
        while (true) {
            if (r[ECX] == 0) {
                break;
            }
            if (iterations == avail) {
                eip = i.eip; // resume here next time
                break;
            }
            stringStep(i.op, size, delta);
            r[ECX]--;
            iterations++;
            if ((i.op == Op.CMPS || i.op == Op.SCAS) && (i.sub == Op.REP_E) != zf()) {
                break;
            }
        }
        if (iterations > 1) {
            budgetLeft -= iterations - 1; // the instruction itself is counted with its block
        }
    }

    private void stringStep(int op, int size, int delta) {
        switch (op) {
            case Op.MOVS -> {
                write(size, r[EDI], read(size, r[ESI]));
                r[ESI] += delta;
                r[EDI] += delta;
            }
            case Op.CMPS -> {
                int a = read(size, r[ESI]);
                int b = read(size, r[EDI]);
                alu(Op.CMP, a, b, size);
                r[ESI] += delta;
                r[EDI] += delta;
            }
            case Op.STOS -> {
                write(size, r[EDI], getReg(size, EAX));
                r[EDI] += delta;
            }
            case Op.LODS -> {
                setReg(size, EAX, read(size, r[ESI]));
                r[ESI] += delta;
            }
            default -> { // SCAS
                alu(Op.CMP, getReg(size, EAX), read(size, r[EDI]), size);
                r[EDI] += delta;
            }
        }
    }

    // ================================================================== faults

    /** A guest error found while executing; caught in {@link #runBlocks} and turned into a fault exit. */
    static final class CpuFault extends RuntimeException {
        final Fault.Kind kind;
        final int address;

        CpuFault(Fault.Kind kind, int address) {
            super(null, null, false, false);
            this.kind = kind;
            this.address = address;
        }
    }

    private void memoryFault(Insn i, MemoryFault f) {
        Fault.Kind kind;
        if ((i.flags & Insn.F_STACK) != 0 && nearStack(f.address())) {
            // Running off either end of memory: below, the stack meets the read-only virtual registers.
            kind = Fault.Kind.STACK_OVERFLOW;
        } else if (f.kind() == MemoryFault.Kind.READ_ONLY_VREG) {
            kind = Fault.Kind.READ_ONLY_VREG;
        } else {
            kind = Fault.Kind.MEMORY_OUT_OF_RANGE;
        }
        raise(kind, i, f.address());
    }

    private boolean nearStack(int address) {
        int distance = address - r[ESP];
        return distance >= -64 && distance <= 64;
    }

    private void raise(Fault.Kind kind, Insn i, int address) {
        eip = i.eip;
        fault = new Fault(kind, i.eip, address, describe(i));
        exit = ExitReason.FAULT.ordinal();
    }

    private void fetchFault(Fault.Kind kind, int address) {
        eip = address;
        fault = new Fault(kind, address, address, "");
        exit = ExitReason.FAULT.ordinal();
    }

    /** The instruction as text, with its bytes when it did not decode. */
    private String describe(Insn i) {
        String text = Disassembler.format(i);
        if (i.isValid()) {
            return text;
        }
        StringBuilder b = new StringBuilder(text).append(" [");
        for (int n = 0; n < i.len && mem.contains(i.eip + n, 1); n++) {
            b.append(n == 0 ? "" : " ").append(String.format("%02x", mem.read8(i.eip + n)));
        }
        return b.append(']').toString();
    }

    // ================================================================== state access

    /** After {@link ExitReason#IDLE}: the absolute deadline in guest ns, or -1 for none. */
    public long idleDeadlineNs() {
        return idleDeadlineNs;
    }

    /** After {@link ExitReason#TERMINATE}: the guest's exit code (EBX). */
    public int exitCode() {
        return exitCode;
    }

    /** After {@link ExitReason#FAULT}: why; null while the VM has not faulted. */
    public Fault fault() {
        return fault;
    }

    public int reg(int n) {
        return r[n & 7];
    }

    public void setReg(int n, int value) {
        r[n & 7] = value;
    }

    public int eip() {
        return eip;
    }

    public void setEip(int eip) {
        this.eip = eip;
    }

    /** EFLAGS as the guest would see it (arithmetic flags, DF, bit 1 set; IF from the virtual register). */
    public int eflags() {
        boolean enabled = mem.read32(DenaliAbi.VREG_INT_ENABLE) != 0;
        return flagsNow() | CpuState.FIXED_ONE | (df ? DF : 0) | (enabled ? CpuState.IF : 0);
    }

    /** Sets CF, PF, AF, ZF, SF, OF and DF from {@code value}; other bits are ignored. */
    public void setEflags(int value) {
        setFlagBits(value & ARITH);
        df = (value & DF) != 0;
    }

    public long insnCount() {
        return insnCount;
    }

    /** The architectural state as a plain value (IF is not in it: it lives in the virtual registers). */
    public CpuState saveState() {
        CpuState s = new CpuState();
        System.arraycopy(r, 0, s.regs, 0, 8);
        s.eip = eip;
        s.eflags = flagsNow() | CpuState.FIXED_ONE | (df ? DF : 0);
        s.insnCount = insnCount;
        return s;
    }

    /** Restores exactly what {@link #saveState()} returned, and clears any exit state. */
    public void loadState(CpuState s) {
        System.arraycopy(s.regs, 0, r, 0, 8);
        r[Insn.NO_REG] = 0;
        eip = s.eip;
        setEflags(s.eflags);
        insnCount = s.insnCount;
        exit = NO_EXIT;
        fault = null;
    }

    /**
     * Delivers pending interrupts as one upcall if the virtual registers allow
     * it (enabled, something pending, a handler set): pushes EFLAGS and EIP,
     * masks interrupts and jumps to the handler. Returns whether it did; a
     * stack fault during the push ends the VM with a fault on the next run.
     */
    public boolean deliverInterrupts() {
        if (fault != null || mem.vreg(DenaliAbi.VREG_INT_ENABLE) == 0 || mem.vreg(DenaliAbi.VREG_INT_PENDING) == 0) {
            return false;
        }
        int handler = mem.read32(DenaliAbi.VREG_INT_HANDLER);
        if (handler == 0) {
            return false;
        }
        int sp = r[ESP];
        int flags = eflags();
        try {
            push32(flags);
            push32(eip);
        } catch (MemoryFault f) {
            r[ESP] = sp;
            fault = new Fault(Fault.Kind.STACK_OVERFLOW, eip, f.address(), "interrupt upcall");
            exit = ExitReason.FAULT.ordinal();
            return false;
        }
        mem.vmmWrite32(DenaliAbi.VREG_INT_ENABLE, 0);
        eip = handler;
        return true;
    }

    /** Receives each instruction just before it executes, for --trace. Null turns tracing off. */
    public void setTracer(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Sees every executed instruction; tracing runs one instruction per block. */
    public interface Tracer {
        void beforeInstruction(int eip, String disassembly, Cpu cpu);
    }
}
