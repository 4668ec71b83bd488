package yakima.gateway.tcp;

/**
 * One TCP connection from the gateway to a guest service, opened by
 * {@link GatewayEndpoint#connect}. The gateway is the active opener; the guest
 * is the server.
 *
 * <p>Owner thread only (the thread that owns the {@link GatewayEndpoint}),
 * including every {@link Handler} callback, which runs on that thread from
 * inside {@link GatewayEndpoint#receive} or {@link GatewayEndpoint#runTimers}
 * (or, for {@link Handler#closed} after {@link #abort}, from inside that call).
 *
 * <h2>Back-pressure</h2>
 * <ul>
 *   <li>Toward the guest: {@link #send} takes at most {@link #sendSpace} bytes
 *       into a bounded send buffer; the guest's window and congestion control
 *       decide when they leave. When the buffer had been full and gains room,
 *       {@link Handler#sendSpace} is called.</li>
 *   <li>From the guest: bytes passed to {@link Handler#received} count against
 *       the receive window until the application calls {@link #consumed} for
 *       them; so an application that cannot pass bytes on (its host socket is
 *       not writable) simply does not call it, and the guest's window closes.</li>
 * </ul>
 */
public final class GuestConnection {
    /** What a connection's application hears, on the owner thread. */
    public interface Handler {
        /** The handshake completed: {@link #send} may be called (it may also be called before, to queue data). */
        void connected(GuestConnection connection);

        /**
         * In-order bytes from the guest. They stay counted in the receive
         * window until {@link #consumed}. The array is the endpoint's and is
         * reused after the call returns: copy what you keep.
         */
        void received(GuestConnection connection, byte[] data, int offset, int length);

        /** The send buffer had been full and now has room. */
        void sendSpace(GuestConnection connection);

        /** The guest sent FIN: no more bytes will come. The gateway may still send. */
        void peerClosed(GuestConnection connection);

        /** The connection is gone (called once, last); {@code reason} says how. */
        void closed(GuestConnection connection, CloseReason reason);
    }

    /** How a connection ended. */
    public enum CloseReason {
        /** Both sides sent FIN and all data was acknowledged. */
        DONE,
        /** The guest answered the SYN with RST: nothing listens on that port. */
        REFUSED,
        /** The guest reset an established connection. */
        RESET,
        /** The SYN was never answered, or retransmissions gave up. */
        TIMEOUT,
        /** The gateway aborted it ({@link #abort}). */
        ABORTED
    }

    /** RFC 9293 states as the gateway sees them. */
    public enum State {
        SYN_SENT, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK, CLOSED
    }

    GuestConnection() {
    }

    /** Copies up to {@link #sendSpace} bytes into the send buffer. @return bytes taken */
    public int send(byte[] data, int offset, int length) {
        throw new UnsupportedOperationException("being written");
    }

    /** Bytes {@link #send} would take now (0 after {@link #close} or once closed). */
    public int sendSpace() {
        throw new UnsupportedOperationException("being written");
    }

    /** The application has passed on {@code bytes} received bytes: the receive window opens by that much. */
    public void consumed(int bytes) {
        throw new UnsupportedOperationException("being written");
    }

    /** Sends FIN after everything queued (half-close: bytes from the guest still arrive). */
    public void close() {
        throw new UnsupportedOperationException("being written");
    }

    /** Sends RST and forgets the connection; {@link Handler#closed} with ABORTED runs before this returns. */
    public void abort() {
        throw new UnsupportedOperationException("being written");
    }

    public State state() {
        throw new UnsupportedOperationException("being written");
    }

    public int guestIp() {
        throw new UnsupportedOperationException("being written");
    }

    public int guestPort() {
        throw new UnsupportedOperationException("being written");
    }

    public int localPort() {
        throw new UnsupportedOperationException("being written");
    }

    /** Bytes queued for the guest and not yet acknowledged by it. */
    public int unacknowledged() {
        throw new UnsupportedOperationException("being written");
    }
}
