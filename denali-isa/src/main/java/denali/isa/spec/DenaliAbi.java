package denali.isa.spec;

/**
 * The Denali virtual architecture's constants as a guest sees them: memory map,
 * virtual-register offsets, interrupt bits, new-instruction encodings, hypercall
 * numbers and errors.
 *
 * <p>Mirrors {@code ilwaco-guestos/include/denali/abi.h} field by field (C name
 * {@code DENALI_X} is Java {@code X}); {@code AbiHeaderAgreementTest} proves they
 * agree. {@code docs/denali-isa.md} explains each value.
 */
public final class DenaliAbi {
    private DenaliAbi() {
    }

    // Version
    public static final int ABI_VERSION = 1;
    /** "DNLI" little-endian */
    public static final int VREGS_MAGIC = 0x494C4E44;

    // Memory map
    public static final int PAGE_SIZE = 4096;
    /** virtual-registers page */
    public static final int VREGS_BASE = 0x00000000;
    /** lowest address an image may load at */
    public static final int IMAGE_BASE = 0x00001000;
    /** 64 KiB */
    public static final int MIN_MEM_SIZE = 0x00010000;
    /** 256 MiB */
    public static final int MAX_MEM_SIZE = 0x10000000;

    // Virtual registers: byte offsets in the page at DENALI_VREGS_BASE
    /** u32 DENALI_VREGS_MAGIC */
    public static final int VREG_MAGIC = 0x000;
    /** u32 DENALI_ABI_VERSION */
    public static final int VREG_ABI_VERSION = 0x004;
    /** u32 bytes of guest-physical memory */
    public static final int VREG_MEM_SIZE = 0x008;
    /** u32 nominal guest instructions per microsecond */
    public static final int VREG_INSN_RATE = 0x00C;
    /** u64 monotonic virtual time since boot, ns */
    public static final int VREG_TIME_NS = 0x010;
    /** u64 instructions retired since boot */
    public static final int VREG_INSN_COUNT = 0x018;
    /** u32 0 = interrupts masked, 1 = enabled */
    public static final int VREG_INT_ENABLE = 0x020;
    /** u32 bitmask of DENALI_INT_*; VMM sets, guest clears */
    public static final int VREG_INT_PENDING = 0x024;
    /** u32 upcall entry address, 0 = none */
    public static final int VREG_INT_HANDLER = 0x028;
    /** u32 free for the guest, kept across swaps */
    public static final int VREG_GUEST_SCRATCH = 0x02C;
    /** u8[6] the NIC's MAC address, then 2 zero bytes */
    public static final int VREG_MAC = 0x030;
    /** u32 IPv4 address, network byte order */
    public static final int VREG_IPV4 = 0x038;
    /** u32 IPv4 netmask, network byte order */
    public static final int VREG_NETMASK = 0x03C;
    /** u32 IPv4 gateway, network byte order */
    public static final int VREG_GATEWAY = 0x040;
    /** u32 bitmask of DENALI_DEV_* */
    public static final int VREG_DEVICE_STATUS = 0x044;
    /** u32 frames waiting in the NIC's RX queue */
    public static final int VREG_NIC_RX_FRAMES = 0x048;
    /** u32 size of disk 0 in DENALI_DISK_BLOCK_SIZE blocks */
    public static final int VREG_DISK_BLOCKS = 0x04C;
    /** u32 console bytes dropped by rate limiting */
    public static final int VREG_CONSOLE_DROPPED = 0x050;
    /** u32 count of completed disk requests */
    public static final int VREG_DISK_DONE = 0x054;
    /** first unused offset; the rest of the page reads 0 */
    public static final int VREGS_SIZE = 0x058;

    // Interrupt bits (DENALI_VREG_INT_PENDING)
    public static final int INT_TIMER = 0x1;
    public static final int INT_NIC_RX = 0x2;
    public static final int INT_DISK = 0x4;

    // Device status bits (DENALI_VREG_DEVICE_STATUS)
    public static final int DEV_CONSOLE = 0x1;
    public static final int DEV_NIC = 0x2;
    public static final int DEV_NIC_LINK_UP = 0x4;
    public static final int DEV_DISK = 0x8;

    // New instructions: 0x0F then this second opcode byte
    /** hypercall: EAX=number, EBX,ECX,EDX,ESI,EDI=args, EAX=result */
    public static final int OP_HCALL = 0x04;
    /** idle-with-timeout: EDX:EAX=absolute deadline in ns */
    public static final int OP_IDLE = 0x0A;
    /** terminate: EBX=exit code */
    public static final int OP_TERM = 0x0C;
    /** return from upcall: pop EIP, pop EFLAGS, enable interrupts */
    public static final int OP_VIRET = 0x36;
    /** EDX:EAX all ones: no deadline, wait for an interrupt */
    public static final int IDLE_FOREVER_LO = 0xFFFFFFFF;

    // Hypercall numbers (EAX)
    /** EBX=buf, ECX=len -> bytes accepted */
    public static final int HC_CONSOLE_WRITE = 1;
    /** EBX=frame, ECX=len -> 0, or -EAGAIN when the TX queue is full */
    public static final int HC_NIC_SEND = 2;
    /** EBX=buf, ECX=capacity -> frame length, 0 when none */
    public static final int HC_NIC_RECV = 3;
    /** EBX=block, ECX=buf, EDX=block count -> request id */
    public static final int HC_DISK_READ = 4;
    /** EBX=block, ECX=buf, EDX=block count -> request id */
    public static final int HC_DISK_WRITE = 5;
    /** give up the rest of the quantum -> 0 */
    public static final int HC_YIELD = 6;
    public static final int DISK_BLOCK_SIZE = 4096;

    // Hypercall errors (returned negated in EAX)
    /** a buffer lies outside the VM's memory */
    public static final int EFAULT = 14;
    /** try again later (queue full) */
    public static final int EAGAIN = 11;
    /** bad argument */
    public static final int EINVAL = 22;
    /** unknown hypercall or absent device */
    public static final int ENOSYS = 38;
}
