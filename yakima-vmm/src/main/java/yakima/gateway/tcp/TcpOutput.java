package yakima.gateway.tcp;

import yakima.gateway.tcp.GuestConnection.State;
import yakima.gateway.tcp.GuestConnection.TimerMode;
import yakima.net.Ipv4Address;

/**
 * TCP output: builds segments in {@link Ipv4Output}'s scratch frame and sends
 * them. {@link #output} sends whatever the state, the windows and the send
 * buffer allow, then an ACK if one is owed and nothing carried it.
 *
 * <ul>
 *   <li>Every segment after the SYN carries the ACK and the window of the
 *       moment, so a pending ACK or window update rides on data.</li>
 *   <li>How much may be in flight: {@code min(snd_wnd, cwnd)} (RFC 5681).
 *       Segments are at most the guest's MSS. No Nagle: a segment goes as soon
 *       as the window allows; sender silly-window avoidance (RFC 9293
 *       3.8.6.2.1) only holds back a short segment that neither ends the
 *       queued data nor is half the guest's largest window while earlier
 *       data is still unacknowledged (the ACK will release it).</li>
 *   <li>The receive window offered: what the application has not consumed is
 *       subtracted; the right edge moves only by at least
 *       {@link GuestConnection#windowStep} and never back (3.8.6.2.2).</li>
 *   <li>The FIN goes with (or after) the last queued byte.</li>
 *   <li>A zero send window with data waiting and nothing in flight arms the
 *       persist timer ({@link TcpTimers}).</li>
 * </ul>
 * Never calls a handler. Owner thread only.
 */
final class TcpOutput {
    /** The MSS the endpoint offers: a 1500-byte MTU less 40 bytes of headers. */
    static final int OWN_MSS = 1460;
    /** The guest's MSS when its SYN-ACK carries no option (RFC 9293 3.7.1). */
    static final int DEFAULT_MSS = 536;

    private final GatewayEndpoint ep;
    private final Ipv4Output ip;
    private final EndpointCounters counters;

    TcpOutput(GatewayEndpoint ep, Ipv4Output ip, EndpointCounters counters) {
        this.ep = ep;
        this.ip = ip;
        this.counters = counters;
    }

    /** Sends what the connection may send now, and an owed ACK. */
    void output(GuestConnection c) {
        if (c.state == State.SYN_SENT || c.state == State.CLOSED) {
            return;
        }
        while (true) {
            int off = c.sndNxt - c.sbSeq;
            int avail = Math.max(0, c.sendBuffer.length() - off);
            int usable = c.sndUna + Math.min(c.sndWnd, c.cwnd) - c.sndNxt;
            int n = Math.min(avail, c.mss);
            if (n > usable) {
                n = Math.max(usable, 0);
            }
            if (n > 0 && n < c.mss && n < avail && n < c.maxSndWnd / 2 && c.sndUna != c.sndMax) {
                n = 0; // a runt: wait for the ACK of what is in flight
            }
            boolean fin = c.finQueued && c.sndNxt + n == c.finSeq;
            if (n == 0 && !fin) {
                break;
            }
            sendData(c, c.sndNxt, off, n, fin);
            c.sndNxt += n + (fin ? 1 : 0);
            if (TcpSegment.gt(c.sndNxt, c.sndMax)) {
                c.sndMax = c.sndNxt;
            }
            if (c.timerMode != TimerMode.RETRANSMIT && c.timerMode != TimerMode.PERSIST) {
                ep.timers().armRetransmit(c);
            }
        }
        if (c.ackNow) {
            sendAck(c);
        }
        if (c.sndWnd == 0 && c.sndUna == c.sndMax && c.hasUnsent() && c.timerMode == TimerMode.NONE) {
            ep.timers().armPersist(c);
        }
    }

    /** One segment of {@code n} buffered bytes from {@code seq} ({@code off} bytes into the buffer), FIN if asked. */
    private void sendData(GuestConnection c, int seq, int off, int n, boolean fin) {
        if (TcpSegment.lt(seq, c.sndMax)) {
            counters.increment(EndpointCounter.RETRANSMITS);
        } else if (!c.timing && n > 0) {
            c.timing = true;
            c.timingSeq = seq;
            c.timingStartNs = ep.nowNs();
        }
        int flags = TcpSegment.ACK | (n > 0 ? TcpSegment.PSH : 0) | (fin ? TcpSegment.FIN : 0);
        segment(c, seq, flags, off, n, false);
    }

    /** Resends the first unacknowledged segment (fast retransmit, NewReno partial ACK). */
    void retransmitFirst(GuestConnection c) {
        int off = c.sndUna - c.sbSeq;
        int n = Math.max(0, Math.min(c.sendBuffer.length() - off, c.mss));
        boolean fin = c.finQueued && c.sndUna + n == c.finSeq;
        if (n == 0 && !fin) {
            return;
        }
        counters.increment(EndpointCounter.RETRANSMITS);
        counters.increment(EndpointCounter.FAST_RETRANSMITS);
        segment(c, c.sndUna, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | (n > 0 ? TcpSegment.PSH : 0), off, n, false);
    }

    /**
     * A zero-window probe (RFC 9293 3.8.6.1): a bare ACK with sequence number
     * snd_una - 1, a byte the guest has already, which it must answer with an ACK
     * that carries its window. Unlike a probe holding the next byte it moves no
     * sequence number, so neither side ever sends from beyond the other's window
     * (two stacks that answer such segments with an ACK would ping-pong).
     */
    void probe(GuestConnection c) {
        counters.increment(EndpointCounter.PERSIST_PROBES);
        segment(c, c.sndUna - 1, TcpSegment.ACK, 0, 0, false);
    }

