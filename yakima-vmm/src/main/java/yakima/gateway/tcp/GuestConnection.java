package yakima.gateway.tcp;

import java.util.Objects;

import yakima.net.Ipv4Address;

/**
 * One TCP connection from the gateway to a guest service, opened by
 * {@link GatewayEndpoint#connect}. The gateway is the active opener; the guest
 * is the server.
 *
 * <p>Owner thread only (the thread that owns the {@link GatewayEndpoint}),
 * including every {@link Handler} callback, which runs on that thread from
 * inside {@link GatewayEndpoint#receive} or {@link GatewayEndpoint#runTimers}
 * (or, for {@link Handler#closed} after {@link #abort}, from inside that call).
 * {@link #send}, {@link #consumed} and {@link #close} never call a handler:
 * they queue, and may send frames at once.
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
 *
 * <h2>States (RFC 9293 3.3.2, active open only)</h2>
 * <pre>
 *  connect() ──SYN──▶ SYN_SENT ──SYN-ACK / ACK──▶ ESTABLISHED
 *     SYN_SENT: RST ▶ CLOSED (REFUSED); no answer by synTimeoutNs ▶ CLOSED (TIMEOUT);
 *               close() waits for the handshake, then acts as below
 *  gateway closes first:
 *     ESTABLISHED ──close() / FIN──▶ FIN_WAIT_1 ──ACK of FIN──▶ FIN_WAIT_2 ──FIN / ACK──▶ TIME_WAIT
 *     FIN_WAIT_1 ──FIN / ACK──▶ CLOSING ──ACK of FIN──▶ TIME_WAIT   (both at once)
 *     FIN_WAIT_1 ──FIN+ACK of our FIN──▶ TIME_WAIT
 *     TIME_WAIT ──timeWaitNs──▶ CLOSED (freed; closed(DONE) was called on entering TIME_WAIT)
 *  guest closes first:
 *     ESTABLISHED ──FIN / ACK, peerClosed()──▶ CLOSE_WAIT ──close() / FIN──▶ LAST_ACK ──ACK of FIN──▶ CLOSED (DONE)
 *  any state: RST at rcv_nxt ▶ CLOSED (RESET; ignored in TIME_WAIT, RFC 1337);
 *             RST elsewhere in the window ▶ challenge ACK (RFC 5961);
 *             retransmissions give up ▶ CLOSED (TIMEOUT, a RST is sent);
 *             abort() ▶ RST, CLOSED (ABORTED)
 * </pre>
 * {@link Handler#closed} runs once, last: on CLOSED, or on entering TIME_WAIT
 * (nothing can happen to the application after that; the connection lingers
 * only to acknowledge a repeated FIN and to keep its port out of use).
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

    /** What the connection's one timer is doing. */
    enum TimerMode {
        NONE, SYN, RETRANSMIT, PERSIST, TIME_WAIT
    }

    // ---- identity ----
    final GatewayEndpoint endpoint;
    final Handler handler;
    final int guestIp;
    final int guestPort;
    final int localPort;
    final long key;
    State state = State.SYN_SENT;

    // ---- send sequence space (RFC 9293 3.3.1) ----
    int iss;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent (snd_nxt goes back to snd_una on a timeout). */
    int sndMax;
    int sndWnd;
    int maxSndWnd;
    int sndWl1;
    int sndWl2;
    /** The guest's MSS (its option, or 536), at most 1460. */
    int mss = TcpOutput.DEFAULT_MSS;
    final SendBuffer sendBuffer;
    /** Sequence number of the send buffer's oldest byte. */
    int sbSeq;
    /** close() was called: FIN follows the last byte queued, at {@link #finSeq}. */
    boolean finQueued;
    int finSeq;
    /** close() came in SYN_SENT: FIN once established. */
    boolean closeAfterConnect;
    /** send() was refused for lack of room: tell the application when room comes back. */
    boolean sendBlocked;

    // ---- congestion control (RFC 5681, RFC 6582) ----
    int cwnd;
    int ssthresh = Integer.MAX_VALUE;
    int recover;
    int dupAcks;
    boolean inRecovery;

    // ---- round-trip time (RFC 6298) ----
    long srttNs;
    long rttvarNs;
    long rtoNs = TcpTimers.INITIAL_RTO_NS;
    boolean timing;
    int timingSeq;
    long timingStartNs;
    /** Consecutive timeouts (or unanswered probes, or SYN retransmissions). */
    int retries;
    /** Zero-window probes since the window closed (their interval doubles). */
    int probes;
    long connectedAtNs;

    // ---- receive sequence space ----
    int irs;
    int rcvNxt;
    /** Right edge of the window last advertised. */
    int rcvAdv;
    /** Bytes handed to {@link Handler#received} and not yet {@link #consumed}. */
    int unconsumed;
    final ReceiveReassembly reassembly = new ReceiveReassembly();
    boolean finReceived;
    /** The guest's FIN arrived before data in front of it; it takes effect at {@link #peerFinSeq}. */
    boolean peerFinPending;
    int peerFinSeq;

    // ---- bookkeeping ----
    boolean ackNow;
    boolean outputQueued;
    boolean closedReported;
    TimerMode timerMode = TimerMode.NONE;
    final TimerQueue.Timer timer;

    GuestConnection(GatewayEndpoint endpoint, Handler handler, int guestIp, int guestPort, int localPort, int sendBufferBytes) {
        this.endpoint = endpoint;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.guestIp = guestIp;
        this.guestPort = guestPort;
        this.localPort = localPort;
        this.key = GatewayEndpoint.key(guestIp, guestPort, localPort);
        this.sendBuffer = new SendBuffer(sendBufferBytes);
        this.timer = new TimerQueue.Timer() {
            @Override
            void fire(long nowNs) {
                endpoint.timers().fire(GuestConnection.this, nowNs);
            }
        };
    }

    /** Copies up to {@link #sendSpace} bytes into the send buffer. @return bytes taken */
    public int send(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        int space = sendSpace();
        int n = Math.min(space, length);
        if (n < length) {
            sendBlocked = true;
        }
        if (n <= 0) {
            return 0;
        }
        sendBuffer.write(data, offset, n);
        if (sendBuffer.space() == 0) {
            sendBlocked = true;
        }
        endpoint.requestOutput(this);
        return n;
    }

    /** Bytes {@link #send} would take now (0 after {@link #close} or once closed). */
    public int sendSpace() {
        if (finQueued || closeAfterConnect || state == State.CLOSED || state == State.TIME_WAIT
                || state == State.LAST_ACK || state == State.CLOSING) {
            return 0;
        }
        return sendBuffer.space();
    }

    /**
     * The application has passed on {@code bytes} received bytes: the receive window opens by that much.
     * When the window offered had become small (less than half of what it can now be) and can grow by at
     * least a segment, a window update goes out (now, or at the end of the current receive batch).
     */
    public void consumed(int bytes) {
        if (bytes <= 0 || state == State.CLOSED) {
            return;
        }
        unconsumed -= Math.min(bytes, unconsumed);
        if (finReceived || state == State.SYN_SENT) {
            return;
        }
        // Worth an ACK of its own when the right edge can move by a step and the window
        // offered now is less than half what it would become (it had become small).
        int edge = rcvNxt + receiveSpace();
        int offered = Math.max(rcvAdv - rcvNxt, 0);
        if (TcpSegment.gt(edge, rcvAdv) && edge - rcvAdv >= windowStep() && 2 * offered <= edge - rcvNxt) {
            ackNow = true;
            endpoint.countWindowUpdate();
            endpoint.requestOutput(this);
        }
    }

    /** Sends FIN after everything queued (half-close: bytes from the guest still arrive). */
    public void close() {
        switch (state) {
            case SYN_SENT -> closeAfterConnect = true;
            case ESTABLISHED -> {
                queueFin();
                state = State.FIN_WAIT_1;
                endpoint.requestOutput(this);
            }
            case CLOSE_WAIT -> {
                queueFin();
                state = State.LAST_ACK;
                endpoint.requestOutput(this);
            }
            default -> {
                // FIN already queued or the connection is going or gone
            }
        }
    }

    void queueFin() {
        finQueued = true;
        finSeq = sbSeq + sendBuffer.length();
    }

    /** Sends RST and forgets the connection; {@link Handler#closed} with ABORTED runs before this returns. */
    public void abort() {
        if (state == State.CLOSED) {
            return;
        }
        if (state != State.TIME_WAIT) {
            endpoint.output().sendRst(this);
        }
        endpoint.terminate(this, CloseReason.ABORTED);
    }

    public State state() {
        return state;
    }

    public int guestIp() {
        return guestIp;
    }

    public int guestPort() {
        return guestPort;
    }

    public int localPort() {
        return localPort;
    }

    /** Bytes queued for the guest and not yet acknowledged by it. */
    public int unacknowledged() {
        return sendBuffer.length();
    }

    /** Bytes passed to {@link Handler#received} and not yet {@link #consumed}. */
    public int unconsumed() {
        return unconsumed;
    }

    // ---- windows ----

    /** Room for more bytes from the guest: the configured window less what the application still holds. */
    int receiveSpace() {
        return Math.max(0, endpoint.config().receiveWindowBytes() - unconsumed);
    }

    /** How far the window's right edge must be able to move before it is worth advertising (RFC 9293 3.8.6.2.2). */
    int windowStep() {
        return Math.min(TcpOutput.OWN_MSS, endpoint.config().receiveWindowBytes() / 2);
    }

    /** Bytes queued (or FIN) not yet sent. */
    boolean hasUnsent() {
        return sendBuffer.length() - (sndNxt - sbSeq) > 0 || (finQueued && TcpSegment.leq(sndNxt, finSeq));
    }

    boolean finAcked() {
        return finQueued && TcpSegment.gt(sndUna, finSeq);
    }

    @Override
    public String toString() {
        return "GuestConnection[" + localPort + " -> " + Ipv4Address.format(guestIp) + ":" + guestPort + " " + state + "]";
    }
}
