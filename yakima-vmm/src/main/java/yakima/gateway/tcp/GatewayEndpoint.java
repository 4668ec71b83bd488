package yakima.gateway.tcp;

import java.util.ArrayList;
import java.util.Objects;
import java.util.function.LongSupplier;

import org.agrona.collections.Long2ObjectHashMap;

import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.GuestConnection.State;
import yakima.net.EthernetFrame;
import yakima.net.MacAddress;
import yakima.net.VirtualNic;

/**
 * The gateway's own TCP/IP endpoint on the virtual LAN: one MAC and IPv4
 * address ({@link yakima.host.Host#GATEWAY_IPV4}), ARP, IPv4, TCP toward guest
 * services, and UDP datagrams. It knows nothing of Netty or host sockets: bytes
 * in and out through {@link GuestConnection}, frames in and out through its
 * {@link VirtualNic}.
 *
 * <p>Owner thread only: the one thread that is the NIC's owner calls every
 * method, and every callback runs on it. The one exception is
 * {@link #counter}, which any thread may read.
 *
 * <h2>Inside</h2>
 * Like lwIP, one class per layer and direction: {@link ArpCache} (ARP),
 * {@link Ipv4Output} (IPv4 and Ethernet out; IPv4 input is {@link #ipv4Input}
 * here), {@link TcpInput}, {@link TcpOutput}, {@link TcpTimers} (on one
 * {@link TimerQueue}), {@link UdpLayer}; the per-connection state is
 * {@link GuestConnection}, with its {@link SendBuffer} and
 * {@link ReceiveReassembly}; wire layouts are {@link Ipv4Header},
 * {@link TcpSegment}, {@link UdpDatagram}. Frames are built in one scratch
 * buffer; the only allocation per frame sent is the copy
 * {@link VirtualNic#send} makes.
 *
 * <h2>ACKs</h2>
 * {@link #receive} processes its whole batch first and then sends, for each
 * connection that received something, one segment: data if any may go (it
 * carries the ACK and window), else a bare ACK. Out-of-order data is
 * acknowledged at once (the guest counts duplicate ACKs).
 * {@link GuestConnection#send}, {@link GuestConnection#consumed} and
 * {@link GuestConnection#close} called inside a batch (from a callback) wait
 * for its end; called outside, they send at once.
 */
public final class GatewayEndpoint {
    private final VirtualNic nic;
    private final LongSupplier clock;
    private final TcpConfig config;
    private final int ownIp;
    private final long ownMac;
    private final EndpointCounters counters = new EndpointCounters();
    private final TimerQueue timerQueue = new TimerQueue();
    private final ArpCache arp;
    private final Ipv4Output ipOut;
    private final TcpOutput tcpOut;
    private final TcpTimers tcpTimers;
    private final TcpInput tcpIn;
    private final UdpLayer udp;
    private final LocalPorts ports = new LocalPorts();
    private final Long2ObjectHashMap<GuestConnection> connections = new Long2ObjectHashMap<>();
    private final ArrayList<GuestConnection> outputQueue = new ArrayList<>();
    private boolean inBatch;
    private long nowNs;

    public GatewayEndpoint(VirtualNic nic, LongSupplier clockNs, TcpConfig config) {
        this.nic = Objects.requireNonNull(nic, "nic");
        this.clock = Objects.requireNonNull(clockNs, "clockNs");
        this.config = Objects.requireNonNull(config, "config");
        this.ownIp = nic.ipv4();
        this.ownMac = nic.mac().bits();
        this.nowNs = clockNs.getAsLong();
        this.arp = new ArpCache(nic, counters, timerQueue);
        this.ipOut = new Ipv4Output(nic, arp, counters);
        this.tcpOut = new TcpOutput(this, ipOut, counters);
        this.tcpTimers = new TcpTimers(this, timerQueue, counters);
        this.tcpIn = new TcpInput(this, tcpOut, tcpTimers, counters);
        this.udp = new UdpLayer(this, ipOut, counters);
    }

