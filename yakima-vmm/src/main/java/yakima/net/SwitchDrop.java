package yakima.net;

/**
 * Why the virtual switch dropped a frame; {@link VirtualSwitch#dropped} counts
 * each cause. A frame is counted once, under the first check it fails. The
 * checks run in this order: length, ethertype, the IPv4 or ARP header, source
 * MAC, source IP, destination, injected faults, room in the RX queue.
 */
public enum SwitchDrop {
    /**
     * Shorter than 14 or longer than 1514 bytes; or an IPv4 frame too short for
     * a 20-byte header or not IP version 4; or an ARP frame that is not the
     * 42-byte IPv4-over-Ethernet kind. The switch cannot check such a frame's
     * addresses, so it does not forward it.
     */
    MALFORMED,
    /** The source MAC (or an ARP sender MAC) is not the sending port's own MAC. */
    SPOOFED_SOURCE_MAC,
    /** An IPv4 source address or an ARP sender IP is not the sending port's own IP. */
    SPOOFED_SOURCE_IP,
    /**
     * Neither IPv4 (0x0800) nor ARP (0x0806). The LAN carries only those two, so
     * that no frame can slip past the IP check inside another protocol or a
     * VLAN tag.
     */
    UNSUPPORTED_ETHERTYPE,
    /** No attached port has the destination MAC (this includes multicast groups other than broadcast). */
    UNKNOWN_DESTINATION,
    /** The destination MAC is the sender's own: a switch never sends a frame back out of the port it came in by. */
    SENT_TO_SELF,
    /**
     * The destination's RX queue was full. Counted once per unicast frame, and
     * once per port a broadcast could not be queued for.
     */
    RX_QUEUE_FULL,
    /**
     * Dropped on purpose by the switch's fault injection ({@link LanFaults}).
     * Counted once per unicast frame, and once per port a broadcast was dropped for.
     */
    FAULT_INJECTED
}
