package yakima.vm;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

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
 * <tr><td>HC_YIELD</td><td>-</td><td>0</td></tr>
 * <tr><td>anything else</td><td>-</td><td>-ENOSYS (this VM has no NIC or disk)</td></tr>
 * </table>
 *
 * <p>Threading: owned by the VM's owner thread, like the VM's memory.
 */
public final class HypercallDispatcher {
    private static final int CHUNK = 4096;

    private final ConsoleSink console;
    private final int deviceStatus;
    /** Copy buffer for console output: one per thread, not per VM (a host has thousands of VMs). */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[CHUNK]);

    private volatile long calls;
    private long consoleBytes;
    private long faultedCalls;
    private long unknownCalls;
    private long yields;

    /** {@code deviceStatus} is the DENALI_DEV_* mask this VM was given; only present devices answer. */
    public HypercallDispatcher(ConsoleSink console, int deviceStatus) {
        this.console = console;
        this.deviceStatus = deviceStatus;
    }

    /** Performs hypercall {@code number} and returns the value for EAX. */
    public int dispatch(GuestMemory mem, int number, int ebx, int ecx, int edx, int esi, int edi) {
        calls++;
        return switch (number) {
            case DenaliAbi.HC_CONSOLE_WRITE -> consoleWrite(mem, ebx, ecx);
            case DenaliAbi.HC_YIELD -> {
                yields++;
                yield 0;
            }
            default -> {
                unknownCalls++;
                yield -DenaliAbi.ENOSYS;
            }
        };
    }

    private int consoleWrite(GuestMemory mem, int address, int length) {
        if ((deviceStatus & DenaliAbi.DEV_CONSOLE) == 0) {
            unknownCalls++;
            return -DenaliAbi.ENOSYS;
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
