package yakima.net;

/**
 * Where the switch sends frames for an address no attached port holds: the
 * host, which knows whether the address belongs to a VM that is swapped out
 * (its NIC left the LAN with it) and can keep the frame for it while it is
 * brought back.
 *
 * <p>Called on the switch thread, under the switch's lock, like an
 * {@link RxListener}: it must not block, and must not call back into the
 * switch's attach, detach or pump.
 */
@FunctionalInterface
public interface AbsentPorts {
    /**
     * A frame nobody attached would receive: a unicast frame for
     * {@code destinationMac}, or a broadcast ARP request asking for
     * {@code arpTargetIp} (then {@code destinationMac} is the broadcast
     * address). The array is read-only and may be kept.
     *
     * @return true if the frame was taken (the switch counts it as held for
     *         an absent port); false to let the switch drop it as unknown
     */
    boolean take(long destinationMac, int arpTargetIp, byte[] frame);
}
