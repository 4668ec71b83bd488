package yakima.vm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.Fault;
import denali.isa.loader.ElfImage;
import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;
import yakima.device.DiskDevice;
import yakima.net.VirtualNic;
import yakima.swap.VmImage;

/**
 * One virtual machine on a shared host: its private memory (image pages
 * shared copy-on-write), its CPU, its devices, its state ({@link VmState})
 * and its counters.
 *
 * <p>The VM is its own saved CPU context ({@link CpuContext}): a scheduler
 * thread has one {@link Cpu} and loads the registers of the VM whose turn it
 * is, as a hardware CPU would. With the registers in the VM object, a switch
 * to a VM touches the cache lines of one object for its CPU and scheduling
 * state, plus its memory's, rather than those of a CPU, its register array
 * and a VM: what keeps the switch fast once the VMs outgrow the cache.
 *
 * <p>Threading: the VM's owner (a scheduler thread, or before admission the
 * thread that created it) is the only thread that touches the registers, the
 * memory and the devices' guest side. Other threads may read the state and
 * the published counters, and may {@link #raise} interrupts.
 */
public final class Vm extends VmSwitchFields implements HostedVm {
    private final int id;
    private final String name;
    private final String imageName;
    private final int memSizeBytes;
    private final long mac;
    private final int ipv4;
    private final HypercallDispatcher hypercalls;
    private final RateLimitedConsole console;