    /** The SYN, with our MSS option. */
    void sendSyn(GuestConnection c) {
        segment(c, c.iss, TcpSegment.SYN, 0, 0, true);
    }

    /** A bare ACK with the current window. */
    void sendAck(GuestConnection c) {
        segment(c, c.sndNxt, TcpSegment.ACK, 0, 0, false);
    }

    /** A RST for a connection the gateway gives up (abort, timeout). */
    void sendRst(GuestConnection c) {
        if (c.state == State.SYN_SENT) {
            return; // the guest holds no state we know of (a SYN_RCVD child is reset by its own timers or by our RST to its SYN-ACK)
        }
        segment(c, c.sndNxt, TcpSegment.RST | TcpSegment.ACK, 0, 0, false);
    }

    /**
     * RFC 9293 3.10.7.1: the answer to a segment for no connection (never to a RST):
     * {@code <SEQ=SEG.ACK><CTL=RST>} if it had an ACK, else
     * {@code <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>}.
     */
    void resetReply(TcpSegment s) {
        byte[] f = ip.frame();
        int seq;
        int ack;
        int flags;
        if (s.has(TcpSegment.ACK)) {
            seq = s.ack;
            ack = 0;
            flags = TcpSegment.RST;
        } else {
            seq = 0;
            ack = s.seq + s.sequenceLength();
            flags = TcpSegment.RST | TcpSegment.ACK;
        }
        int h = Ipv4Header.PAYLOAD;
        writeHeader(f, h, s.destinationPort, s.sourcePort, seq, ack, flags, 0, TcpSegment.HEADER_LENGTH);
        finishAndSend(s.sourceIp, TcpSegment.HEADER_LENGTH);
    }

    /** Builds and sends one segment of connection {@code c}. */
    private void segment(GuestConnection c, int seq, int flags, int bufferOffset, int n, boolean mssOption) {
        byte[] f = ip.frame();
        int h = Ipv4Header.PAYLOAD;
        int headerLength = TcpSegment.HEADER_LENGTH + (mssOption ? TcpSegment.OPTION_MSS_LENGTH : 0);
        int window;
        int ack = 0;
        if ((flags & TcpSegment.ACK) != 0) {
            ack = c.rcvNxt;
            window = advertise(c);
            c.ackNow = false;
        } else {
            window = Math.min(ep.config().receiveWindowBytes(), 0xFFFF);
        }
        writeHeader(f, h, c.localPort, c.guestPort, seq, ack, flags, window, headerLength);
        if (mssOption) {
            f[h + TcpSegment.HEADER_LENGTH] = TcpSegment.OPTION_MSS;
            f[h + TcpSegment.HEADER_LENGTH + 1] = TcpSegment.OPTION_MSS_LENGTH;
            Ipv4Header.put16(f, h + TcpSegment.HEADER_LENGTH + 2, OWN_MSS);
        }
        if (n > 0) {
            c.sendBuffer.read(bufferOffset, f, h + headerLength, n);
        }
        finishAndSend(c.guestIp, headerLength + n);
    }

    /** The window to put in a segment, moving the advertised right edge as RFC 9293 3.8.6.2.2 allows. */
    private static int advertise(GuestConnection c) {
        if (TcpSegment.lt(c.rcvAdv, c.rcvNxt)) {
            c.rcvAdv = c.rcvNxt;
        }
        int edge = c.rcvNxt + c.receiveSpace();
        if (TcpSegment.gt(edge, c.rcvAdv) && edge - c.rcvAdv >= c.windowStep()) {
            c.rcvAdv = edge;
        }
        return Math.min(c.rcvAdv - c.rcvNxt, 0xFFFF);
    }

    private static void writeHeader(byte[] f, int h, int sourcePort, int destinationPort, int seq, int ack, int flags,
            int window, int headerLength) {
        Ipv4Header.put16(f, h + TcpSegment.SOURCE_PORT, sourcePort);
        Ipv4Header.put16(f, h + TcpSegment.DESTINATION_PORT, destinationPort);
        Ipv4Address.writeTo(f, h + TcpSegment.SEQUENCE, seq);
        Ipv4Address.writeTo(f, h + TcpSegment.ACKNOWLEDGMENT, ack);
        f[h + TcpSegment.DATA_OFFSET] = (byte) ((headerLength / 4) << 4);
        f[h + TcpSegment.FLAGS] = (byte) flags;
        Ipv4Header.put16(f, h + TcpSegment.WINDOW, window);
        Ipv4Header.put16(f, h + TcpSegment.CHECKSUM, 0);
        Ipv4Header.put16(f, h + TcpSegment.URGENT, 0);
    }

    private void finishAndSend(int destination, int tcpLength) {
        byte[] f = ip.frame();
        int sum = ip.transportChecksum(Ipv4Header.PROTOCOL_TCP, destination, tcpLength);
        Ipv4Header.put16(f, Ipv4Header.PAYLOAD + TcpSegment.CHECKSUM, sum);
        counters.increment(EndpointCounter.SEGMENTS_SENT);
        ip.send(Ipv4Header.PROTOCOL_TCP, destination, tcpLength, ep.nowNs());
    }
}
