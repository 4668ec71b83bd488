package yakima.gateway.tcp;

import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.GuestConnection.State;
import yakima.gateway.tcp.GuestConnection.TimerMode;

/**
 * TCP input (RFC 9293 3.10.7), for segments that passed the IPv4 checks and
 * the TCP checksum:
 *
 * <ul>
 *   <li>{@link #input}: find the connection by (guest IP, guest port, local
 *       port); none: answer with RST (never to a RST).</li>
 *   <li>{@link #synSentInput}: the SYN-ACK completes the handshake; a RST
 *       with an acceptable ACK is a refusal.</li>
 *   <li>{@link #connectionInput}, every other state, in the RFC's order: RST
 *       (RFC 5961: exact sequence number resets, in window earns a challenge
 *       ACK), trim to the receive window, SYN (challenge ACK), ACK (window,
 *       congestion control with NewReno fast retransmit, our FIN's fate),
 *       data (in order: delivered; out of order: held, and a duplicate ACK
 *       sent at once), FIN (also when it arrived before data ahead of it).</li>
 * </ul>
 *
 * After a segment the connection is queued for output, so every connection
 * that received something sends one ACK (or data carrying it) when the batch
 * ends ({@link GatewayEndpoint#receive}). Handlers are called from here; after
 * each call the connection may be gone (the handler may have aborted it), so
 * processing stops when it is CLOSED. Owner thread only.
 */
final class TcpInput {
    private final GatewayEndpoint ep;
    private final TcpOutput out;
    private final TcpTimers timers;
    private final EndpointCounters counters;
    private final TcpSegment s = new TcpSegment();
    /** In-order bytes are handed to the application from here (the frame itself is shared read-only). */
    private final byte[] deliver = new byte[Ipv4Header.MAX_PAYLOAD];

    TcpInput(GatewayEndpoint ep, TcpOutput out, TcpTimers timers, EndpointCounters counters) {
        this.ep = ep;
        this.out = out;
        this.timers = timers;
        this.counters = counters;
    }

    /** A TCP segment of {@code tcpLength} bytes at {@link Ipv4Header#PAYLOAD} of {@code f}, from {@code sourceIp}. */
    void input(byte[] f, int sourceIp, int tcpLength) {
        int sum = Checksum.pseudoHeader(sourceIp, ep.ownIp(), Ipv4Header.PROTOCOL_TCP, tcpLength);
        if (Checksum.finish(Checksum.add(sum, f, Ipv4Header.PAYLOAD, tcpLength)) != 0) {
            counters.increment(EndpointCounter.DROPPED_BAD_CHECKSUM);
            return;
        }
        if (!s.parse(f, Ipv4Header.PAYLOAD, tcpLength, sourceIp)) {
            counters.increment(EndpointCounter.DROPPED_MALFORMED);
            return;
        }
        counters.increment(EndpointCounter.SEGMENTS_RECEIVED);
        GuestConnection c = ep.lookup(GatewayEndpoint.key(sourceIp, s.sourcePort, s.destinationPort));
        if (c == null) {
            noConnection();
            return;
        }
        if (c.state == State.SYN_SENT) {
            synSentInput(c);
        } else {
            connectionInput(c);
        }
        if (c.state != State.CLOSED) {
            ep.queueOutput(c);
        }
    }

    private void noConnection() {
        if (s.has(TcpSegment.RST)) {
            counters.increment(EndpointCounter.DROPPED_RST_NO_CONNECTION);
            return;
        }
        counters.increment(EndpointCounter.RST_SENT_NO_CONNECTION);
        out.resetReply(s);
    }

    // ---- SYN_SENT (RFC 9293 3.10.7.3) ----

