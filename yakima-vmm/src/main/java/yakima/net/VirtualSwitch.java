package yakima.net;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;

/**
 * The virtual Ethernet switch: joins {@link VirtualNic} ports into one LAN,
 * forwarding each frame by destination MAC from the sender's TX queue to the
 * receiver's RX queue, or, for {@code ff:ff:ff:ff:ff:ff}, to every other port.
 *
 * <p>Before forwarding it checks that the frame is well formed and really comes
 * from its port: the source MAC (and an ARP sender MAC) must be the port's MAC,
 * and an IPv4 source or ARP sender IP the port's IP. A frame that fails is
 * dropped and counted under a {@link SwitchDrop} cause, and also on the sender's
 * {@link NicCounter#TX_REFUSED_BY_SWITCH}. The switch never waits: a full RX
 * queue is a counted drop.
 *
 * <p>Fairness: {@link #pump} visits the ports in turn and takes at most one
 * frame from a port per visit, so a port flooding its TX queue gets the same
 * share as every other busy port and cannot starve them. Where a round stops
 * (when {@code maxFrames} runs out) the next call carries on.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #pump} and {@link #doWork} are called by one switch thread at a
 *       time (an Agrona {@code AgentRunner}, or a test by hand). That thread is
 *       the TX consumer and RX producer of every attached NIC, and it calls the
 *       NICs' {@link RxListener}s and the {@link FrameTap}.</li>
 *   <li>{@link #attach}, {@link #detach} and {@link #setTap} may be called from
 *       any thread (detach not from inside a pump: a listener or the tap). Ports change rarely, so they are an
 *       immutable snapshot (an array in attach order and a MAC map) republished
 *       through a volatile field on every change; the switch reads it once per
 *       pump. Changes cost O(ports).</li>
 *   <li>{@link #detach} waits for a pump already running to end, so when it
 *       returns the switch no longer touches the NIC: its queues may be saved
 *       with the VM, or the NIC attached to another switch. The wait is a spin
 *       of at most one pump, which never blocks.</li>
 *   <li>The counters may be read from any thread.</li>
 * </ul>
 */
public final class VirtualSwitch implements Agent {
    /** Frames one {@link #doWork} call moves at most. */
    public static final int DEFAULT_FRAMES_PER_WORK = 256;

    private static final int FORWARDED = SwitchDrop.values().length;
    private static final int BROADCASTS = FORWARDED + 1;

    /** The ports, published as one immutable value so the array and the map always agree. */
    private record Ports(VirtualNic[] inOrder, Long2ObjectHashMap<VirtualNic> byMac) {
    }

    private final int framesPerWork;
    private final Object portsLock = new Object();
    private volatile Ports ports = new Ports(new VirtualNic[0], new Long2ObjectHashMap<>());
    private volatile FrameTap tap;
    // Written by the switch thread only: odd while a pump runs, so detach can
    // wait out a pump that may still be using the ports before the change.
    private volatile long pumpEpoch;
    private volatile Thread pumpThread;
    // Switch thread only: the port the next visit starts at.
    private int nextPort;
    // Written by the switch thread only: one per SwitchDrop, then FORWARDED, BROADCASTS.
    private final Counters counters = new Counters(BROADCASTS + 1);

    public VirtualSwitch() {
        this(DEFAULT_FRAMES_PER_WORK);
    }

    /** @param framesPerWork frames one {@link #doWork} call moves at most, at least 1 */
    public VirtualSwitch(int framesPerWork) {
        if (framesPerWork < 1) {
            throw new IllegalArgumentException("framesPerWork " + framesPerWork + " must be at least 1");
        }
        this.framesPerWork = framesPerWork;
    }

    /**
     * Connects a port to the LAN. Any thread.
     *
     * @throws IllegalArgumentException if the NIC is attached to a switch already, or
     *         another port of this switch has the same MAC or the same IPv4 address
     */
    public void attach(VirtualNic nic) {
        Objects.requireNonNull(nic, "nic");
        synchronized (portsLock) {
            Ports current = ports;
            VirtualNic sameMac = current.byMac.get(nic.macBits());
            if (sameMac == nic || nic.attachedTo() == this) {
                throw new IllegalArgumentException(nic + " is already attached to this switch");
            }
            if (sameMac != null) {
                throw new IllegalArgumentException("cannot attach " + nic + ": MAC " + nic.mac()
                    + " is already in use by " + sameMac);
            }
            for (VirtualNic port : current.inOrder) {
                if (port.ipv4() == nic.ipv4()) {
                    throw new IllegalArgumentException("cannot attach " + nic + ": IPv4 address "
                        + Ipv4Address.format(nic.ipv4()) + " is already in use by " + port);
                }
            }
            if (!nic.claimFor(this)) {
                throw new IllegalArgumentException(nic + " is already attached to another switch");
            }
            VirtualNic[] inOrder = Arrays.copyOf(current.inOrder, current.inOrder.length + 1);
            inOrder[inOrder.length - 1] = nic;
            Long2ObjectHashMap<VirtualNic> byMac = new Long2ObjectHashMap<>(current.byMac);
            byMac.put(nic.macBits(), nic);
            ports = new Ports(inOrder, byMac);
        }
    }

