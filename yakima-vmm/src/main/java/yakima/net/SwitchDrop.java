package yakima.net;

/**
 * Why the virtual switch dropped a frame; {@link VirtualSwitch#dropped} counts
 * each cause. A frame is counted once, under the first check it fails. The
 * checks run in this order: length, ethertype, the IPv4 or ARP header, source
 * MAC, source IP, destination (for a broadcast ARP request: the port holding
 * its target IP), injected faults, room in the RX queue.
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
    /**
     * The destination MAC is the sender's own, or a broadcast ARP request asks
     * for the sender's own IPv4 address (a gratuitous ARP: the switch delivers a
     * request only to the port holding its target, here the sender): a switch
     * never sends a frame back out of the port it came in by.
     */
    SENT_TO_SELF,
    /**
     * A broadcast ARP request asks for an IPv4 address no attached port holds.
     * The switch delivers an ARP request only to the port with its target IP (so
     * a broadcast does not wake every port), and with no such port nobody would
     * answer. A request for the sender's own address counts as
     * {@link #SENT_TO_SELF} instead.
     */
    ARP_TARGET_UNKNOWN,
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