    private void synSentInput(GuestConnection c) {
        if (s.has(TcpSegment.ACK) && (TcpSegment.leq(s.ack, c.iss) || TcpSegment.gt(s.ack, c.sndMax))) {
            if (s.has(TcpSegment.RST)) {
                counters.increment(EndpointCounter.DROPPED_TCP_STATE);
            } else {
                counters.increment(EndpointCounter.RST_SENT_NO_CONNECTION);
                out.resetReply(s);
            }
            return;
        }
        if (s.has(TcpSegment.RST)) {
            if (s.has(TcpSegment.ACK)) {
                counters.increment(EndpointCounter.CONNECTIONS_RESET);
                ep.terminate(c, CloseReason.REFUSED);
            } else {
                counters.increment(EndpointCounter.DROPPED_TCP_STATE);
            }
            return;
        }
        if (!s.has(TcpSegment.SYN) || !s.has(TcpSegment.ACK)) {
            // no simultaneous open: the guests are servers
            counters.increment(EndpointCounter.DROPPED_TCP_STATE);
            return;
        }
        if (s.length > 0) {
            counters.increment(EndpointCounter.DROPPED_TCP_STATE); // data on a SYN: the guest sends it again
        }
        c.irs = s.seq;
        c.rcvNxt = s.seq + 1;
        c.rcvAdv = c.rcvNxt + c.receiveSpace();
        int peerMss = s.mss == 0 ? TcpOutput.DEFAULT_MSS : s.mss;
        c.mss = Math.max(64, Math.min(peerMss, TcpOutput.OWN_MSS));
        c.sndWnd = s.window;
        c.maxSndWnd = s.window;
        c.sndWl1 = s.seq;
        c.sndWl2 = s.ack;
        c.sndUna = s.ack;
        c.recover = s.ack;
        if (c.retries == 0) {
            timers.sample(c, ep.nowNs() - c.connectedAtNs); // Karn: only an unrepeated SYN is timed
        }
        c.retries = 0;
        timers.stop(c);
        // RFC 5681 3.1: IW = min(4 MSS, max(2 MSS, 4380)); one segment if the SYN was lost
        c.cwnd = c.rtoNs > TcpTimers.INITIAL_RTO_NS ? c.mss : Math.min(4 * c.mss, Math.max(2 * c.mss, 4380));
        c.state = State.ESTABLISHED;
        c.ackNow = true;
        counters.increment(EndpointCounter.CONNECTIONS_ESTABLISHED);
        if (c.closeAfterConnect) {
            c.closeAfterConnect = false;
            c.queueFin();
            c.state = State.FIN_WAIT_1;
        }
        c.handler.connected(c);
    }

    // ---- synchronized states ----

    private void connectionInput(GuestConnection c) {
        boolean hadFin = s.has(TcpSegment.FIN);
        if (s.has(TcpSegment.RST)) {
            rstInput(c);
            return;
        }
        if (!trim(c)) {
            return;
        }
        if (s.has(TcpSegment.SYN)) {
            challengeAck(c); // RFC 5961 4.2
            return;
        }
        if (!s.has(TcpSegment.ACK)) {
            counters.increment(EndpointCounter.DROPPED_TCP_STATE);
            return;
        }
        if (!ackInput(c)) {
            return;
        }
        if (s.length > 0) {
            switch (c.state) {
                case ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2 -> {
                    dataInput(c);
                    if (c.state == State.CLOSED) {
                        return;
                    }
                }
                default -> {
                    counters.increment(EndpointCounter.DROPPED_TCP_STATE); // after the guest's FIN
                    s.flags &= ~TcpSegment.FIN;
                }
            }
        }
        if (s.has(TcpSegment.FIN) && !c.finReceived) {
            int at = s.seq + s.length;
            if (at == c.rcvNxt) {
                finInput(c);
                return;
            }
            if (TcpSegment.gt(at, c.rcvNxt)) {
                c.peerFinPending = true; // it takes effect once the bytes before it arrive
                c.peerFinSeq = at;
            }
        } else if (hadFin && c.state == State.TIME_WAIT) {
            c.ackNow = true; // the guest's FIN again: our ACK was lost
            timers.armTimeWait(c);
        }
        if (c.peerFinPending && !c.finReceived && c.rcvNxt == c.peerFinSeq) {
            finInput(c);
        }
    }

    private void rstInput(GuestConnection c) {
        int wnd = Math.max(1, c.rcvAdv - c.rcvNxt);
        if (s.seq != c.rcvNxt) {
            if (TcpSegment.gt(s.seq, c.rcvNxt) && TcpSegment.lt(s.seq, c.rcvNxt + wnd)) {
                challengeAck(c);
            } else {
                counters.increment(EndpointCounter.DROPPED_OUT_OF_WINDOW);
            }
            return;
        }
        if (c.state == State.TIME_WAIT) {
            // RFC 1337: a RST does not end TIME_WAIT early (a late segment of ours can draw one from a guest
            // that has already forgotten the connection); the timer does
            counters.increment(EndpointCounter.DROPPED_TCP_STATE);
            return;
        }
        counters.increment(EndpointCounter.CONNECTIONS_RESET);
        ep.terminate(c, CloseReason.RESET);
    }

    private void challengeAck(GuestConnection c) {
        counters.increment(EndpointCounter.CHALLENGE_ACKS_SENT);
        out.sendAck(c);
    }

