package yakima.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;
import yakima.device.DiskDevice;
import yakima.net.EthernetFrame;
import yakima.net.VirtualNic;

/**
 * Carries out one hypercall for one VM: the number is in EAX, the arguments in
 * EBX, ECX, EDX, ESI, EDI, and the result goes back to EAX. Errors are
 * returned negated ({@code -DENALI_EFAULT}, {@code -DENALI_ENOSYS}), never
 * thrown: nothing a guest passes can make the host throw.
 *
 * <table>
 * <caption>Hypercalls handled</caption>
 * <tr><th>number</th><th>arguments</th><th>result</th></tr>
 * <tr><td>HC_CONSOLE_WRITE</td><td>EBX buffer, ECX length</td>
 *     <td>bytes the console took (a rate-limited console drops the rest and counts them in
 *     CONSOLE_DROPPED); -EFAULT if any byte lies outside memory (nothing written); -ENOSYS without a console</td></tr>
 * <tr><td>HC_NIC_SEND</td><td>EBX frame, ECX length</td>
 *     <td>0 (queued for the switch); -EAGAIN when the TX queue is full; -EINVAL for a length outside
 *     14..1514; -EFAULT if the frame lies outside memory; -ENOSYS without a NIC</td></tr>
 * <tr><td>HC_NIC_RECV</td><td>EBX buffer, ECX capacity</td>
 *     <td>the length of the frame copied into the buffer, 0 when none waits; -EINVAL when the next
 *     frame is longer than ECX and -EFAULT when the buffer lies outside memory or in page 0
 *     (the frame stays queued either way); -ENOSYS without a NIC</td></tr>
 * <tr><td>HC_DISK_READ, HC_DISK_WRITE</td><td>EBX block, ECX buffer, EDX blocks</td>
 *     <td>a request id; see {@link DiskDevice}; -ENOSYS without a disk</td></tr>
 * <tr><td>HC_YIELD</td><td>-</td><td>0</td></tr>
 * <tr><td>anything else</td><td>-</td><td>-ENOSYS</td></tr>
 * </table>
 *
 * <p>Threading: owned by the VM's owner thread, like the VM's memory.
 */
public final class HypercallDispatcher {
    private static final int CHUNK = 4096;

