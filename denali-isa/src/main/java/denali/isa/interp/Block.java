package denali.isa.interp;

import denali.isa.decode.Insn;
import denali.isa.decode.Op;

/**
 * A straight run of decoded instructions: it ends at the first control
 * transfer, exit or repeated string instruction, at the end of its page, or
 * after {@link Cpu#MAX_BLOCK} instructions. Immutable once built apart from its
 * successor links, so blocks of shared pages are safely shared between
 * scheduler threads.
 */
final class Block {
    /** One decoded record per guest instruction. */
    final Insn[] insns;
    /**
     * What a full run of the block executes: the same instructions with cheaper
     * forms where their flags are never read (see {@link FlagLiveness}) and a
     * final compare-and-branch pair fused.
     */
    final Uop ops;
    /** Guest instructions in the block. */
    final int count;
    /** Address after the last instruction: where execution continues when no branch is taken. */
    final int endEip;
    /** False for an instruction that straddles two pages: it is decoded each time instead. */
    final boolean cacheable;
    final int startEip;
    /** Target of the last instruction when it is a direct branch, else -1. */
    final int branchTarget;
    /**
     * Links to the blocks that ran next, kept only when they start in the same
     * page (so they are right for every VM that maps this block's page). Set by
     * whichever thread gets there first; a lost race only costs a lookup.
     */
    Block fallThrough;
    Block branch;

    Block(Insn[] insns, int endEip, boolean cacheable) {
        this.insns = insns;
        this.count = insns.length;
        this.ops = Uop.chain(fuse(FlagLiveness.substitute(insns)));
        this.endEip = endEip;
        this.cacheable = cacheable;
        this.startEip = insns[0].eip;
        Insn last = insns[insns.length - 1];
        this.branchTarget = switch (last.op) {
            case Op.JCC, Op.JMP, Op.CALL, Op.LOOP, Op.LOOPE, Op.LOOPNE, Op.JECXZ -> last.target;
            default -> -1;
        };
    }

    /** The first {@code n} instructions exactly as decoded, one Uop each: for runs cut short and for tracing. */
    Uop steps(int n) {
        return Uop.chain(java.util.Arrays.copyOf(insns, n));
    }

    /** Fuses a final compare-and-branch pair; a jump is always last, so only the last two can pair. */
    private static Insn[] fuse(Insn[] insns) {
        int n = insns.length;
        if (n < 2) {
            return insns;
        }
        Insn fused = Insn.fuseCompareBranch(insns[n - 2], insns[n - 1]);
        if (fused == null) {
            return insns;
        }
        Insn[] ops = new Insn[n - 1];
        System.arraycopy(insns, 0, ops, 0, n - 2);
        ops[n - 2] = fused;
        return ops;
    }
}
