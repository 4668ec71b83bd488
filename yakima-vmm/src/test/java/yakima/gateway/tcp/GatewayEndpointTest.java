package yakima.gateway.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.gateway.tcp.FakeGuest.GW_IP;
import static yakima.gateway.tcp.FakeGuest.GW_MAC;
import static yakima.gateway.tcp.FakeGuest.IP;
import static yakima.gateway.tcp.FakeGuest.MS;
import static yakima.gateway.tcp.FakeGuest.bytes;
import static yakima.gateway.tcp.TcpSegment.ACK;
import static yakima.gateway.tcp.TcpSegment.FIN;
import static yakima.gateway.tcp.TcpSegment.PSH;
import static yakima.gateway.tcp.TcpSegment.RST;
import static yakima.gateway.tcp.TcpSegment.SYN;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import yakima.gateway.tcp.FakeGuest.Seg;
import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.GuestConnection.State;
import yakima.net.EthernetFrame;
import yakima.net.MacAddress;

/**
 * The endpoint against hand-built frames from a {@link FakeGuest}: ARP, RST
 * for unknown connections, the handshake, data and every order of closing,
 * retransmission with a fake clock, zero windows, back-pressure, reassembly,
 * and every kind of bad frame dropped and counted.
 */
class GatewayEndpointTest {
    private final FakeGuest g = new FakeGuest(TcpConfig.defaults());
    private final GatewayEndpoint ep = g.ep;

    // ---------------------------------------------------------------- ARP

