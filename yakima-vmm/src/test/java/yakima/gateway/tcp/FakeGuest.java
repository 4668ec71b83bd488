package yakima.gateway.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import yakima.host.Host;
import yakima.net.EthernetFrame;
import yakima.net.Ipv4Address;
import yakima.net.MacAddress;
import yakima.net.RxListener;
import yakima.net.VirtualNic;
import yakima.net.VirtualSwitch;

/**
 * A hand-driven guest for unit tests: a second {@link VirtualNic} beside the
 * endpoint's on a {@link VirtualSwitch} that the test pumps, frames built
 * byte by byte here (with correct checksums unless asked otherwise), a fake
 * clock, and what the endpoint sends parsed back into {@link Seg}s.
 */
final class FakeGuest {
    static final int GW_IP = Host.GATEWAY_IPV4;
    static final int IP = Host.GATEWAY_IPV4 + 1;
    static final MacAddress GW_MAC = MacAddress.parse("02:00:00:00:00:00");
    static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    static final long MS = 1_000_000L;

    /** A frame the endpoint sent, parsed. */
    record Seg(String kind, int srcPort, int dstPort, int seq, int ack, int flags, int window, int mss, byte[] data,
            int arpOp, int arpTarget, int length) {
        boolean has(int flag) {
            return (flags & flag) == flag;
        }

        boolean bareAck() {
            return kind.equals("tcp") && flags == TcpSegment.ACK && data.length == 0;
        }

        @Override
        public String toString() {
            return kind + " " + srcPort + ">" + dstPort + " seq=" + seq + " ack=" + ack + " fl=" + Integer.toHexString(flags)
                    + " win=" + window + " len=" + data.length;
        }
    }

    long now;
    final VirtualSwitch lan = new VirtualSwitch();
    final VirtualNic nic = new VirtualNic(MAC, IP, 256, 256, RxListener.NONE);
    final VirtualNic gwNic = new VirtualNic(GW_MAC, GW_IP, 256, 256, RxListener.NONE);
    final GatewayEndpoint ep;
    /** The guest's sequence numbers on the connection {@link #open} made. */
    int guestSeq = 5000;
    int gwIss;

    FakeGuest(TcpConfig config) {
        lan.attach(nic);
        lan.attach(gwNic);
        ep = new GatewayEndpoint(gwNic, () -> now, config);
    }

    /** The guest sends {@code frame}; the switch moves it and the endpoint processes its batch. */
    void deliver(byte[] frame) {
        assertEquals(0, nic.send(frame, frame.length));
        lan.pump(1000);
        ep.receive(1000);
    }

    /** Several frames in one endpoint batch. */
    void deliverBatch(byte[]... frames) {
        for (byte[] f : frames) {
            assertEquals(0, nic.send(f, f.length));
        }
        lan.pump(1000);
        ep.receive(1000);
    }

    /** Moves the clock and runs the endpoint's timers. */
    void advance(long ns) {
        now += ns;
        ep.runTimers();
    }

    /** Everything the endpoint sent since the last call. */
    List<Seg> take() {
        lan.pump(1000);
        List<Seg> out = new ArrayList<>();
        byte[] f;
        while ((f = nic.receive()) != null) {
            out.add(parse(f));
        }
        return out;
    }

