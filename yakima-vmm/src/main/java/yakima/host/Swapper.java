package yakima.host;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import yakima.net.VirtualNic;
import yakima.sched.WakeableIdleStrategy;
import yakima.swap.CloneManifest;
import yakima.swap.RecordException;
import yakima.swap.RecordReader;
import yakima.swap.RecordCompression;
import yakima.swap.RecordWriter;
import yakima.swap.SwapStore;
import yakima.swap.SwapStoreException;
import yakima.swap.Tombstone;
import yakima.swap.VmImage;
import yakima.swap.VmStub;
import yakima.vm.Encapsulation;
import yakima.vm.Vm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * Swapping VMs out to the {@link SwapStore} and back, on two threads of its
 * own so that no scheduler thread or event loop ever waits for a disk.
 *
 * <p><b>Out</b> ({@link #evicted}, then the swap-out thread): a VM the
 * gatekeeper evicted comes off its scheduler thread SWAPPED; this thread
 * takes its NIC off the LAN (frames sent still go out), drains the frames
 * it had not read, captures it ({@link Encapsulation#capture}), encodes the
 * record ({@link RecordWriter}) and writes it (the store makes that
 * crash-safe). Only then does the host drop the VM for a {@link VmStub}.
 * If the write fails (the store is full, the disk refuses) nothing is lost:
 * the VM is taken back into memory and the failure counted.
 *
 * <p><b>In</b> (the swap-in thread): a frame for a swapped VM's address
 * reaches the switch, which has no port for it and asks the host
 * ({@link #take}); the frame waits in the VM's bounded backlog and the VM
 * is queued here, as it is when its idle deadline falls due. The record is
 * read and checked ({@link RecordReader}), a VM is built from it
 * ({@link Encapsulation#restore}), its NIC is attached with the saved
 * frames and the backlog already queued, and it is admitted at once; the
 * gatekeeper then evicts others if that took the host over its budget.
 * A record that cannot be read fails that VM alone, with the reason.
 * A clone's first swap-in starts from its template's record, which never
 * changes: that record is read and checked once and kept decoded
 * ({@link #templateImage}), and each clone gets its own copy of the memory.
 *
 * <p>A VM wanted back while its swap-out is still under way (a frame came)
 * is taken back from memory as soon as its record is encoded, without
 * reading anything. One wanted back while it still waits for its turn
 * (a frame reached its NIC, which stays on the LAN until then:
 * {@link #wantBack}) is put back first thing, ahead of the swap-outs queued
 * before it, so a frame never waits for other VMs' records to be written.
 *
 * <p><b>Records that outlive the VM</b>: a VM that ends (terminates,
 * faults, is destroyed) must not come back when a host is started again on
 * the store, so its record goes with it, dropped by the swap-out thread
 * ({@link #recordGone}); a clone that a {@link CloneManifest} names gets a
 * {@link Tombstone} in its place instead, since without a record of its own
 * the manifest would bring it back. A VM swapped in keeps its record on
 * disk until its next swap-out replaces it: after a crash it comes back as
 * of its last completed swap-out.
 *
 * <p><b>Clean stop</b> ({@link #startDraining}): nothing is swapped in any
 * more, and a VM on its way out is written whatever came for it meanwhile
 * (its frames and interrupts are in its record). One whose write fails
 * stays in memory, given up ({@link #drainGaveUp}).
 *
 * <p>Locks: {@link #lock} guards the VMs in transit, the backlog and the
 * deadlines. The switch calls {@link #take} holding its own lock, so this
 * class never calls into the switch while holding {@link #lock}.
 */
final class Swapper implements AutoCloseable {
    /** Frames held for all swapped VMs together, beyond which they are dropped and counted. */
    static final int MAX_BACKLOG_FRAMES = 1 << 16;

    private final Host host;
    private final SwapStore store;
    private final LongSupplier clockNs;
    private final int backlogPerVm;
    /** How swap-outs compress their records. */
    private final RecordCompression compression;
    private final Map<Integer, VmStub> stubs = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Under the lock: VMs between eviction and their stub. */
    private final Int2ObjectHashMap<Outgoing> outgoing = new Int2ObjectHashMap<>();
    /**
     * Under the lock: ids with an entry in {@link #outQueue} not yet taken. A VM
     * put back before its turn leaves its entry behind; evicted again before the
     * entry is taken, it is not queued a second time (the entry serves the new
     * eviction), so the queue never holds more entries than there are VMs.
     */
    private final IntHashSet inOutQueue = new IntHashSet();
    /** Under the lock: frames for swapped VMs, by id, oldest first. */
    private final Int2ObjectHashMap<ArrayDeque<byte[]>> backlog = new Int2ObjectHashMap<>();
    private int backlogFrames;
    /** Under the lock: the idle deadlines of swapped VMs (scheduler ns), soonest first; see {@link Due}. */
    private final PriorityQueue<Due> deadlines = new PriorityQueue<>((a, b) -> Long.compare(a.ns, b.ns));

    /**
     * A swapped VM's idle deadline. Entries are never searched for: one whose
     * stub is no longer the VM's current stub (swapped in, destroyed) is
     * skipped when it falls due, and the queue is rebuilt without such
     * entries when they outnumber the live ones ({@link #addDue}), so a
     * swap-in or a destroy costs nothing here, whatever the number of VMs.
     */
    private record Due(long ns, VmStub stub) {
    }

    /** Templates kept decoded at most; more are read from the store at each clone's first swap-in. */
    static final int MAX_DECODED_TEMPLATES = 64;
    /** Swap-in thread only: decoded template records, by record id (a template record is written once). */
    private final Int2ObjectHashMap<VmImage> templates = new Int2ObjectHashMap<>();

    private final MpscVarHandleArrayQueue<Vm> outQueue;
    private final MpscVarHandleArrayQueue<VmStub> inQueue;
    /** VMs wanted back before their swap-out began ({@link #wantBack}): put back before any swap-out. */
    private final MpscVarHandleArrayQueue<Vm> wantedBackQueue;
    /** Ids of VMs that ended, whose records the swap-out thread drops. */
    private final MpscVarHandleArrayQueue<Integer> goneQueue;
    /** The clone manifests in the store, by first clone id (ranges never overlap): who needs a tombstone. */
    private final java.util.concurrent.ConcurrentSkipListMap<Integer, CloneManifest> manifests =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    /** A clean stop has begun: nothing comes in, everything goes out. */
    private volatile boolean draining;
    /** Under the lock: VMs whose swap-out failed during the clean stop; they stay in memory. */
    private final IntHashSet drainFailed = new IntHashSet();
    private long swapOutsBeforeDrain;
    private final SwapOut swapOut = new SwapOut();
    private final SwapIn swapIn = new SwapIn();
    private final WakeableIdleStrategy outIdle = WakeableIdleStrategy.hostDefault();
    private final WakeableIdleStrategy inIdle = WakeableIdleStrategy.hostDefault();
    private AgentRunner outRunner;
    private AgentRunner inRunner;

    private final AtomicLong swapOuts = new AtomicLong();
    private final AtomicLong swapIns = new AtomicLong();
    private final AtomicLong takenBack = new AtomicLong();
    private final AtomicLong swapOutFailures = new AtomicLong();
    private final AtomicLong swapInFailures = new AtomicLong();
    private final AtomicLong backlogDropped = new AtomicLong();
    private final AtomicLong swapInRequestsDropped = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong recordsDropped = new AtomicLong();
    private final AtomicLong templateReads = new AtomicLong();
    private final AtomicLong tombstones = new AtomicLong();
    private volatile String lastError;

    /** A VM between eviction and its stub (under the lock). */
    private static final class Outgoing {
        final Vm vm;
        /** The swap-out thread has begun with it (its NIC is off the LAN from then on). */
        boolean started;
        boolean encoded;
        boolean wantedBack;

        Outgoing(Vm vm) {
            this.vm = vm;
        }
    }

    Swapper(Host host, SwapStore store, LongSupplier clockNs, int maxVms, int backlogPerVm, RecordCompression compression) {
        this.host = host;
        this.compression = compression;
        this.store = store;
        this.clockNs = clockNs;
        this.backlogPerVm = backlogPerVm;
        int slots = Integer.highestOneBit(Math.max(2, Math.min(maxVms, 1 << 20)) - 1) << 1;
        this.outQueue = new MpscVarHandleArrayQueue<>(slots);
        this.inQueue = new MpscVarHandleArrayQueue<>(slots);
        this.wantedBackQueue = new MpscVarHandleArrayQueue<>(slots);
        this.goneQueue = new MpscVarHandleArrayQueue<>(slots);
    }

    SwapStore store() {
        return store;
    }

    /** Starts the two threads. Tests leave them stopped and turn {@link #swapOutWork} and {@link #swapInWork} by hand. */
    void start() {
        outRunner = new AgentRunner(outIdle, Throwable::printStackTrace, null, swapOut);
        inRunner = new AgentRunner(inIdle, Throwable::printStackTrace, null, swapIn);
        AgentRunner.startOnThread(outRunner);
        AgentRunner.startOnThread(inRunner);
    }

    @Override
    public void close() {
        if (outRunner != null) {
            outRunner.close();
        }
        if (inRunner != null) {
            inRunner.close();
        }
        store.close();
    }

    int swapOutWork() {
        return swapOut.doWork();
    }

    int swapInWork() {
        return swapIn.doWork();
    }

    // ---------------------------------------------------------------- lookups, any thread

    VmStub stub(int id) {
        return stubs.get(id);
    }

    Iterable<VmStub> stubs() {
        return stubs.values();
    }

    int swappedCount() {
        return stubs.size();
    }

    /** Registers a VM that starts out swapped (a clone of a template record, or a VM adopted from the store). */
    void addStub(VmStub stub) {
        stubs.put(stub.id(), stub);
    }

    /** An adopted VM was idle until scheduler time {@code dueNs}: it is swapped in then. */
    void addDeadline(long dueNs, int id) {
        VmStub stub = stubs.get(id);
        if (stub != null) {
            synchronized (lock) {
                addDue(dueNs, stub);
            }
        }
    }

    /** Under the lock: queues a deadline; first drops the stale entries if they have come to outnumber the live ones. */
    private void addDue(long dueNs, VmStub stub) {
        if (deadlines.size() >= 1024 && deadlines.size() > 2 * stubs.size()) {
            deadlines.removeIf(d -> stubs.get(d.stub.id()) != d.stub);
        }
        deadlines.add(new Due(dueNs, stub));
    }

    /** A clone manifest is in the store (written, or found there): the clones it names get tombstones when destroyed. */
    void addManifest(CloneManifest manifest) {
        manifests.put(manifest.firstId(), manifest);
    }

    /** True if a clone manifest in the store names VM {@code id}. */
    boolean namedByManifest(int id) {
        var e = manifests.floorEntry(id);
        return e != null && e.getValue().covers(id);
    }

    // ---------------------------------------------------------------- records of VMs that ended

    /**
     * VM {@code id} has ended: its record must not bring it back after a
     * restart. Queued for the swap-out thread (no scheduler thread touches
     * the disk); any thread, never blocks.
     */
    void recordGone(int id) {
        if (!goneQueue.offer(id)) { // sized for every VM the host holds: cannot happen
            lastError = "the record of vm-" + id + " was not dropped (queue full): it comes back after a restart";
        }
        outIdle.wake();
    }

    /**
     * Drops VM {@code id}'s record now (the calling thread does the I/O): a
     * tombstone if a manifest names it, else the record is deleted.
     */
    void dropRecord(int id) {
        try {
            if (namedByManifest(id)) {
                byte[] t = Tombstone.bytes();
                store.write(id, t, 0, t.length);
                tombstones.incrementAndGet();
            } else if (store.delete(id)) {
                recordsDropped.incrementAndGet();
            }
        } catch (SwapStoreException e) {
            lastError = e.getMessage(); // it comes back after a restart, or costs disk until the store is cleared
        }
    }

    /** Records of VMs that ended and are still to be dropped. */
    int recordsToDrop() {
        return goneQueue.size();
    }

    // ---------------------------------------------------------------- clean stop

    /** From now on nothing is swapped in and whatever is evicted is written; see the class comment. Idempotent. */
    void startDraining() {
        synchronized (lock) {
            if (!draining) {
                swapOutsBeforeDrain = swapOuts.get();
                draining = true;
            }
        }
        inIdle.wake();
    }

    boolean draining() {
        return draining;
    }

    /** True if VM {@code id}'s swap-out failed during the clean stop: it stays in memory. */
    boolean drainGaveUp(int id) {
        synchronized (lock) {
            return drainFailed.contains(id);
        }
    }

    /** VMs swapped out since the clean stop began. */
    long swapOutsSinceDrain() {
        synchronized (lock) {
            return draining ? swapOuts.get() - swapOutsBeforeDrain : 0;
        }
    }

    // ---------------------------------------------------------------- out

    /** A scheduler thread evicted {@code vm} (its thread; must not block): queue its swap-out. */
    void evicted(Vm vm) {
        boolean queue;
        synchronized (lock) {
            outgoing.put(vm.id(), new Outgoing(vm));
            queue = inOutQueue.add(vm.id());
        }
        if (queue && !outQueue.offer(vm)) { // one entry per VM, sized for every VM the host holds: cannot happen
            synchronized (lock) {
                inOutQueue.remove(vm.id());
                outgoing.remove(vm.id());
            }
            swapOutFailures.incrementAndGet();
            lastError = "the swap-out queue is full: " + vm.idString() + " stays in memory";
            vm.setState(VmState.WAITING);
            host.readmit(vm);
            return;
        }
        outIdle.wake();
    }

    /**
     * A frame reached {@code vm}'s NIC after it was evicted (switch thread;
     * never blocks): if its swap-out has not begun it is put back before any
     * other swap-out is done. Once begun, the swap-out itself sees the frame
     * and takes the VM back.
     */
    void wantBack(Vm vm) {
        synchronized (lock) {
            Outgoing o = outgoing.get(vm.id());
            if (o == null || o.vm != vm || o.started || o.wantedBack || draining) {
                return;
            }
            o.wantedBack = true;
        }
        if (wantedBackQueue.offer(vm)) { // sized for every VM the host holds
            outIdle.wake();
        }
    }

    /** Puts back the VMs wanted back before their swap-out began; the rest is done when their turn comes. */
    private int putBackWanted() {
        int n = 0;
        Vm vm;
        while ((vm = wantedBackQueue.poll()) != null) {
            boolean back;
            synchronized (lock) {
                Outgoing o = outgoing.get(vm.id());
                back = o != null && o.vm == vm && !o.started && !vm.destroyRequested() && !draining;
                if (back) {
                    outgoing.remove(vm.id()); // its entry in the swap-out queue is skipped
                }
            }
            if (back) { // its NIC never left the LAN: its frames are there, its interrupt raised
                takenBack.incrementAndGet();
                vm.setState(VmState.WAITING);
                host.readmit(vm);
            }
            n++;
        }
        return n;
    }

    private final class SwapOut implements Agent {
        /** Records of ended VMs dropped per turn at most, so swap-outs are not held up. */
        private static final int DROPS_PER_TURN = 64;

        @Override
        public int doWork() {
            int work = putBackWanted();
            Integer gone;
            while (work < DROPS_PER_TURN && (gone = goneQueue.poll()) != null) {
                dropRecord(gone);
                work++;
            }
            Vm vm = outQueue.poll();
            if (vm != null) {
                swapOutOne(vm);
                work++;
            }
            return work;
        }

        @Override
        public String roleName() {
            return "yakima-swap-out";
        }
    }

    private void swapOutOne(Vm vm) {
        int id = vm.id();
        synchronized (lock) {
            inOutQueue.remove(id);
            Outgoing o = outgoing.get(id);
            if (o == null || o.vm != vm || o.started) {
                return; // put back before its turn came (putBackWanted)
            }
            o.started = true;
        }
        VirtualNic nic = vm.nic();
        List<byte[]> rx = List.of();
        if (nic != null) {
            host.lan().retire(nic); // from here frames for it come to take(): the backlog
            rx = nic.drainRx();
        }
        byte[] record;
        try {
            VmImage image = Encapsulation.capture(vm, host.imageDigest(vm.imageName()), rx, host.diskImage(vm),
                    clockNs.getAsLong());
            record = RecordWriter.write(image, compression);
        } catch (RuntimeException e) {
            swapOutFailed(vm, rx, "cannot encode " + vm.idString() + ": " + e);
            return;
        }
        boolean back;
        synchronized (lock) {
            Outgoing o = outgoing.get(id);
            o.encoded = true;
            // frames or interrupts came for it (a frame's arrival raises NIC_RX): it has work, and stays
            // (unless the host is stopping); frames it was told of and left go into its record
            back = (o.wantedBack || vm.hasRaised()) && !vm.destroyRequested() && !draining;
            if (back) {
                outgoing.remove(id);
            }
        }
        if (back) { // wanted back before anything was written: no write at all
            takeBack(vm, rx);
            return;
        }
        try {
            store.write(id, record, 0, record.length);
        } catch (SwapStoreException e) {
            swapOutFailed(vm, rx, e.getMessage());
            return;
        }
        bytesWritten.addAndGet(record.length);
        swapOuts.incrementAndGet();
        VmStub stub = new VmStub(id, vm.name(), vm.imageName(), vm.memSizeBytes(), vm.bootNs(), id, record.length);
        boolean destroyed;
        boolean wanted;
        synchronized (lock) {
            Outgoing o = outgoing.remove(id);
            destroyed = vm.destroyRequested();
            wanted = o.wantedBack && !draining;
            if (!destroyed && !wanted) {
                stubs.put(id, stub);
                if (vm.resumesIdle() && vm.idleUntilNs != Vm.NO_DEADLINE) {
                    addDue(vm.idleUntilNs, stub);
                }
            }
        }
        if (destroyed) {
            host.swapOutDestroyed(vm); // its record goes as it ends (recordGone)
        } else if (wanted) { // work came for it while it was written: it stays in memory
            takeBack(vm, rx);
        } else {
            host.swappedOut(vm);
        }
    }

    private void swapOutFailed(Vm vm, List<byte[]> rx, String reason) {
        swapOutFailures.incrementAndGet();
        lastError = reason;
        synchronized (lock) {
            outgoing.remove(vm.id());
        }
        if (vm.destroyRequested()) {
            host.swapOutDestroyed(vm);
        } else if (draining) { // the host is stopping: it stays in memory, given up, and is not run again
            synchronized (lock) {
                drainFailed.add(vm.id());
            }
            vm.setState(VmState.WAITING);
        } else {
            takeBack(vm, rx);
        }
    }

    /** A VM that was being swapped out goes back into memory as it was: a new NIC, its frames, admitted again. */
    private void takeBack(Vm vm, List<byte[]> rx) {
        takenBack.incrementAndGet();
        vm.setState(VmState.WAITING);
        VirtualNic nic = host.newNic(vm);
        attachWithFrames(vm, nic, rx, null);
        host.readmit(vm);
    }

    /**
     * Attaches {@code vm}'s new NIC with {@code saved} then the backlog queued
     * in it, inside the switch's attach so no frame can slip between; then,
     * still there, {@code thenUnderLock} (the table change of a swap-in).
     */
    private void attachWithFrames(Vm vm, VirtualNic nic, List<byte[]> saved, Runnable thenUnderLock) {
        host.lan().attach(nic, () -> {
            for (byte[] f : saved) {
                nic.preloadRx(f);
            }
            synchronized (lock) {
                for (byte[] f : dropBacklog(vm.id())) {
                    nic.preloadRx(f);
                }
                if (thenUnderLock != null) {
                    thenUnderLock.run();
                }
            }
        });
        vm.attachNic(nic);
        if (nic.rxWaiting() > 0) {
            vm.raise(denali.isa.spec.DenaliAbi.INT_NIC_RX);
        }
    }

    // ---------------------------------------------------------------- frames for swapped VMs (switch thread)

    /**
     * The switch has a frame for an address no port holds (switch thread,
     * under its lock; must not block). If it is a swapped VM's, or one on its
     * way out, the frame waits in its backlog and the VM is asked back.
     */
    boolean take(long destinationMac, int arpTargetIp, byte[] frame) {
        int id = destinationMac == yakima.net.MacAddress.BROADCAST_BITS ? VmAddresses.idOfIpv4(arpTargetIp)
                : VmAddresses.idOfMac(destinationMac);
        if (id < 0) {
            return false;
        }
        VmStub ask = null;
        synchronized (lock) {
            Outgoing o = outgoing.get(id);
            VmStub stub = o == null ? stubs.get(id) : null;
            if (o == null && (stub == null || stub.faultReason() != null)) {
                return false;
            }
            hold(id, frame);
            if (o != null) {
                o.wantedBack = true;
            } else {
                ask = stub;
            }
        }
        if (ask != null) {
            requestSwapIn(ask);
        }
        return true;
    }

    /** Under the lock: keeps a frame for a swapped VM, or drops it (counted) when its or the total backlog is full. */
    private void hold(int id, byte[] frame) {
        ArrayDeque<byte[]> q = backlog.get(id);
        if (q == null) {
            q = new ArrayDeque<>(4);
            backlog.put(id, q);
        }
        if (q.size() >= backlogPerVm || backlogFrames >= MAX_BACKLOG_FRAMES) {
            backlogDropped.incrementAndGet();
            return;
        }
        q.addLast(frame);
        backlogFrames++;
    }

    /** Under the lock: takes VM {@code id}'s held frames out of the backlog, oldest first (none: empty). */
    private ArrayDeque<byte[]> dropBacklog(int id) {
        ArrayDeque<byte[]> held = backlog.remove(id);
        if (held == null) {
            return new ArrayDeque<>(0);
        }
        backlogFrames -= held.size();
        return held;
    }

    /** Queues the swap-in of {@code stub} unless it is queued already (or the host is stopping). Any thread; never blocks. */
    void requestSwapIn(VmStub stub) {
        if (!draining && stub.claimSwapIn()) {
            if (inQueue.offer(stub)) {
                inIdle.wake();
            } else {
                stub.clearSwapIn();
                swapInRequestsDropped.incrementAndGet();
            }
        }
    }

    // ---------------------------------------------------------------- in

    private final class SwapIn implements Agent {
        @Override
        public int doWork() {
            int work = dueDeadlines();
            VmStub stub = inQueue.poll();
            if (stub != null) {
                stub.clearSwapIn();
                swapInOne(stub);
                work++;
            }
            return work;
        }

        @Override
        public String roleName() {
            return "yakima-swap-in";
        }
    }

    /** Asks back the swapped VMs whose idle deadline has come. */
    private int dueDeadlines() {
        if (draining) {
            return 0;
        }
        long now = clockNs.getAsLong();
        int n = 0;
        while (true) {
            Due due;
            synchronized (lock) {
                due = deadlines.peek();
                if (due == null || due.ns > now) {
                    return n;
                }
                deadlines.poll();
            }
            VmStub stub = due.stub;
            if (stubs.get(stub.id()) == stub && stub.faultReason() == null) {
                requestSwapIn(stub);
                n++;
            }
        }
    }

    private void swapInOne(VmStub stub) {
        int id = stub.id();
        if (stubs.get(id) != stub || stub.faultReason() != null || draining) {
            return; // destroyed, back already, or the host is stopping
        }
        Vm vm;
        VmImage image;
        try {
            image = stub.isClone() ? templateImage(stub.recordId()) : RecordReader.read(store.read(stub.recordId()));
            vm = host.restore(image, stub);
        } catch (SwapStoreException | RecordException | HostException e) {
            swapInFailed(stub, e.getMessage());
            return;
        }
        VirtualNic nic = host.newNic(vm);
        boolean[] current = {false};
        attachWithFrames(vm, nic, image.rxFrames(), () -> {
            if (stubs.remove(id, stub)) {
                current[0] = true;
                host.swappedIn(vm); // its deadline entry, if any, is stale now: skipped when due
            }
        });
        if (!current[0]) { // destroyed while it was read
            host.lan().detach(nic);
            host.discard(vm);
            return;
        }
        swapIns.incrementAndGet();
        host.readmit(vm);
    }

    /** A clone's starting state: its template's record, decoded once and kept (swap-in thread), memory copied for it. */
    private VmImage templateImage(int recordId) throws SwapStoreException, RecordException {
        VmImage template = templates.get(recordId);
        if (template == null) {
            template = RecordReader.read(store.read(recordId));
            templateReads.incrementAndGet();
            if (templates.size() < MAX_DECODED_TEMPLATES) {
                templates.put(recordId, template);
            }
        }
        return template.withOwnMemory();
    }

    private void swapInFailed(VmStub stub, String reason) {
        swapInFailures.incrementAndGet();
        lastError = stub.idString() + ": " + reason;
        stub.fail("swap-in failed: " + reason);
        synchronized (lock) {
            dropBacklog(stub.id());
        }
    }

    // ---------------------------------------------------------------- destroy

    /**
     * Destroys a VM that was evicted: if its swap-out is still under way the
     * swap-out thread finishes the destroy; if it has become a stub meanwhile,
     * the stub goes now. True if the stub went here.
     */
    boolean destroyInTransit(Vm vm) {
        VmStub stub;
        synchronized (lock) {
            vm.requestDestroy();
            stub = outgoing.containsKey(vm.id()) ? null : stubs.get(vm.id());
        }
        return stub != null && destroyStub(stub);
    }

    /** Destroys a swapped VM: its stub, backlog and record go. False if it was not swapped. */
    boolean destroyStub(VmStub stub) {
        if (!stubs.remove(stub.id(), stub)) {
            return false;
        }
        synchronized (lock) {
            dropBacklog(stub.id()); // its deadline entry, if any, is stale now: skipped when due
        }
        if (!stub.isClone() || namedByManifest(stub.id())) {
            dropRecord(stub.id());
        }
        return true;
    }

    // ---------------------------------------------------------------- counters

    void counters(Map<String, Long> into) {
        into.put("swapOuts", swapOuts.get());
        into.put("swapIns", swapIns.get());
        into.put("swapTakenBack", takenBack.get());
        into.put("swapOutFailures", swapOutFailures.get());
        into.put("swapInFailures", swapInFailures.get());
        into.put("swapBacklogDropped", backlogDropped.get());
        into.put("swapInRequestsDropped", swapInRequestsDropped.get());
        into.put("swapBytesWritten", bytesWritten.get());
        into.put("swapRecordsDropped", recordsDropped.get());
        into.put("swapTombstones", tombstones.get());
        into.put("swapTemplateReads", templateReads.get());
        into.put("swappedVms", (long) stubs.size());
        int queued;
        synchronized (lock) {
            queued = outgoing.size();
        }
        into.put("swapOutsQueued", (long) queued);
        into.put("swapStoreUsedBytes", store.usedBytes());
        into.put("swapStoreLimitBytes", store.limitBytes());
        into.put("swapStoreRecords", (long) store.records());
    }

    /** The last swap error's one-line reason, or null. */
    String lastError() {
        return lastError;
    }
}