    /**
     * Disconnects a port, and returns once the switch no longer touches it.
     * Frames still in its queues stay there. Any thread but the switch thread.
     *
     * @return true if the NIC was attached to this switch
     * @throws IllegalStateException if called on the switch thread during a pump
     *         (from an {@link RxListener} or {@link FrameTap}): it would wait for itself
     */
    public boolean detach(VirtualNic nic) {
        Objects.requireNonNull(nic, "nic");
        long epoch = pumpEpoch;
        if ((epoch & 1) != 0 && pumpThread == Thread.currentThread()) {
            throw new IllegalStateException("detach called by the switch thread during a pump");
        }
        synchronized (portsLock) {
            Ports current = ports;
            if (current.byMac.get(nic.macBits()) != nic) {
                return false;
            }
            VirtualNic[] inOrder = new VirtualNic[current.inOrder.length - 1];
            int at = 0;
            for (VirtualNic port : current.inOrder) {
                if (port != nic) {
                    inOrder[at++] = port;
                }
            }
            Long2ObjectHashMap<VirtualNic> byMac = new Long2ObjectHashMap<>(current.byMac);
            byMac.remove(nic.macBits());
            ports = new Ports(inOrder, byMac);
            awaitPumpUsingOldPorts();
            nic.releaseFrom(this);
            return true;
        }
    }

    // Called after publishing new ports. A pump marks itself running before it
    // reads the ports, and both fields are volatile: so either that pump read
    // the new ports, or this read sees it running and waits for it to end.
    private void awaitPumpUsingOldPorts() {
        long epoch = pumpEpoch;
        if ((epoch & 1) != 0) {
            while (pumpEpoch == epoch) {
                Thread.onSpinWait();
            }
        }
    }

    /** The attached ports in the order they were attached. Any thread. */
    public List<VirtualNic> ports() {
        return List.of(ports.inOrder);
    }

    /** Installs the tap that sees every forwarded frame, or removes it with null. Any thread. */
    public void setTap(FrameTap tap) {
        this.tap = tap;
    }

    /**
     * Moves up to {@code maxFrames} frames from the ports' TX queues, visiting
     * the ports in turn and taking at most one frame per visit. Stops early when
     * a whole round of visits finds nothing to send. Switch thread only.
     *
     * @return frames taken from TX queues, forwarded or dropped: 0 means idle
     */
    public int pump(int maxFrames) {
        Thread self = Thread.currentThread();
        if (pumpThread != self) {
            pumpThread = self;
        }
        long epoch = pumpEpoch + 1;
        pumpEpoch = epoch;
        try {
            return pumpRounds(maxFrames);
        } finally {
            pumpEpoch = epoch + 1;
        }
    }

    private int pumpRounds(int maxFrames) {
        Ports current = ports;
        VirtualNic[] inOrder = current.inOrder;
        int portCount = inOrder.length;
        if (portCount == 0) {
            return 0;
        }
        FrameTap currentTap = tap;
        int port = nextPort < portCount ? nextPort : 0;
        int taken = 0;
        int idleVisits = 0;
        while (taken < maxFrames && idleVisits < portCount) {
            VirtualNic from = inOrder[port];
            byte[] frame = from.pollTx();
            if (frame == null) {
                idleVisits++;
            } else {
                idleVisits = 0;
                taken++;
                forward(current, from, frame, currentTap);
            }
            port = port + 1 == portCount ? 0 : port + 1;
        }
        nextPort = port;
        return taken;
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

    private void forward(Ports current, VirtualNic from, byte[] frame, FrameTap currentTap) {
        SwitchDrop refusal = IngressCheck.check(from, frame);
        if (refusal != null) {
            refuse(from, refusal);
            return;
        }
        long destination = EthernetFrame.destinationMac(frame);
        if (destination == MacAddress.BROADCAST_BITS) {
            for (VirtualNic to : current.inOrder) {
                if (to != from && !to.deliverRx(frame)) {
                    counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
                }
            }
            counters.increment(BROADCASTS);
        } else {
            VirtualNic to = current.byMac.get(destination);
            if (to == null) {
                refuse(from, SwitchDrop.UNKNOWN_DESTINATION);
                return;
            }
            if (to == from) {
                refuse(from, SwitchDrop.SENT_TO_SELF);
                return;
            }
            if (!to.deliverRx(frame)) {
                counters.increment(SwitchDrop.RX_QUEUE_FULL.ordinal());
                return;
            }
        }
        counters.increment(FORWARDED);
        if (currentTap != null) {
            currentTap.frameForwarded(frame);
        }
    }

    private void refuse(VirtualNic from, SwitchDrop cause) {
        counters.increment(cause.ordinal());
        from.countRefusedBySwitch();
    }

    /** Frames dropped for {@code cause}. Any thread. */
    public long dropped(SwitchDrop cause) {
        return counters.get(cause.ordinal());
    }

    /**
     * Frames forwarded: unicast frames queued on their receiver's RX queue, and
     * broadcasts that passed the checks (once each, however many ports got a copy).
     * These are the frames a {@link FrameTap} sees. Any thread.
     */
    public long framesForwarded() {
        return counters.get(FORWARDED);
    }

    /** The broadcasts among {@link #framesForwarded}. Any thread. */
    public long broadcastsForwarded() {
        return counters.get(BROADCASTS);
    }
}