    @Test
    void answersArpForItsAddressLearnsTheAskerAndIgnoresRequestsForOthers() {
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP));
        Seg reply = g.takeOne();
        assertEquals("arp", reply.kind());
        assertEquals(EthernetFrame.ARP_REPLY, reply.arpOp());
        assertEquals(IP, reply.arpTarget());
        assertEquals(60, reply.length(), "padded to the Ethernet minimum");
        assertEquals(1, ep.counter(EndpointCounter.ARP_REPLIES_SENT));

        // learned from the request: a datagram goes straight out, no ARP request first
        assertTrue(ep.sendUdp(5000, IP, 7, new byte[] {1, 2, 3}, 0, 3));
        Seg udp = g.takeOne();
        assertEquals("udp", udp.kind());
        assertArrayEquals(new byte[] {1, 2, 3}, udp.data());
        assertEquals(0, ep.counter(EndpointCounter.ARP_REQUESTS_SENT));

        // (the switch gives a broadcast request only to the port holding its target, so one for
        // another address reaches the gateway only sent to its MAC)
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, GW_MAC.bits(), GW_IP + 5));
        assertTrue(g.take().isEmpty());
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_NOT_FOR_US));
    }

    @Test
    void aStaticNeighbourIsNeverAskedForButWhatTheLanSaysWins() {
        long planned = FakeGuest.MAC.bits();
        ep.setStaticNeighbours(ip -> ip == IP ? planned : -1);
        assertTrue(ep.sendUdp(5000, IP, 7, new byte[] {4}, 0, 1));
        Seg udp = g.takeOne(); // the switch delivered it to MAC: it went out at once, to the planned address
        assertEquals("udp", udp.kind());
        assertEquals(0, ep.counter(EndpointCounter.ARP_REQUESTS_SENT));

        // an address outside the plan is still resolved by ARP
        assertTrue(ep.sendUdp(5000, IP + 1, 7, new byte[] {5}, 0, 1));
        assertEquals(1, ep.counter(EndpointCounter.ARP_REQUESTS_SENT));

        // a wrong plan is corrected by what the LAN answers: the learnt entry is used from then on
        ep.setStaticNeighbours(ip -> ip == IP ? 0x02_00_00_00_00_99L : -1);
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP)); // learnt: IP is at MAC
        assertEquals("arp", g.takeOne().kind());
        assertTrue(ep.sendUdp(5000, IP, 7, new byte[] {6}, 0, 1));
        Seg again = g.takeOne();
        assertEquals("udp", again.kind(), "delivered to MAC, not to the planned 02:00:00:00:00:99");
        assertArrayEquals(new byte[] {6}, again.data());
    }

    @Test
    void resolvesAGuestByArpHoldsItsFramesAndGivesUpAfterFourRequests() {
        assertTrue(ep.sendUdp(5000, IP, 7, new byte[] {9}, 0, 1)); // held
        Seg request = g.takeOne();
        assertEquals(EthernetFrame.ARP_REQUEST, request.arpOp());
        for (int i = 0; i < 3; i++) {
            g.advance(1_000 * MS);
            assertEquals(EthernetFrame.ARP_REQUEST, g.takeOne().arpOp(), "request " + (i + 2));
        }
        g.advance(1_000 * MS);
        assertTrue(g.take().isEmpty());
        assertEquals(4, ep.counter(EndpointCounter.ARP_REQUESTS_SENT));
        assertEquals(1, ep.counter(EndpointCounter.ARP_UNRESOLVED_DROPS), "the held datagram");
        assertEquals(Long.MAX_VALUE, ep.nextTimerNs(), "nothing left to do");

        // a late reply: frames held for a new resolution go out when it comes
        ep.sendUdp(5000, IP, 7, new byte[] {4}, 0, 1);
        assertEquals("arp", g.takeOne().kind());
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REPLY, GW_MAC.bits(), GW_IP));
        Seg udp = g.takeOne();
        assertEquals("udp", udp.kind());
        assertArrayEquals(new byte[] {4}, udp.data());
    }

    // ---------------------------------------------------------------- no connection

    @Test
    void segmentsForNoConnectionAreAnsweredWithRstButARstIsNot() {
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP));
        g.take();
        g.deliver(FakeGuest.tcp(40000, 80, 1000, 0, SYN, 1000, new byte[0], 1460));
        Seg rst = g.takeOne();
        assertEquals(RST | ACK, rst.flags());
        assertEquals(0, rst.seq());
        assertEquals(1001, rst.ack());
        assertEquals(80, rst.srcPort());
        assertEquals(40000, rst.dstPort());

        g.deliver(FakeGuest.tcp(40000, 50000, 1000, 777, ACK | PSH, 1000, bytes(10, 0), 0));
        rst = g.takeOne();
        assertEquals(RST, rst.flags());
        assertEquals(777, rst.seq());

        g.deliver(FakeGuest.tcp(40000, 50000, 1000, 777, RST, 0, new byte[0], 0));
        assertTrue(g.take().isEmpty());
        assertEquals(2, ep.counter(EndpointCounter.RST_SENT_NO_CONNECTION));
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_RST_NO_CONNECTION));
    }

    // ---------------------------------------------------------------- handshake, data, close

    @Test
    void handshakeDataBothWaysAndTheGatewayClosingFirst() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1000, 8000);
        assertEquals(State.ESTABLISHED, c.state());
        assertTrue(r.connected);
        assertTrue(c.localPort() >= LocalPorts.FIRST);

        // guest -> gateway: delivered, one ACK at the end of the batch
        g.deliverBatch(g.seg(c, g.guestSeq, g.gwIss + 1, ACK | PSH, 8000, bytes(300, 1)),
                g.seg(c, g.guestSeq + 300, g.gwIss + 1, ACK | PSH, 8000, bytes(200, 2)));
        Seg ack = g.takeOne();
        assertTrue(ack.bareAck());
        assertEquals(g.guestSeq + 500, ack.ack());
        assertEquals(500, r.received());
        g.guestSeq += 500;

        // gateway -> guest: segments of the guest's MSS, sent at once
        byte[] out = bytes(2500, 3);
        assertEquals(2500, c.send(out, 0, out.length));
        List<Seg> segs = g.take();
        assertEquals(3, segs.size(), segs::toString);
        assertEquals(1000, segs.get(0).data().length);
        assertEquals(500, segs.get(2).data().length);
        assertEquals(g.gwIss + 1, segs.get(0).seq());
        assertEquals(2500, c.unacknowledged());
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 2501, ACK, 8000, new byte[0]));
        assertEquals(0, c.unacknowledged());
        assertTrue(g.take().isEmpty(), "a pure ACK is not acknowledged");

        c.close();
        assertEquals(State.FIN_WAIT_1, c.state());
        assertEquals(0, c.sendSpace());
        Seg fin = g.takeOne();
        assertEquals(FIN | ACK, fin.flags());
        assertEquals(g.gwIss + 2501, fin.seq());
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 2502, ACK, 8000, new byte[0]));
        assertEquals(State.FIN_WAIT_2, c.state());

        // half-closed: the guest still sends, then closes
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 2502, ACK | FIN, 8000, bytes(50, 4)));
        Seg last = g.takeOne();
        assertEquals(g.guestSeq + 51, last.ack());
        assertEquals(550, r.received());
        assertEquals(State.TIME_WAIT, c.state());
        assertEquals(List.of("connected", "peerClosed", "closed DONE"), r.events);
        assertEquals(1, ep.connectionCount());

        // a repeated FIN is acknowledged again
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 2502, ACK | FIN, 8000, bytes(50, 4)));
        assertEquals(g.guestSeq + 51, g.takeOne().ack());

        g.advance(TcpConfig.DEFAULT_TIME_WAIT_NS);
        assertEquals(State.CLOSED, c.state());
        assertEquals(0, ep.connectionCount());
        assertEquals(1, r.closedCalls);
    }

    @Test
    void theGuestClosingFirst() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 1, ACK | FIN | PSH, 8000, bytes(10, 0)));
        assertEquals(g.guestSeq + 11, g.takeOne().ack());
        assertEquals(State.CLOSE_WAIT, c.state());
        assertTrue(r.peerClosed);
        // the gateway may still send
        assertEquals(5, c.send(bytes(5, 0), 0, 5));
        assertEquals(5, g.takeOne().data().length);
        c.close();
        assertEquals(State.LAST_ACK, c.state());
        Seg fin = g.takeOne();
        assertEquals(FIN | ACK, fin.flags());
        g.deliver(g.seg(c, g.guestSeq + 11, fin.seq() + 1, ACK, 8000, new byte[0]));
        assertEquals(State.CLOSED, c.state());
        assertEquals(CloseReason.DONE, r.closed);
        assertEquals(0, ep.connectionCount());
    }

    @Test
    void bothClosingAtOnceGoesThroughClosing() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        c.close();
        Seg fin = g.takeOne();
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 1, ACK | FIN, 8000, new byte[0])); // does not ACK our FIN
        assertEquals(State.CLOSING, c.state());
        assertEquals(g.guestSeq + 1, g.takeOne().ack());
        g.deliver(g.seg(c, g.guestSeq + 1, fin.seq() + 1, ACK, 8000, new byte[0]));
        assertEquals(State.TIME_WAIT, c.state());
        assertEquals(CloseReason.DONE, r.closed);
    }

    @Test
    void dataQueuedBeforeTheHandshakeAndCloseDuringItGoOutAfterIt() {
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP));
        g.take();
        Recorder r = new Recorder();
        GuestConnection c = ep.connect(IP, 80, r);
        Seg syn = g.takeOne();
        assertEquals(100, c.send(bytes(100, 0), 0, 100));
        c.close();
        assertTrue(g.take().isEmpty(), "nothing before the SYN-ACK");
        g.deliver(FakeGuest.tcp(80, c.localPort(), 9000, syn.seq() + 1, SYN | ACK, 8000, new byte[0], 1460));
        Seg data = g.takeOne();
        assertEquals(ACK | PSH | FIN, data.flags());
        assertEquals(100, data.data().length);
        assertEquals(9001, data.ack());
        assertEquals(State.FIN_WAIT_1, c.state());
    }

    @Test
    void aRstToTheSynIsARefusalAndARstInWindowAReset() {
        Recorder refused = new Recorder();
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP));
        g.take();
        GuestConnection c = ep.connect(IP, 81, refused);
        Seg syn = g.takeOne();
        g.deliver(FakeGuest.tcp(81, c.localPort(), 0, syn.seq() + 1, RST | ACK, 0, new byte[0], 0));
        assertEquals(CloseReason.REFUSED, refused.closed);
        assertEquals(0, ep.connectionCount());

        Recorder r = new Recorder();
        GuestConnection d = g.open(r, 1460, 8000);
        // not exactly rcv_nxt but in the window: a challenge ACK (RFC 5961), the connection stays
        g.deliver(g.seg(d, g.guestSeq + 10, 0, RST, 0, new byte[0]));
        assertTrue(g.takeOne().bareAck());
        assertEquals(State.ESTABLISHED, d.state());
        assertEquals(1, ep.counter(EndpointCounter.CHALLENGE_ACKS_SENT));
        g.deliver(g.seg(d, g.guestSeq, 0, RST, 0, new byte[0]));
        assertEquals(CloseReason.RESET, r.closed);
        assertEquals(State.CLOSED, d.state());
        assertTrue(g.take().isEmpty(), "no answer to a RST");
    }

    @Test
    void abortSendsRstAndReportsAbortedBeforeReturning() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        c.abort();
        assertEquals(CloseReason.ABORTED, r.closed);
        Seg rst = g.takeOne();
        assertTrue(rst.has(RST));
        assertEquals(g.gwIss + 1, rst.seq());
        assertEquals(0, ep.connectionCount());
        c.abort();
        assertEquals(1, r.closedCalls, "closed once");
        assertEquals(0, c.send(new byte[1], 0, 1));
    }

    @Test
    void aHandlerThatAbortsInsideReceivedHearsNothingMore() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        r.onReceived = c::abort;
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 1, ACK | PSH | FIN, 8000, bytes(10, 0)));
        assertEquals(List.of("connected", "closed ABORTED"), r.events);
        assertTrue(g.takeOne().has(RST));
    }

    // ---------------------------------------------------------------- retransmission

    @Test
    void theSynIsRetransmittedWithBackoffUntilTheSynTimeout() {
        g.deliver(FakeGuest.arp(EthernetFrame.ARP_REQUEST, MacAddress.BROADCAST_BITS, GW_IP));
        g.take();
        Recorder r = new Recorder();
        GuestConnection c = ep.connect(IP, 80, r);
        int iss = g.takeOne().seq();
        List<Long> sentAt = new ArrayList<>();
        while (r.closed == null) {
            g.advance(ep.nextTimerNs() - g.now);
            for (Seg s : g.take()) {
                assertEquals(SYN, s.flags());
                assertEquals(iss, s.seq());
                sentAt.add(g.now / MS);
            }
        }
        assertEquals(List.of(250L, 750L, 1_750L, 3_750L), sentAt, "initial RTO 250 ms, doubling");
        assertEquals(5_000, g.now / MS, "gave up at the SYN timeout");
        assertEquals(CloseReason.TIMEOUT, r.closed);
        assertEquals(State.CLOSED, c.state());
    }

    @Test
    void lostDataIsRetransmittedAfterTheRtoWithBackoffAndTheConnectionGivesUpAtLast() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        c.send(bytes(100, 0), 0, 100);
        Seg first = g.takeOne();
        List<Long> gaps = new ArrayList<>();
        long last = g.now;
        while (r.closed == null) {
            g.advance(ep.nextTimerNs() - g.now);
            for (Seg s : g.takeAnsweringArp()) {
                if (s.has(RST)) {
                    continue;
                }
                assertEquals(first.seq(), s.seq());
                assertArrayEquals(first.data(), s.data());
                gaps.add((g.now - last) / MS);
                last = g.now;
            }
        }
        // RTO: srtt from the handshake (0 ms) floored at 200 ms, doubling; 8 retransmissions, then TIMEOUT
        assertEquals(List.of(200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 12_800L, 25_600L), gaps);
        assertEquals(CloseReason.TIMEOUT, r.closed);
        assertEquals(8, ep.counter(EndpointCounter.RETRANSMITS));
    }

    @Test
    void anAckStopsTheRetransmissionTimerAndTheRtoFollowsTheMeasuredRtt() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        c.send(bytes(100, 0), 0, 100);
        g.take();
        g.advance(190 * MS); // the ACK takes 190 ms (within the 200 ms RTO)
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 101, ACK, 8000, new byte[0]));
        assertFalse(c.timer.armed(), "all acknowledged: no retransmission timer");
        // RTT samples 0 (the handshake) and 190 ms: SRTT 23.75 ms, RTTVAR 47.5 ms, RTO = SRTT + 4 RTTVAR = 213.75 ms
        c.send(bytes(100, 0), 0, 100);
        g.take();
        long rto = ep.nextTimerNs() - g.now;
        assertTrue(rto > 213 * MS && rto < 214 * MS, "RTO " + rto);
    }

    @Test
    void threeDuplicateAcksTriggerAFastRetransmit() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1000, 60000);
        c.send(bytes(4000, 0), 0, 4000); // the initial window: 4 segments
        List<Seg> sent = g.take();
        assertEquals(4, sent.size());
        int una = g.gwIss + 1;
        g.deliver(g.seg(c, g.guestSeq, una + 1000, ACK, 60000, new byte[0])); // first arrived
        g.take();
        for (int i = 0; i < 3; i++) {
            g.deliver(g.seg(c, g.guestSeq, una + 1000, ACK, 60000, new byte[0]));
        }
        Seg again = g.takeOne();
        assertEquals(una + 1000, again.seq(), "the second segment again, without waiting for the RTO");
        assertEquals(1000, again.data().length);
        assertEquals(1, ep.counter(EndpointCounter.FAST_RETRANSMITS));
        // a full ACK ends recovery
        g.deliver(g.seg(c, g.guestSeq, una + 4000, ACK, 60000, new byte[0]));
        assertEquals(0, c.unacknowledged());
    }

    // ---------------------------------------------------------------- windows

    @Test
    void aZeroWindowIsProbedAndDataFlowsWhenItOpens() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1000, 2000);
        c.send(bytes(5000, 0), 0, 5000);
        assertEquals(2, g.take().size(), "the guest's window: 2000 bytes");
        int una = g.gwIss + 1;
        g.deliver(g.seg(c, g.guestSeq, una + 2000, ACK, 0, new byte[0])); // all taken, window closed
        assertTrue(g.take().isEmpty());
        g.advance(ep.nextTimerNs() - g.now);
        Seg probe = g.takeOne();
        assertEquals(una + 2000 - 1, probe.seq(), "a probe from one byte back, which the guest must answer");
        assertEquals(0, probe.data().length);
        g.deliver(g.seg(c, g.guestSeq, una + 2000, ACK, 0, new byte[0])); // still closed
        long interval = ep.nextTimerNs() - g.now;
        g.advance(interval);
        assertEquals(una + 1999, g.takeOne().seq());
        assertTrue(ep.nextTimerNs() - g.now > interval, "probes back off");
        g.deliver(g.seg(c, g.guestSeq, una + 2000, ACK, 3000, new byte[0])); // open
        List<Seg> segs = g.take();
        assertEquals(3, segs.size());
        assertEquals(una + 2000, segs.get(0).seq());
        assertEquals(2, ep.counter(EndpointCounter.PERSIST_PROBES));
    }

    @Test
    void anApplicationThatDoesNotConsumeClosesTheWindowAndConsumingOpensIt() {
        FakeGuest g = new FakeGuest(TcpConfig.defaults().withReceiveWindowBytes(4096));
        Recorder r = new Recorder();
        r.autoConsume = false;
        GuestConnection c = g.open(r, 1460, 8000);
        int seq = g.guestSeq;
        g.deliverBatch(g.seg(c, seq, g.gwIss + 1, ACK, 8000, bytes(1460, 0)),
                g.seg(c, seq + 1460, g.gwIss + 1, ACK, 8000, bytes(1460, 1)),
                g.seg(c, seq + 2920, g.gwIss + 1, ACK, 8000, bytes(1176, 2)));
        Seg ack = g.takeOne();
        assertEquals(seq + 4096, ack.ack());
        assertEquals(0, ack.window(), "the application holds all 4096 bytes");
        // more is beyond the window: dropped, acknowledged with the closed window
        g.deliver(g.seg(c, seq + 4096, g.gwIss + 1, ACK, 8000, bytes(100, 3)));
        ack = g.takeOne();
        assertEquals(seq + 4096, ack.ack());
        assertEquals(0, ack.window());
        assertEquals(4096, r.received());
        assertEquals(1, g.ep.counter(EndpointCounter.DROPPED_OUT_OF_WINDOW));

        c.consumed(500); // less than a segment: not worth an update
        assertTrue(g.take().isEmpty());
        c.consumed(3596);
        Seg update = g.takeOne();
        assertTrue(update.bareAck());
        assertEquals(4096, update.window());
        assertEquals(1, g.ep.counter(EndpointCounter.WINDOW_UPDATES_SENT));
    }

    @Test
    void outOfOrderDataIsHeldDuplicateAckedAndDeliveredWhenTheGapFills() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        int seq = g.guestSeq;
        byte[] all = bytes(3000, 5);
        g.deliver(g.seg(c, seq + 1000, g.gwIss + 1, ACK, 8000, java.util.Arrays.copyOfRange(all, 1000, 2000)));
        assertEquals(seq, g.takeOne().ack(), "a duplicate ACK at once");
        g.deliver(g.seg(c, seq + 2000, g.gwIss + 1, ACK, 8000, java.util.Arrays.copyOfRange(all, 2000, 3000)));
        assertEquals(seq, g.takeOne().ack());
        g.deliver(g.seg(c, seq + 1500, g.gwIss + 1, ACK, 8000, java.util.Arrays.copyOfRange(all, 1500, 2500))); // overlaps
        assertEquals(seq, g.takeOne().ack());
        assertEquals(0, r.received());
        g.deliver(g.seg(c, seq, g.gwIss + 1, ACK, 8000, java.util.Arrays.copyOfRange(all, 0, 1000)));
        Seg ack = g.takeOne();
        assertEquals(seq + 3000, ack.ack());
        assertArrayEquals(all, r.data());
        assertEquals(2, ep.counter(EndpointCounter.OUT_OF_ORDER_HELD));
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_DUPLICATE));

        // old data again: dropped and acknowledged
        g.deliver(g.seg(c, seq, g.gwIss + 1, ACK, 8000, java.util.Arrays.copyOfRange(all, 0, 1000)));
        assertEquals(seq + 3000, g.takeOne().ack());
        assertEquals(3000, r.received());
        assertEquals(2, ep.counter(EndpointCounter.DROPPED_DUPLICATE));
    }

    @Test
    void aFinBeforeTheDataAheadOfItTakesEffectWhenTheDataArrives() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        int seq = g.guestSeq;
        g.deliver(g.seg(c, seq + 100, g.gwIss + 1, ACK | FIN, 8000, bytes(100, 1)));
        g.take();
        assertFalse(r.peerClosed);
        g.deliver(g.seg(c, seq, g.gwIss + 1, ACK, 8000, bytes(100, 0)));
        assertEquals(seq + 201, g.takeOne().ack());
        assertTrue(r.peerClosed);
        assertEquals(State.CLOSE_WAIT, c.state());
        assertEquals(200, r.received());
    }

    @Test
    void theSendBufferIsBoundedAndSendSpaceIsCalledWhenItDrains() {
        FakeGuest g = new FakeGuest(TcpConfig.defaults().withSendBufferBytes(3000));
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1000, 60000);
        assertEquals(3000, c.send(bytes(5000, 0), 0, 5000));
        assertEquals(0, c.sendSpace());
        g.take();
        g.deliver(g.seg(c, g.guestSeq, g.gwIss + 1001, ACK, 60000, new byte[0]));
        assertEquals(1, r.sendSpaceCalls);
        assertEquals(1000, c.sendSpace());
    }

    // ---------------------------------------------------------------- bad frames

    @Test
    void badChecksumsFragmentsOptionsAndStrangersAreDroppedAndCounted() {
        Recorder r = new Recorder();
        GuestConnection c = g.open(r, 1460, 8000);
        byte[] good = g.seg(c, g.guestSeq, g.gwIss + 1, ACK, 8000, bytes(10, 0));

        byte[] badTcp = good.clone();
        badTcp[60] ^= 1; // a data byte
        g.deliver(badTcp);
        byte[] badIp = good.clone();
        badIp[14 + 8] ^= 1; // the TTL, under the header checksum
        g.deliver(badIp);
        byte[] fragment = good.clone();
        Ipv4Header.put16(fragment, 14 + 6, Ipv4Header.FLAG_MF);
        rechecksumIp(fragment);
        g.deliver(fragment);
        byte[] options = good.clone();
        options[14] = 0x46;
        rechecksumIp(options);
        g.deliver(options);
        byte[] icmp = good.clone();
        icmp[14 + 9] = 1;
        rechecksumIp(icmp);
        g.deliver(icmp);
        byte[] badUdp = FakeGuest.udp(7, 5000, bytes(20, 0), true);
        ep.bindUdp(5000, (ip, port, d, o, l) -> {
            throw new AssertionError("a bad datagram was delivered");
        });
        badUdp[50] ^= 1;
        g.deliver(badUdp);

        assertTrue(g.take().isEmpty(), "nothing is answered");
        assertEquals(0, r.received());
        assertEquals(3, ep.counter(EndpointCounter.DROPPED_BAD_CHECKSUM));
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_IP_FRAGMENT));
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_IP_OPTIONS));
        assertEquals(1, ep.counter(EndpointCounter.DROPPED_UNSUPPORTED_PROTOCOL));

        g.deliver(good); // the good one still works
        assertEquals(10, r.received());
    }

    private static void rechecksumIp(byte[] f) {
        Ipv4Header.put16(f, 14 + 10, 0);
        Ipv4Header.put16(f, 14 + 10, Checksum.finish(Checksum.add(0, f, 14, 20)));
    }

    // ---------------------------------------------------------------- UDP, ports

    @Test
    void udpDatagramsReachTheBoundPortAndOthersAreCounted() {
        List<String> got = new ArrayList<>();
        ep.bindUdp(5000, (ip, port, d, o, l) -> got.add(ip + ":" + port + " " + new String(d, o, l)));
        g.deliver(FakeGuest.udp(7, 5000, "with sum".getBytes(), true));
        g.deliver(FakeGuest.udp(7, 5000, "no sum".getBytes(), false));
        g.deliver(FakeGuest.udp(7, 5001, "nobody".getBytes(), true));
        assertEquals(List.of(IP + ":7 with sum", IP + ":7 no sum"), got);
        assertEquals(1, ep.counter(EndpointCounter.UDP_NO_PORT));
        assertFalse(ep.sendUdp(5000, IP, 7, new byte[1473], 0, 1473), "longer than one frame");
        assertEquals(1, ep.counter(EndpointCounter.UDP_SEND_FAILED));
    }

    @Test
    void localPortsRotateAndTheLimitIsKept() {
        FakeGuest g = new FakeGuest(TcpConfig.defaults().withMaxConnections(3));
        Recorder r = new Recorder();
        GuestConnection a = g.ep.connect(IP, 80, r);
        GuestConnection b = g.ep.connect(IP, 80, r);
        GuestConnection c = g.ep.connect(IP, 80, r);
        assertNull(g.ep.connect(IP, 80, r));
        assertEquals(1, g.ep.counter(EndpointCounter.CONNECT_REFUSED_LIMIT));
        assertEquals(a.localPort() + 1, b.localPort());
        assertEquals(b.localPort() + 1, c.localPort());
        b.abort();
        GuestConnection d = g.ep.connect(IP, 80, r);
        assertNotEquals(b.localPort(), d.localPort(), "rotating: the port just freed comes back last");
        assertEquals(c.localPort() + 1, d.localPort());
    }
}
