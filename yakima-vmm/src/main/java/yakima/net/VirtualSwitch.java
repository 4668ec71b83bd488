package yakima.net;

import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

/**
 * The virtual Ethernet switch: joins {@link VirtualNic} ports into one LAN,
 * forwarding each frame by destination MAC from the sender's TX queue to the
 * receiver's RX queue, or, for {@code ff:ff:ff:ff:ff:ff}, to every other port;
 * except that a broadcast ARP request goes only to the port holding the IPv4
 * address it asks for (see below).
 *
 * <p>Before forwarding it checks that the frame is well formed and really comes
 * from its port: the source MAC (and an ARP sender MAC) must be the port's MAC,
 * and an IPv4 source or ARP sender IP the port's IP. A frame that fails is
 * dropped and counted under a {@link SwitchDrop} cause, and also on the sender's
 * {@link NicCounter#TX_REFUSED_BY_SWITCH}. The switch never waits: a full RX
 * queue is a counted drop.
 *
 * <h2>Cost: built for a million ports</h2>
 * <ul>
 *   <li>{@link #attach} and {@link #detach} are O(1) amortised: the ports live
 *       in hash maps by MAC and by IPv4 address and in a doubly linked list in
 *       attach order (for broadcasts and {@link #ports}).</li>
 *   <li>{@link #pump} costs O(ports with TX work), nothing for idle ports. A NIC
 *       whose {@link VirtualNic#send} finds its port unscheduled sets the port's
 *       {@code scheduled} flag by compare-and-set and puts the port on the
 *       switch's bounded MPSC <em>ready queue</em>; so a port is queued at most
 *       once however many frames it sends. The pump moves newly ready ports to
 *       the back of its own <em>rotation</em>. When a visit leaves a port's TX
 *       queue empty the switch clears the flag, fences, and looks at the queue
 *       once more, so a frame sent at that moment is never stranded: either the
 *       switch sees it, or the sender sees the flag clear and queues the port
 *       again.</li>
 *   <li>If the ready queue is ever full (it holds {@code readyQueueCapacity}
 *       ports: more than that many ports became ready between two pumps, or
 *       detached ports still sit in it), the sender counts a
 *       {@link #readyQueueOverflows overflow} and asks for a full scan: the next
 *       pump looks at every port's TX queue once ({@link #fullScans}). Slower,
 *       never wrong.</li>
 *   <li>A broadcast ARP request (nearly every broadcast on this LAN) costs
 *       O(1): the switch knows every port's IPv4 address, so it looks the
 *       request's target IP up in the map by address and delivers the frame,
 *       unchanged (still to {@code ff:ff:ff:ff:ff:ff}), to that one port, the
 *       only one that would answer. The other ports are not woken. A request for
 *       an address no port holds is dropped as
 *       {@link SwitchDrop#ARP_TARGET_UNKNOWN} (nobody would answer it), and one
 *       for the sender's own address (a gratuitous ARP) as
 *       {@link SwitchDrop#SENT_TO_SELF} (its only holder is the sender). A port
 *       therefore hears only the requests for its own address: a proxy-ARP
 *       responder would hear nothing, but the ingress check refuses an ARP sender
 *       IP other than the port's own anyway.</li>
 *   <li>Any other broadcast is copied to every other port: O(ports) per
 *       broadcast frame. Only an IPv4 broadcast (say UDP to 255.255.255.255)
 *       is one, and no service sends any.</li>
 * </ul>
 *
 * <p>Fairness: the pump visits the ports with TX work round-robin, in the order
 * they became ready, and takes at most one frame from a port per visit; a port
 * with frames left goes to the back of the rotation. So a port flooding its TX
 * queue gets the same share as every other busy port and cannot starve them.
 * Where a pump stops (when {@code maxFrames} runs out) the next one carries on.
 *
 * <h2>Fault injection</h2>
 * A switch built with {@link LanFaults} drops, holds back (reorders) and
 * duplicates deliveries at random, as {@link LanFaults} describes, with a
 * {@link SplittableRandom} of the switch thread's: the same seed and the same
 * frames in the same order give the same faults. A port holds back at most one
 * frame, and every held frame is delivered before the pump returns, so nothing
 * is held for long and nothing is lost. A dropped delivery is counted under
 * {@link SwitchDrop#FAULT_INJECTED}; {@link #framesDuplicated} and
 * {@link #framesReordered} count the others. Without faults the data path pays
 * one branch per frame.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #pump} and {@link #doWork} are called by one switch thread at a
 *       time (an Agrona {@code AgentRunner}, or a test by hand). That thread is
 *       the TX consumer and RX producer of every attached NIC, and it calls the
 *       NICs' {@link RxListener}s and the {@link FrameTap}.</li>
 *   <li>The port table is guarded by one fair lock. A pump with work holds it
 *       while it forwards (a short uncontended lock on the switch thread); an
 *       idle pump does not take it. {@link #attach}, {@link #detach} and
 *       {@link #ports} take it briefly, from any thread.</li>
 *   <li>{@link #detach} takes the lock, so it waits for a pump already running
 *       to end (at most {@code maxFrames} frames; the pump never blocks), and
 *       marks the port dead under the lock: when it returns the switch no longer
 *       touches the NIC, so its queues may be saved with the VM, or the NIC
 *       attached to another switch. With no switch thread running it returns at
 *       once. It is refused on the switch thread inside a pump (an
 *       {@link RxListener} or the {@link FrameTap}): it would change the port
 *       table the pump is walking.</li>
 *   <li>{@link #setTap} and the counters: any thread.</li>
 * </ul>
 */
