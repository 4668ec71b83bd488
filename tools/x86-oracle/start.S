/*
 * start.S - process entry, raw syscalls and the trampoline that runs one
 * instruction under test on the real CPU (32-bit, freestanding, no libc).
 *
 * run_vector() saves the host's callee-saved registers and EFLAGS, loads the
 * eight GPRs and EFLAGS from g_in[0..8], and jumps to the code page at
 * 0x00010000.  The code page holds the instruction under test followed by a
 * "jmp vector_return".  vector_return stores the eight GPRs and EFLAGS into
 * g_out[0..8] without disturbing any of them first, then restores the host.
 *
 * If the instruction faults, the signal handler fault_handler (installed with
 * SA_ONSTACK|SA_NODEFER on an alternate stack) records the signal number in
 * g_faulted and unwinds to the host state saved by run_vector, which then
 * returns 1 instead of 0.
 */
        .text

        .globl  _start
_start:
        movl    %esp, %eax          /* argc, argv... */
        andl    $-16, %esp
        subl    $12, %esp
        pushl   %eax
        call    cmain
        movl    %eax, %ebx
        movl    $1, %eax            /* exit */
        int     $0x80
        hlt

/* int sys6(int nr, int a1, int a2, int a3, int a4, int a5, int a6) */
        .globl  sys6
sys6:
        pushl   %ebp
        pushl   %edi
        pushl   %esi
        pushl   %ebx
        movl    20(%esp), %eax
        movl    24(%esp), %ebx
        movl    28(%esp), %ecx
        movl    32(%esp), %edx
        movl    36(%esp), %esi
        movl    40(%esp), %edi
        movl    44(%esp), %ebp
        int     $0x80
        popl    %ebx
        popl    %esi
        popl    %edi
        popl    %ebp
        ret

/* int run_vector(void): 0 = ran, 1 = faulted (g_faulted = signal) */
        .globl  run_vector
run_vector:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        pushfl
        movl    %esp, saved_esp
        pushl   g_in+32
        popfl                       /* guest EFLAGS in (only CF PF AF ZF SF OF DF vary) */
        movl    g_in+0, %eax
        movl    g_in+4, %ecx
        movl    g_in+8, %edx
        movl    g_in+12, %ebx
        movl    g_in+20, %ebp
        movl    g_in+24, %esi
        movl    g_in+28, %edi
        movl    g_in+16, %esp
        jmp     *code_entry         /* memory-indirect jmp: no flags, no stack */

        .globl  vector_return
vector_return:
        movl    %eax, g_out+0
        movl    %ecx, g_out+4
        movl    %edx, g_out+8
        movl    %ebx, g_out+12
        movl    %esp, g_out+16
        movl    %ebp, g_out+20
        movl    %esi, g_out+24
        movl    %edi, g_out+28
        movl    saved_esp, %esp
        pushfl                      /* guest EFLAGS out: nothing above touched flags */
        popl    g_out+32
        popfl                       /* host EFLAGS */
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        xorl    %eax, %eax
        ret

/* SA_SIGINFO handler: (int sig, siginfo_t *, void *uc); never returns to the kernel */
        .globl  fault_handler
fault_handler:
        movl    4(%esp), %eax
        movl    %eax, g_faulted
        movl    12(%esp), %eax      /* ucontext: uc_mcontext.eip at offset 20 + 14*4 */
        movl    76(%eax), %eax
        movl    %eax, g_fault_eip
        movl    saved_esp, %esp
        popfl
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        movl    $1, %eax
        ret

        .data
        .align  4
        .globl  g_in, g_out, g_faulted, g_fault_eip
g_in:   .fill   9, 4, 0             /* eax ecx edx ebx esp ebp esi edi eflags */
g_out:  .fill   9, 4, 0
g_faulted:   .long 0
g_fault_eip: .long 0
saved_esp:   .long 0
code_entry:  .long 0x00010000

        .section .note.GNU-stack,"",@progbits
