package yakima.net;

import denali.isa.spec.DenaliAbi;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import org.jctools.queues.varhandle.unpadded.SpscVarHandleUnpaddedArrayQueue;

/**
 * One port of the virtual LAN: a MAC address, an IPv4 address, a bounded TX
 * queue (frames from the owner toward the switch) and a bounded RX queue (frames
 * from the switch toward the owner). A VM's NIC is one of these; so is any other
 * endpoint on the LAN, such as the gateway: nothing here is VM-specific.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>The <em>owner thread</em> (the VM's scheduler thread, or the gateway's
 *       event loop) is the only producer of the TX queue and the only consumer
 *       of the RX queue: only it may call {@link #send} and {@link #receive},
 *       {@link #rxNextLength}.</li>
 *   <li>The <em>switch thread</em> of the one {@link VirtualSwitch} the NIC is
 *       attached to is the only consumer of the TX queue and the only producer of
 *       the RX queue (package-private {@link #pollTx}, {@link #deliverRx}).</li>
 *   <li>{@link #send} tells the switch when the port has TX work (see
 *       {@link SwitchPort} and {@link VirtualSwitch}), so an idle NIC costs the
 *       switch nothing.</li>
 *   <li>Any thread may read the addresses, {@link #rxWaiting}, {@link #txWaiting}
 *       and {@link #counter}.</li>
 * </ul>
 * Both queues are JCTools single-producer single-consumer queues (the VarHandle,
 * unpadded kind: a host may hold a million NICs, and no benchmark has yet asked
 * for the padding). If the owner role moves between threads (a VM migrating to
 * another scheduler thread) the hand-over must be a happens-before edge.
 *
 * <h2>Frames</h2>
 * {@link #send} copies the caller's bytes into a new array of exactly the
 * frame's length, so the caller may reuse its buffer. From then on the array is
 * shared read-only: the switch hands the same array to the receiver and to the
 * pcap tap, and a broadcast's array to every receiver. Nobody may write to an
 * array {@link #receive} returns.
 */
public final class VirtualNic {
    public static final int DEFAULT_TX_CAPACITY = 256;
    public static final int DEFAULT_RX_CAPACITY = 256;
    /** Smallest queue JCTools builds; capacities are exact only as powers of two, so those are all we accept. */
    public static final int MIN_QUEUE_CAPACITY = 4;
    public static final int MAX_QUEUE_CAPACITY = 1 << 16;

    private static final VarHandle PORT;

