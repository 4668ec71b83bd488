package yakima.net;

import static yakima.net.EthernetFrame.ARP_LENGTH;
import static yakima.net.EthernetFrame.ETHERTYPE_ARP;
import static yakima.net.EthernetFrame.ETHERTYPE_IPV4;
import static yakima.net.EthernetFrame.IPV4_MIN_LENGTH;
import static yakima.net.EthernetFrame.MAX_LENGTH;
import static yakima.net.EthernetFrame.MIN_LENGTH;

/**
 * The switch's checks on a frame entering from a port, before it looks at the
 * destination: is the frame well formed, and does it really come from that port?
 * A port may send only from its own MAC and IPv4 address, so no VM can pose as
 * another or poison the LAN's ARP caches with someone else's address.
 *
 * <p>A pure function of the port's addresses and the bytes; any thread.
 */
final class IngressCheck {
    private IngressCheck() {
    }

    /**
     * The first check {@code frame} fails, in this order: length
     * ({@link SwitchDrop#MALFORMED}), ethertype, the IPv4 or ARP header, source
     * MAC, source IP; or null when the frame may be forwarded.
     */
    static SwitchDrop check(VirtualNic from, byte[] frame) {
        int length = frame.length;
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            return SwitchDrop.MALFORMED;
        }
        int etherType = EthernetFrame.etherType(frame);
        if (etherType == ETHERTYPE_IPV4) {
            if (length < IPV4_MIN_LENGTH || EthernetFrame.ipv4Version(frame) != 4) {
                return SwitchDrop.MALFORMED;
            }
            if (EthernetFrame.sourceMac(frame) != from.macBits()) {
                return SwitchDrop.SPOOFED_SOURCE_MAC;
            }
            return EthernetFrame.ipv4Source(frame) == from.ipv4() ? null : SwitchDrop.SPOOFED_SOURCE_IP;
        }
        if (etherType == ETHERTYPE_ARP) {
            if (length < ARP_LENGTH || !EthernetFrame.isArpIpv4OverEthernet(frame)) {
                return SwitchDrop.MALFORMED;
            }
            if (EthernetFrame.sourceMac(frame) != from.macBits() || EthernetFrame.arpSenderMac(frame) != from.macBits()) {
                return SwitchDrop.SPOOFED_SOURCE_MAC;
            }
            return EthernetFrame.arpSenderIp(frame) == from.ipv4() ? null : SwitchDrop.SPOOFED_SOURCE_IP;
        }
        return SwitchDrop.UNSUPPORTED_ETHERTYPE;
    }
}
