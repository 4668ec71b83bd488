package yakima.net;

/**
 * Sees every frame the virtual switch forwards, once per frame (a broadcast
 * once, not once per receiving port). {@link PcapTap} is one.
 *
 * <p>Called on the switch thread. It must not block and must not write to the
 * frame, whose array the receivers share.
 */
@FunctionalInterface
public interface FrameTap {
    void frameForwarded(byte[] frame);
}
