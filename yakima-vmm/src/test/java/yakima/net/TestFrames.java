package yakima.net;

/** Builds the frames the tests send: IPv4 (UDP) and ARP, every byte chosen on purpose. */
final class TestFrames {
    private TestFrames() {
    }

    /** An IPv4/UDP frame of {@code length} bytes, payload bytes numbered from {@code seed}. */
    static byte[] ipv4(MacAddress destination, MacAddress source, int sourceIp, int destinationIp, int length, int seed) {
        byte[] frame = new byte[length];
        destination.writeTo(frame, EthernetFrame.DESTINATION_MAC_OFFSET);
        source.writeTo(frame, EthernetFrame.SOURCE_MAC_OFFSET);
        frame[12] = 0x08;
        frame[13] = 0x00;
        frame[14] = 0x45;                                 // version 4, 20-byte header
        int ipLength = length - EthernetFrame.HEADER_LENGTH;
        frame[16] = (byte) (ipLength >>> 8);
        frame[17] = (byte) ipLength;
        frame[22] = 64;                                   // TTL
        frame[23] = 17;                                   // UDP
        Ipv4Address.writeTo(frame, EthernetFrame.IPV4_SOURCE_OFFSET, sourceIp);
        Ipv4Address.writeTo(frame, EthernetFrame.IPV4_DESTINATION_OFFSET, destinationIp);
        for (int i = EthernetFrame.IPV4_MIN_LENGTH; i < length; i++) {
            frame[i] = (byte) (seed + i);
        }
        return frame;
    }

    static byte[] ipv4(VirtualNic from, VirtualNic to, int length, int seed) {
        return ipv4(to.mac(), from.mac(), from.ipv4(), to.ipv4(), length, seed);
    }

    /**
     * An IPv4/UDP broadcast ({@code ff:ff:ff:ff:ff:ff}, to 255.255.255.255) of
     * {@code length} bytes: a broadcast that is not an ARP request, so the switch
     * copies it to every other port.
     */
    static byte[] ipv4Broadcast(VirtualNic from, int length, int seed) {
        return ipv4(MacAddress.BROADCAST, from.mac(), from.ipv4(), 0xFFFF_FFFF, length, seed);
    }

    /** An ARP frame for IPv4 over Ethernet, 42 bytes. */
    static byte[] arp(MacAddress destination, int operation, MacAddress senderMac, int senderIp,
                      MacAddress targetMac, int targetIp) {
        byte[] frame = new byte[EthernetFrame.ARP_LENGTH];
        destination.writeTo(frame, EthernetFrame.DESTINATION_MAC_OFFSET);
        senderMac.writeTo(frame, EthernetFrame.SOURCE_MAC_OFFSET);
        frame[12] = 0x08;
        frame[13] = 0x06;
        frame[15] = 1;                                    // hardware type Ethernet
        frame[16] = 0x08;                                 // protocol type IPv4
        frame[18] = 6;
        frame[19] = 4;
        frame[21] = (byte) operation;
        senderMac.writeTo(frame, EthernetFrame.ARP_SENDER_MAC_OFFSET);
        Ipv4Address.writeTo(frame, EthernetFrame.ARP_SENDER_IP_OFFSET, senderIp);
        targetMac.writeTo(frame, EthernetFrame.ARP_TARGET_MAC_OFFSET);
        Ipv4Address.writeTo(frame, EthernetFrame.ARP_TARGET_IP_OFFSET, targetIp);
        return frame;
    }

    /** "Who has {@code targetIp}? Tell {@code from}", broadcast. */
    static byte[] arpRequest(VirtualNic from, int targetIp) {
        return arp(MacAddress.BROADCAST, EthernetFrame.ARP_REQUEST, from.mac(), from.ipv4(),
            new MacAddress(0), targetIp);
    }

    static byte[] arpReply(VirtualNic from, VirtualNic to) {
        return arp(to.mac(), EthernetFrame.ARP_REPLY, from.mac(), from.ipv4(), to.mac(), to.ipv4());
    }
}
