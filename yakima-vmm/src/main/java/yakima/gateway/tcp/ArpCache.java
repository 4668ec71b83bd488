package yakima.gateway.tcp;

import java.util.ArrayDeque;

import org.agrona.collections.Int2ObjectHashMap;

import yakima.net.EthernetFrame;
import yakima.net.Ipv4Address;
import yakima.net.MacAddress;
import yakima.net.VirtualNic;

/**
 * ARP (RFC 826) for the endpoint: answers requests for its own address,
 * resolves guests' addresses, and holds the frames that wait for a
 * resolution.
 *
 * <ul>
 *   <li><b>Resolving.</b> The first frame for an unknown address creates a
 *       pending entry and broadcasts a request; the request is repeated
 *       {@link #REQUEST_INTERVAL_NS} apart, {@link #MAX_REQUESTS} times in all,
 *       then the entry and the frames it held are dropped
 *       ({@link EndpointCounter#ARP_UNRESOLVED_DROPS}). An entry holds at most
 *       {@link #MAX_HELD_FRAMES} frames; more are dropped and counted the same
 *       way.</li>
 *   <li><b>Learning.</b> A reply, or a request addressed to the endpoint,
 *       resolves (or refreshes) the sender's entry and sends what it held. A
 *       request for someone else only refreshes an entry that exists (the
 *       RFC 826 merge rule).</li>
 *   <li><b>Static neighbours.</b> Addresses whose MAC the host assigned
 *       itself ({@link #setStaticNeighbours}) are never asked for: the host
 *       gives VM {@code n} its MAC and IPv4 address together, and the switch
 *       refuses frames from any other port that claims them, so the answer is
 *       known before the question. An entry learnt from the LAN still wins.
 *       This saves a whole round trip to a VM the endpoint has not talked to
 *       yet (and a swap-in that would only answer ARP).</li>
 *   <li><b>Expiry.</b> A resolved entry lives {@link #ENTRY_LIFETIME_NS}. One
 *       not used in that time is forgotten. One in use is asked for again
 *       (the same requests as above) while its MAC stays in use, so traffic
 *       never stalls for a refresh; no answer to any of them, and it is
 *       forgotten.</li>
 * </ul>
 * Every entry owns one {@link TimerQueue.Timer}: the next request while
 * pending, the expiry once resolved. Owner thread only.
 */
final class ArpCache {
    static final long REQUEST_INTERVAL_NS = 1_000_000_000L;
    static final int MAX_REQUESTS = 4;
    static final int MAX_HELD_FRAMES = 16;
    static final long ENTRY_LIFETIME_NS = 60_000_000_000L;
    /** The group (multicast) bit of a MAC as 48 bits: never a sender's. */
    private static final long GROUP_BIT = 1L << 40;
    /** ARP packets go out padded to the Ethernet minimum. */
    private static final int ARP_FRAME_LENGTH = 60;

    /** One address: pending (held frames, requests left) or resolved (a MAC until it expires). */
    private final class Entry extends TimerQueue.Timer {
        final int ip;
        long mac = -1;
        int requests;
        /** Resolved, lifetime over, used meanwhile: asking again while the MAC stays in use. */
        boolean refreshing;
        long lastUsedNs;
        ArrayDeque<byte[]> held;

        Entry(int ip) {
            this.ip = ip;
        }

        boolean resolved() {
            return mac >= 0;
        }

        @Override
        void fire(long nowNs) {
            if (resolved() && !refreshing) {
                if (lastUsedNs <= deadlineNs - ENTRY_LIFETIME_NS) {
                    entries.remove(ip); // unused for its whole life: forget it
                    return;
                }
                refreshing = true; // in use: ask again, and keep using the MAC meanwhile
                requests = 0;
            }
            if (requests >= MAX_REQUESTS) {
                if (held != null) {
                    counters.add(EndpointCounter.ARP_UNRESOLVED_DROPS, held.size());
                }
                entries.remove(ip);
                return;
            }
            sendRequest(ip);
            requests++;
            timers.arm(this, nowNs + REQUEST_INTERVAL_NS);
        }
    }

    private final VirtualNic nic;
    private final long ownMac;
    private final int ownIp;
    private final EndpointCounters counters;
    private final TimerQueue timers;
    private final Int2ObjectHashMap<Entry> entries = new Int2ObjectHashMap<>();
    private final byte[] scratch = new byte[ARP_FRAME_LENGTH];
    private java.util.function.IntToLongFunction staticNeighbours = ip -> -1;

    ArpCache(VirtualNic nic, EndpointCounters counters, TimerQueue timers) {
        this.nic = nic;
        this.ownMac = nic.mac().bits();
        this.ownIp = nic.ipv4();
        this.counters = counters;
        this.timers = timers;
    }

    /** Addresses the host assigned: {@code ip} → MAC as 48 bits, or -1 for an address to ask the LAN for. */
    void setStaticNeighbours(java.util.function.IntToLongFunction neighbours) {
        this.staticNeighbours = java.util.Objects.requireNonNull(neighbours, "neighbours");
    }

    /** The MAC for {@code ip} as 48 bits, or -1 when it is not (yet) resolved. */
    long lookup(int ip, long nowNs) {
        Entry e = entries.get(ip);
        if (e == null) {
            return staticNeighbours.applyAsLong(ip);
        }
        e.lastUsedNs = nowNs;
        return e.mac;
    }

