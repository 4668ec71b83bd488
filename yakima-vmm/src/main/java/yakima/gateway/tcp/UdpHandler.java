package yakima.gateway.tcp;

/** Hears the datagrams guests send to one of the gateway's UDP ports; owner thread only. */
@FunctionalInterface
public interface UdpHandler {
    /** A datagram from {@code guestIp:guestPort}; the array is reused after the call: copy what you keep. */
    void received(int guestIp, int guestPort, byte[] data, int offset, int length);
}
