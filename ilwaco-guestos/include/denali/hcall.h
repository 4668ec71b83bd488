/*
 * denali/hcall.h - the Denali paravirtual instructions as inline functions.
 *
 *   HCALL  0F 04  EAX = number, EBX ECX EDX ESI EDI = arguments, EAX = result
 *   IDLE   0F 0A  EDX:EAX = absolute deadline in ns (all ones = no deadline)
 *   TERM   0F 0C  EBX = exit code; never returns
 *
 * The assembler does not know these opcodes, so they are emitted as bytes.
 * The wrappers assume only that the VMM writes EAX: argument registers are
 * declared as read-write ("+b" ...) so the compiler never relies on their
 * values surviving a hypercall, and "memory" tells it the VMM may read or
 * write guest memory (console buffers, NIC frames, disk blocks).
 *
 * These execute only inside a Denali VM; the native Linux build of Ilwaco
 * (ILWACO_NATIVE) never calls them.
 */
#ifndef DENALI_HCALL_H
#define DENALI_HCALL_H

#include <stdint.h>
#include <denali/abi.h>

#define DENALI_STR_(x) #x
#define DENALI_STR(x) DENALI_STR_(x)
#define DENALI_INSN_HCALL ".byte 0x0f, " DENALI_STR(DENALI_OP_HCALL)
#define DENALI_INSN_IDLE  ".byte 0x0f, " DENALI_STR(DENALI_OP_IDLE)
#define DENALI_INSN_TERM  ".byte 0x0f, " DENALI_STR(DENALI_OP_TERM)

static inline int32_t denali_hcall0(uint32_t nr)
{
    int32_t r;
    __asm__ volatile(DENALI_INSN_HCALL : "=a"(r) : "0"(nr) : "memory", "cc");
    return r;
}

static inline int32_t denali_hcall1(uint32_t nr, uint32_t a1)
{
    int32_t r;
    __asm__ volatile(DENALI_INSN_HCALL
                     : "=a"(r), "+b"(a1) : "0"(nr) : "memory", "cc");
    return r;
}

static inline int32_t denali_hcall2(uint32_t nr, uint32_t a1, uint32_t a2)
{
    int32_t r;
    __asm__ volatile(DENALI_INSN_HCALL
                     : "=a"(r), "+b"(a1), "+c"(a2) : "0"(nr) : "memory", "cc");
    return r;
}

static inline int32_t denali_hcall3(uint32_t nr, uint32_t a1, uint32_t a2,
                                    uint32_t a3)
{
    int32_t r;
    __asm__ volatile(DENALI_INSN_HCALL
                     : "=a"(r), "+b"(a1), "+c"(a2), "+d"(a3)
                     : "0"(nr) : "memory", "cc");
    return r;
}

static inline int32_t denali_hcall5(uint32_t nr, uint32_t a1, uint32_t a2,
                                    uint32_t a3, uint32_t a4, uint32_t a5)
{
    int32_t r;
    __asm__ volatile(DENALI_INSN_HCALL
                     : "=a"(r), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     : "0"(nr) : "memory", "cc");
    return r;
}

/* Sleep until the absolute virtual time deadline_ns, or an interrupt. */
static inline void denali_idle(uint64_t deadline_ns)
{
    uint32_t lo = (uint32_t)deadline_ns, hi = (uint32_t)(deadline_ns >> 32);
    __asm__ volatile(DENALI_INSN_IDLE : "+a"(lo), "+d"(hi) : : "memory", "cc");
}

/* End this VM with an exit code. */
static inline __attribute__((noreturn)) void denali_term(int code)
{
    for (;;)
        __asm__ volatile(DENALI_INSN_TERM : : "b"(code) : "memory");
}

/* Convenience forms of the hypercalls in denali/abi.h. */
static inline int32_t denali_hc_console_write(const void *buf, uint32_t len)
{
    return denali_hcall2(DENALI_HC_CONSOLE_WRITE, (uint32_t)(uintptr_t)buf, len);
}

/* Queue one Ethernet frame (14..1514 bytes) for the switch: 0, -EAGAIN (TX queue full), -EINVAL, -EFAULT. */
static inline int32_t denali_hc_nic_send(const void *frame, uint32_t len)
{
    return denali_hcall2(DENALI_HC_NIC_SEND, (uint32_t)(uintptr_t)frame, len);
}

/* Take the next received frame into buf: its length, 0 when none waits,
 * -EINVAL when it is longer than cap (it stays queued), -EFAULT. */
static inline int32_t denali_hc_nic_recv(void *buf, uint32_t cap)
{
    return denali_hcall2(DENALI_HC_NIC_RECV, (uint32_t)(uintptr_t)buf, cap);
}

/* Start reading count 4 KiB blocks from block into buf: a request id > 0
 * (done once DISK_DONE >= id), or -EINVAL, -EFAULT, -EAGAIN, -ENOSYS. */
static inline int32_t denali_hc_disk_read(uint32_t block, void *buf, uint32_t count)
{
    return denali_hcall3(DENALI_HC_DISK_READ, block, (uint32_t)(uintptr_t)buf, count);
}

/* Start writing count blocks from buf (copied at once) to block: as above. */
static inline int32_t denali_hc_disk_write(uint32_t block, const void *buf, uint32_t count)
{
    return denali_hcall3(DENALI_HC_DISK_WRITE, block, (uint32_t)(uintptr_t)buf, count);
}

static inline int32_t denali_hc_yield(void)
{
    return denali_hcall0(DENALI_HC_YIELD);
}

#endif /* DENALI_HCALL_H */
