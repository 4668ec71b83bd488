package yakima.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import denali.isa.spec.DenaliAbi;
import yakima.device.BlockStore;
import yakima.device.DiskDevice;
import yakima.device.DiskService;
import yakima.device.OverlayDisk;
import yakima.device.VirtualDisk;
import yakima.net.MacAddress;
import yakima.net.PcapTap;
import yakima.net.VirtualNic;
import yakima.net.VirtualSwitch;
import yakima.sched.Scheduler;
import yakima.sched.WakeableIdleStrategy;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;
import yakima.vm.RateLimitedConsole;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * One host: its VMs, the gatekeeper that admits them, the scheduler that
 * runs them, and the host-wide accounting. The supervisor (admin API, CLI)
 * talks to this class.
 *
 * <p><b>Gatekeeper</b> (Denali): a created VM starts WAITING; VMs are
 * admitted in FIFO order while the host's resident memory plus the new VM's
 * admission cost stays within the budget. Admission is retried when a VM is
 * created and by {@link #admitWaiting()} (the host command calls it every
 * status tick, after VMs have ended). Swapping VMs out to make room comes
 * with a later issue: it will plug in where {@link #admitWaiting()} finds
 * the budget exhausted.
 *
 * <p><b>Traffic for a waiting VM</b> (lazy receiver processing): frames for
 * a VM that is not admitted wait in its NIC's bounded RX queue, and the first
 * one asks the gatekeeper to admit it ({@link #frameArrived}); the next
 * admission round takes the VMs that asked before the FIFO of the others.
 * This is the seam where swapping in will plug in.
 *
 * <p>Addresses: VM {@code n} gets MAC 02:00:00:xx:xx:xx (locally
 * administered, the low 24 bits are n) and IPv4 10.0.0.1 + n in 10.0.0.0/8;
 * 10.0.0.1 is kept for the gateway.
 *
 * <p>Devices: every VM gets a NIC on the host's one virtual LAN
 * ({@link VirtualSwitch}, run by its own thread) and may get a disk
 * ({@link DiskSpec}; file I/O on the {@link DiskService} thread). Both
 * raise the VM's interrupts through the scheduler, which wakes it if idle.
 * When a VM ends, its NIC leaves the LAN and its disk file is closed.
 *
 * <p>Threading: every public method may be called from any thread. Create,
 * destroy and admission synchronise on the gatekeeper (not on the run path:
 * scheduler threads never take that lock).
 */
public final class Host implements AutoCloseable {
    public static final int GATEWAY_IPV4 = 0x0A000001;
    /** Admission requests the gatekeeper's queue holds between two admission rounds. */
    public static final int ADMISSION_REQUEST_SLOTS = 4096;

    private final HostConfig config;
    private final ImageResolver images;
    private final LongSupplier clockNs;
    private final Scheduler scheduler;
    private final ConsoleSink consoleOut;
    private final Map<Integer, Vm> vms = new ConcurrentHashMap<>();
    /** The VMs that were given a name, by name (changed under the gatekeeper's lock, with {@link #vms}). */
    private final Map<String, Vm> named = new ConcurrentHashMap<>();
    private final Map<String, ElfImage> imageCache = new ConcurrentHashMap<>();
    private final VirtualSwitch lan;
    private final DiskService disks = new DiskService();
    /** Read-only base disks, opened once and shared by every overlay over them; closed with the host. */
    private final Map<Path, VirtualDisk> baseDisks = new ConcurrentHashMap<>();
    private AgentRunner lanRunner;
    private PcapTap tap;
    private AgentRunner tapRunner;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final ArrayDeque<Vm> waiting = new ArrayDeque<>();
    /** VMs that traffic asked to admit (see {@link #frameArrived}): the switch thread offers, the gatekeeper polls. */
    private final MpscVarHandleArrayQueue<Vm> admissionRequests = new MpscVarHandleArrayQueue<>(ADMISSION_REQUEST_SLOTS);
    /** Under the gatekeeper's lock: requested VMs, admitted before the FIFO of {@link #waiting}. */
    private final ArrayDeque<Vm> requested = new ArrayDeque<>();
    private final AtomicLong admissionRequested = new AtomicLong();
    private final AtomicLong admissionRequestsDropped = new AtomicLong();
    private final long startNs;
    private long measuredResident;
    private long admittedSinceMeasure;
    private volatile long vmsCreated;
    private volatile long vmsEnded;
    private volatile CounterSource extraCounters;

    /**
     * @param consoleOut where every VM's accepted console output goes (after rate limiting); may discard
     */
    public Host(HostConfig config, ImageResolver images, LongSupplier clockNs, ConsoleSink consoleOut) {
        this.config = config;
        this.images = images;
        this.clockNs = clockNs;
        this.consoleOut = consoleOut;
        this.startNs = clockNs.getAsLong();
        this.scheduler = new Scheduler(config.scheduler(), clockNs, this::ended);
        // a ready-queue slot for every VM the host may hold: it never overflows into a full scan
        int readySlots = Integer.highestOneBit(Math.max(2, config.maxVms()) - 1) << 1;
        this.lan = new VirtualSwitch(VirtualSwitch.DEFAULT_FRAMES_PER_WORK, Math.min(readySlots, 1 << 30),
                config.lanFaults());
    }

    public HostConfig config() {
        return config;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** The virtual LAN every VM's NIC is attached to. */
    public VirtualSwitch lan() {
        return lan;
    }

    /** The I/O thread's agent that serves every VM's disk. */
    public DiskService disks() {
        return disks;
    }

    /**
     * Starts the scheduler threads, the switch thread and the disk I/O
     * thread. Tests leave the host stopped and call each one's
     * {@code doWork()} by hand.
     */
    public synchronized void start() {
        scheduler.start();
        WakeableIdleStrategy lanIdle = WakeableIdleStrategy.hostDefault();
        lan.setWaker(lanIdle::wake);
        lanRunner = new AgentRunner(lanIdle, Throwable::printStackTrace, null, lan);
        AgentRunner.startOnThread(lanRunner);
        disks.start();
    }

    /**
     * Records every frame the LAN forwards in {@code file} (pcap, for tcpdump
     * and Wireshark), written by a thread of its own until the host closes.
     */
    public synchronized void recordLan(Path file) throws IOException {
        if (tap != null) {
            throw new IllegalStateException("the LAN is already recorded");
        }
        tap = PcapTap.open(file);
        tapRunner = new AgentRunner(new BackoffIdleStrategy(10, 20, 1_000, 1_000_000), Throwable::printStackTrace, null, tap);
        AgentRunner.startOnThread(tapRunner);
        lan.setTap(tap);
    }

    /** Publishes {@code source}'s counters (the gateway's) with the host's; null removes them. Any thread. */
    public void publishCounters(CounterSource source) {
        extraCounters = source;
    }

    /** The counters published with the host's, or null. Any thread. */
    public CounterSource extraCounters() {
        return extraCounters;
    }

    /** The pcap tap, or null when the LAN is not recorded. */
    public PcapTap tap() {
        return tap;
    }

    /** Stops the scheduler, the switch, the disk thread and the tap (which writes what it has queued). */
    @Override
    public synchronized void close() {
        scheduler.close();
        lan.setTap(null);
        if (lanRunner != null) {
            lanRunner.close();
        }
        if (tapRunner != null) {
            tapRunner.close();
        }
        for (Vm vm : vms.values()) {
            closeDisk(vm);
        }
        disks.close();
        for (VirtualDisk base : baseDisks.values()) {
            try {
                base.close();
            } catch (IOException e) {
                // closing a read-only file: nothing was lost
            }
        }
    }

    /**
     * Creates a VM from image {@code imageName} (a built-in name or a path)
     * with {@code memSizeBytes} of memory; it is admitted at once if the budget
     * allows, else it waits its turn.
     */
    public Vm create(String imageName, int memSizeBytes, String name)
            throws HostException, ImageNotFoundException, IOException, LoadException {
        return create(new VmSpec(imageName, memSizeBytes, name, null));
    }

    /**
     * Creates a VM as {@code spec} says: its memory with the image's pages
     * shared, a NIC on the LAN, and the disk if there is one. A disk that
     * cannot be opened or created refuses the VM (BAD_REQUEST) and leaves
     * nothing behind.
     */
    public Vm create(VmSpec spec) throws HostException, ImageNotFoundException, IOException, LoadException {
        String name = spec.name();
        if (name != null && find(name) != null) {
            throw new HostException(HostException.Kind.CONFLICT, "a VM named " + name + " already exists");
        }
        ElfImage image = image(spec.image(), spec.memSizeBytes());
        synchronized (waiting) {
            if (name != null && named.containsKey(name)) { // again, now that no other create can race us
                throw new HostException(HostException.Kind.CONFLICT, "a VM named " + name + " already exists");
            }
            if (vms.size() >= config.maxVms()) {
                throw new HostException(HostException.Kind.FULL, "the host already holds " + config.maxVms() + " VMs");
            }
            int id = nextId.getAndIncrement();
            RateLimitedConsole console = new RateLimitedConsole(consoleOut, clockNs, config.consoleBytesPerSecond(),
                    config.consoleBurstBytes());
            Vm vm = new Vm(id, name, spec.image(), image, spec.memSizeBytes(), 0x020000000000L | (id & 0xFFFFFFL),
                    GATEWAY_IPV4 + id, config.insnRatePerUs(), clockNs.getAsLong(), console);
            if (spec.disk() != null) {
                vm.attachDisk(new DiskDevice(openDisk(spec.disk()), disks, d -> scheduler.raise(vm, DenaliAbi.INT_DISK)));
            }
            VirtualNic nic = new VirtualNic(new MacAddress(vm.mac()), vm.ipv4(), config.nicQueueFrames(),
                    config.nicQueueFrames(), n -> frameArrived(vm));
            try {
                lan.attach(nic);
            } catch (IllegalArgumentException e) { // a MAC or IP still held by a VM 2^24 ids older
                closeDisk(vm);
                throw new HostException(HostException.Kind.FULL, "no free address for a new VM: " + e.getMessage());
            }
            vm.attachNic(nic);
            vms.put(id, vm);
            if (name != null) {
                named.put(name, vm);
            }
            vmsCreated++;
            waiting.addLast(vm);
            admit(false);
            return vm;
        }
    }

    /**
     * The switch queued a frame on {@code vm}'s RX queue (switch thread): the
     * VM is interrupted, and one that is not admitted yet asks the gatekeeper
     * to admit it. Its frames wait in its RX queue meanwhile: a bounded
     * backlog, whose overflow the NIC counts ({@code RX_DROPPED_FULL}). Only
     * a CAS and an offer to a bounded queue: it never waits.
     */
    private void frameArrived(Vm vm) {
        scheduler.raise(vm, DenaliAbi.INT_NIC_RX);
        if (vm.owner() < 0 && vm.state() == VmState.WAITING && vm.claimAdmissionRequest()) {
            if (admissionRequests.offer(vm)) {
                admissionRequested.incrementAndGet();
            } else {
                vm.clearAdmissionRequest();
                admissionRequestsDropped.incrementAndGet();
            }
        }
    }

    /** Opens (or creates) the disk file {@code spec} names; a refusal is the user's to fix. */
    private BlockStore openDisk(DiskSpec spec) throws HostException {
        try {
            if (spec.base() != null) {
                VirtualDisk base = baseDisks.get(spec.base().toAbsolutePath().normalize());
                if (base == null) {
                    base = VirtualDisk.openReadOnly(spec.base());
                    baseDisks.put(spec.base().toAbsolutePath().normalize(), base);
                }
                return Files.exists(spec.path()) ? OverlayDisk.open(spec.path(), base) : OverlayDisk.create(spec.path(), base);
            }
            if (Files.exists(spec.path())) {
                return VirtualDisk.open(spec.path());
            }
            if (spec.sizeBlocks() == 0) {
                throw new HostException(HostException.Kind.BAD_REQUEST, "disk file " + spec.path()
                        + " does not exist (give a size to create it)");
            }
            return VirtualDisk.create(spec.path(), spec.sizeBlocks());
        } catch (IOException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, e.getMessage());
        }
    }

    private static void closeDisk(Vm vm) {
        DiskDevice disk = vm.disk();
        if (disk != null) {
            try {
                disk.close();
            } catch (IOException e) {
                // the file stays as the last completed write left it; the guest has gone
            }
        }
    }

    /** The parsed image, parsed once per (image, memory size) and shared by every VM made from it. */
    private ElfImage image(String imageName, int memSizeBytes) throws ImageNotFoundException, IOException, LoadException {
        String key = imageName + "@" + memSizeBytes;
        ElfImage image = imageCache.get(key);
        if (image == null) {
            ImageResolver.Image img = images.resolve(imageName);
            image = ElfImage.parse(img.bytes(), memSizeBytes);
            ElfImage raced = imageCache.putIfAbsent(key, image);
            if (raced != null) {
                image = raced;
            }
        }
        return image;
    }

    /**
     * Measures resident memory afresh and admits waiting VMs, oldest first,
     * while the budget allows. Returns how many were admitted.
     */
    public int admitWaiting() {
        return admit(true);
    }

    /**
     * Admission against the last measurement plus what was admitted since
     * (measuring walks every VM, too slow to do for each of 10,000 creates).
     */
    private int admit(boolean measure) {
        synchronized (waiting) {
            if (measure) {
                measuredResident = residentBytes();
                admittedSinceMeasure = 0;
            }
            Vm asked;
            while ((asked = admissionRequests.poll()) != null) {
                asked.clearAdmissionRequest();
                if (asked.state() == VmState.WAITING) {
                    requested.addLast(asked);
                }
            }
            int n = 0;
            long resident = measuredResident + admittedSinceMeasure;
            for (ArrayDeque<Vm> queue : List.of(requested, waiting)) {
                Vm vm;
                while ((vm = queue.peekFirst()) != null) {
                    if (vm.state() != VmState.WAITING) {
                        queue.pollFirst(); // admitted from the other queue, or destroyed
                        continue;
                    }
                    long cost = MemoryAccounting.admissionBytes(vm.memSizeBytes());
                    if (resident + cost > config.residentBudgetBytes() || !scheduler.admit(vm)) {
                        return n; // FIFO: nobody overtakes the VM at the head
                    }
                    queue.pollFirst();
                    resident += cost;
                    admittedSinceMeasure += cost;
                    n++;
                }
            }
            return n;
        }
    }

    /** Times traffic for a waiting VM asked the gatekeeper to admit it. Any thread. */
    public long admissionRequests() {
        return admissionRequested.get();
    }

    /** Admission requests lost because the gatekeeper's queue was full (the VM still waits its turn). */
    public long admissionRequestsDropped() {
        return admissionRequestsDropped.get();
    }

    /**
     * Destroys a VM (by id such as "vm-3", or by name). A running VM is
     * destroyed by its scheduler thread when its quantum ends.
     */
    public Vm destroy(String vmName) throws HostException {
        Vm vm = require(vmName);
        synchronized (waiting) {
            VmState s = vm.state();
            if (s == VmState.DESTROYED || vm.destroyRequested()) {
                throw new HostException(HostException.Kind.ILLEGAL_STATE, vm.idString() + " is already destroyed");
            }
            if (s == VmState.TERMINATED || s == VmState.FAULTED) {
                // it has ended and released its memory, and nothing runs it again: it just leaves
                vm.requestDestroy();
                vm.setState(VmState.DESTROYED);
                forget(vm);
                return vm;
            }
            if (s == VmState.WAITING) {
                waiting.remove(vm);
                requested.remove(vm);
                vm.requestDestroy();
                vm.release();
                vm.setState(VmState.DESTROYED);
                ended(vm);
                return vm;
            }
        }
        if (!scheduler.destroy(vm)) {
            throw new HostException(HostException.Kind.FULL, "could not queue the destroy of " + vm.idString());
        }
        return vm;
    }

    /** The VM named {@code vmName} (its id string or its name), or null. */
    public Vm find(String vmName) {
        if (vmName == null) {
            return null;
        }
        if (vmName.startsWith("vm-")) {
            try {
                Vm vm = vms.get(Integer.parseInt(vmName.substring(3)));
                if (vm != null) {
                    return vm;
                }
            } catch (NumberFormatException e) {
                // not an id: try it as a name
            }
        }
        return named.get(vmName);
    }

    /** The VM leaves the host's tables. */
    private void forget(Vm vm) {
        vms.remove(vm.id());
        if (vm.name() != null) {
            named.remove(vm.name(), vm);
        }
    }

    public Vm require(String vmName) throws HostException {
        Vm vm = find(vmName);
        if (vm == null) {
            throw new HostException(HostException.Kind.NOT_FOUND, "no VM named " + vmName);
        }
        return vm;
    }

    /** The VMs the host holds (destroyed ones leave). */
    public Collection<Vm> vms() {
        return vms.values();
    }

    /** A VM ended (terminated, faulted or destroyed): its NIC leaves the LAN and its disk closes. */
    private void ended(Vm vm) {
        VirtualNic nic = vm.nic();
        if (nic != null) {
            lan.retire(nic); // frames it already sent still go out
        }
        closeDisk(vm);
        vmsEnded++;
        if (vm.state() == VmState.DESTROYED || vm.destroyRequested()) { // ended with a destroy on its way: it goes too
            forget(vm);
        }
    }

    // ---------------------------------------------------------------- accounting

    /** VMs by state. */
    public Map<VmState, Long> countByState() {
        Map<VmState, Long> m = new EnumMap<>(VmState.class);
        for (VmState s : VmState.values()) {
            m.put(s, 0L);
        }
        for (Vm vm : vms.values()) {
            m.merge(vm.state(), 1L, Long::sum);
        }
        return m;
    }

    /** Host memory by kind (see {@link MemoryAccounting}); shared image pages counted once per image. */
    public Map<String, Long> memory() {
        long priv = 0;
        long tables = 0;
        long book = 0;
        for (Vm vm : vms.values()) {
            priv += MemoryAccounting.privateBytes(vm);
            tables += MemoryAccounting.pageTableBytes(vm);
            book += MemoryAccounting.bookkeepingBytes(vm);
        }
        long shared = 0;
        for (ElfImage image : imageCache.values()) {
            shared += image.pageCount() * MemoryAccounting.PAGE_BYTES;
        }
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("budgetBytes", config.residentBudgetBytes());
        m.put("residentBytes", priv + tables + book + shared);
        m.put("privateBytes", priv);
        m.put("sharedBytes", shared);
        m.put("pageTableBytes", tables);
        m.put("bookkeepingBytes", book);
        return m;
    }

    /** Resident bytes: every VM's own bytes plus each image's shared pages once. */
    public long residentBytes() {
        return memory().get("residentBytes");
    }

    public long uptimeNs() {
        return clockNs.getAsLong() - startNs;
    }

    public long vmsCreated() {
        return vmsCreated;
    }

    public long vmsEnded() {
        return vmsEnded;
    }

    /** VMs waiting for admission, in the order the gatekeeper will admit them: those traffic asked for, then the oldest (a copy). */
    public List<Vm> waiting() {
        synchronized (waiting) {
            java.util.LinkedHashSet<Vm> order = new java.util.LinkedHashSet<>(requested);
            order.addAll(waiting);
            return order.stream().filter(vm -> vm.state() == VmState.WAITING).toList();
        }
    }
}