    private static final VmState[] STATES = VmState.values();
    private static final VarHandle YIELDS;
    private static final VarHandle STATE;
    private static final VarHandle QUANTA;
    private static final VarHandle RAISED;
    private static final VarHandle WAKE_QUEUED;
    private static final VarHandle ADMISSION_ASKED;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            YIELDS = l.findVarHandle(VmSwitchFields.class, "yields", long.class);
            STATE = l.findVarHandle(VmSwitchFields.class, "state", int.class);
            QUANTA = l.findVarHandle(VmSwitchFields.class, "quanta", long.class);
            RAISED = l.findVarHandle(VmSwitchFields.class, "raised", int.class);
            WAKE_QUEUED = l.findVarHandle(Vm.class, "wakeQueued", int.class);
            ADMISSION_ASKED = l.findVarHandle(Vm.class, "admissionAsked", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while a wake request for this VM sits in its owner's queue: at most one at a time. */
    private volatile int wakeQueued;
    /** 1 while a request to admit this VM (traffic came for it while it waited) sits in the gatekeeper's queue. */
    private volatile int admissionAsked;
    /** Index of the scheduler thread that owns the VM, -1 before admission. */
    private volatile int owner = -1;

    // Published by the owner thread (read by admin, accounting, status).
    private volatile long wakes;
    private volatile String faultReason;
    private volatile int exitCode;
    private volatile long lastWakeLatenessNs;
    private volatile long maxWakeLatenessNs;

    private VirtualNic nic;
    private DiskDevice disk;
    /** The scheduler time the VM was due to wake at, until it next runs; -1 otherwise (owner thread only). */
    private long wakeDueNs = -1;

    /** Idle bookkeeping, owner thread only: the id of the timer that will wake the VM, or {@link #NO_TIMER}. */
    public long timerId = NO_TIMER;
    /** While idle with a deadline: the scheduler time it falls due (owner thread only); {@link #NO_DEADLINE} for none. */
    public long idleUntilNs = NO_DEADLINE;
    public static final long NO_TIMER = -1;
    public static final long NO_DEADLINE = Long.MAX_VALUE;
    /** A VM brought back from swap that was IDLE when it left: admitted as IDLE (see {@link #resumesIdle}). */
    private boolean resumesIdle;

    /**
     * Boots a VM: memory of {@code memSizeBytes} with the image's pages mapped
     * shared, the virtual registers filled in, ESP at the top of memory and EIP
     * at the entry point. It starts WAITING for admission.
     *
     * @param bootNs the scheduler clock at boot: the VM's {@code TIME_NS} counts from here
     */
    public Vm(int id, String name, String imageName, ElfImage image, int memSizeBytes, long mac, int ipv4,
            int insnRatePerUs, long bootNs, RateLimitedConsole console) {
        super(bootNs);
        this.id = id;
        this.name = name;
        this.imageName = imageName;
        this.memSizeBytes = memSizeBytes;
        this.mac = mac;
        this.ipv4 = ipv4;
        this.console = console;
        int devices = DenaliAbi.DEV_CONSOLE;
        this.mem = new GuestMemory(memSizeBytes);
        this.vregs = mem.virtualRegisters();
        runsIn(mem);
        image.mapInto(mem);
        VirtualRegisters.initialise(mem, insnRatePerUs, devices);
        VirtualRegisters.setNetwork(mem, mac, ipv4);
        this.hypercalls = new HypercallDispatcher(console, devices);
        setReg(CpuState.ESP, memSizeBytes);
        setEip(image.entry());
    }

    /**
     * Brings back a VM from its encapsulation ({@link Encapsulation#restore}):
     * memory of the image's size with the image's pages mapped shared, the
     * saved private pages laid over them, the saved registers, virtual
     * registers and counters, and the addresses given here (a clone of a
     * snapshot gets its own). It starts WAITING, to resume IDLE or RUNNABLE
     * as {@link #resumesIdle} says once admitted.
     */
    Vm(VmImage saved, int id, String name, ElfImage image, long mac, int ipv4, long bootNs, RateLimitedConsole console) {
        super(bootNs);
        this.id = id;
        this.name = name;
        this.imageName = saved.imageName();
        this.memSizeBytes = saved.memSizeBytes();
        this.mac = mac;
        this.ipv4 = ipv4;
        this.console = console;
        this.mem = new GuestMemory(memSizeBytes);
        this.vregs = mem.virtualRegisters();
        runsIn(mem);
        image.mapInto(mem);
        System.arraycopy(saved.vregs(), 0, vregs, 0, GuestMemory.PAGE_WORDS);
        VirtualRegisters.setNetwork(mem, mac, ipv4);
        int[] numbers = saved.pageNumbers();
        for (int k = 0; k < numbers.length; k++) {
            mem.installPrivatePage(numbers[k], saved.pages()[k]);
        }
        restoreRegisters(saved.regs(), saved.eip(), saved.flags(), saved.insns());
        // the devices the guest saw: the NIC and disk bits come back as they are attached again
        int devices = vregs[DenaliAbi.VREG_DEVICE_STATUS >>> 2] & DenaliAbi.DEV_CONSOLE;
        this.hypercalls = new HypercallDispatcher(console, devices);
        hypercalls.restoreCalls(saved.counters().hypercalls());
        console.restoreTail(saved.consoleTail());
        QUANTA.setRelease(this, saved.counters().quanta());
        YIELDS.setRelease(this, saved.counters().yields());
        this.wakes = saved.counters().wakes();
        this.raised = saved.raised();
        this.resumesIdle = saved.idle();
        this.idleUntilNs = saved.idleDeadlineVmNs() < 0 ? NO_DEADLINE : hostTimeNs(saved.idleDeadlineVmNs());
    }

    /** The scheduler time this VM was booted at: its clock counts from here. */
    public long bootNs() {
        return bootNs;
    }

    /** For a VM brought back from swap, before it is admitted: true if it goes back to IDLE rather than RUNNABLE. */
    public boolean resumesIdle() {
        return resumesIdle;
    }

    /** A VM brought back has been admitted: from now on it is admitted as any other. */
    public void resumed() {
        resumesIdle = false;
    }

    /** The CLOCK reference bit: set by each quantum (owner thread) and at admission (the gatekeeper). */
    public void markReferenced() {
        referenced = true;
    }

    /** The clock hand passes: true if the VM ran since the hand last passed, and the bit is cleared. Gatekeeper. */
    public boolean takeReferenced() {
        boolean r = referenced;
        if (r) {
            referenced = false;
        }
        return r;
    }

    public int id() {
        return id;
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
        // a release store, a plain store on x86: a volatile one would add a fence, twice a quantum
        STATE.setRelease(this, to.ordinal());
    }

    // ---------------------------------------------------------------- owner thread
    // (public for the scheduler in yakima.sched; nothing else may call these)

    public GuestMemory memory() {
        return mem;
    }

    /** Page 0 as an array, for the VMM's reads and writes of the virtual registers (owner thread). */
    public int[] virtualRegisters() {
        return vregs;
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
        int bits = raised == 0 ? 0 : (int) RAISED.getAndSet(this, 0);
        // Devices raise their bit after queuing their news, so without the bit there is nothing new:
        // a quantum of a VM with no news touches neither the disk's nor the NIC's queues.
        if ((bits & DenaliAbi.INT_DISK) != 0 && disk != null) {
            bits &= ~DenaliAbi.INT_DISK;
            if (disk.complete(mem) > 0) {
                bits |= DenaliAbi.INT_DISK; // complete() set it already; reported for the caller
            }
        }
        if (((bits & DenaliAbi.INT_NIC_RX) != 0 || rxFramesShown != 0) && nic != null) {
            bits &= ~DenaliAbi.INT_NIC_RX;
            int waiting = nic.rxWaiting();
            vregs[DenaliAbi.VREG_NIC_RX_FRAMES >>> 2] = waiting;
            rxFramesShown = waiting;
            if (waiting > 0) {
                bits |= DenaliAbi.INT_NIC_RX;
            }
        }
        if (bits != 0) {
            vregs[DenaliAbi.VREG_INT_PENDING >>> 2] |= bits;
        }
        return bits;
    }

    // ---------------------------------------------------------------- warming, owner thread
    // The scheduler loads the next VMs' state in three steps, each one's loads independent of
    // each other so the cache misses overlap: this object, then the objects it points to, then
    // the arrays those point to. Each returns a value that depends on what it loaded (so the
    // loads stay), which means nothing.

    /** Warming, step 1: the fields of this object a quantum reads (its registers among them). */
    public int touch() {
        return reg(CpuState.EAX) + eip() + state + (int) bootNs + (int) quanta + (int) yields + raised + rxFramesShown
                + (destroyRequested ? 1 : 0) + (mem == null ? 0 : 1) + (vregs == null ? 0 : 1);
    }

    /** Warming, step 2: the virtual registers a quantum reads and writes. */
    public int touchRegisters() {
        int[] v = vregs;
        return v[DenaliAbi.VREG_TIME_NS >>> 2] + v[DenaliAbi.VREG_INT_PENDING >>> 2];
    }

    /** Interrupt bits raised and not yet collected (for a capture: the VM no longer runs). */
    public int raisedBits() {
        return raised;
    }

    /** Whether the VM goes back to IDLE when admitted after a swap; set as it is evicted (owner thread). */
    public void setResumesIdle(boolean idle) {
        resumesIdle = idle;
    }

    /**
     * Goes IDLE (owner thread), then says whether an interrupt was raised
     * meanwhile, in which case the caller must wake it. A raiser sets its
     * bits and then reads the state (to wake an IDLE VM); here the state is
     * stored and then the bits read: without a full fence between the two,
     * the store could still wait in the store buffer while the bits are
     * read, both sides would miss the other, and the VM would sleep on with
     * an interrupt pending until its deadline (a lost wake-up, seen as TCP
     * retransmissions a second later).
     */
    public boolean idleUnlessRaised() {
        setState(VmState.IDLE);
        VarHandle.fullFence();
        return (int) RAISED.getVolatile(this) != 0;
    }

    /** True when interrupts were raised and not yet collected. */
    public boolean hasRaised() {
        return raised != 0;
    }

    /**
     * True when the VM has work waiting for it: interrupts raised and not yet
     * seen (a frame's arrival raises NIC_RX). Frames the guest was told of and
     * left in its NIC are not work: a guest that ignores its NIC must not keep
     * itself in memory by it (they go into its record if it is swapped out).
     */
    public boolean hasWorkWaiting() {
        return raised != 0;
    }

    /** Publishes the quanta run for other threads (the CPU's save publishes instructions, the memory its pages). */
    public void publish(long addQuanta) {
        QUANTA.setRelease(this, quanta + addQuanta);
    }

    /** The guest gave up its quantum with the YIELD hypercall (counted here: a YIELD leaves the dispatcher untouched). */
    public void countYield() {
        YIELDS.setRelease(this, yields + 1);
    }

    /** YIELD hypercalls made. */
    public long yields() {
        return yields;
    }

    /** The CPU stopped this guest for good: keeps the exit code or the fault, for {@link #finish}. */
    public void stopped(Cpu cpu) {
        Fault f = cpu.fault();
        if (f != null) {
            faultReason = f.describe();
        } else {
            exitCode = cpu.exitCode();
        }
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

    /** The guest stopped for good (after {@link #stopped}): drop its memory (nothing can run it again). */
    public void finish(VmState end) {
        if (end == VmState.FAULTED && faultReason == null) {
            faultReason = "fault";
        }
        console.flush();
        setState(end);
        release();
    }

    /** Drops the memory; accounting then shows nothing resident. */
    public void release() {
        mem = null;
        vregs = EMPTY_VREGS;
    }

    /** What {@link #touchRegisters} reads once the memory is gone. */
    private static final int[] EMPTY_VREGS = new int[GuestMemory.PAGE_WORDS];

    // ---------------------------------------------------------------- any thread

    /**
     * Raises interrupt bits (DENALI_INT_*) for this VM. Any thread. The bits
     * reach INT_PENDING at the start of the VM's next quantum; the caller
     * wakes the VM if it is idle (see the scheduler).
     */
    public void raise(int bits) {
        RAISED.getAndBitwiseOr(this, bits);
    }

    /**
     * Claims the right to queue a wake request for this VM: true for the one
     * caller that should queue it, false while one is already queued.
     */
    public boolean claimWakeRequest() {
        return WAKE_QUEUED.compareAndSet(this, 0, 1);
    }

    /** The wake request was taken off the queue (or could not be queued): a new one may be queued. */
    public void clearWakeRequest() {
        wakeQueued = 0;
    }

    /**
     * Claims the right to ask the gatekeeper to admit this VM: true for the
     * one caller that should queue the request, false while one is queued.
     */
    public boolean claimAdmissionRequest() {
        return ADMISSION_ASKED.compareAndSet(this, 0, 1);
    }

    /** The admission request was taken off the gatekeeper's queue (or could not be queued). */
    public void clearAdmissionRequest() {
        admissionAsked = 0;
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

    /** Instructions retired, as of the end of its last quantum. */
    public long insns() {
        return insnCount();
    }

    public long quanta() {
        return quanta;
    }

    public long wakes() {
        return wakes;
    }

    /** Pages the VM owns privately; 0 once it has ended. Any thread (the memory publishes its counts). */
    public int privatePages() {
        GuestMemory m = mem;
        return m == null || STATES[state].isFinal() ? 0 : m.privatePages();
    }

    /** Pages mapped shared with the image and not yet copied; 0 once it has ended. Any thread. */
    public int sharedPages() {
        GuestMemory m = mem;
        return m == null || STATES[state].isFinal() ? 0 : m.sharedPages();
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
        return hypercalls.calls() + yields;
    }
}
