/*
 * arch/denali/switch.S - switching between threads' stacks.
 *
 *   void arch_switch(void **save_sp, void *load_sp);
 *
 * Saves the callee-saved registers (EBP EBX ESI EDI) on the current stack,
 * stores ESP to *save_sp, loads ESP = load_sp, pops the same four registers
 * and returns on the new stack.  Everything else a thread owns - EAX ECX EDX,
 * the flags - is caller-saved by the C calling convention, and DF is 0 at
 * every call.  A new thread's stack is built by kern/thread.c to look as if
 * it had called arch_switch from its start function.
 *
 * Plain i386: the native Linux build uses this same file (arch/linux/switch.S).
 */
    .text
    .globl  arch_switch
    .type   arch_switch, @function
arch_switch:
    movl    4(%esp), %eax               /* save_sp */
    movl    8(%esp), %edx               /* load_sp */
    pushl   %ebp
    pushl   %ebx
    pushl   %esi
    pushl   %edi
    movl    %esp, (%eax)
    movl    %edx, %esp
    popl    %edi
    popl    %esi
    popl    %ebx
    popl    %ebp
    ret
    .size   arch_switch, . - arch_switch

    .section .note.GNU-stack, "", @progbits
