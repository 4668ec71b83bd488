package denali.isa.interp;

import denali.isa.decode.Insn;

/**
 * A run of decoded instructions entered at its first: it ends at the first
 * indirect or leaving control transfer, exit or repeated string instruction,
 * at the end of its page, or after {@link Cpu#MAX_BLOCK} instructions.
 * Conditional jumps do not end it: a taken one leaves the block there (a side
 * exit), and execution falls through to the rest otherwise. A direct JMP to
 * the same page does not end it either: the block goes on at the target, so
 * its instructions need not be contiguous. A block whose conditional jump
 * loops back to its start is unrolled: the earlier copies of that jump are
 * inverted ({@link Insn#invertedBranch()}) and leave when the loop ends.
 * Immutable once built apart
 * from its successor links, so blocks of shared pages are safely shared
 * between scheduler threads.
 */
final class Block {
    /** One decoded record per guest instruction. */
    final Insn[] insns;
    /**
     * What a full run of the block executes: the same instructions with cheaper
     * forms where their flags are never read (see {@link FlagLiveness}) and
     * each compare-and-branch pair fused.
     */
    final Uop ops;
    /** The direct branches of {@link #ops}, in order: a taken one is named by its index. */
    final Uop.Br[] branches;
    /** Guest instructions in the block. */
    final int count;
    /** Address after the last instruction: where execution continues when no branch is taken. */
    final int endEip;
    /** False for an instruction that straddles two pages: it is decoded each time instead. */
    final boolean cacheable;
    final int startEip;
    /**
     * Link to the block that ran next after the block's end, kept only when it
     * starts in the same page (so it is right for every VM that maps this
     * block's page); each direct branch keeps its own ({@link Uop.Br#link}).
     * Set by whichever thread gets there first; a lost race only costs a lookup.
     */
    Block fallThrough;

    Block(Insn[] insns, int endEip, boolean cacheable) {
        this.insns = insns;
        this.count = insns.length;
        this.ops = Uop.chain(fuse(FlagLiveness.substitute(insns)), true);
        java.util.List<Uop.Br> brs = new java.util.ArrayList<>();
        for (Uop u = ops; u != null; u = u.next) {
            if (u instanceof Uop.Br br) {
                br.slot = brs.size();
                brs.add(br);
            }
        }
        this.branches = brs.toArray(new Uop.Br[0]);
        this.endEip = endEip;
        this.cacheable = cacheable;
        this.startEip = insns[0].eip;
    }

    /** The first {@code n} instructions exactly as decoded, one Uop each: for runs cut short and for tracing. */
    Uop steps(int n) {
        return Uop.chain(java.util.Arrays.copyOf(insns, n), false);
    }

    /** Fuses each compare-and-branch pair. */
    private static Insn[] fuse(Insn[] insns) {
        java.util.List<Insn> out = new java.util.ArrayList<>(insns.length);
        for (int k = 0; k < insns.length; k++) {
            Insn fused = k + 1 < insns.length ? Insn.fuseCompareBranch(insns[k], insns[k + 1]) : null;
            if (fused != null) {
                out.add(fused);
                k++;
            } else {
                out.add(insns[k]);
            }
        }
        return out.size() == insns.length ? insns : out.toArray(new Insn[0]);
    }
}