    static {
        try {
            PORT = MethodHandles.lookup().findVarHandle(VirtualNic.class, "port", SwitchPort.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MacAddress mac;
    private final long macBits;
    private final int ipv4;
    private final int txCapacity;
    private final int rxCapacity;
    private final SpscVarHandleUnpaddedArrayQueue<byte[]> txQueue;
    private final SpscVarHandleUnpaddedArrayQueue<byte[]> rxQueue;
    private final RxListener rxListener;
    private final Counters counters = new Counters(NicCounter.values().length);
    // This NIC's attachment to a switch, or null; set by compare-and-set so a
    // NIC can never have two consumers of its TX queue. A new port per attach.
    private volatile SwitchPort port;

    /** A NIC with the default queue capacities. */
    public VirtualNic(MacAddress mac, int ipv4, RxListener rxListener) {
        this(mac, ipv4, DEFAULT_TX_CAPACITY, DEFAULT_RX_CAPACITY, rxListener);
    }

    /**
     * @param mac        the port's own address: a unicast MAC
     * @param ipv4       the port's own IPv4 address (see {@link Ipv4Address})
     * @param txCapacity frames the TX queue holds: a power of two from 4 to 65536
     * @param rxCapacity frames the RX queue holds: a power of two from 4 to 65536
     * @param rxListener told on the switch thread whenever a frame is queued for this NIC
     */
    public VirtualNic(MacAddress mac, int ipv4, int txCapacity, int rxCapacity, RxListener rxListener) {
        this.mac = Objects.requireNonNull(mac, "mac");
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("a NIC's MAC must be unicast, not the group address " + mac);
        }
        this.macBits = mac.bits();
        this.ipv4 = ipv4;
        this.txCapacity = checkCapacity("txCapacity", txCapacity);
        this.rxCapacity = checkCapacity("rxCapacity", rxCapacity);
        this.txQueue = new SpscVarHandleUnpaddedArrayQueue<>(txCapacity);
        this.rxQueue = new SpscVarHandleUnpaddedArrayQueue<>(rxCapacity);
        this.rxListener = Objects.requireNonNull(rxListener, "rxListener");
    }

    /** Refuses a queue capacity JCTools would not hold exactly; shared with {@link PcapTap}. */
    static int checkCapacity(String name, int capacity) {
        if (capacity < MIN_QUEUE_CAPACITY || capacity > MAX_QUEUE_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(name + " " + capacity + " must be a power of two from "
                + MIN_QUEUE_CAPACITY + " to " + MAX_QUEUE_CAPACITY);
        }
        return capacity;
    }

    public MacAddress mac() {
        return mac;
    }

    long macBits() {
        return macBits;
    }

    /** The port's IPv4 address as an int (see {@link Ipv4Address}). */
    public int ipv4() {
        return ipv4;
    }

    public int txCapacity() {
        return txCapacity;
    }

    public int rxCapacity() {
        return rxCapacity;
    }

    /**
     * Queues a copy of {@code frame[0..length)} for the switch: the guest's one
     * send instruction. Owner thread only. If the NIC is attached and its port is
     * not yet scheduled, also puts the port on the switch's ready queue (one
     * compare-and-set and one offer per burst; a full fence on every send).
     *
     * @return 0; {@code -EAGAIN} when the TX queue is full; {@code -EINVAL} when
     *         {@code length} is outside {@link EthernetFrame#MIN_LENGTH}..{@link EthernetFrame#MAX_LENGTH}.
     *         Each refusal is counted.
     * @throws IndexOutOfBoundsException if {@code length} is a valid frame length
     *         but longer than {@code frame}: a host bug, never the guest's doing
     */
    public int send(byte[] frame, int length) {
        if (length < EthernetFrame.MIN_LENGTH || length > EthernetFrame.MAX_LENGTH) {
            counters.increment(NicCounter.TX_REJECTED_BAD_LENGTH.ordinal());
            return -DenaliAbi.EINVAL;
        }
        Objects.checkFromIndexSize(0, length, frame.length);
        // Check for room before copying, so a guest hammering a full queue
        // allocates nothing. Only this thread adds, so the room cannot vanish.
        if (txQueue.size() >= txCapacity || !txQueue.offer(Arrays.copyOf(frame, length))) {
            counters.increment(NicCounter.TX_DROPPED_FULL.ordinal());
            return -DenaliAbi.EAGAIN;
        }
        counters.increment(NicCounter.TX_FRAMES.ordinal());
        counters.add(NicCounter.TX_BYTES.ordinal(), length);
        // Tell the switch, unless the port is scheduled already. The fence orders
        // the frame's queuing before the reads of the port and its flag: the
        // switch clears the flag, fences, and looks at this queue again, so
        // either it sees the frame or this thread sees the flag clear.
        VarHandle.fullFence();
        SwitchPort current = port;
        if (current != null) {
            current.txQueued();
        }
        return 0;
    }

    /**
     * Takes the next frame from the RX queue: the guest's one receive instruction.
     * Owner thread only. The array is read-only (see the class comment).
     *
     * @return the frame, exactly its length, or null when none is waiting
     */
    public byte[] receive() {
        byte[] frame = rxQueue.poll();
        if (frame != null) {
            counters.increment(NicCounter.RX_FRAMES.ordinal());
            counters.add(NicCounter.RX_BYTES.ordinal(), frame.length);
        }
        return frame;
    }

    /**
     * The length of the frame {@link #receive} would return next, or 0 when none
     * is waiting; lets a receive hypercall refuse a buffer too small for the frame
     * without losing it. Owner thread only.
     */
    public int rxNextLength() {
        byte[] frame = rxQueue.peek();
        return frame == null ? 0 : frame.length;
    }

    /** Frames waiting in the RX queue. Any thread; a snapshot that may be stale as soon as it is taken. */
    public int rxWaiting() {
        return rxQueue.size();
    }

    /** Frames waiting in the TX queue. Any thread; a snapshot that may be stale as soon as it is taken. */
    public int txWaiting() {
        return txQueue.size();
    }

    /** A counter's current value. Any thread. */
    public long counter(NicCounter counter) {
        return counters.get(counter.ordinal());
    }

    // ---- switch side: package-private, switch thread only ----

    /** The next frame the owner sent, or null. */
    byte[] pollTx() {
        return txQueue.poll();
    }

    /** True if {@link #pollTx} would return null now. */
    boolean txEmpty() {
        return txQueue.peek() == null;
    }

    /** Queues a frame for the owner and tells the listener; false (counted) when the RX queue is full. */
    boolean deliverRx(byte[] frame) {
        if (!rxQueue.offer(frame)) {
            counters.increment(NicCounter.RX_DROPPED_FULL.ordinal());
            return false;
        }
        rxListener.rxReady(this);
        return true;
    }

    /**
     * Queues a frame for the owner without the switch: for a VM brought back
     * from swap, its saved frames and those held while it was away. Only
     * while no switch can deliver to this NIC: before it is attached, or in
     * {@link VirtualSwitch#attach(VirtualNic, Runnable)}'s hook. False
     * (counted as a full RX queue) when there is no room.
     */
    public boolean preloadRx(byte[] frame) {
        if (!rxQueue.offer(frame)) {
            counters.increment(NicCounter.RX_DROPPED_FULL.ordinal());
            return false;
        }
        return true;
    }

    /**
     * Takes every frame waiting in the RX queue, oldest first: what a VM being
     * swapped out leaves in its record. Only once the NIC is detached (nothing
     * delivers any more) and its owner has stopped receiving.
     */
    public java.util.List<byte[]> drainRx() {
        java.util.List<byte[]> frames = new java.util.ArrayList<>(rxQueue.size());
        byte[] f;
        while ((f = rxQueue.poll()) != null) {
            frames.add(f);
        }
        return frames;
    }

    /** Counts a frame of this NIC's that the switch refused at ingress. */
    void countRefusedBySwitch() {
        counters.increment(NicCounter.TX_REFUSED_BY_SWITCH.ordinal());
    }

    /** Marks the NIC attached through {@code to}; false if it is attached to a switch already. Any thread. */
    boolean claimFor(SwitchPort to) {
        return PORT.compareAndSet(this, null, to);
    }

    /** Undoes {@link #claimFor}; false if the NIC was not attached through {@code from}. Any thread. */
    boolean releaseFrom(SwitchPort from) {
        return PORT.compareAndSet(this, from, null);
    }

    /** The switch this NIC is attached to, or null. Any thread. */
    public VirtualSwitch attachedTo() {
        SwitchPort current = port;
        return current == null ? null : current.owner;
    }

    @Override
    public String toString() {
        return "VirtualNic[" + mac + ", " + Ipv4Address.format(ipv4) + "]";
    }
}