    /** Like {@link #take}, but answers ARP requests for the guest (an entry being refreshed) and leaves them out. */
    List<Seg> takeAnsweringArp() {
        List<Seg> out = new ArrayList<>();
        for (Seg s : take()) {
            if (s.kind().equals("arp")) {
                deliver(arp(EthernetFrame.ARP_REPLY, GW_MAC.bits(), GW_IP));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /** Exactly one segment sent since the last call. */
    Seg takeOne() {
        List<Seg> s = take();
        assertEquals(1, s.size(), s::toString);
        return s.get(0);
    }

    static Seg parse(byte[] f) {
        if (f.length < 60) {
            throw new AssertionError("frame of " + f.length + " bytes: shorter than the Ethernet minimum");
        }
        int type = EthernetFrame.etherType(f);
        if (type == EthernetFrame.ETHERTYPE_ARP) {
            return new Seg("arp", 0, 0, 0, 0, 0, 0, 0, new byte[0], EthernetFrame.arpOperation(f), EthernetFrame.arpTargetIp(f),
                    f.length);
        }
        assertEquals(EthernetFrame.ETHERTYPE_IPV4, type);
        if (!Ipv4Header.checksumOk(f)) {
            throw new AssertionError("bad IPv4 header checksum");
        }
        int total = Ipv4Header.totalLength(f);
        int h = Ipv4Header.PAYLOAD;
        int payload = total - 20;
        int sum = Checksum.pseudoHeader(Ipv4Header.source(f), Ipv4Header.destination(f), Ipv4Header.protocol(f), payload);
        if (Checksum.finish(Checksum.add(sum, f, h, payload)) != 0) {
            throw new AssertionError("bad transport checksum");
        }
        if (Ipv4Header.protocol(f) == Ipv4Header.PROTOCOL_UDP) {
            return new Seg("udp", Ipv4Header.u16(f, h), Ipv4Header.u16(f, h + 2), 0, 0, 0, 0, 0,
                    Arrays.copyOfRange(f, h + 8, h + payload), 0, 0, f.length);
        }
        TcpSegment s = new TcpSegment();
        if (!s.parse(f, h, payload, Ipv4Header.source(f))) {
            throw new AssertionError("malformed TCP header");
        }
        return new Seg("tcp", s.sourcePort, s.destinationPort, s.seq, s.ack, s.flags, s.window, s.mss,
                Arrays.copyOfRange(f, s.dataOffset, s.dataOffset + s.length), 0, 0, f.length);
    }

    // ---- frames the guest sends ----

    static byte[] tcp(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] data, int mss) {
        int optLen = mss > 0 ? 4 : 0;
        int tcpLen = 20 + optLen + data.length;
        byte[] f = new byte[Math.max(60, 34 + tcpLen)];
        ipHeader(f, Ipv4Header.PROTOCOL_TCP, tcpLen);
        int h = 34;
        Ipv4Header.put16(f, h, srcPort);
        Ipv4Header.put16(f, h + 2, dstPort);
        Ipv4Address.writeTo(f, h + 4, seq);
        Ipv4Address.writeTo(f, h + 8, ack);
        f[h + 12] = (byte) (((20 + optLen) / 4) << 4);
        f[h + 13] = (byte) flags;
        Ipv4Header.put16(f, h + 14, window);
        if (mss > 0) {
            f[h + 20] = 2;
            f[h + 21] = 4;
            Ipv4Header.put16(f, h + 22, mss);
        }
        System.arraycopy(data, 0, f, h + 20 + optLen, data.length);
        int sum = Checksum.pseudoHeader(IP, GW_IP, Ipv4Header.PROTOCOL_TCP, tcpLen);
        Ipv4Header.put16(f, h + 16, Checksum.finish(Checksum.add(sum, f, h, tcpLen)));
        return f;
    }

    static byte[] udp(int srcPort, int dstPort, byte[] data, boolean checksum) {
        int udpLen = 8 + data.length;
        byte[] f = new byte[Math.max(60, 34 + udpLen)];
        ipHeader(f, Ipv4Header.PROTOCOL_UDP, udpLen);
        int h = 34;
        Ipv4Header.put16(f, h, srcPort);
        Ipv4Header.put16(f, h + 2, dstPort);
        Ipv4Header.put16(f, h + 4, udpLen);
        System.arraycopy(data, 0, f, h + 8, data.length);
        if (checksum) {
            int sum = Checksum.pseudoHeader(IP, GW_IP, Ipv4Header.PROTOCOL_UDP, udpLen);
            Ipv4Header.put16(f, h + 6, Checksum.finish(Checksum.add(sum, f, h, udpLen)));
        }
        return f;
    }

    private static void ipHeader(byte[] f, int protocol, int payloadLength) {
        ArpCache.writeMac(f, 0, GW_MAC.bits());
        ArpCache.writeMac(f, 6, MAC.bits());
        Ipv4Header.put16(f, 12, EthernetFrame.ETHERTYPE_IPV4);
        Ipv4Header.write(f, protocol, IP, GW_IP, payloadLength, 7);
    }

    static byte[] arp(int op, long ethDst, int targetIp) {
        byte[] f = new byte[60];
        ArpCache.writeMac(f, 0, ethDst);
        ArpCache.writeMac(f, 6, MAC.bits());
        Ipv4Header.put16(f, 12, EthernetFrame.ETHERTYPE_ARP);
        Ipv4Header.put16(f, 14, 1);
        Ipv4Header.put16(f, 16, EthernetFrame.ETHERTYPE_IPV4);
        f[18] = 6;
        f[19] = 4;
        Ipv4Header.put16(f, 20, op);
        ArpCache.writeMac(f, 22, MAC.bits());
        Ipv4Address.writeTo(f, 28, IP);
        ArpCache.writeMac(f, 32, op == EthernetFrame.ARP_REPLY ? GW_MAC.bits() : 0);
        Ipv4Address.writeTo(f, 38, targetIp);
        return f;
    }

    // ---- a connection to guest port 80 ----

    /** connect(): answers the ARP request and the SYN (the guest's MSS and window given); the handshake's ACK is checked. */
    GuestConnection open(Recorder r, int mss, int window) {
        GuestConnection c = ep.connect(IP, 80, r);
        assertNotNull(c);
        Seg syn = takeOne();
        if (syn.kind().equals("arp")) { // the first connection: resolve the guest
            assertEquals(EthernetFrame.ARP_REQUEST, syn.arpOp());
            assertEquals(IP, syn.arpTarget());
            deliver(arp(EthernetFrame.ARP_REPLY, GW_MAC.bits(), GW_IP));
            syn = takeOne();
        }
        assertEquals(TcpSegment.SYN, syn.flags());
        assertEquals(1460, syn.mss());
        assertEquals(80, syn.dstPort());
        gwIss = syn.seq();
        deliver(tcp(80, c.localPort(), guestSeq, gwIss + 1, TcpSegment.SYN | TcpSegment.ACK, window, new byte[0], mss));
        guestSeq++;
        Seg ack = takeOne();
        assertEquals(TcpSegment.ACK, ack.flags());
        assertEquals(guestSeq, ack.ack());
        assertEquals(gwIss + 1, ack.seq());
        return c;
    }

    /** A segment from the guest on connection {@code c}: seq {@code seq}, acknowledging {@code ack}. */
    byte[] seg(GuestConnection c, int seq, int ack, int flags, int window, byte[] data) {
        return tcp(80, c.localPort(), seq, ack, flags, window, data, 0);
    }

    static byte[] bytes(int n, int salt) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + salt);
        }
        return b;
    }
}
