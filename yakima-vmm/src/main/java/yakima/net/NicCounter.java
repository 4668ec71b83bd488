package yakima.net;

/**
 * The counters of one {@link VirtualNic}, read with {@link VirtualNic#counter}.
 * TX is from the guest toward the LAN, RX from the LAN toward the guest. Each
 * constant names the only thread that writes it.
 */
public enum NicCounter {
    /** Frames the owner queued for the switch. Owner thread. */
    TX_FRAMES,
    /** Bytes of those frames. Owner thread. */
    TX_BYTES,
    /** Frames refused because the TX queue was full ({@code send} returned -EAGAIN). Owner thread. */
    TX_DROPPED_FULL,
    /** Frames refused for a length outside 14..1514 bytes ({@code send} returned -EINVAL). Owner thread. */
    TX_REJECTED_BAD_LENGTH,
    /**
     * Frames this NIC sent that the switch refused: spoofed, malformed, of an
     * unsupported ethertype, or for a destination it does not know. The switch's
     * {@link SwitchDrop} counters say which. Switch thread.
     */
    TX_REFUSED_BY_SWITCH,
    /** Frames handed to the owner by {@code receive}. Owner thread. */
    RX_FRAMES,
    /** Bytes of those frames. Owner thread. */
    RX_BYTES,
    /** Frames for this NIC the switch dropped because the RX queue was full. Switch thread. */
    RX_DROPPED_FULL
}
