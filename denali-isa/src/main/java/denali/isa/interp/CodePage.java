package denali.isa.interp;

import denali.isa.memory.GuestMemory;
import denali.isa.memory.PageCode;

/**
 * The decoded basic blocks that start in one 4 KiB guest page, indexed by
 * their offset in the page. Memory drops the whole object when the page is
 * written. A page shared between VMs shares its CodePage too.
 */
final class CodePage extends PageCode {
    final Block[] blocks = new Block[GuestMemory.PAGE_SIZE];
}