public final class VirtualSwitch implements Agent {
    /** Frames one {@link #doWork} call moves at most. */
    public static final int DEFAULT_FRAMES_PER_WORK = 256;
    /**
     * Ports the ready queue holds by default. It only ever holds ports that got
     * TX work since the last pump (each at most once), so this is plenty even
     * for a million ports; a host that wants the guarantee passes its port limit.
     */
    public static final int DEFAULT_READY_QUEUE_CAPACITY = 1 << 16;
    public static final int MIN_READY_QUEUE_CAPACITY = 2;
    public static final int MAX_READY_QUEUE_CAPACITY = 1 << 30;

    private static final int FORWARDED = SwitchDrop.values().length;
    private static final int BROADCASTS = FORWARDED + 1;
    private static final int PORT_VISITS = BROADCASTS + 1;
    private static final int FULL_SCANS = PORT_VISITS + 1;
    private static final int DUPLICATED = FULL_SCANS + 1;
    private static final int REORDERED = DUPLICATED + 1;
    private static final int HELD_FOR_ABSENT = REORDERED + 1;

    /**
     * A test's look inside the moment a port leaves the rotation, to interleave
     * an owner's {@code send} there by hand. Called on the switch thread.
     */
    interface DeactivationHook {
        /** The switch found the port's TX queue empty and is about to clear its flag. */
        void txLookedEmpty(VirtualNic nic);

        /** The flag is clear; the switch is about to look at the TX queue once more. */
        void flagCleared(VirtualNic nic);
    }

    private final int framesPerWork;
    private final int readyQueueCapacity;
    // Fair, so a detach waiting for the lock gets it when the running pump ends
    // even if the switch thread pumps again at once.
    private final ReentrantLock lock = new ReentrantLock(true);

    // Under the lock: the port table.
    private final Long2ObjectHashMap<SwitchPort> byMac = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<SwitchPort> byIpv4 = new Int2ObjectHashMap<>();
    private SwitchPort first;
    private SwitchPort last;
    // Under the lock: retired ports still draining their TX queues (a full scan looks at them too).
    private final java.util.Set<SwitchPort> retiring = new java.util.HashSet<>();
    private volatile int portCount;

    // Owner threads (and attach) offer, the switch thread polls.
    private final MpscVarHandleArrayQueue<SwitchPort> readyQueue;
    private final AtomicBoolean rescanNeeded = new AtomicBoolean();
    private final AtomicLong readyQueueOverflows = new AtomicLong();

    // Switch thread only (under the lock but for isEmpty): the ports with TX work, in visiting order.
    private final ArrayDeque<SwitchPort> rotation = new ArrayDeque<>();
    private DeactivationHook deactivationHook;

    private volatile FrameTap tap;
    private volatile Runnable waker = () -> { };
    // Written by the switch thread only: one per SwitchDrop, then FORWARDED, BROADCASTS, PORT_VISITS, FULL_SCANS,
    // DUPLICATED, REORDERED, HELD_FOR_ABSENT.
    private final Counters counters = new Counters(HELD_FOR_ABSENT + 1);
    private volatile AbsentPorts absent;