    /**
     * Addresses whose MAC is known without asking (the host assigned both):
     * {@code ip} → MAC as 48 bits, or -1 for an address resolved by ARP. Owner
     * thread, before any traffic.
     */
    public void setStaticNeighbours(java.util.function.IntToLongFunction neighbours) {
        arp.setStaticNeighbours(neighbours);
    }

    /**
     * Opens a connection to {@code guestIp:guestPort} from a free local port.
     *
     * @return the connection (in SYN_SENT), or null if no local port is free for
     *         that guest or the endpoint holds {@link TcpConfig#maxConnections} (counted)
     */
    public GuestConnection connect(int guestIp, int guestPort, GuestConnection.Handler handler) {
        Objects.requireNonNull(handler, "handler");
        if (guestPort < 1 || guestPort > 0xFFFF) {
            throw new IllegalArgumentException("port " + guestPort + " is not 1..65535");
        }
        tick();
        if (connections.size() >= config.maxConnections()) {
            counters.increment(EndpointCounter.CONNECT_REFUSED_LIMIT);
            return null;
        }
        int localPort = ports.allocate(connections, guestIp, guestPort);
        if (localPort < 0) {
            counters.increment(EndpointCounter.CONNECT_REFUSED_LIMIT);
            return null;
        }
        GuestConnection c = new GuestConnection(this, handler, guestIp, guestPort, localPort, config.sendBufferBytes());
        c.iss = ports.nextIss(nowNs);
        c.sndUna = c.iss;
        c.sndNxt = c.iss + 1;
        c.sndMax = c.iss + 1;
        c.sbSeq = c.iss + 1;
        c.recover = c.iss;
        c.cwnd = c.mss;
        c.connectedAtNs = nowNs;
        connections.put(c.key, c);
        counters.increment(EndpointCounter.CONNECTIONS_OPENED);
        tcpOut.sendSyn(c);
        tcpTimers.armSyn(c);
        return c;
    }

    /** Datagrams to gateway port {@code localPort} go to {@code handler}; replaces any earlier one. */
    public void bindUdp(int localPort, UdpHandler handler) {
        udp.bind(localPort, handler);
    }

    public void unbindUdp(int localPort) {
        udp.unbind(localPort);
    }

    /**
     * Sends one datagram from gateway port {@code localPort} to the guest.
     *
     * @return false (counted) if it could not go: too long, NIC queue full, guest address unresolved and its queue full
     */
    public boolean sendUdp(int localPort, int guestIp, int guestPort, byte[] data, int offset, int length) {
        tick();
        return udp.send(localPort, guestIp, guestPort, data, offset, length, nowNs);
    }

    /**
     * Takes up to {@code maxFrames} frames from the NIC's RX queue and processes
     * them (callbacks run here), then sends the ACKs and window updates they call for.
     *
     * @return frames taken
     */
    public int receive(int maxFrames) {
        tick();
        int n = 0;
        inBatch = true;
        try {
            while (n < maxFrames) {
                byte[] frame = nic.receive();
                if (frame == null) {
                    break;
                }
                n++;
                input(frame);
            }
        } finally {
            inBatch = false;
            flushOutput();
        }
        return n;
    }

    /** Runs the timers that are due (retransmission, persist, TIME_WAIT, ARP retries and expiry). */
    public void runTimers() {
        tick();
        timerQueue.runDue(nowNs);
    }

    /** The clock time of the earliest timer, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextTimerNs() {
        return timerQueue.nextDeadlineNs();
    }

    /** Connections open now (every state but CLOSED). */
    public int connectionCount() {
        return connections.size();
    }

    /** A counter's value. Any thread. */
    public long counter(EndpointCounter counter) {
        return counters.get(counter);
    }

    public VirtualNic nic() {
        return nic;
    }

    public TcpConfig config() {
        return config;
    }

    // ---- input: Ethernet and IPv4 ----

