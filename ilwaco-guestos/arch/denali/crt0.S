/*
 * arch/denali/crt0.S - entry point of a Denali guest image.
 *
 * The VMM starts the VM at the ELF entry (_start, placed first at 0x1000 by
 * ilwaco.ld) with ESP = top of memory, every other register 0 and DF = 0.
 * We end the frame-pointer chain, align the stack, call main(void) and hand
 * its result to exit(), which flushes the console and executes TERM.
 * .bss is not cleared: a VM's memory is zero outside the image's file bytes
 * at boot (docs/denali-isa.md section 11), and leaving it alone keeps every
 * .bss page that the program never writes shared with the zero page instead
 * of private to the VM.  exit() never returns; if it ever
 * did, TERM is executed here with main's result as a last resort.
 */
#include <denali/abi.h>

    .section .text.entry, "ax", @progbits
    .globl  _start
    .type   _start, @function
_start:
    xorl    %ebp, %ebp
    andl    $-16, %esp

    call    main
    movl    %eax, %ebx
    subl    $12, %esp               /* keep 16-byte alignment at the call */
    pushl   %eax
    call    exit
1:  .byte   0x0f, DENALI_OP_TERM    /* not reached */
    jmp     1b
    .size   _start, . - _start

    .section .note.GNU-stack, "", @progbits
