package yakima.gateway.tcp;

import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.GuestConnection.State;
import yakima.gateway.tcp.GuestConnection.TimerMode;

/**
 * TCP's clocks. Each connection has one timer ({@link GuestConnection#timer}
 * in the endpoint's {@link TimerQueue}); {@link GuestConnection#timerMode}
 * says what it is doing, and the modes exclude each other:
 *
 * <ul>
 *   <li>{@code SYN}: resend the SYN with exponential backoff from a 1 s RTO;
 *       at {@link TcpConfig#synTimeoutNs} after connect, give up (TIMEOUT).</li>
 *   <li>{@code RETRANSMIT} (RFC 6298): armed while data or FIN is
 *       unacknowledged, restarted by every ACK of new data, stopped when all is
 *       acknowledged. On expiry: ssthresh = max(flight / 2, 2 MSS), cwnd = 1 MSS,
 *       the RTO doubles (at most {@link #MAX_RTO_NS}), and sending goes back to
 *       snd_una (go-back-N, paced by cwnd). After {@link #MAX_RETRIES}
 *       expiries in a row the connection is reset (TIMEOUT). With a zero send
 *       window it becomes a probe instead.</li>
 *   <li>{@code PERSIST} (RFC 9293 3.8.6.1): the guest's window is zero and
 *       data waits: send one byte as a probe, backing off from the RTO up to
 *       {@link #MAX_PERSIST_NS}. Any ACK resets the count of unanswered probes;
 *       {@link #MAX_RETRIES} unanswered ones give up (TIMEOUT). An ACK that
 *       opens the window stops it.</li>
 *   <li>{@code TIME_WAIT}: frees the connection after {@link TcpConfig#timeWaitNs}.</li>
 * </ul>
 *
 * RTT samples follow Karn's rule (one timed segment at a time, never a
 * retransmitted one); RTO = SRTT + max(1 ms, 4 RTTVAR), at least
 * {@link TcpConfig#minRtoNs}. Owner thread only.
 */
final class TcpTimers {
    /**
     * The RTO before any RTT sample (the SYN's). RFC 6298 says 1 s for the
     * Internet; every peer here is on the virtual LAN, where a round trip takes
     * a millisecond or two and a lost SYN (a guest's full RX queue) should cost
     * no more than the RTO floor.
     */
    static final long INITIAL_RTO_NS = 250_000_000L;
    static final long MAX_RTO_NS = 60_000_000_000L;
    static final long MAX_PERSIST_NS = 5_000_000_000L;
    static final long CLOCK_GRANULARITY_NS = 1_000_000L;
    static final int MAX_RETRIES = 8;

    private final GatewayEndpoint ep;
    private final TimerQueue queue;
    private final EndpointCounters counters;

    TcpTimers(GatewayEndpoint ep, TimerQueue queue, EndpointCounters counters) {
        this.ep = ep;
        this.queue = queue;
        this.counters = counters;
    }

    // ---- arming ----

    void armSyn(GuestConnection c) {
        long deadline = Math.min(ep.nowNs() + c.rtoNs, c.connectedAtNs + ep.config().synTimeoutNs());
        arm(c, TimerMode.SYN, Math.max(deadline, ep.nowNs() + 1));
    }

    void armRetransmit(GuestConnection c) {
        arm(c, TimerMode.RETRANSMIT, ep.nowNs() + c.rtoNs);
    }

    void armPersist(GuestConnection c) {
        long interval = Math.min(c.rtoNs << Math.min(c.probes, 16), MAX_PERSIST_NS);
        arm(c, TimerMode.PERSIST, ep.nowNs() + interval);
    }

    void armTimeWait(GuestConnection c) {
        arm(c, TimerMode.TIME_WAIT, ep.nowNs() + ep.config().timeWaitNs());
    }

    void stop(GuestConnection c) {
        c.timerMode = TimerMode.NONE;
        queue.cancel(c.timer);
    }