    private final ConsoleSink console;
    private VirtualNic nic;
    private DiskDevice disk;
    /** Copy buffer for console output and frames: one per thread, not per VM (a host has thousands of VMs). */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    private volatile long calls;
    private static final VarHandle CALLS;
    static {
        try {
            CALLS = MethodHandles.lookup().findVarHandle(HypercallDispatcher.class, "calls", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private long consoleBytes;
    private long faultedCalls;
    private long unknownCalls;
    private long yields;

    /**
     * A dispatcher for a VM with the console if {@code deviceStatus} has
     * DEV_CONSOLE, and so far no NIC or disk ({@link Vm} attaches those).
     */
    public HypercallDispatcher(ConsoleSink console, int deviceStatus) {
        this.console = (deviceStatus & DenaliAbi.DEV_CONSOLE) != 0 ? console : null;
    }

    /** Gives the VM its NIC: NIC_SEND and NIC_RECV answer from now on. */
    void setNic(VirtualNic nic) {
        this.nic = nic;
    }

    /** Gives the VM its disk: DISK_READ and DISK_WRITE answer from now on. */
    void setDisk(DiskDevice disk) {
        this.disk = disk;
    }

    /** Performs hypercall {@code number} and returns the value for EAX. */
    public int dispatch(GuestMemory mem, int number, int ebx, int ecx, int edx, int esi, int edi) {
        CALLS.setRelease(this, calls + 1);
        return switch (number) {
            case DenaliAbi.HC_CONSOLE_WRITE -> consoleWrite(mem, ebx, ecx);
            case DenaliAbi.HC_NIC_SEND -> nicSend(mem, ebx, ecx);
            case DenaliAbi.HC_NIC_RECV -> nicReceive(mem, ebx, ecx);
            case DenaliAbi.HC_DISK_READ -> disk == null ? absent() : counted(disk.submitRead(mem, ebx, ecx, edx));
            case DenaliAbi.HC_DISK_WRITE -> disk == null ? absent() : counted(disk.submitWrite(mem, ebx, ecx, edx));
            case DenaliAbi.HC_YIELD -> {
                yields++;
                yield 0;
            }
            default -> absent();
        };
    }

    private int absent() {
        unknownCalls++;
        return -DenaliAbi.ENOSYS;
    }

    private int counted(int result) {
        if (result == -DenaliAbi.EFAULT) {
            faultedCalls++;
        }
        return result;
    }

    private int consoleWrite(GuestMemory mem, int address, int length) {
        if (console == null) {
            return absent();
        }
        if (!mem.contains(address, length)) { // also refuses a "negative" (>= 2 GiB) length
            faultedCalls++;
            return -DenaliAbi.EFAULT;
        }
        byte[] buffer = BUFFER.get();
        int accepted = 0;
        for (int done = 0; done < length; ) {
            int n = Math.min(CHUNK, length - done);
            mem.readBytes(address + done, buffer, 0, n);
            accepted += console.offer(buffer, 0, n);
            done += n;
        }
        consoleBytes += accepted;
        if (accepted < length) {
            // what the rate limit dropped, for the guest to see (DENALI_VREG_CONSOLE_DROPPED)
            mem.vmmWrite32(DenaliAbi.VREG_CONSOLE_DROPPED, (int) console.droppedBytes());
        }
        return accepted;
    }

    /** Denali's one operation to send: the frame is copied out of the guest and queued. */
    private int nicSend(GuestMemory mem, int address, int length) {
        if (nic == null) {
            return absent();
        }
        byte[] buffer = BUFFER.get();
        if (length >= EthernetFrame.MIN_LENGTH && length <= EthernetFrame.MAX_LENGTH) {
            if (!mem.contains(address, length)) {
                faultedCalls++;
                return -DenaliAbi.EFAULT;
            }
            mem.readBytes(address, buffer, 0, length);
        }
        return nic.send(buffer, length); // refuses (and counts) a bad length itself
    }

    /** Denali's one operation to receive: the next frame, if any, is copied into the guest. */
    private int nicReceive(GuestMemory mem, int address, int capacity) {
        if (nic == null) {
            return absent();
        }
        int length = nic.rxNextLength();
        if (length == 0) {
            return 0;
        }
        if (Integer.compareUnsigned(length, capacity) > 0) {
            return -DenaliAbi.EINVAL;
        }
        // the VMM stores with guest-write rules, and page 0 is not the guest's to fill
        if (!mem.contains(address, length) || Integer.toUnsignedLong(address) < GuestMemory.PAGE_SIZE) {
            faultedCalls++;
            return -DenaliAbi.EFAULT;
        }
        byte[] frame = nic.receive();
        mem.writeBytes(address, frame, 0, frame.length);
        mem.vmmWrite32(DenaliAbi.VREG_NIC_RX_FRAMES, nic.rxWaiting());
        return frame.length;
    }

    /** Carries the count of hypercalls over from a VM's previous life (swap-in), before it runs. */
    void restoreCalls(long n) {
        CALLS.setRelease(this, n);
    }

    /** Hypercalls made, of every kind. */
    public long calls() {
        return calls;
    }

    /** Console bytes the guest wrote (and the console took). */
    public long consoleBytes() {
        return consoleBytes;
    }

    /** Hypercalls refused with -EFAULT because a buffer lay outside memory. */
    public long faultedCalls() {
        return faultedCalls;
    }

    /** Hypercalls refused with -ENOSYS: unknown number or absent device. */
    public long unknownCalls() {
        return unknownCalls;
    }

    public long yields() {
        return yields;
    }
}
