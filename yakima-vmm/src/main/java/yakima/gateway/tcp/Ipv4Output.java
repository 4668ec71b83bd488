package yakima.gateway.tcp;

import java.util.Arrays;

import yakima.net.EthernetFrame;
import yakima.net.VirtualNic;

/**
 * IPv4 and Ethernet output: one scratch frame that TCP and UDP output build
 * their segments in (transport header at {@link Ipv4Header#PAYLOAD}), then
 * {@link #send} adds the IPv4 header and the Ethernet header and hands the
 * frame to the NIC, which copies it; or, while the guest's MAC is unknown, a
 * copy to {@link ArpCache#hold}. Frames shorter than the Ethernet minimum
 * (60 bytes without FCS) are padded with zeros. Owner thread only.
 */
final class Ipv4Output {
    static final int MIN_FRAME = 60;

    private final VirtualNic nic;
    private final ArpCache arp;
    private final EndpointCounters counters;
    private final long ownMac;
    private final int ownIp;
    private final byte[] frame = new byte[EthernetFrame.MAX_LENGTH];
    private int identification;

    Ipv4Output(VirtualNic nic, ArpCache arp, EndpointCounters counters) {
        this.nic = nic;
        this.arp = arp;
        this.counters = counters;
        this.ownMac = nic.mac().bits();
        this.ownIp = nic.ipv4();
    }

    /** The scratch frame; the transport header goes at {@link Ipv4Header#PAYLOAD}. */
    byte[] frame() {
        return frame;
    }

    int ownIp() {
        return ownIp;
    }

    /**
     * Sends the scratch frame's {@code payloadLength} transport bytes (checksum
     * already written) to {@code destination}.
     *
     * @return false (counted) if the NIC's queue was full or ARP could hold no more
     */
    boolean send(int protocol, int destination, int payloadLength, long nowNs) {
        byte[] f = frame;
        Ipv4Header.write(f, protocol, ownIp, destination, payloadLength, identification++ & 0xFFFF);
        ArpCache.writeMac(f, EthernetFrame.SOURCE_MAC_OFFSET, ownMac);
        Ipv4Header.put16(f, EthernetFrame.ETHERTYPE_OFFSET, EthernetFrame.ETHERTYPE_IPV4);
        int length = Ipv4Header.PAYLOAD + payloadLength;
        if (length < MIN_FRAME) {
            Arrays.fill(f, length, MIN_FRAME, (byte) 0);
            length = MIN_FRAME;
        }
        long mac = arp.lookup(destination, nowNs);
        if (mac < 0) {
            return arp.hold(destination, Arrays.copyOf(f, length), nowNs);
        }
        ArpCache.writeMac(f, EthernetFrame.DESTINATION_MAC_OFFSET, mac);
        if (nic.send(f, length) < 0) {
            counters.increment(EndpointCounter.TX_QUEUE_FULL);
            return false;
        }
        return true;
    }

    /** The checksum of the transport bytes in the scratch frame with their pseudo-header. */
    int transportChecksum(int protocol, int destination, int payloadLength) {
        int sum = Checksum.pseudoHeader(ownIp, destination, protocol, payloadLength);
        return Checksum.finish(Checksum.add(sum, frame, Ipv4Header.PAYLOAD, payloadLength));
    }
}
