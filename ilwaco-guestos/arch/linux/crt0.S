/*
 * arch/linux/crt0.S - entry point of the native (static i386 Linux) build.
 *
 * Same contract as arch/denali/crt0.S: clear .bss, call main(void), pass
 * its result to exit().  Linux puts argc/argv on the stack; Ilwaco programs
 * take no arguments, so they are ignored.  The kernel already zeroes .bss;
 * clearing it again keeps the two entry paths identical.
 */
    .text
    .globl  _start
    .type   _start, @function
_start:
    xorl    %ebp, %ebp
    andl    $-16, %esp

    movl    $__bss_start, %edi
    movl    $_end, %ecx
    subl    %edi, %ecx
    xorl    %eax, %eax
    cld
    rep stosb

    call    main
    subl    $12, %esp
    pushl   %eax
    call    exit
    hlt                             /* not reached; faults if it ever is */
    .size   _start, . - _start

    .section .note.GNU-stack, "", @progbits
