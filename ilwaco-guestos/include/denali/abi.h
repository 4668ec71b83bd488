/*
 * denali/abi.h - the Denali virtual architecture as a guest sees it.
 *
 * This header and the Java class denali.isa.spec.DenaliAbi hold the same
 * constants; AbiHeaderAgreementTest proves they agree field by field.
 * docs/denali-isa.md explains every value.  Only #define lines of the form
 * "#define DENALI_NAME value" are compared; keep one constant per line.
 */
#ifndef DENALI_ABI_H
#define DENALI_ABI_H

/* ---- Version ---------------------------------------------------------- */
#define DENALI_ABI_VERSION            1
#define DENALI_VREGS_MAGIC            0x494C4E44 /* "DNLI" little-endian */

/* ---- Memory map -------------------------------------------------------- */
#define DENALI_PAGE_SIZE              4096
#define DENALI_VREGS_BASE             0x00000000 /* virtual-registers page */
#define DENALI_IMAGE_BASE             0x00001000 /* lowest address an image may load at */
#define DENALI_MIN_MEM_SIZE           0x00010000 /* 64 KiB */
#define DENALI_MAX_MEM_SIZE           0x10000000 /* 256 MiB */

/* ---- Virtual registers: byte offsets in the page at DENALI_VREGS_BASE ---- */
/* VMM-written, read-only for the guest (a guest write faults): */
#define DENALI_VREG_MAGIC             0x000 /* u32 DENALI_VREGS_MAGIC */
#define DENALI_VREG_ABI_VERSION       0x004 /* u32 DENALI_ABI_VERSION */
#define DENALI_VREG_MEM_SIZE          0x008 /* u32 bytes of guest-physical memory */
#define DENALI_VREG_INSN_RATE         0x00C /* u32 nominal guest instructions per microsecond */
#define DENALI_VREG_TIME_NS           0x010 /* u64 monotonic virtual time since boot, ns */
#define DENALI_VREG_INSN_COUNT        0x018 /* u64 instructions retired since boot */
/* Guest-written (the CPU also writes INT_ENABLE at an upcall, VIRET and POPF): */
#define DENALI_VREG_INT_ENABLE        0x020 /* u32 0 = interrupts masked, 1 = enabled */
#define DENALI_VREG_INT_PENDING       0x024 /* u32 bitmask of DENALI_INT_*; VMM sets, guest clears */
#define DENALI_VREG_INT_HANDLER       0x028 /* u32 upcall entry address, 0 = none */
#define DENALI_VREG_GUEST_SCRATCH     0x02C /* u32 free for the guest, kept across swaps */
/* VMM-written, read-only for the guest: */
#define DENALI_VREG_MAC               0x030 /* u8[6] the NIC's MAC address, then 2 zero bytes */
#define DENALI_VREG_IPV4              0x038 /* u32 IPv4 address, network byte order */
#define DENALI_VREG_NETMASK           0x03C /* u32 IPv4 netmask, network byte order */
#define DENALI_VREG_GATEWAY           0x040 /* u32 IPv4 gateway, network byte order */
#define DENALI_VREG_DEVICE_STATUS     0x044 /* u32 bitmask of DENALI_DEV_* */
#define DENALI_VREG_NIC_RX_FRAMES     0x048 /* u32 frames waiting in the NIC's RX queue */
#define DENALI_VREG_DISK_BLOCKS       0x04C /* u32 size of disk 0 in DENALI_DISK_BLOCK_SIZE blocks */
#define DENALI_VREG_CONSOLE_DROPPED   0x050 /* u32 console bytes dropped by rate limiting */
#define DENALI_VREG_DISK_DONE         0x054 /* u32 count of completed disk requests */
#define DENALI_VREGS_SIZE             0x058 /* first unused offset; the rest of the page reads 0 */

/* ---- Interrupt bits (DENALI_VREG_INT_PENDING) -------------------------- */
#define DENALI_INT_TIMER              0x1
#define DENALI_INT_NIC_RX             0x2
#define DENALI_INT_DISK               0x4

/* ---- Device status bits (DENALI_VREG_DEVICE_STATUS) -------------------- */
#define DENALI_DEV_CONSOLE            0x1
#define DENALI_DEV_NIC                0x2
#define DENALI_DEV_NIC_LINK_UP        0x4
#define DENALI_DEV_DISK               0x8

/* ---- New instructions: 0x0F then this second opcode byte --------------- */
#define DENALI_OP_HCALL               0x04 /* hypercall: EAX=number, EBX,ECX,EDX,ESI,EDI=args, EAX=result */
#define DENALI_OP_IDLE                0x0A /* idle-with-timeout: EDX:EAX=absolute deadline in ns, bit 63 set = none */
#define DENALI_OP_TERM                0x0C /* terminate: EBX=exit code */
#define DENALI_OP_VIRET               0x36 /* return from upcall: pop EIP, pop EFLAGS; INT_ENABLE = popped IF */
#define DENALI_IDLE_FOREVER_LO        0xFFFFFFFF /* EDX:EAX all ones: no deadline, wait for an interrupt */

/* ---- Hypercall numbers (EAX) ------------------------------------------- */
#define DENALI_HC_CONSOLE_WRITE       1 /* EBX=buf, ECX=len -> bytes accepted */
#define DENALI_HC_NIC_SEND            2 /* EBX=frame, ECX=len -> 0, or -EAGAIN when the TX queue is full */
#define DENALI_HC_NIC_RECV            3 /* EBX=buf, ECX=capacity -> frame length, 0 when none */
#define DENALI_HC_DISK_READ           4 /* EBX=block, ECX=buf, EDX=block count -> request id */
#define DENALI_HC_DISK_WRITE          5 /* EBX=block, ECX=buf, EDX=block count -> request id */
#define DENALI_HC_YIELD               6 /* give up the rest of the quantum -> 0 */
#define DENALI_DISK_BLOCK_SIZE        4096

/* ---- Hypercall errors (returned negated in EAX) ------------------------ */
#define DENALI_EFAULT                 14 /* a buffer lies outside the VM's memory */
#define DENALI_EAGAIN                 11 /* try again later (queue full) */
#define DENALI_EINVAL                 22 /* bad argument */
#define DENALI_ENOSYS                 38 /* unknown hypercall or absent device */

#endif /* DENALI_ABI_H */