    private void arm(GuestConnection c, TimerMode mode, long deadlineNs) {
        c.timerMode = mode;
        queue.arm(c.timer, deadlineNs);
    }

    // ---- round-trip time ----

    /** An RTT measurement (RFC 6298 2.2, 2.3). */
    void sample(GuestConnection c, long rttNs) {
        rttNs = Math.max(rttNs, 0);
        if (c.srttNs == 0) {
            c.srttNs = Math.max(rttNs, 1);
            c.rttvarNs = rttNs / 2;
        } else {
            c.rttvarNs = (3 * c.rttvarNs + Math.abs(c.srttNs - rttNs)) / 4;
            c.srttNs = Math.max((7 * c.srttNs + rttNs) / 8, 1);
        }
        c.rtoNs = clampRto(c.srttNs + Math.max(CLOCK_GRANULARITY_NS, 4 * c.rttvarNs));
    }

    private long clampRto(long rto) {
        return Math.min(Math.max(rto, ep.config().minRtoNs()), MAX_RTO_NS);
    }

    private void backOff(GuestConnection c) {
        c.rtoNs = Math.min(c.rtoNs * 2, MAX_RTO_NS);
    }

    // ---- expiry ----

    /** The connection's timer fired. */
    void fire(GuestConnection c, long nowNs) {
        TimerMode mode = c.timerMode;
        c.timerMode = TimerMode.NONE;
        switch (mode) {
            case SYN -> synExpired(c, nowNs);
            case RETRANSMIT -> retransmitExpired(c);
            case PERSIST -> persistExpired(c);
            case TIME_WAIT -> ep.terminate(c, CloseReason.DONE);
            case NONE -> {
            }
        }
    }

    private void synExpired(GuestConnection c, long nowNs) {
        if (c.state != State.SYN_SENT) {
            return;
        }
        if (nowNs - c.connectedAtNs >= ep.config().synTimeoutNs()) {
            giveUp(c);
            return;
        }
        c.retries++;
        counters.increment(EndpointCounter.RETRANSMITS);
        backOff(c);
        ep.output().sendSyn(c);
        armSyn(c);
    }

    private void retransmitExpired(GuestConnection c) {
        if (c.sndUna == c.sndMax) {
            return; // nothing outstanding (cannot happen: an ACK of everything stops the timer)
        }
        counters.increment(EndpointCounter.RETRANSMIT_TIMEOUTS);
        if (++c.retries > MAX_RETRIES) {
            giveUp(c);
            return;
        }
        int flight = c.sndMax - c.sndUna;
        c.ssthresh = Math.max(flight / 2, 2 * c.mss);
        c.cwnd = c.mss;
        c.recover = c.sndMax;
        c.inRecovery = false;
        c.dupAcks = 0;
        c.timing = false; // Karn: nothing sent before now may be timed
        backOff(c);
        c.sndNxt = c.sndUna;
        if (c.sndWnd == 0) {
            c.probes++;
            ep.output().probe(c);
            armPersist(c);
            return;
        }
        ep.output().output(c);
        if (c.timerMode == TimerMode.NONE && c.sndUna != c.sndMax) {
            armRetransmit(c);
        }
    }

    private void persistExpired(GuestConnection c) {
        if (++c.retries > MAX_RETRIES) {
            giveUp(c);
            return;
        }
        if (c.sndWnd == 0) {
            c.probes++;
            ep.output().probe(c);
            armPersist(c);
        } else {
            c.sndNxt = c.sndUna;
            ep.output().output(c);
            if (c.timerMode == TimerMode.NONE && c.sndUna != c.sndMax) {
                armRetransmit(c);
            }
        }
    }

    private void giveUp(GuestConnection c) {
        counters.increment(EndpointCounter.CONNECTIONS_TIMED_OUT);
        ep.output().sendRst(c);
        ep.terminate(c, CloseReason.TIMEOUT);
    }
}