    private void input(byte[] f) {
        if (f.length < EthernetFrame.HEADER_LENGTH) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        long dst = EthernetFrame.destinationMac(f);
        if (dst != ownMac && dst != MacAddress.BROADCAST_BITS) {
            counters.increment(EndpointCounter.DROPPED_NOT_FOR_US);
            return;
        }
        switch (EthernetFrame.etherType(f)) {
            case EthernetFrame.ETHERTYPE_ARP -> arp.input(f, nowNs);
            case EthernetFrame.ETHERTYPE_IPV4 -> ipv4Input(f);
            default -> counters.increment(EndpointCounter.DROPPED_MALFORMED);
        }
    }

    /** IPv4 input: checks, then TCP or UDP. Fragments, options and other protocols are dropped and counted. */
    private void ipv4Input(byte[] f) {
        if (f.length < Ipv4Header.PAYLOAD || Ipv4Header.version(f) != 4 || Ipv4Header.headerLength(f) < Ipv4Header.LENGTH) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        if (Ipv4Header.headerLength(f) != Ipv4Header.LENGTH) {
            counters.increment(EndpointCounter.DROPPED_IP_OPTIONS);
            return;
        }
        int total = Ipv4Header.totalLength(f);
        if (total < Ipv4Header.LENGTH || total > f.length - Ipv4Header.START) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        if (!Ipv4Header.checksumOk(f)) {
            counters.increment(EndpointCounter.DROPPED_BAD_CHECKSUM);
            return;
        }
        if ((Ipv4Header.flagsFragment(f) & (Ipv4Header.FLAG_MF | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            counters.increment(EndpointCounter.DROPPED_IP_FRAGMENT);
            return;
        }
        if (Ipv4Header.destination(f) != ownIp) {
            counters.increment(EndpointCounter.DROPPED_NOT_FOR_US);
            return;
        }
        int source = Ipv4Header.source(f);
        int payload = total - Ipv4Header.LENGTH;
        switch (Ipv4Header.protocol(f)) {
            case Ipv4Header.PROTOCOL_TCP -> tcpIn.input(f, source, payload);
            case Ipv4Header.PROTOCOL_UDP -> udp.input(f, source, payload);
            default -> counters.increment(EndpointCounter.DROPPED_UNSUPPORTED_PROTOCOL);
        }
    }

    // ---- for the layers (package-private, owner thread) ----

    static long key(int guestIp, int guestPort, int localPort) {
        return (long) guestIp << 32 | (long) (guestPort & 0xFFFF) << 16 | (localPort & 0xFFFF);
    }

    int ownIp() {
        return ownIp;
    }

    long nowNs() {
        return nowNs;
    }

    TcpOutput output() {
        return tcpOut;
    }

    TcpTimers timers() {
        return tcpTimers;
    }

    GuestConnection lookup(long key) {
        return connections.get(key);
    }

    void countWindowUpdate() {
        counters.increment(EndpointCounter.WINDOW_UPDATES_SENT);
    }

    /** Sends the connection's output now, or at the end of the batch when inside {@link #receive}. */
    void requestOutput(GuestConnection c) {
        if (inBatch) {
            queueOutput(c);
        } else {
            tick();
            tcpOut.output(c);
        }
    }

    void queueOutput(GuestConnection c) {
        if (!c.outputQueued) {
            c.outputQueued = true;
            outputQueue.add(c);
        }
    }

    private void flushOutput() {
        for (int i = 0; i < outputQueue.size(); i++) {
            GuestConnection c = outputQueue.get(i);
            c.outputQueued = false;
            if (c.state != State.CLOSED) {
                tcpOut.output(c);
            }
        }
        outputQueue.clear();
    }

    /** Frees the connection (its port, its timer, its buffers) and tells its handler, unless it was told already. */
    void terminate(GuestConnection c, CloseReason reason) {
        if (c.state == State.CLOSED) {
            return;
        }
        c.state = State.CLOSED;
        connections.remove(c.key);
        tcpTimers.stop(c);
        c.sendBuffer.release();
        c.reassembly.release();
        reportClosed(c, reason);
    }

    /** Calls {@link GuestConnection.Handler#closed} once. */
    void reportClosed(GuestConnection c, CloseReason reason) {
        if (c.closedReported) {
            return;
        }
        c.closedReported = true;
        c.handler.closed(c, reason);
    }

    private void tick() {
        nowNs = clock.getAsLong();
    }
}
