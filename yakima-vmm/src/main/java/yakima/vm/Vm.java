package yakima.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.Fault;
import denali.isa.loader.ElfImage;
import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;
import yakima.device.DiskDevice;
import yakima.net.VirtualNic;

/**
 * One virtual machine on a shared host: its private memory (image pages
 * shared copy-on-write), its CPU, its devices, its state ({@link VmState})
 * and its counters.
 *
 * <p>Threading: the VM's owner (a scheduler thread, or before admission the
 * thread that created it) is the only thread that touches the CPU, the
 * memory and the devices' guest side. Other threads may read the state and
 * the published counters, and may {@link #raise} interrupts.
 */
public final class Vm {
    private final int id;
    private final String name;
    private final String imageName;
    private final int memSizeBytes;
    private final long mac;
    private final int ipv4;
    private final long bootNs;
    private GuestMemory mem;
    private Cpu cpu;
    private final HypercallDispatcher hypercalls;
    private final RateLimitedConsole console;
    private VirtualNic nic;
    private DiskDevice disk;

    private static final VmState[] STATES = VmState.values();
    /**
     * The state's ordinal. An int, not a VmState: the scheduler stores it twice a quantum, and a
     * reference store into an old object costs G1's post-write barrier (card marking and
     * refinement): 0.6 us of a 1.5 us switch with 100,000 VMs (see README, VM switch).
     */
    private volatile int state = VmState.WAITING.ordinal();
    private static final VarHandle INSNS;
    private static final VarHandle QUANTA;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            INSNS = l.findVarHandle(Vm.class, "insns", long.class);
            QUANTA = l.findVarHandle(Vm.class, "quanta", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Interrupt bits raised by other threads, not yet copied into INT_PENDING (owner thread does that). */
    private final AtomicInteger raised = new AtomicInteger();
    /** Set while a wake request for this VM sits in its owner's queue: at most one at a time. */
    public final AtomicInteger wakeQueued = new AtomicInteger();
    private volatile boolean destroyRequested;
    /** Index of the scheduler thread that owns the VM, -1 before admission. */
    private volatile int owner = -1;

    // Published by the owner thread after each quantum (read by admin, accounting, status).
    private volatile long insns;
    private volatile long quanta;
    private volatile long wakes;
    private volatile int privatePages;
    private volatile int sharedPages;
    private volatile String faultReason;
    private volatile int exitCode;

    /** The scheduler time the VM was due to wake at, until it next runs; -1 otherwise (owner thread only). */
    private long wakeDueNs = -1;
    private volatile long lastWakeLatenessNs;
    private volatile long maxWakeLatenessNs;

    /** Idle bookkeeping, owner thread only: the id of the timer that will wake the VM, or {@link #NO_TIMER}. */
    public long timerId = NO_TIMER;
    /** While idle with a deadline: the scheduler time it falls due (owner thread only). */
    public long idleUntilNs;
    public static final long NO_TIMER = -1;

    /**
     * Boots a VM: memory of {@code memSizeBytes} with the image's pages mapped
     * shared, the virtual registers filled in, ESP at the top of memory and EIP
     * at the entry point. It starts WAITING for admission.
     *
     * @param bootNs the scheduler clock at boot: the VM's {@code TIME_NS} counts from here
     */
    public Vm(int id, String name, String imageName, ElfImage image, int memSizeBytes, long mac, int ipv4,
            int insnRatePerUs, long bootNs, RateLimitedConsole console) {
        this.id = id;
        this.name = name;
        this.imageName = imageName;
        this.memSizeBytes = memSizeBytes;
        this.mac = mac;
        this.ipv4 = ipv4;
        this.bootNs = bootNs;
        this.console = console;
        int devices = DenaliAbi.DEV_CONSOLE;
        this.mem = new GuestMemory(memSizeBytes);
        image.mapInto(mem);
        VirtualRegisters.initialise(mem, insnRatePerUs, devices);
        VirtualRegisters.setNetwork(mem, mac, ipv4);
        this.hypercalls = new HypercallDispatcher(console, devices);
        this.cpu = new Cpu(mem);
        cpu.setReg(CpuState.ESP, memSizeBytes);
        cpu.setEip(image.entry());
        publishMemory();
    }

    public int id() {
        return id;
    }

    /** "vm-" and the id: how the CLI and admin API name a VM unless it was given a name. */
    public String idString() {
        return "vm-" + id;
    }

    public String name() {
        return name;
    }

    public String imageName() {
        return imageName;
    }

    public int memSizeBytes() {
        return memSizeBytes;
    }

    public long mac() {
        return mac;
    }

    public int ipv4() {
        return ipv4;
    }

    public VmState state() {
        return STATES[state];
    }

    /**
     * Moves to {@code to}; an illegal transition is a bug in the caller (the
     * admin path checks {@link VmState#canGoTo} first and refuses politely).
     */
    public void setState(VmState to) {
        VmState from = STATES[state];
        if (!from.canGoTo(to)) {
            throw new IllegalStateException(idString() + ": " + from.label() + " -> " + to.label() + " is not a legal transition");
        }
        state = to.ordinal();
    }

    // ---------------------------------------------------------------- owner thread
    // (public for the scheduler in yakima.sched; nothing else may call these)

    public Cpu cpu() {
        return cpu;
    }

    public GuestMemory memory() {
        return mem;
    }

    public HypercallDispatcher hypercalls() {
        return hypercalls;
    }

    /**
     * Gives the VM its NIC (before it first runs; the creating thread): the
     * NIC hypercalls answer, DEVICE_STATUS gains DEV_NIC and, when the NIC is
     * attached to a switch, DEV_NIC_LINK_UP.
     */
    public void attachNic(VirtualNic nic) {
        this.nic = nic;
        hypercalls.setNic(nic);
        int status = DenaliAbi.DEV_NIC | (nic.attachedTo() != null ? DenaliAbi.DEV_NIC_LINK_UP : 0);
        mem.vmmWrite32(DenaliAbi.VREG_DEVICE_STATUS, mem.read32(DenaliAbi.VREG_DEVICE_STATUS) | status);
    }

    /** Gives the VM its disk (before it first runs; the creating thread): DISK_BLOCKS, DEV_DISK, the disk hypercalls. */
    public void attachDisk(DiskDevice disk) {
        this.disk = disk;
        hypercalls.setDisk(disk);
        disk.initialiseRegisters(mem);
    }

    /** The VM's NIC, or null. Any thread (for counters); the NIC's own rules say who may send and receive. */
    public VirtualNic nic() {
        return nic;
    }

    /** The VM's disk, or null. Any thread (for counters). */
    public DiskDevice disk() {
        return disk;
    }

    /** The VM's clock ({@code TIME_NS}) at scheduler time {@code nowNs}. */
    public long vmTimeNs(long nowNs) {
        return nowNs - bootNs;
    }

    /** Scheduler time at which the VM's clock reads {@code vmNs}. */
    public long hostTimeNs(long vmNs) {
        return bootNs + vmNs;
    }

    /**
     * Brings the devices' news into the virtual registers, as a quantum starts
     * and when an interrupt ends IDLE: bits raised from other threads go into
     * INT_PENDING, finished disk requests are delivered (DISK_DONE, INT_DISK),
     * and NIC_RX_FRAMES is refreshed. INT_NIC_RX is level-triggered: it is
     * set exactly when frames wait, so a guest that clears it with frames
     * still queued sees it again next quantum, and a stale raise for frames
     * the guest already took sets nothing. Returns the bits added.
     */
    public int takeInterrupts() {
        // the common case is nothing raised: a volatile read (a plain load on x86), not a locked swap
        int bits = raised.get() == 0 ? 0 : raised.getAndSet(0);
        // Devices raise their bit after queuing their news, so without the bit there is nothing new:
        // a quantum of a VM with no news touches neither the disk's nor the NIC's queues.
        if (disk != null && (bits & DenaliAbi.INT_DISK) != 0) {
            bits &= ~DenaliAbi.INT_DISK;
            if (disk.complete(mem) > 0) {
                bits |= DenaliAbi.INT_DISK; // complete() set it already; reported for the caller
            }
        }
        if (nic != null && ((bits & DenaliAbi.INT_NIC_RX) != 0 || mem.read32(DenaliAbi.VREG_NIC_RX_FRAMES) != 0)) {
            bits &= ~DenaliAbi.INT_NIC_RX;
            int waiting = nic.rxWaiting();
            mem.vmmWrite32(DenaliAbi.VREG_NIC_RX_FRAMES, waiting);
            if (waiting > 0) {
                bits |= DenaliAbi.INT_NIC_RX;
            }
        }
        if (bits != 0) {
            int pending = mem.read32(DenaliAbi.VREG_INT_PENDING);
            mem.vmmWrite32(DenaliAbi.VREG_INT_PENDING, pending | bits);
        }
        return bits;
    }

    /** True when interrupts were raised and not yet collected. */
    public boolean hasRaised() {
        return raised.get() != 0;
    }

    /** Publishes what other threads may read: instructions, quanta, memory pages. */
    public void publish(long addQuanta) {
        INSNS.setRelease(this, cpu.insnCount());
        QUANTA.setRelease(this, quanta + addQuanta);
        publishMemory();
    }

    public void countWake() {
        wakes++;
    }

    /** Notes that the VM's deadline {@code dueNs} passed; its next quantum measures how late it ran. */
    public void wakeDue(long dueNs) {
        wakeDueNs = dueNs;
    }

    /** Called as a quantum starts at {@code nowNs}: records wake lateness if a deadline woke the VM. */
    public void startingQuantum(long nowNs) {
        if (wakeDueNs >= 0) {
            long late = Math.max(0, nowNs - wakeDueNs);
            lastWakeLatenessNs = late;
            if (late > maxWakeLatenessNs) {
                maxWakeLatenessNs = late;
            }
            wakeDueNs = -1;
        }
    }

    /** How long after its deadline the VM last started running again (scheduler ns). */
    public long lastWakeLatenessNs() {
        return lastWakeLatenessNs;
    }

    public long maxWakeLatenessNs() {
        return maxWakeLatenessNs;
    }

    private void publishMemory() {
        int p = mem.privatePages();
        if (p != privatePages) {
            privatePages = p;
        }
        int sh = mem.sharedPages();
        if (sh != sharedPages) {
            sharedPages = sh;
        }
    }

    /** The guest stopped for good: keep why, drop its memory and CPU (nothing can run it again). */
    public void finish(VmState end) {
        if (end == VmState.FAULTED) {
            Fault f = cpu.fault();
            faultReason = f == null ? "fault" : f.describe();
        } else {
            exitCode = cpu.exitCode();
        }
        insns = cpu.insnCount();
        console.flush();
        setState(end);
        release();
    }

    /** Drops memory and CPU; accounting then shows nothing resident. */
    public void release() {
        privatePages = 0;
        sharedPages = 0;
        mem = null;
        cpu = null;
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Raises interrupt bits (DENALI_INT_*) for this VM. Any thread. The bits
     * reach INT_PENDING at the start of the VM's next quantum; the caller
     * wakes the VM if it is idle (see the scheduler).
     */
    public void raise(int bits) {
        raised.getAndUpdate(v -> v | bits);
    }

    public int owner() {
        return owner;
    }

    /** Set once, by the scheduler, when the VM is admitted. */
    public void setOwner(int thread) {
        owner = thread;
    }

    public void requestDestroy() {
        destroyRequested = true;
    }

    public boolean destroyRequested() {
        return destroyRequested;
    }

    public long insns() {
        return insns;
    }

    public long quanta() {
        return quanta;
    }

    public long wakes() {
        return wakes;
    }

    public int privatePages() {
        return privatePages;
    }

    public int sharedPages() {
        return sharedPages;
    }

    /** The fault's one-line description once FAULTED, else null. */
    public String faultReason() {
        return faultReason;
    }

    /** The guest's exit code once TERMINATED. */
    public int exitCode() {
        return exitCode;
    }

    public RateLimitedConsole console() {
        return console;
    }

    /** Hypercalls the guest made (all kinds). Racy read: for display. */
    public long hypercallCount() {
        return hypercalls.calls();
    }
}
