/*
 * arch/arch.h - what each platform under arch/ provides to kern/.
 *
 *   arch/denali/  inside a Denali VM: hypercalls, TERM, virtual registers
 *   arch/linux/   native static i386 Linux program: int 0x80 system calls
 *
 * Everything above this line (kern/, libc/) is the same code on both, which
 * is what lets the native build record the outputs a guest must produce.
 */
#ifndef ILWACO_ARCH_H
#define ILWACO_ARCH_H

#include <stddef.h>
#include <stdint.h>

/* Write up to len bytes to the console; returns bytes accepted (> 0), or
 * 0 / a negative error when nothing more can be written. */
int32_t arch_console_write(const char *buf, size_t len);

/* Monotonic time in nanoseconds. */
uint64_t arch_time_ns(void);

/* End the program with an exit code. */
__attribute__((noreturn)) void arch_terminate(int code);

/* ---- Heap (libc/malloc.c) ---------------------------------------------
 * The heap is [arch_heap_start(), arch_heap_limit()).  malloc uses it from
 * the bottom up and never writes above its break, so the platform must
 * guarantee only that the range is free for it and reads zero until the
 * heap first writes it (calloc relies on that to skip clearing fresh
 * memory).  Denali: _end up to MEM_SIZE minus a stack reserve; guest memory
 * outside the image is zero at boot (docs/denali-isa.md).  Linux: a static
 * arena in .bss. */
void *arch_heap_start(void);
/* May move down as the program runs (Denali: thread stacks share the range,
 * see arch_page_region); malloc asks again whenever its break would rise. */
void *arch_heap_limit(void);
/* ---- Interrupts (kern/intr.c) -------------------------------------------
 * Denali: the INT_ENABLE / INT_PENDING / INT_HANDLER virtual registers and
 * the upcall entry in arch/denali/intr.S, which calls intr_dispatch().
 * Linux: nothing is ever pending, masking is a variable. */

/* Install the upcall entry (INT_HANDLER); interrupts stay as they are. */
void arch_intr_init(void);
/* Mask interrupts; returns the previous INT_ENABLE for arch_intr_restore. */
uint32_t arch_intr_save(void);
void arch_intr_restore(uint32_t saved);
/* Read and clear INT_PENDING in one instruction (xchg): bits the VMM sets
 * at a quantum boundary are never lost. */
uint32_t arch_intr_take(void);
/* Set DENALI_INT_TIMER in INT_PENDING, so the VMM's delivery at the start of
 * the next quantum makes an upcall (the preemption tick); and clear it. */
void arch_tick_arm(void);
void arch_tick_disarm(void);

/* Wait, with interrupts masked, until deadline_ns (ARCH_NO_DEADLINE: none)
 * or an interrupt: the IDLE instruction.  May return early. */
#define ARCH_NO_DEADLINE UINT64_MAX
void arch_idle(uint64_t deadline_ns);

/* ---- Threads (kern/thread.c, kern/pages.c) ------------------------------ */

/* arch/<platform>/switch.S: push EBP EBX ESI EDI, store ESP to *save_sp,
 * load ESP = load_sp, pop EDI ESI EBX EBP, return (to whatever load_sp's
 * frame returns to).  Call with interrupts masked. */
void arch_switch(void **save_sp, void *load_sp);

/* The range [*lo, *hi) kern/pages.c may hand out as thread stacks (it rounds
 * lo up to a page), asked again at every allocation.  Denali: the heap's
 * range, above what the heap has used (ilwaco_heap_end()) up to MEM_SIZE -
 * ILWACO_MAIN_STACK_BYTES; pages are taken from the top down, and
 * arch_heap_limit() stops the heap below the lowest of them (pages_lowest()).
 * Linux: a static area of its own. */
void arch_page_region(uintptr_t *lo, uintptr_t *hi);

/* ---- Devices (net/nic.c, kern/disk.c) ------------------------------------
 * Denali: the NIC_* and DISK_* hypercalls and virtual registers
 * (arch/denali/devices.c).  Linux: no NIC and no disk (-ENOSYS, zeros). */
struct arch_net_config {
    uint8_t mac[6];
    uint32_t ip, netmask, gateway;      /* network byte order, as the vregs */
    int nic;                            /* 1: a NIC whose link is up */
};
void arch_net_config(struct arch_net_config *out);
/* NIC_SEND: 0, -EAGAIN (TX queue full), -EINVAL, -ENOSYS. */
int32_t arch_nic_send(const void *frame, uint32_t len);
/* NIC_RECV: the next frame's length (0: none waiting), or -errno. */
int32_t arch_nic_recv(void *buf, uint32_t cap);
/* DISK_BLOCKS; DISK_READ / DISK_WRITE: a request id > 0 or -errno; and
 * DISK_DONE, the count of completed requests. */
uint32_t arch_disk_blocks(void);
int32_t arch_disk_read(uint32_t block, void *buf, uint32_t count);
int32_t arch_disk_write(uint32_t block, const void *buf, uint32_t count);
uint32_t arch_disk_done(void);

#endif /* ILWACO_ARCH_H */
