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
import yakima.swap.RecordException;
import yakima.swap.RecordReader;
import yakima.swap.SwapStore;
import yakima.swap.VmImage;
import yakima.swap.VmStub;
import yakima.vm.ConsoleSink;
import yakima.vm.Encapsulation;
import yakima.vm.HostedVm;
import yakima.vm.VmAddresses;
import yakima.vm.ImageNotFoundException;
import yakima.vm.ImageResolver;
import yakima.vm.MemorySize;
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
    public static final int GATEWAY_IPV4 = VmAddresses.GATEWAY_IPV4;
    /** How often the gatekeeper measures resident memory afresh while it is swapping (between, it estimates). */
    static final long MEASURE_EVERY_NS = 5_000_000;
    /** Admission requests the gatekeeper's queue holds between two admission rounds. */
    public static final int ADMISSION_REQUEST_SLOTS = 4096;

    private final HostConfig config;
    private final ImageResolver images;
    private final LongSupplier clockNs;
    private final Scheduler scheduler;
    private final ConsoleSink consoleOut;
    private final Map<Integer, Vm> vms = new ConcurrentHashMap<>();
    /** The ids of the VMs that were given a name, by name (changed under the gatekeeper's lock, with {@link #vms}). */
    private final Map<String, Integer> named = new ConcurrentHashMap<>();
    private final Map<String, ElfImage> imageCache = new ConcurrentHashMap<>();
    /** SHA-256 of each image file, by image name: a record names the image its shared pages came from. */
    private final Map<String, byte[]> imageDigests = new ConcurrentHashMap<>();
    /** The disks of the VMs that have one, by id: what a swap-out records and a swap-in opens again. */
    private final Map<Integer, DiskSpec> diskSpecs = new ConcurrentHashMap<>();
    /** Swapping, once {@link #enableSwap} was called; null before. */
    private volatile Swapper swapper;
    /** Snapshots for people: VMs taken off their thread to be captured, and back. */
    private final Snapshots snapshots;
    /** Under the gatekeeper's lock: the admitted VMs in the CLOCK policy's circle, and its hand. */
    private final ArrayList<Vm> clock = new ArrayList<>();
    private int clockHand;
    private long lastMeasureNs;
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
        this.snapshots = new Snapshots(this, clockNs);
        this.scheduler = new Scheduler(config.scheduler(), clockNs, new yakima.sched.SchedulerThread.Listener() {
            @Override
            public void ended(Vm vm) {
                Host.this.ended(vm);
            }

            @Override
            public void evicted(Vm vm) {
                if (!snapshots.taken(vm)) {
                    swapper.evicted(vm);
                }
            }

            @Override
            public void evictRefused(Vm vm) {
                snapshots.refused(vm);
            }
        });
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
        if (swapper != null) {
            swapper.start();
        }
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
        if (swapper != null) {
            swapper.close();
        }
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
            if (vms.size() + (swapper == null ? 0 : swapper.swappedCount()) >= config.maxVms()) {
                throw new HostException(HostException.Kind.FULL, "the host already holds " + config.maxVms() + " VMs");
            }
            int id = nextId.getAndIncrement();
            RateLimitedConsole console = new RateLimitedConsole(consoleOut, clockNs, config.consoleBytesPerSecond(),
                    config.consoleBurstBytes());
            Vm vm = new Vm(id, name, spec.image(), image, spec.memSizeBytes(), VmAddresses.mac(id),
                    VmAddresses.ipv4(id), config.insnRatePerUs(), clockNs.getAsLong(), console);
            if (spec.disk() != null) {
                vm.attachDisk(new DiskDevice(openDisk(spec.disk()), disks, d -> scheduler.raise(vm, DenaliAbi.INT_DISK)));
                diskSpecs.put(id, spec.disk());
            }
            VirtualNic nic = newNic(vm);
            try {
                lan.attach(nic);
            } catch (IllegalArgumentException e) { // a MAC or IP still held by a VM 2^24 ids older
                closeDisk(vm);
                throw new HostException(HostException.Kind.FULL, "no free address for a new VM: " + e.getMessage());
            }
            vm.attachNic(nic);
            vms.put(id, vm);
            if (name != null) {
                named.put(name, id);
            }
            vmsCreated++;
            waiting.addLast(vm);
            admit(false);
            return vm;
        }
    }

    /** A new NIC for {@code vm}, not yet attached: its addresses, the host's queue sizes, interrupts through the scheduler. */
    VirtualNic newNic(Vm vm) {
        return new VirtualNic(new MacAddress(vm.mac()), vm.ipv4(), config.nicQueueFrames(), config.nicQueueFrames(),
                n -> frameArrived(vm));
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
        Swapper s = swapper;
        if (s != null && vm.state() == VmState.SWAPPED) {
            s.wantBack(vm); // evicted, its swap-out not begun: it stays
        }
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
            imageDigests.putIfAbsent(imageName, sha256(img.bytes()));
            ElfImage raced = imageCache.putIfAbsent(key, image);
            if (raced != null) {
                image = raced;
            }
        }
        return image;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
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
            if (draining()) {
                return 0; // a clean stop: nothing starts running again
            }
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
                    if (resident + cost > config.residentBudgetBytes()) {
                        if (swapper != null) {
                            evictFor(cost); // the admission is retried as the swap-outs complete
                        }
                        return n; // FIFO: nobody overtakes the VM at the head
                    }
                    if (!scheduler.admit(vm)) {
                        return n;
                    }
                    queue.pollFirst();
                    enterClock(vm);
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
    public HostedVm destroy(String vmName) throws HostException {
        HostedVm found = lookup(vmName);
        if (found == null) {
            throw new HostException(HostException.Kind.NOT_FOUND, "no VM named " + vmName);
        }
        if (found instanceof VmStub stub) {
            if (!destroyStub(stub)) {
                throw new HostException(HostException.Kind.ILLEGAL_STATE, stub.idString() + " is already destroyed");
            }
            return stub;
        }
        Vm vm = (Vm) found;
        if (vm.state() == VmState.SWAPPED) {
            if (vm.destroyRequested()) {
                throw new HostException(HostException.Kind.ILLEGAL_STATE, vm.idString() + " is already destroyed");
            }
            vm.requestDestroy(); // whoever holds it (its swap-out, a snapshot) finishes the destroy
            Swapper s = swapper;
            if (s != null && s.destroyInTransit(vm)) { // it had just become a stub
                vmsEnded++;
                forget(vm);
            } else if (vm.state() != VmState.SWAPPED && !vm.state().isFinal()) {
                scheduler.destroy(vm); // it went back to a thread meanwhile
            }
            return vm;
        }
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
                destroyWaiting(vm);
                return vm;
            }
        }
        if (!scheduler.destroy(vm)) {
            throw new HostException(HostException.Kind.FULL, "could not queue the destroy of " + vm.idString());
        }
        return vm;
    }

    /** Under the gatekeeper's lock: a VM waiting for admission leaves the queues and is destroyed. */
    private void destroyWaiting(Vm vm) {
        waiting.remove(vm);
        requested.remove(vm);
        vm.requestDestroy();
        vm.release();
        vm.setState(VmState.DESTROYED);
        ended(vm);
    }

    /** The VM in memory named {@code vmName} (its id string or its name), or null (also when it is swapped out). */
    public Vm find(String vmName) {
        return lookup(vmName) instanceof Vm vm ? vm : null;
    }

    /** The VM named {@code vmName} (its id string or its name), in memory or swapped out, or null. */
    public HostedVm lookup(String vmName) {
        if (vmName == null) {
            return null;
        }
        if (vmName.startsWith("vm-")) {
            try {
                HostedVm vm = byId(Integer.parseInt(vmName.substring(3)));
                if (vm != null) {
                    return vm;
                }
            } catch (NumberFormatException e) {
                // not an id: try it as a name
            }
        }
        Integer id = named.get(vmName);
        return id == null ? null : byId(id);
    }

    /** The VM with id {@code id}, in memory or swapped out, or null. */
    public HostedVm byId(int id) {
        Vm vm = vms.get(id);
        if (vm != null) {
            return vm;
        }
        Swapper s = swapper;
        return s == null ? null : s.stub(id);
    }

    /** The VM leaves the host's tables. */
    private void forget(Vm vm) {
        vms.remove(vm.id());
        diskSpecs.remove(vm.id());
        if (vm.name() != null) {
            named.remove(vm.name(), vm.id());
        }
    }

    public Vm require(String vmName) throws HostException {
        Vm vm = find(vmName);
        if (vm == null) {
            throw new HostException(HostException.Kind.NOT_FOUND, "no VM named " + vmName);
        }
        return vm;
    }

    // ---------------------------------------------------------------- swapping

    /**
     * Lets the gatekeeper swap VMs out to {@code store} when the resident
     * budget would be exceeded, and bring them back on demand. Call before
     * {@link #start()}; the store is closed with the host.
     *
     * <p>A store that holds records of an earlier run (a host stopped or
     * crashed on the same directory) is <b>adopted</b>: each VM in it gets a
     * stub, as of its last completed swap-out, with its id, name, image and
     * memory size; clones named by a manifest come back as clones of their
     * template; destroyed clones (tombstones) stay gone. New VMs get ids
     * above every adopted one, and adopted names stay taken. A record that
     * cannot be read makes that VM alone FAULTED, with the reason. See
     * {@link StoreAdopter} and {@link #adoption()}.
     *
     * @throws IllegalStateException when the host already holds VMs and the store holds records
     * @throws java.io.UncheckedIOException when the store cannot be listed
     */
    public synchronized void enableSwap(SwapStore store) {
        enableSwap(store, yakima.swap.RecordCompression.FAST);
    }

    /** {@link #enableSwap(SwapStore)}, with the swap-outs' records compressed as {@code compression} says. */
    public synchronized void enableSwap(SwapStore store, yakima.swap.RecordCompression compression) {
        if (swapper != null) {
            throw new IllegalStateException("swapping is enabled already");
        }
        Swapper s = new Swapper(this, store, clockNs, config.maxVms(), config.nicQueueFrames(), compression);
        if (store.records() > 0) {
            adopt(s, store);
        }
        swapper = s;
        lan.setAbsentPorts(s::take);
    }

    /** Registers what {@code store} holds with {@code s}, before the swapper is published (see {@link #enableSwap}). */
    private void adopt(Swapper s, SwapStore store) {
        synchronized (waiting) {
            if (!vms.isEmpty() || nextId.get() != 1) {
                throw new IllegalStateException("a host adopts the records of its swap store only before it holds VMs");
            }
        }
        StoreAdopter.Found found;
        try {
            found = StoreAdopter.adopt(store, clockNs.getAsLong());
        } catch (yakima.swap.SwapStoreException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
        Adoption report = found.report();
        synchronized (waiting) {
            for (VmStub stub : found.stubs()) {
                if (stub.name() != null && stub.faultReason() == null) {
                    Integer taken = named.putIfAbsent(stub.name(), stub.id());
                    if (taken != null) { // two records of one name: made by hand, or damaged behind good checksums
                        stub.fail("unreadable record: its name " + stub.name() + " is vm-" + taken + "'s");
                        report = new Adoption(report.vms(), report.clones(), report.faulted() + 1, report.destroyed(),
                                report.templates(), report.lostManifests(), report.ignored(),
                                report.firstProblem() != null ? report.firstProblem() : stub.idString() + ": " + stub.faultReason(),
                                report.nanos());
                    }
                }
                s.addStub(stub);
            }
            for (long[] d : found.deadlines()) {
                s.addDeadline(d[0], (int) d[1]);
            }
            for (yakima.swap.CloneManifest m : found.manifests()) {
                s.addManifest(m);
            }
            nextId.set(found.maxVmId() + 1);
            nextTemplate.set(Math.max(FIRST_TEMPLATE_RECORD, found.maxTemplateId() + 1));
            vmsCreated += found.stubs().size();
        }
        adoption = report;
    }

    /** What {@link #enableSwap} adopted from the store ({@link Adoption#NONE} if nothing, or before). Any thread. */
    public Adoption adoption() {
        return adoption;
    }

    /** The id the next VM created gets, unless another create takes it first. */
    public int nextVmId() {
        return nextId.get();
    }

    /** True once {@link #enableSwap} was called. */
    public boolean swapping() {
        return swapper != null;
    }

    /** The swap store, or null when the host does not swap. */
    public SwapStore swapStore() {
        Swapper s = swapper;
        return s == null ? null : s.store();
    }

    /** Turns the swap-out thread's work by hand (a host that was not started): swap-outs done. */
    public int swapOutWork() {
        return swapper.swapOutWork();
    }

    /** Turns the swap-in thread's work by hand (a host that was not started): swap-ins done. */
    public int swapInWork() {
        return swapper.swapInWork();
    }

    /** The swapped-out VMs' stubs. Any thread. */
    public Iterable<VmStub> swappedVms() {
        Swapper s = swapper;
        return s == null ? List.of() : s.stubs();
    }

    /** The swap counters (swap-outs, swap-ins, failures, the store's use); empty when the host does not swap. */
    public Map<String, Long> swapCounters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        Swapper s = swapper;
        if (s != null) {
            s.counters(m);
        }
        return m;
    }

    /** The last swap error's one-line reason, or null. */
    public String lastSwapError() {
        Swapper s = swapper;
        return s == null ? null : s.lastError();
    }

    /**
     * Asks for a swapped-out VM to be brought back (an admin call for it);
     * false if it is not swapped out.
     */
    public boolean bringBack(HostedVm vm) {
        Swapper s = swapper;
        if (s != null && vm instanceof VmStub stub && stub.faultReason() == null) {
            s.requestSwapIn(stub);
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- clean stop

    /**
     * What a clean stop did ({@link #swapOutAll}).
     *
     * @param swappedOut VMs whose record was written since the stop began
     * @param failed     VMs whose record could not be written (the store is full, the disk failed): they stayed
     *                   in memory, and a host started again on the store finds their previous record, if any
     * @param left       VMs still in memory when the time ran out (busy with their disk, say)
     * @param nanos      how long it took
     */
    public record CleanStop(long swappedOut, int failed, int left, long nanos) {
    }

    /**
     * A clean stop: swaps out every VM in memory, admitted or waiting, so that
     * a host started again on the same swap store brings all of them back as
     * they are now (see {@link #enableSwap}). From the first call nothing is
     * admitted or swapped in any more: the host is stopping, and the caller
     * closes it next. Polls every few milliseconds (the scheduler and swap
     * threads do the work) until every VM is out or {@code timeoutNs} has
     * passed. Records of VMs that ended are dropped first too.
     */
    public CleanStop swapOutAll(long timeoutNs) throws InterruptedException {
        long started = System.nanoTime();
        int left;
        while ((left = swapOutAllStep()) > 0 && System.nanoTime() - started < timeoutNs) {
            Thread.sleep(5);
        }
        Swapper s = swapper;
        int failed = 0;
        for (Vm vm : vms.values()) {
            if (s.drainGaveUp(vm.id()) && !vm.state().isFinal()) {
                failed++;
            }
        }
        return new CleanStop(s.swapOutsSinceDrain(), failed, left, System.nanoTime() - started);
    }

    /**
     * One round of {@link #swapOutAll}, for a host turned by hand: asks the
     * scheduler to evict every admitted VM (again, for those it could not
     * take between quanta last time) and hands every waiting VM straight to
     * the swap-out thread. Returns what is still to do: VMs in memory that
     * are neither out nor given up, plus records of ended VMs still to drop;
     * 0 when the stop is complete.
     */
    public int swapOutAllStep() {
        Swapper s = swapper;
        if (s == null) {
            throw new IllegalStateException("the host does not swap");
        }
        s.startDraining();
        synchronized (waiting) {
            for (Vm vm : vms.values()) {
                if (vm.state() == VmState.WAITING && !s.drainGaveUp(vm.id())) {
                    vm.setState(VmState.SWAPPED); // never admitted, or waiting to be again: nothing runs it
                    s.evicted(vm);
                }
            }
            waiting.clear();
            requested.clear();
        }
        int left = 0;
        for (Vm vm : vms.values()) {
            VmState st = vm.state();
            if (st.isFinal() || s.drainGaveUp(vm.id())) {
                continue;
            }
            left++;
            if (st == VmState.IDLE || st == VmState.RUNNABLE || st == VmState.RUNNING) {
                scheduler.evict(vm); // refused while it runs or waits for its disk: asked again next round
            }
        }
        return left + s.recordsToDrop();
    }

    /** True once a clean stop has begun ({@link #swapOutAll}). */
    private boolean draining() {
        Swapper s = swapper;
        return s != null && s.draining();
    }

    /** Record ids of templates start here, above every id a VM can have, so no VM's own record overwrites one. */
    public static final int FIRST_TEMPLATE_RECORD = VmAddresses.MAX_ID + 1;
    /**
     * Record ids of clone manifests start here, above every template's: the
     * manifest of the clones of template {@code t} is record
     * {@code t + FIRST_MANIFEST_RECORD - FIRST_TEMPLATE_RECORD}.
     */
    public static final int FIRST_MANIFEST_RECORD = FIRST_TEMPLATE_RECORD + VmAddresses.MAX_ID + 1;
    private final AtomicInteger nextTemplate = new AtomicInteger(FIRST_TEMPLATE_RECORD);
    private volatile Adoption adoption = Adoption.NONE;

    /**
     * Template boot: makes {@code source}'s record (it is swapped out, say
     * after booting until it first idled) a template, and registers
     * {@code count} new VMs that start as clones of it: each is only a stub
     * until traffic brings it in, when it is built from the template with
     * its own id, MAC and IPv4 address (the guest takes up the new addresses
     * at its next wake). The template is a copy of the record, so the source
     * VM may run on and change its own. Returns the clones' stubs.
     *
     * <p>Before any clone is visible, a {@link yakima.swap.CloneManifest}
     * (template, first id, count, image, memory size) is written to the
     * store, durably: a host restarted on the store brings the clones back
     * ({@link #enableSwap}).
     */
    public List<VmStub> registerClones(VmStub source, int count) throws HostException {
        Swapper s = swapper;
        if (s == null) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "template boot needs swapping enabled");
        }
        if (count < 0) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "cannot register " + count + " clones");
        }
        int template = nextTemplate.getAndIncrement();
        if (template >= FIRST_MANIFEST_RECORD) {
            throw new HostException(HostException.Kind.FULL, "no template record ids left");
        }
        try {
            byte[] record = s.store().read(source.recordId());
            s.store().write(template, record, 0, record.length);
        } catch (yakima.swap.SwapStoreException e) {
            throw new HostException(HostException.Kind.FULL, "cannot make a template of " + source.idString() + ": " + e.getMessage());
        }
        List<VmStub> clones = new ArrayList<>(count);
        synchronized (waiting) {
            if (vms.size() + s.swappedCount() + count > config.maxVms()) {
                throw new HostException(HostException.Kind.FULL, "the host holds at most " + config.maxVms() + " VMs");
            }
            int first = nextId.get();
            if (count == 0) {
                return clones;
            }
            if ((long) first + count - 1 > VmAddresses.MAX_ID) {
                throw new HostException(HostException.Kind.FULL, "no free address for a new VM");
            }
            // under the gatekeeper's lock, so no create takes an id in between: the fsync stalls admission for a
            // millisecond or so, once per template boot
            yakima.swap.CloneManifest manifest = new yakima.swap.CloneManifest(template, first, count, source.imageName(),
                    source.memSizeBytes());
            try {
                byte[] bytes = manifest.encode();
                s.store().write(template + (FIRST_MANIFEST_RECORD - FIRST_TEMPLATE_RECORD), bytes, 0, bytes.length);
            } catch (yakima.swap.SwapStoreException e) {
                throw new HostException(HostException.Kind.FULL, "cannot register clones of " + source.idString() + ": "
                        + e.getMessage());
            }
            s.addManifest(manifest);
            for (int i = 0; i < count; i++) {
                int id = nextId.getAndIncrement();
                VmStub clone = new VmStub(id, null, source.imageName(), source.memSizeBytes(), source.bootNs(), template, 0);
                s.addStub(clone);
                clones.add(clone);
                vmsCreated++;
            }
        }
        return clones;
    }

    /** SHA-256 of image {@code imageName}'s file (it has been loaded). */
    byte[] imageDigest(String imageName) {
        return imageDigests.get(imageName);
    }

    /** What a record says of {@code vm}'s disk, or null when it has none (the VM no longer runs). */
    VmImage.Disk diskImage(Vm vm) {
        DiskSpec spec = diskSpecs.get(vm.id());
        if (spec == null || vm.disk() == null) {
            return null;
        }
        return new VmImage.Disk(spec.path().toString(), spec.sizeBlocks(), spec.base() == null ? null : spec.base().toString(),
                vm.disk().lastRequestId());
    }

    /**
     * A VM built from {@code image} to take {@code stub}'s place (the swap-in
     * thread): checked against the stub and against the image file it was
     * made from, its disk opened again. Refused with the reason if the record
     * does not belong to this VM or its image has changed.
     */
    Vm restore(VmImage image, VmStub stub) throws HostException {
        if (!stub.isClone() && image.id() != stub.id()) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "the record is vm-" + image.id() + "'s, not " + stub.idString() + "'s");
        }
        if (image.memSizeBytes() != stub.memSizeBytes() || !image.imageName().equals(stub.imageName())) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "the record is of another VM (image " + image.imageName()
                    + ", " + image.memSizeBytes() + " bytes)");
        }
        ElfImage elf;
        try {
            elf = image(image.imageName(), image.memSizeBytes());
        } catch (ImageNotFoundException | IOException | LoadException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "image " + image.imageName() + " cannot be loaded: " + e.getMessage());
        }
        if (!java.util.Arrays.equals(imageDigest(image.imageName()), image.imageDigest())) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "image " + image.imageName() + " has changed since the VM was saved");
        }
        RateLimitedConsole console = new RateLimitedConsole(consoleOut, clockNs, config.consoleBytesPerSecond(),
                config.consoleBurstBytes());
        int id = stub.id();
        Vm vm = Encapsulation.restore(image, id, stub.name(), elf, VmAddresses.mac(id), VmAddresses.ipv4(id), stub.bootNs(), console);
        if (image.disk() != null) {
            VmImage.Disk d = image.disk();
            DiskSpec spec = new DiskSpec(java.nio.file.Path.of(d.path()), d.sizeBlocks(), d.base() == null ? null : java.nio.file.Path.of(d.base()));
            DiskDevice disk = new DiskDevice(openDisk(spec), disks, x -> scheduler.raise(vm, DenaliAbi.INT_DISK));
            disk.restoreLastRequestId(d.lastRequestId());
            vm.attachDisk(disk);
            diskSpecs.put(id, spec);
        }
        return vm;
    }

    /** A swapped-in VM takes its stub's place in the table (swap-in thread, under the switch's and swapper's locks). */
    void swappedIn(Vm vm) {
        vms.put(vm.id(), vm);
    }

    /** A restored VM that is not wanted after all (destroyed while it was read): its disk closes. */
    void discard(Vm vm) {
        closeDisk(vm);
        vm.release();
    }

    /** {@code vm}'s record is written and its stub in place: the VM object goes, with its memory (swap-out thread). */
    void swappedOut(Vm vm) {
        vms.remove(vm.id());
        closeDisk(vm);
        vm.release();
        admit(true); // room for VMs that wait
    }

    /** A VM destroyed while it was being swapped out (swap-out thread). */
    void swapOutDestroyed(Vm vm) {
        vm.release();
        vm.setState(VmState.DESTROYED);
        ended(vm);
    }

    /**
     * A VM back in memory (swapped in, or taken back before it left) is
     * admitted at once, over the budget if need be, and others are evicted
     * to make up for it: a VM that traffic is waiting for does not queue.
     */
    void readmit(Vm vm) {
        synchronized (waiting) {
            if (draining()) { // a clean stop: a VM that came in after all goes straight back out
                vm.setState(VmState.SWAPPED);
                swapper.evicted(vm);
                return;
            }
            if (!scheduler.admit(vm)) {
                vm.setState(VmState.WAITING);
                requested.addLast(vm); // every thread full: it waits its turn, first
                return;
            }
            enterClock(vm);
            admittedSinceMeasure += MemoryAccounting.residentBytes(vm);
            evictFor(0);
        }
    }

    /**
     * The gatekeeper's eviction (under its lock): when resident memory plus
     * {@code wanted} bytes exceeds the budget, asks the owners of VMs chosen
     * by the CLOCK policy to evict them, until enough would be freed to bring
     * it to 15/16 of the budget (so one admission does not evict one VM at a
     * time). The clock hand goes round the admitted VMs; a VM that ran since
     * the hand last passed is spared once (its reference bit is cleared), and
     * so is one just admitted ({@link #enterClock}). On the first lap only
     * IDLE VMs are taken; runnable ones only on the second, when not enough
     * idle ones could be. A VM with work waiting ({@link Vm#hasWorkWaiting})
     * is never taken: it is about to run (the frame that brought it back in, say),
     * and its swap-out would only end in taking it back.
     */
    private void evictFor(long wanted) {
        long now = clockNs.getAsLong();
        if (now - lastMeasureNs >= MEASURE_EVERY_NS) {
            measuredResident = residentBytes();
            admittedSinceMeasure = 0;
            lastMeasureNs = now;
        }
        long resident = measuredResident + admittedSinceMeasure + wanted;
        long budget = config.residentBudgetBytes();
        if (resident <= budget || clock.isEmpty()) {
            return;
        }
        long need = resident - budget + budget / 16;
        long freed = 0;
        int size = clock.size();
        for (int looked = 0; looked < 2 * size && freed < need && !clock.isEmpty(); looked++) {
            if (clockHand >= clock.size()) {
                clockHand = 0;
            }
            Vm vm = clock.get(clockHand);
            VmState s = vm.state();
            if (s != VmState.IDLE && s != VmState.RUNNABLE && s != VmState.RUNNING) {
                // not admitted any more (evicted, ended, destroyed): leaves the circle
                Vm last = clock.remove(clock.size() - 1);
                if (clockHand < clock.size()) {
                    clock.set(clockHand, last);
                }
                continue;
            }
            boolean firstLap = looked < size;
            if ((s == VmState.IDLE || !firstLap) && s != VmState.RUNNING && !vm.hasWorkWaiting() && !vm.takeReferenced()
                    && scheduler.evictIfQuiet(vm)) {
                freed += MemoryAccounting.residentBytes(vm);
            }
            clockHand++;
        }
        admittedSinceMeasure -= freed;
    }

    /**
     * An admitted VM joins the clock with its reference bit set, as a page
     * just loaded does: the hand spares it once, so the admission that
     * brought it in (a swap-in for a frame, say) cannot choose it at once.
     */
    private void enterClock(Vm vm) {
        vm.markReferenced();
        clock.add(vm);
    }

    /**
     * Template boot: waits (at most {@code timeoutNs}) for {@code first} to
     * boot until it idles, swaps it out, and returns its stub, which
     * {@link #registerClones} turns into as many VMs as wanted; null if it
     * never idled or its swap-out did not complete. Needs swapping
     * ({@link #enableSwap}); not on a host thread (it polls, every 20-50 ms).
     */
    public VmStub templateOf(Vm first, long timeoutNs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNs;
        // idle twice in a row, 50 ms apart: booted, not just between two steps of its start
        int idleSeen = 0;
        while (idleSeen < 2) {
            if (System.nanoTime() > deadline || first.state().isFinal()) {
                return null;
            }
            idleSeen = first.state() == VmState.IDLE ? idleSeen + 1 : 0;
            Thread.sleep(50);
        }
        while (System.nanoTime() < deadline) {
            if (lookup(first.idString()) instanceof VmStub stub) {
                return stub;
            }
            if (first.state() == VmState.IDLE) {
                scheduler.evict(first);
            }
            Thread.sleep(20);
        }
        return null;
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
        Swapper s = swapper;
        if (s != null) {
            s.recordGone(vm.id()); // a record it left must not bring it back after a restart
        }
    }

    // ---------------------------------------------------------------- snapshots

    /**
     * A snapshot of VM {@code vmName} (its id string or its name): its
     * encapsulation record, consistent, as a swap-out would write it. A VM in
     * memory is taken off its scheduler thread between two quanta, captured
     * and encoded, and put back at once (see {@link Snapshots}); a swapped-out
     * VM's record is read from the store (for a clone that never ran, its
     * template's, with the clone's id and name). With {@code stop} the VM is
     * destroyed once the record is taken: it moves, rather than being copied.
     * Blocks for as long as that takes (at most about 10 s of waiting for a
     * VM to be let go); not on a scheduler thread.
     *
     * @throws HostException NOT_FOUND no such VM; ILLEGAL_STATE it has ended,
     *         is being destroyed, cannot be read back from the store, or could
     *         not be paused in time; CONFLICT a snapshot of it is under way
     */
    public byte[] snapshot(String vmName, boolean stop) throws HostException {
        return snapshots.snapshot(vmName, stop);
    }

    /**
     * Starts a VM from a snapshot's {@code record} (from this host or
     * another): checked as untrusted input ({@link RecordReader}); its image
     * must be on this host with the same SHA-256, its memory size legal, its
     * disk file (if it has one) present here. It gets a new id, MAC and IPv4
     * address, as a clone does (the guest takes the new addresses up itself
     * at its next wake), resumes its clock where the snapshot left it, and
     * waits for admission like a created VM. Frames that were waiting in its
     * NIC are not delivered: they were addressed to its old identity. A
     * refused record changes nothing on the host.
     *
     * @param name the new VM's name; null keeps the one in the record (if any)
     * @throws HostException BAD_REQUEST a bad record, a missing or changed
     *         image, an illegal memory size, a disk that is missing or held;
     *         CONFLICT the name is taken; FULL the host holds its maximum of VMs
     */
    public HostedVm restoreVm(byte[] record, String name) throws HostException {
        VmImage saved;
        try {
            saved = RecordReader.read(record);
        } catch (RecordException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "bad snapshot: " + e.getMessage());
        }
        try {
            MemorySize.check(saved.memSizeBytes());
        } catch (IllegalArgumentException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "bad snapshot: " + e.getMessage());
        }
        String vmName = name != null ? name : saved.name();
        if (vmName != null && named.containsKey(vmName)) {
            throw new HostException(HostException.Kind.CONFLICT, "a VM named " + vmName + " already exists");
        }
        ElfImage elf = snapshotImage(saved);
        DiskSpec diskSpec = null;
        BlockStore diskStore = null;
        if (saved.disk() != null) {
            diskSpec = snapshotDisk(saved.disk());
            diskStore = openDisk(diskSpec);
        }
        synchronized (waiting) {
            if (vmName != null && named.containsKey(vmName)) { // again, now that no create can race us
                closeQuietly(diskStore);
                throw new HostException(HostException.Kind.CONFLICT, "a VM named " + vmName + " already exists");
            }
            if (vms.size() + (swapper == null ? 0 : swapper.swappedCount()) >= config.maxVms()) {
                closeQuietly(diskStore);
                throw new HostException(HostException.Kind.FULL, "the host already holds " + config.maxVms() + " VMs");
            }
            int id = nextId.getAndIncrement();
            RateLimitedConsole console = new RateLimitedConsole(consoleOut, clockNs, config.consoleBytesPerSecond(),
                    config.consoleBurstBytes());
            Vm vm = Encapsulation.restore(saved, id, vmName, elf, VmAddresses.mac(id), VmAddresses.ipv4(id),
                    clockNs.getAsLong() - saved.vmTimeNs(), console);
            if (diskStore != null) {
                DiskDevice disk = new DiskDevice(diskStore, disks, d -> scheduler.raise(vm, DenaliAbi.INT_DISK));
                disk.restoreLastRequestId(saved.disk().lastRequestId());
                vm.attachDisk(disk);
                diskSpecs.put(id, diskSpec);
            }
            VirtualNic nic = newNic(vm);
            try {
                lan.attach(nic);
            } catch (IllegalArgumentException e) { // a MAC or IP still held by a VM 2^24 ids older
                closeDisk(vm);
                diskSpecs.remove(id);
                throw new HostException(HostException.Kind.FULL, "no free address for a new VM: " + e.getMessage());
            }
            vm.attachNic(nic);
            vms.put(id, vm);
            if (vmName != null) {
                named.put(vmName, id);
            }
            vmsCreated++;
            waiting.addLast(vm);
            admit(false);
            return vm;
        }
    }

    /**
     * The parsed image a snapshot's VM maps, once its file is known to be the
     * one the snapshot was taken with. The digest is checked before the image
     * is parsed, so a refused snapshot leaves nothing in the image cache.
     */
    private ElfImage snapshotImage(VmImage saved) throws HostException {
        String name = saved.imageName();
        try {
            byte[] digest = imageDigests.get(name);
            if (digest == null) {
                digest = sha256(images.resolve(name).bytes());
            }
            if (!java.util.Arrays.equals(digest, saved.imageDigest())) {
                throw new HostException(HostException.Kind.BAD_REQUEST, "image " + name
                        + " on this host is not the one the snapshot was taken with (its SHA-256 differs)");
            }
            return image(name, saved.memSizeBytes());
        } catch (ImageNotFoundException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "the snapshot's image is not on this host: " + e.getMessage());
        } catch (IOException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "the snapshot's image " + name + " cannot be read: " + e.getMessage());
        } catch (LoadException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "image " + name + " cannot be loaded for the snapshot: " + e.getMessage());
        }
    }

    /** The disk a snapshot's VM had: it must be on this host (a snapshot does not hold the disk's blocks). */
    private static DiskSpec snapshotDisk(VmImage.Disk d) throws HostException {
        DiskSpec spec;
        try {
            spec = new DiskSpec(Path.of(d.path()), d.sizeBlocks(), d.base() == null ? null : Path.of(d.base()));
        } catch (java.nio.file.InvalidPathException e) {
            throw new HostException(HostException.Kind.BAD_REQUEST, "bad snapshot: its disk path is not a path here: " + e.getMessage());
        }
        for (Path p : spec.base() == null ? List.of(spec.path()) : List.of(spec.path(), spec.base())) {
            if (!Files.isRegularFile(p)) {
                throw new HostException(HostException.Kind.BAD_REQUEST, "the snapshot's disk file " + p
                        + " is not on this host (a snapshot does not hold its disk: copy the file to the same path)");
            }
        }
        return spec;
    }

    private static void closeQuietly(BlockStore store) {
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                // nothing was written through it
            }
        }
    }

    /** The stored record of swapped-out {@code stub}: its own, or for a clone that never ran its template's. */
    byte[] storedRecord(VmStub stub) throws yakima.swap.SwapStoreException {
        return swapper.store().read(stub.recordId());
    }

    /** Destroys a swapped-out VM (its stub, backlog and own record); false if it is no longer swapped out. */
    boolean destroyStub(VmStub stub) {
        Swapper s = swapper;
        if (s == null || !s.destroyStub(stub)) {
            return false;
        }
        vmsEnded++;
        if (stub.name() != null) {
            named.remove(stub.name(), stub.id());
        }
        return true;
    }

    /**
     * A snapshot of {@code vm} while it waits for admission: {@code capture}
     * runs under the gatekeeper's lock, where no thread owns the VM and none
     * can admit or destroy it; then the VM is destroyed if {@code stop}. Null
     * if it no longer waits.
     */
    byte[] captureWaiting(Vm vm, boolean stop, java.util.function.BiFunction<Vm, Boolean, byte[]> capture) {
        synchronized (waiting) {
            if (vm.state() != VmState.WAITING || vm.destroyRequested()) {
                return null;
            }
            byte[] record = capture.apply(vm, stop);
            if (stop) {
                destroyWaiting(vm);
            }
            return record;
        }
    }

    /**
     * A VM a snapshot took off its thread (SWAPPED) goes back: admitted at
     * once, as it was admitted before (its memory never left, so nothing is
     * evicted for it); or, if {@code destroy} or a destroy came for it
     * meanwhile, destroyed. Not on a scheduler thread.
     */
    void putBack(Vm vm, boolean destroy) {
        if (destroy || vm.destroyRequested()) {
            swapOutDestroyed(vm);
            return;
        }
        synchronized (waiting) {
            vm.setState(VmState.WAITING);
            if (!scheduler.admit(vm)) {
                requested.addLast(vm); // every thread full: it waits its turn, first
                return;
            }
            if (!clock.contains(vm)) {
                enterClock(vm);
            }
        }
        if (vm.destroyRequested()) {
            scheduler.destroy(vm); // a destroy that came while it was put back
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
        for (VmStub stub : swappedVms()) {
            m.merge(stub.state(), 1L, Long::sum);
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