    // Fault injection: faults is LanFaults.NONE and random null when it is off.
    // Switch thread only, under the lock: random, and the ports holding a frame back.
    private final LanFaults faults;
    private final SplittableRandom random;
    private final ArrayDeque<SwitchPort> holding = new ArrayDeque<>();

    public VirtualSwitch() {
        this(DEFAULT_FRAMES_PER_WORK);
    }

    /** @param framesPerWork frames one {@link #doWork} call moves at most, at least 1 */
    public VirtualSwitch(int framesPerWork) {
        this(framesPerWork, DEFAULT_READY_QUEUE_CAPACITY);
    }

    /**
     * @param framesPerWork      frames one {@link #doWork} call moves at most, at least 1
     * @param readyQueueCapacity ports the ready queue holds: a power of two from 2 to 2^30.
     *                           At least the number of ports means it can never overflow.
     */
    public VirtualSwitch(int framesPerWork, int readyQueueCapacity) {
        this(framesPerWork, readyQueueCapacity, LanFaults.NONE);
    }

    /**
     * @param framesPerWork      frames one {@link #doWork} call moves at most, at least 1
     * @param readyQueueCapacity ports the ready queue holds: a power of two from 2 to 2^30.
     *                           At least the number of ports means it can never overflow.
     * @param faults             the faults to inject into forwarded frames, or {@link LanFaults#NONE}
     */
    public VirtualSwitch(int framesPerWork, int readyQueueCapacity, LanFaults faults) {
        Objects.requireNonNull(faults, "faults");
        if (framesPerWork < 1) {
            throw new IllegalArgumentException("framesPerWork " + framesPerWork + " must be at least 1");
        }
        if (readyQueueCapacity < MIN_READY_QUEUE_CAPACITY || readyQueueCapacity > MAX_READY_QUEUE_CAPACITY
            || Integer.bitCount(readyQueueCapacity) != 1) {
            throw new IllegalArgumentException("readyQueueCapacity " + readyQueueCapacity
                + " must be a power of two from " + MIN_READY_QUEUE_CAPACITY + " to " + MAX_READY_QUEUE_CAPACITY);
        }
        this.framesPerWork = framesPerWork;
        this.readyQueueCapacity = readyQueueCapacity;
        this.readyQueue = new MpscVarHandleArrayQueue<>(readyQueueCapacity);
        this.faults = faults;
        this.random = faults.enabled() ? new SplittableRandom(faults.seed()) : null;
    }

    /** The faults this switch injects ({@link LanFaults#NONE} if none). */
    public LanFaults faults() {
        return faults;
    }

    /**
     * Connects a port to the LAN. Any thread. O(1) amortised. If the NIC already
     * has frames in its TX queue (it was detached with them) the switch sends them.
     *
     * @throws IllegalArgumentException if the NIC is attached to a switch already, or
     *         another port of this switch has the same MAC or the same IPv4 address
     */
    public void attach(VirtualNic nic) {
        attach(nic, null);
    }