    /**
     * Cuts what lies outside the receive window (RFC 9293 3.10.7.4, first): what
     * was received already from the front (a duplicate owes an ACK), what lies
     * beyond the window from the back.
     *
     * @return false to drop the segment (after the ACK it owes, at the batch's end)
     */
    private boolean trim(GuestConnection c) {
        int wnd = Math.max(Math.max(c.rcvAdv - c.rcvNxt, 0), c.finReceived ? 0 : c.receiveSpace());
        int todrop = c.rcvNxt - s.seq;
        boolean oldSyn = false;
        if (todrop > 0) {
            if (s.has(TcpSegment.SYN)) {
                s.flags &= ~TcpSegment.SYN;
                s.seq++;
                todrop--;
                oldSyn = true;
            }
            if (todrop > s.length || (todrop == s.length && !s.has(TcpSegment.FIN))) {
                if (s.length > 0 || s.has(TcpSegment.FIN) || oldSyn) {
                    counters.increment(EndpointCounter.DROPPED_DUPLICATE);
                }
                if (todrop > s.length) {
                    s.flags &= ~TcpSegment.FIN;
                }
                c.ackNow = true;
                todrop = s.length;
            }
            s.dataOffset += todrop;
            s.length -= todrop;
            s.seq += todrop;
        }
        todrop = s.seq + s.length - (c.rcvNxt + wnd);
        if (todrop > 0 && s.length == 0 && (s.flags & (TcpSegment.SYN | TcpSegment.FIN)) == 0 && todrop == 1
                && wnd == 0) {
            // A bare ACK from one past a closed window: the guest (a BSD-style stack) advanced its snd_nxt over
            // the byte of a zero-window probe we dropped. Take its ACK and window; answering it with an ACK
            // would be answered in turn, for ever.
            return true;
        }
        if (todrop > 0) {
            if (todrop >= s.length) {
                c.ackNow = true;
                if (!(wnd == 0 && s.seq == c.rcvNxt)) {
                    counters.increment(EndpointCounter.DROPPED_OUT_OF_WINDOW);
                    return false;
                }
                if (s.length > 0) {
                    counters.increment(EndpointCounter.DROPPED_OUT_OF_WINDOW); // a probe's byte
                }
            }
            s.length -= Math.min(todrop, s.length);
            s.flags &= ~(TcpSegment.FIN | TcpSegment.PSH);
        }
        return true;
    }

    /** The ACK field (RFC 9293 3.10.7.4, fifth). @return false when the segment is done with (or the connection gone) */
    private boolean ackInput(GuestConnection c) {
        if (TcpSegment.gt(s.ack, c.sndMax)) {
            counters.increment(EndpointCounter.DROPPED_TCP_STATE); // acknowledges what we never sent
            c.ackNow = true;
            return false;
        }
        boolean dup = s.ack == c.sndUna && s.length == 0 && (s.flags & (TcpSegment.SYN | TcpSegment.FIN)) == 0
                && c.sndMax != c.sndUna && s.window == c.sndWnd && c.sndWnd != 0 && c.timerMode != TimerMode.PERSIST;
        if (c.timerMode == TimerMode.PERSIST) {
            c.retries = 0; // the guest answers our probes: it is alive
        }
        if (TcpSegment.geq(s.ack, c.sndUna)
                && (TcpSegment.lt(c.sndWl1, s.seq) || (c.sndWl1 == s.seq && TcpSegment.leq(c.sndWl2, s.ack)))) {
            c.sndWnd = s.window;
            c.sndWl1 = s.seq;
            c.sndWl2 = s.ack;
            c.maxSndWnd = Math.max(c.maxSndWnd, s.window);
            if (c.timerMode == TimerMode.PERSIST && s.window > 0) {
                timers.stop(c); // the window opened: send (the probe's byte again, if it was dropped)
                c.sndNxt = c.sndUna;
                c.retries = 0;
                c.probes = 0;
            }
        }
        if (TcpSegment.gt(s.ack, c.sndUna)) {
            if (!newAck(c, s.ack)) {
                return false;
            }
        } else if (dup) {
            dupAck(c);
        }
        switch (c.state) {
            case FIN_WAIT_1 -> {
                if (c.finAcked()) {
                    c.state = State.FIN_WAIT_2;
                }
            }
            case CLOSING -> {
                if (c.finAcked()) {
                    enterTimeWait(c);
                    return false;
                }
            }
            case LAST_ACK -> {
                if (c.finAcked()) {
                    ep.terminate(c, CloseReason.DONE);
                    return false;
                }
            }
            default -> {
            }
        }
        return true;
    }

