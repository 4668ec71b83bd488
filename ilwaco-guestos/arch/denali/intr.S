/*
 * arch/denali/intr.S - the interrupt upcall entry (INT_HANDLER).
 *
 * The VMM delivers all pending interrupts as one upcall when INT_ENABLE != 0,
 * INT_PENDING != 0 and INT_HANDLER != 0: it pushes EFLAGS (IF = 1) and EIP on
 * the interrupted stack, writes 0 to INT_ENABLE and jumps here
 * (docs/denali-isa.md section 9).  So on entry:
 *
 *     4(%esp)  EFLAGS of the interrupted code
 *     0(%esp)  EIP to resume at
 *
 * We save every general register, call intr_dispatch() (kern/intr.c) on a
 * 16-byte-aligned stack with DF = 0, restore, and return in one of two ways:
 *
 *   intr_rearm_tick == 0:  VIRET.  It pops EIP and EFLAGS, re-enables
 *       interrupts and delivers at once anything still pending.
 *   intr_rearm_tick != 0:  set DENALI_INT_TIMER in INT_PENDING (the
 *       preemption tick) and return with POPF + RET: POPF restores the flags
 *       and INT_ENABLE but, unlike VIRET, delivers nothing, so the tick is
 *       delivered at the start of the VMM's next quantum, not at once.
 *
 * intr_dispatch() may switch threads: the interrupted thread then stays here,
 * on its own stack, until the scheduler switches back to it.
 */
#include <denali/abi.h>

    .text
    .globl  intr_entry
    .type   intr_entry, @function
intr_entry:
    pushal                              /* EAX ECX EDX EBX ESP EBP ESI EDI */
    cld
    movl    %esp, %ebx                  /* callee-saved: survives the call */
    andl    $-16, %esp
    call    intr_dispatch
    movl    %ebx, %esp
    popal
    cmpl    $0, intr_rearm_tick         /* flags are restored below */
    jne     1f
    .byte   0x0f, DENALI_OP_VIRET
1:  orl     $DENALI_INT_TIMER, DENALI_VREG_INT_PENDING
    pushl   4(%esp)                     /* EFLAGS again: [EFLAGS][EIP][EFLAGS] */
    popfl                               /* flags and INT_ENABLE; no delivery */
    ret     $4                          /* to EIP, dropping the first EFLAGS */
    .size   intr_entry, . - intr_entry

    .section .note.GNU-stack, "", @progbits
