package denali.isa.interp;

import denali.isa.decode.Insn;

/**
 * A straight run of decoded instructions: it ends at the first control
 * transfer, exit or repeated string instruction, at the end of its page, or
 * after {@link Cpu#MAX_BLOCK} instructions. Immutable once built, so blocks of
 * shared pages are safely shared between scheduler threads.
 */
final class Block {
    final Insn[] insns;
    final int count;
    /** Address after the last instruction: where execution continues when no branch is taken. */
    final int endEip;
    /** False for an instruction that straddles two pages: it is decoded each time instead. */
    final boolean cacheable;

    Block(Insn[] insns, int endEip, boolean cacheable) {
        this.insns = insns;
        this.count = insns.length;
        this.endEip = endEip;
        this.cacheable = cacheable;
    }
}