    /**
     * {@link #attach}, running {@code beforePublish} under the switch's lock
     * once the checks passed and before the port can receive: while it runs no
     * pump runs, so it may fill the NIC's RX queue
     * ({@link VirtualNic#preloadRx}) with frames that must come before any
     * the switch delivers (a swapped-in VM's saved and held frames).
     */
    public void attach(VirtualNic nic, Runnable beforePublish) {
        Objects.requireNonNull(nic, "nic");
        lock.lock();
        try {
            SwitchPort sameMac = byMac.get(nic.macBits());
            if ((sameMac != null && sameMac.nic == nic) || nic.attachedTo() == this) {
                throw new IllegalArgumentException(nic + " is already attached to this switch");
            }
            if (sameMac != null) {
                throw new IllegalArgumentException("cannot attach " + nic + ": MAC " + nic.mac()
                    + " is already in use by " + sameMac.nic);
            }
            SwitchPort sameIp = byIpv4.get(nic.ipv4());
            if (sameIp != null) {
                throw new IllegalArgumentException("cannot attach " + nic + ": IPv4 address "
                    + Ipv4Address.format(nic.ipv4()) + " is already in use by " + sameIp.nic);
            }
            SwitchPort port = new SwitchPort(this, nic);
            if (!nic.claimFor(port)) {
                throw new IllegalArgumentException(nic + " is already attached to another switch");
            }
            if (beforePublish != null) {
                beforePublish.run();
            }
            port.prev = last;
            if (last == null) {
                first = port;
            } else {
                last.next = port;
            }
            last = port;
            byMac.put(nic.macBits(), port);
            byIpv4.put(nic.ipv4(), port);
            portCount++;
            // The owner may be sending right now: it queues a frame, fences and
            // reads the NIC's port; this thread published the port, fences and
            // reads the TX queue. One of the two sees the other.
            VarHandle.fullFence();
            if (nic.txWaiting() > 0) {
                port.txQueued();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Disconnects a port, and returns once the switch no longer touches it: it
     * waits for a pump already running to end. Frames still in its queues stay
     * there. Any thread but the switch thread inside a pump. O(1) amortised.
     *
     * @return true if the NIC was attached to this switch
     * @throws IllegalStateException if called on the switch thread during a pump
     *         (from an {@link RxListener} or {@link FrameTap})
     */
    public boolean detach(VirtualNic nic) {
        return disconnect(nic, false, "detach");
    }

    /**
     * Disconnects the port of a NIC whose owner has stopped for good (a VM that
     * ended): at once it receives nothing more and its addresses are free, but
     * the frames already in its TX queue, which the owner was told were sent,
     * are still forwarded; then the switch lets go of it. The owner must not
     * send again. Any thread but the switch thread inside a pump. O(1).
     *
     * @return true if the NIC was attached to this switch
     */
    public boolean retire(VirtualNic nic) {
        return disconnect(nic, true, "retire");
    }

    private boolean disconnect(VirtualNic nic, boolean drain, String what) {
        Objects.requireNonNull(nic, "nic");
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException(what + " called by the switch thread during a pump");
        }
        lock.lock();
        try {
            SwitchPort port = byMac.get(nic.macBits());
            if (port == null || port.nic != nic) {
                return false;
            }
            unlink(port);
            if (drain && !nic.txEmpty()) {
                port.retiring = true; // the pump releases it when the TX queue runs dry
                retiring.add(port);
                port.txQueued();
            } else {
                // The port may still be in the ready queue or the rotation; the pump
                // drops it there unseen. Its flag stays as it is: the port is never
                // used again, and attaching the NIC makes a new one.
                release(port);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // Under the lock: takes the port out of the list and the address maps.
    private void unlink(SwitchPort port) {
        VirtualNic nic = port.nic;
        if (port.prev == null) {
            first = port.next;
        } else {
            port.prev.next = port.next;
        }
        if (port.next == null) {
            last = port.prev;
        } else {
            port.next.prev = port.prev;
        }
        port.prev = null;
        port.next = null;
        byMac.remove(nic.macBits());
        byIpv4.remove(nic.ipv4());
        portCount--;
    }

    // Under the lock: the switch never touches the port again.
    private void release(SwitchPort port) {
        if (port.retiring) {
            retiring.remove(port);
        }
        port.detached = true;
        port.nic.releaseFrom(port);
    }

    /** The attached ports in the order they were attached. Any thread; O(ports), under the lock. */
    public List<VirtualNic> ports() {
        lock.lock();
        try {
            VirtualNic[] nics = new VirtualNic[portCount];
            int at = 0;
            for (SwitchPort port = first; port != null; port = port.next) {
                nics[at++] = port.nic;
            }
            return List.of(nics);
        } finally {
            lock.unlock();
        }
    }

    /** How many ports are attached. Any thread. */
    public int portCount() {
        return portCount;
    }

    /** Installs the tap that sees every forwarded frame, or removes it with null. Any thread. */
    public void setTap(FrameTap tap) {
        this.tap = tap;
    }

    /**
     * Moves up to {@code maxFrames} frames from the TX queues of the ports with
     * work, visiting them round-robin and taking at most one frame per visit.
     * Stops early when no port has work. Costs nothing per idle port: with no
     * port ready it returns 0 without taking the lock or touching a port.
     * Switch thread only.
     *
     * @return frames taken from TX queues, forwarded or dropped: 0 means idle
     * @throws IllegalStateException if called from inside a pump
     */
    public int pump(int maxFrames) {
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("pump called by the switch thread during a pump");
        }
        if (maxFrames < 1 || (rotation.isEmpty() && readyQueue.isEmpty() && !rescanNeeded.get() && holding.isEmpty())) {
            return 0;
        }
        lock.lock();
        try {
            try {
                if (rescanNeeded.get()) {
                    rescan();
                }
                enrolReadyPorts();
                return visit(maxFrames);
            } finally {
                if (!holding.isEmpty()) {
                    releaseHeldFrames();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #pump} of {@link #DEFAULT_FRAMES_PER_WORK} (or the configured) frames. Switch thread only. */
    @Override
    public int doWork() {
        return pump(framesPerWork);
    }

    @Override
    public String roleName() {
        return "virtual-switch";
    }

    /** Called by {@link SwitchPort#txQueued} once it has set the port's flag. Any thread. */
    void ready(SwitchPort port) {
        if (!readyQueue.offer(port)) {
            readyQueueOverflows.incrementAndGet();
            // A read-modify-write on the switch side (getAndSet) reads this, so the
            // scan that follows sees the frame this thread queued before.
            rescanNeeded.set(true);
        }
        waker.run();
    }

    /**
     * What a port that becomes ready calls, to rouse the switch thread if it
     * is parked (the host passes its runner's idle strategy). Any thread;
     * set before the switch thread starts.
     */
    public void setWaker(Runnable waker) {
        this.waker = Objects.requireNonNull(waker, "waker");
    }

    // The ready queue overflowed, so some port is scheduled but in neither the
    // queue nor the rotation: find every port with TX work that is not in the
    // rotation and put it there. A port that also sits in the ready queue is
    // skipped when that entry comes out.
    private void rescan() {
        if (!rescanNeeded.getAndSet(false)) {
            return;
        }
        counters.increment(FULL_SCANS);
        for (SwitchPort port = first; port != null; port = port.next) {
            enrolFound(port);
        }
        for (SwitchPort port : retiring) {
            enrolFound(port);
        }
    }

    private void enrolFound(SwitchPort port) {
        if (!port.inRotation && port.nic.txWaiting() > 0) {
            port.forceScheduled();
            port.inRotation = true;
            rotation.addLast(port);
        }
    }

    // Moves the ports that became ready since the last pump to the back of the
    // rotation. At most one queue's worth, so producers cannot keep it going.
    private void enrolReadyPorts() {
        for (int i = 0; i < readyQueueCapacity; i++) {
            SwitchPort port = readyQueue.relaxedPoll();
            if (port == null) {
                return;
            }
            if (!port.detached && !port.inRotation) {
                port.inRotation = true;
                rotation.addLast(port);
            }
        }
    }

    private int visit(int maxFrames) {
        FrameTap currentTap = tap;
        int taken = 0;
        while (taken < maxFrames) {
            SwitchPort port = rotation.pollFirst();
            if (port == null) {
                break;
            }
            if (port.detached) {
                port.inRotation = false;
                continue;
            }
            counters.increment(PORT_VISITS);
            VirtualNic from = port.nic;
            byte[] frame = from.pollTx();
            if (frame == null) {
                deactivate(port);
                continue;
            }
            taken++;
            // The port's place is settled before forwarding, so a listener or tap
            // that throws leaves the rotation whole.
            if (from.txEmpty()) {
                deactivate(port);
            } else {
                rotation.addLast(port);
            }
            forward(port, frame, currentTap);
        }
        return taken;
    }

    // Takes a port whose TX queue looked empty out of the rotation. The owner
    // queues a frame, fences, and reads the flag; this clears the flag, fences,
    // and reads the queue: so either this sees the frame and keeps the port, or
    // the owner sees the flag clear and queues the port itself.
    private void deactivate(SwitchPort port) {
        DeactivationHook hook = deactivationHook;
        if (hook != null) {
            hook.txLookedEmpty(port.nic);
        }
        port.clearScheduled();
        if (hook != null) {
            hook.flagCleared(port.nic);
        }
        VarHandle.fullFence();
        if (!port.nic.txEmpty() && port.trySchedule()) {
            rotation.addLast(port);
        } else {
            port.inRotation = false;
            if (port.retiring && port.nic.txEmpty()) {
                release(port); // its last frame has gone: the retire is complete
            }
        }
    }

    private void forward(SwitchPort from, byte[] frame, FrameTap currentTap) {
        SwitchDrop refusal = IngressCheck.check(from.nic, frame);
        if (refusal != null) {
            refuse(from.nic, refusal);
            return;
        }
        long destination = EthernetFrame.destinationMac(frame);
        if (destination == MacAddress.BROADCAST_BITS && isArpRequest(frame)) {
            // Only the target answers: deliver to it alone, as one port's copy of
            // a broadcast (counted and tapped once, here, like any broadcast).
            int target = EthernetFrame.arpTargetIp(frame);
            SwitchPort to = byIpv4.get(target);
            if (to == null) {
                if (!heldForAbsent(destination, target, frame, currentTap)) {
                    refuse(from.nic, SwitchDrop.ARP_TARGET_UNKNOWN);
                }
                return;
            }
            if (to == from) {
                refuse(from.nic, SwitchDrop.SENT_TO_SELF);
                return;
            }
            if (random != null) {
                deliverWithFaults(to, frame, true, currentTap);
            } else if (!to.nic.deliverRx(frame)) {
                counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
            }
            counters.increment(BROADCASTS);
        } else if (destination == MacAddress.BROADCAST_BITS) {
            for (SwitchPort to = first; to != null; to = to.next) {
                if (to != from) {
                    if (random != null) {
                        deliverWithFaults(to, frame, true, currentTap);
                    } else if (!to.nic.deliverRx(frame)) {
                        counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
                    }
                }
            }
            counters.increment(BROADCASTS);
        } else {
            SwitchPort to = byMac.get(destination);
            if (to == null) {
                if (!heldForAbsent(destination, 0, frame, currentTap)) {
                    refuse(from.nic, SwitchDrop.UNKNOWN_DESTINATION);
                }
                return;
            }
            if (to == from) {
                refuse(from.nic, SwitchDrop.SENT_TO_SELF);
                return;
            }
            if (random != null) {
                deliverWithFaults(to, frame, false, currentTap);
                return;
            }
            if (!to.nic.deliverRx(frame)) {
                counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
                return;
            }
        }
        counters.increment(FORWARDED);
        if (currentTap != null) {
            currentTap.frameForwarded(frame);
        }
    }

    // A frame for an address no port holds: the host may keep it for a VM that is swapped out.
    private boolean heldForAbsent(long destination, int arpTarget, byte[] frame, FrameTap currentTap) {
        AbsentPorts a = absent;
        if (a == null || !a.take(destination, arpTarget, frame)) {
            return false;
        }
        counters.increment(HELD_FOR_ABSENT);
        if (currentTap != null) {
            currentTap.frameForwarded(frame);
        }
        return true;
    }

    // An ARP request (IngressCheck has made sure an ARP frame is the 42-byte
    // IPv4-over-Ethernet kind, so its fields are where EthernetFrame says).
    private static boolean isArpRequest(byte[] frame) {
        return EthernetFrame.etherType(frame) == EthernetFrame.ETHERTYPE_ARP
            && EthernetFrame.arpOperation(frame) == EthernetFrame.ARP_REQUEST;
    }

    // Fault injection: one delivery of a frame to a port (a unicast frame, or one
    // port's copy of a broadcast), in the LanFaults order: drop, hold back,
    // duplicate. A frame the port held back follows the first one delivered.
    // A unicast frame is counted forwarded and tapped per copy delivered; a
    // broadcast was counted and tapped once by forward.
    private void deliverWithFaults(SwitchPort to, byte[] frame, boolean broadcast, FrameTap currentTap) {
        if (chance(faults.dropPercent())) {
            counters.increment(SwitchDrop.FAULT_INJECTED.ordinal());
            return;
        }
        if (to.held == null && chance(faults.reorderPercent())) {
            to.held = frame;
            holding.addLast(to);
            return;
        }
        boolean twice = chance(faults.duplicatePercent());
        deliver(to, frame, broadcast, currentTap);
        if (twice) {
            counters.increment(DUPLICATED);
            deliver(to, frame, broadcast, currentTap);
        }
        byte[] held = to.held;
        if (held != null) {
            to.held = null; // its entry in holding finds it gone
            counters.increment(REORDERED);
            deliver(to, held, EthernetFrame.destinationMac(held) == MacAddress.BROADCAST_BITS, currentTap);
        }
    }

    private boolean chance(double percent) {
        return percent > 0 && random.nextDouble() * 100 < percent;
    }

    private void deliver(SwitchPort to, byte[] frame, boolean broadcast, FrameTap currentTap) {
        if (!to.nic.deliverRx(frame)) {
            counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
        } else if (!broadcast) {
            counters.increment(FORWARDED);
            if (currentTap != null) {
                currentTap.frameForwarded(frame);
            }
        }
    }

    // End of a pump: delivers the frames still held back, for which no later
    // frame came. Each is taken from its port before delivery, so a listener or
    // tap that throws leaves the rest for the next pump. A port detached since
    // (only possible after such a throw) loses its frame, counted as a fault.
    private void releaseHeldFrames() {
        FrameTap currentTap = tap;
        SwitchPort port;
        while ((port = holding.pollFirst()) != null) {
            byte[] held = port.held;
            if (held == null) {
                continue;
            }
            port.held = null;
            if (port.detached) {
                counters.increment(SwitchDrop.FAULT_INJECTED.ordinal());
            } else {
                deliver(port, held, EthernetFrame.destinationMac(held) == MacAddress.BROADCAST_BITS, currentTap);
            }
        }
    }

    private void refuse(VirtualNic from, SwitchDrop cause) {
        counters.increment(cause.ordinal());
        from.countRefusedBySwitch();
    }

    /** For tests: see {@link DeactivationHook}. Set before pumping, on the switch thread. */
    void setDeactivationHook(DeactivationHook hook) {
        this.deactivationHook = hook;
    }

    /** Frames dropped for {@code cause}. Any thread. */
    public long dropped(SwitchDrop cause) {
        return counters.get(cause.ordinal());
    }

    /**
     * Frames forwarded: unicast frames queued on their receiver's RX queue, and
     * broadcasts that passed the checks (once each, however many ports got a copy;
     * a broadcast ARP request once its target port is found, though only that
     * port gets it). These are the frames a {@link FrameTap} sees. Any thread.
     */
    public long framesForwarded() {
        return counters.get(FORWARDED);
    }

    /**
     * Deliveries fault injection made twice (each also counts twice in
     * {@link #framesForwarded} if it was a unicast frame). Any thread.
     */
    public long framesDuplicated() {
        return counters.get(DUPLICATED);
    }

    /**
     * Deliveries fault injection held back and made after a later frame for the
     * same port. (A held frame no later frame overtook before the pump ended is
     * delivered then and not counted.) Any thread.
     */
    public long framesReordered() {
        return counters.get(REORDERED);
    }

    /**
     * The broadcasts among {@link #framesForwarded}, including the ARP requests
     * delivered to their target port only. Any thread.
     */
    public long broadcastsForwarded() {
        return counters.get(BROADCASTS);
    }

    /**
     * Visits pumps made to ports: each takes one frame, or finds none and takes
     * the port out of the rotation. An idle pump makes none; the looks of a
     * {@link #fullScans full scan} are not counted. Any thread.
     */
    public long portVisits() {
        return counters.get(PORT_VISITS);
    }

    /**
     * Times a port could not be put on the full ready queue (the port is still
     * served, by a {@link #fullScans full scan}). Any thread.
     */
    public long readyQueueOverflows() {
        return readyQueueOverflows.get();
    }

    /** Pumps that looked at every port's TX queue because the ready queue had overflowed. Any thread. */
    public long fullScans() {
        return counters.get(FULL_SCANS);
    }

    /**
     * Frames for an address no attached port held that {@link AbsentPorts}
     * took (for a VM swapped out); not in {@link #framesForwarded}. Any thread.
     */
    public long framesHeldForAbsent() {
        return counters.get(HELD_FOR_ABSENT);
    }

    /**
     * Where frames for addresses no port holds go before they are dropped as
     * unknown (null: dropped). Any thread; set before traffic flows.
     */
    public void setAbsentPorts(AbsentPorts absent) {
        this.absent = absent;
    }

    /** The ready queue's capacity in ports. */
    public int readyQueueCapacity() {
        return readyQueueCapacity;
    }
}