    /**
     * Holds a frame for {@code ip} (its destination MAC still to be written)
     * until the address resolves, asking for it if nobody has yet.
     *
     * @return false (counted) if the address already holds its limit
     */
    boolean hold(int ip, byte[] frame, long nowNs) {
        Entry e = entries.get(ip);
        if (e == null) {
            e = new Entry(ip);
            entries.put(ip, e);
            sendRequest(ip);
            e.requests = 1;
            timers.arm(e, nowNs + REQUEST_INTERVAL_NS);
        }
        if (e.held == null) {
            e.held = new ArrayDeque<>(4);
        }
        if (e.held.size() >= MAX_HELD_FRAMES) {
            counters.increment(EndpointCounter.ARP_UNRESOLVED_DROPS);
            return false;
        }
        e.held.add(frame);
        return true;
    }

    /** An ARP frame from the LAN (at least 14 bytes, ethertype ARP). */
    void input(byte[] f, long nowNs) {
        if (f.length < EthernetFrame.ARP_LENGTH || !EthernetFrame.isArpIpv4OverEthernet(f)) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        int op = EthernetFrame.arpOperation(f);
        long senderMac = EthernetFrame.arpSenderMac(f);
        int senderIp = EthernetFrame.arpSenderIp(f);
        int targetIp = EthernetFrame.arpTargetIp(f);
        boolean forUs = targetIp == ownIp;
        if ((op != EthernetFrame.ARP_REQUEST && op != EthernetFrame.ARP_REPLY) || (senderMac & GROUP_BIT) != 0
                || senderIp == 0 || senderIp == ownIp) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        learn(senderIp, senderMac, forUs, nowNs);
        if (!forUs) {
            counters.increment(EndpointCounter.DROPPED_NOT_FOR_US);
            return;
        }
        if (op == EthernetFrame.ARP_REQUEST) {
            write(EthernetFrame.ARP_REPLY, senderMac, senderMac, senderIp);
            send(EndpointCounter.ARP_REPLIES_SENT);
        }
    }

    /** Entries known now (pending and resolved). */
    int size() {
        return entries.size();
    }

    private void learn(int ip, long mac, boolean create, long nowNs) {
        Entry e = entries.get(ip);
        if (e == null) {
            if (!create) {
                return;
            }
            e = new Entry(ip);
            entries.put(ip, e);
        }
        if (!e.resolved() || e.mac != mac) {
            counters.increment(EndpointCounter.ARP_LEARNED);
        }
        e.mac = mac;
        e.refreshing = false;
        e.lastUsedNs = nowNs;
        timers.arm(e, nowNs + ENTRY_LIFETIME_NS);
        ArrayDeque<byte[]> waiting = e.held;
        e.held = null;
        if (waiting != null) {
            for (byte[] frame : waiting) {
                writeMac(frame, EthernetFrame.DESTINATION_MAC_OFFSET, mac);
                if (nic.send(frame, frame.length) < 0) {
                    counters.increment(EndpointCounter.TX_QUEUE_FULL);
                }
            }
        }
    }

    private void sendRequest(int ip) {
        write(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, 0, ip);
        send(EndpointCounter.ARP_REQUESTS_SENT);
    }

    private void send(EndpointCounter what) {
        if (nic.send(scratch, ARP_FRAME_LENGTH) < 0) {
            counters.increment(EndpointCounter.TX_QUEUE_FULL);
        } else {
            counters.increment(what);
        }
    }

    /** Builds an ARP packet in the scratch frame: from us, to {@code ethDst}, about {@code targetIp}. */
    private void write(int op, long ethDst, long targetMac, int targetIp) {
        byte[] f = scratch;
        writeMac(f, EthernetFrame.DESTINATION_MAC_OFFSET, ethDst);
        writeMac(f, EthernetFrame.SOURCE_MAC_OFFSET, ownMac);
        Ipv4Header.put16(f, EthernetFrame.ETHERTYPE_OFFSET, EthernetFrame.ETHERTYPE_ARP);
        Ipv4Header.put16(f, EthernetFrame.ARP_HARDWARE_TYPE_OFFSET, EthernetFrame.ARP_HARDWARE_TYPE_ETHERNET);
        Ipv4Header.put16(f, EthernetFrame.ARP_PROTOCOL_TYPE_OFFSET, EthernetFrame.ETHERTYPE_IPV4);
        f[EthernetFrame.ARP_HARDWARE_LENGTH_OFFSET] = MacAddress.LENGTH_BYTES;
        f[EthernetFrame.ARP_PROTOCOL_LENGTH_OFFSET] = Ipv4Address.LENGTH_BYTES;
        Ipv4Header.put16(f, EthernetFrame.ARP_OPERATION_OFFSET, op);
        writeMac(f, EthernetFrame.ARP_SENDER_MAC_OFFSET, ownMac);
        Ipv4Address.writeTo(f, EthernetFrame.ARP_SENDER_IP_OFFSET, ownIp);
        writeMac(f, EthernetFrame.ARP_TARGET_MAC_OFFSET, targetMac);
        Ipv4Address.writeTo(f, EthernetFrame.ARP_TARGET_IP_OFFSET, targetIp);
        // bytes 42..59 stay zero: the padding
    }

    static void writeMac(byte[] f, int at, long mac) {
        for (int i = 0; i < MacAddress.LENGTH_BYTES; i++) {
            f[at + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }
}