    /** {@code ack} is in (snd_una, snd_max]: new data (or our FIN) acknowledged. @return false if the connection is gone */
    private boolean newAck(GuestConnection c, int ack) {
        int acked = ack - c.sndUna;
        if (TcpSegment.gt(ack, c.sbSeq)) {
            int n = Math.min(ack - c.sbSeq, c.sendBuffer.length());
            c.sendBuffer.drop(n);
            c.sbSeq += n;
        }
        c.sndUna = ack;
        if (TcpSegment.lt(c.sndNxt, ack)) {
            c.sndNxt = ack;
        }
        if (c.timing && TcpSegment.gt(ack, c.timingSeq)) {
            c.timing = false;
            timers.sample(c, ep.nowNs() - c.timingStartNs);
        }
        c.retries = 0;
        if (c.inRecovery) {
            if (TcpSegment.geq(ack, c.recover)) { // full ACK: recovery is over (RFC 6582 3.2, 3)
                int flight = Math.max(c.sndMax - ack, c.mss);
                c.cwnd = Math.min(c.ssthresh, flight + c.mss);
                c.inRecovery = false;
            } else { // partial ACK: the next hole
                out.retransmitFirst(c);
                c.cwnd = Math.max(c.cwnd - acked + (acked >= c.mss ? c.mss : 0), c.mss);
            }
        } else if (c.cwnd < c.ssthresh) {
            c.cwnd += Math.min(acked, c.mss); // slow start
        } else {
            c.cwnd += Math.max(c.mss * c.mss / c.cwnd, 1); // congestion avoidance
        }
        c.cwnd = Math.min(c.cwnd, 1 << 20);
        c.dupAcks = 0;
        if (c.sndUna == c.sndMax) {
            if (c.timerMode == TimerMode.RETRANSMIT) {
                timers.stop(c);
            }
        } else if (c.timerMode != TimerMode.PERSIST) {
            timers.armRetransmit(c);
        }
        if (c.sendBlocked && c.sendSpace() > 0) {
            c.sendBlocked = false;
            c.handler.sendSpace(c);
            return c.state != State.CLOSED;
        }
        return true;
    }

    /** RFC 5681 3.2 / RFC 6582 3.2: a duplicate ACK. */
    private void dupAck(GuestConnection c) {
        if (c.inRecovery) {
            c.cwnd += c.mss; // each further duplicate: a segment has left the network
            return;
        }
        if (++c.dupAcks != 3) {
            return;
        }
        if (!TcpSegment.gt(c.sndUna, c.recover) && c.cwnd <= c.mss) {
            return; // left over from before the last timeout (RFC 6582 4.1)
        }
        int flight = c.sndMax - c.sndUna;
        c.ssthresh = Math.max(flight / 2, 2 * c.mss);
        c.recover = c.sndMax;
        c.inRecovery = true;
        c.timing = false;
        out.retransmitFirst(c);
        c.cwnd = c.ssthresh + 3 * c.mss;
    }

    /** Data of an acceptable segment, trimmed to the window (seq at or after rcv_nxt). */
    private void dataInput(GuestConnection c) {
        if (s.seq != c.rcvNxt) {
            int r = c.reassembly.add(s.seq, s.frame, s.dataOffset, s.length);
            counters.increment(r == 0 ? EndpointCounter.OUT_OF_ORDER_HELD
                    : r > 0 ? EndpointCounter.DROPPED_DUPLICATE : EndpointCounter.DROPPED_OUT_OF_WINDOW);
            out.sendAck(c); // a duplicate ACK at once: the guest's fast retransmit counts them
            return;
        }
        int n = s.length;
        System.arraycopy(s.frame, s.dataOffset, deliver, 0, n);
        c.rcvNxt += n;
        c.unconsumed += n;
        c.ackNow = true;
        c.handler.received(c, deliver, 0, n);
        if (c.state == State.CLOSED || c.reassembly.isEmpty()) {
            return;
        }
        int end = c.reassembly.take(c.rcvNxt);
        byte[] ring = c.reassembly.ring();
        while (TcpSegment.gt(end, c.rcvNxt)) {
            int at = c.rcvNxt & (ReceiveReassembly.RING - 1);
            int chunk = Math.min(end - c.rcvNxt, ReceiveReassembly.RING - at);
            c.rcvNxt += chunk;
            c.unconsumed += chunk;
            c.handler.received(c, ring, at, chunk);
            if (c.state == State.CLOSED) {
                return;
            }
        }
    }

    /** The guest's FIN, in order (RFC 9293 3.10.7.4, eighth). */
    private void finInput(GuestConnection c) {
        c.rcvNxt++;
        c.finReceived = true;
        c.peerFinPending = false;
        c.ackNow = true;
        c.reassembly.clear();
        boolean timeWait = false;
        switch (c.state) {
            case ESTABLISHED -> c.state = State.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (c.finAcked()) {
                    timeWait = true;
                } else {
                    c.state = State.CLOSING;
                }
            }
            case FIN_WAIT_2 -> timeWait = true;
            default -> {
            }
        }
        c.handler.peerClosed(c);
        if (c.state == State.CLOSED) {
            return;
        }
        if (timeWait) {
            enterTimeWait(c);
        }
    }

    private void enterTimeWait(GuestConnection c) {
        c.state = State.TIME_WAIT;
        c.sendBuffer.release();
        c.reassembly.release();
        timers.armTimeWait(c);
        ep.reportClosed(c, CloseReason.DONE);
    }
}
