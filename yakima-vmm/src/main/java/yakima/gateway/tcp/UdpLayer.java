package yakima.gateway.tcp;

import java.util.Objects;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * UDP (RFC 768) for the endpoint: the bound ports and their handlers, input
 * (checksum verified when the sender computed one) and output (checksum
 * always computed). A datagram to an unbound port is counted
 * ({@link EndpointCounter#UDP_NO_PORT}) and dropped; no ICMP is sent.
 * Owner thread only.
 */
final class UdpLayer {
    private final GatewayEndpoint ep;
    private final Ipv4Output ip;
    private final EndpointCounters counters;
    private final Int2ObjectHashMap<UdpHandler> bound = new Int2ObjectHashMap<>();
    private final byte[] deliver = new byte[Ipv4Header.MAX_PAYLOAD];

    UdpLayer(GatewayEndpoint ep, Ipv4Output ip, EndpointCounters counters) {
        this.ep = ep;
        this.ip = ip;
        this.counters = counters;
    }

    void bind(int port, UdpHandler handler) {
        checkPort(port);
        bound.put(port, Objects.requireNonNull(handler, "handler"));
    }

    void unbind(int port) {
        bound.remove(port);
    }

    boolean send(int localPort, int guestIp, int guestPort, byte[] data, int offset, int length, long nowNs) {
        checkPort(localPort);
        checkPort(guestPort);
        Objects.checkFromIndexSize(offset, length, data.length);
        if (length > UdpDatagram.MAX_PAYLOAD) {
            counters.increment(EndpointCounter.UDP_SEND_FAILED);
            return false;
        }
        byte[] f = ip.frame();
        int h = Ipv4Header.PAYLOAD;
        int udpLength = UdpDatagram.HEADER_LENGTH + length;
        Ipv4Header.put16(f, h + UdpDatagram.SOURCE_PORT, localPort);
        Ipv4Header.put16(f, h + UdpDatagram.DESTINATION_PORT, guestPort);
        Ipv4Header.put16(f, h + UdpDatagram.LENGTH, udpLength);
        Ipv4Header.put16(f, h + UdpDatagram.CHECKSUM, 0);
        System.arraycopy(data, offset, f, h + UdpDatagram.HEADER_LENGTH, length);
        int sum = ip.transportChecksum(Ipv4Header.PROTOCOL_UDP, guestIp, udpLength);
        Ipv4Header.put16(f, h + UdpDatagram.CHECKSUM, sum == 0 ? 0xFFFF : sum);
        if (!ip.send(Ipv4Header.PROTOCOL_UDP, guestIp, udpLength, nowNs)) {
            counters.increment(EndpointCounter.UDP_SEND_FAILED);
            return false;
        }
        counters.increment(EndpointCounter.UDP_SENT);
        return true;
    }

    /** A UDP datagram of {@code ipPayload} bytes at {@link Ipv4Header#PAYLOAD} from {@code sourceIp}. */
    void input(byte[] f, int sourceIp, int ipPayload) {
        int h = Ipv4Header.PAYLOAD;
        if (ipPayload < UdpDatagram.HEADER_LENGTH) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        int udpLength = Ipv4Header.u16(f, h + UdpDatagram.LENGTH);
        if (udpLength < UdpDatagram.HEADER_LENGTH || udpLength > ipPayload) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        if (Ipv4Header.u16(f, h + UdpDatagram.CHECKSUM) != 0) {
            int sum = Checksum.pseudoHeader(sourceIp, ep.ownIp(), Ipv4Header.PROTOCOL_UDP, udpLength);
            if (Checksum.finish(Checksum.add(sum, f, h, udpLength)) != 0) {
                counters.increment(EndpointCounter.DROPPED_BAD_CHECKSUM);
                return;
            }
        }
        int port = Ipv4Header.u16(f, h + UdpDatagram.DESTINATION_PORT);
        UdpHandler handler = bound.get(port);
        if (handler == null) {
            counters.increment(EndpointCounter.UDP_NO_PORT);
            return;
        }
        counters.increment(EndpointCounter.UDP_RECEIVED);
        int n = udpLength - UdpDatagram.HEADER_LENGTH;
        System.arraycopy(f, h + UdpDatagram.HEADER_LENGTH, deliver, 0, n);
        handler.received(sourceIp, Ipv4Header.u16(f, h + UdpDatagram.SOURCE_PORT), deliver, 0, n);
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port " + port + " is not 1..65535");
        }
    }
}
