package yakima.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class VirtualSwitchTest {
    private final Map<VirtualNic, Integer> rxReady = new HashMap<>();
    private final RxListener listener = nic -> rxReady.merge(nic, 1, Integer::sum);
    private final VirtualSwitch lan = new VirtualSwitch();
    private final List<byte[]> tapped = new ArrayList<>();
    private final VirtualNic a = nic(1);
    private final VirtualNic b = nic(2);
    private final VirtualNic c = nic(3);

    VirtualSwitchTest() {
        lan.setTap(tapped::add);
        lan.attach(a);
        lan.attach(b);
        lan.attach(c);
    }

    /** A NIC with MAC 02:00:00:00:00:0n and IP 10.0.0.n, 4-frame queues. */
    private VirtualNic nic(int n) {
        return new VirtualNic(new MacAddress(0x0200_0000_0000L | n), 0x0A00_0000 | n, 4, 4, listener);
    }

    private static void send(VirtualNic from, byte[] frame) {
        assertEquals(0, from.send(frame, frame.length));
    }

    private int told(VirtualNic nic) {
        return rxReady.getOrDefault(nic, 0);
    }

    private long droppedTotal() {
        long total = 0;
        for (SwitchDrop cause : SwitchDrop.values()) {
            total += lan.dropped(cause);
        }
        return total;
    }

    @Test
    void twoNicsExchangeFramesBothWays() {
        byte[] request = TestFrames.ipv4(a, b, 98, 1);
        byte[] reply = TestFrames.ipv4(b, a, 1514, 2);
        send(a, request);
        assertEquals(1, lan.pump(10));
        assertArrayEquals(request, b.receive());
        send(b, reply);
        assertEquals(1, lan.pump(10));
        assertArrayEquals(reply, a.receive());

        assertNull(a.receive());
        assertNull(b.receive());
        assertNull(c.receive());
        assertEquals(2, lan.framesForwarded());
        assertEquals(0, lan.broadcastsForwarded());
        assertEquals(0, droppedTotal());
        assertEquals(1, told(a));
        assertEquals(1, told(b));
        assertEquals(0, told(c));
        assertEquals(98, a.counter(NicCounter.TX_BYTES));
        assertEquals(1514, a.counter(NicCounter.RX_BYTES));
        assertEquals(1, b.counter(NicCounter.RX_FRAMES));
        assertEquals(2, tapped.size());
    }

    @Test
    void aFrameFromAnotherPortsMacIsDroppedAndCounted() {
        send(a, TestFrames.ipv4(c.mac(), b.mac(), a.ipv4(), c.ipv4(), 60, 0));
        send(a, TestFrames.ipv4(c.mac(), MacAddress.parse("02:00:00:00:00:99"), a.ipv4(), c.ipv4(), 60, 0));
        assertEquals(2, lan.pump(10));
        assertNull(c.receive());
        assertEquals(2, lan.dropped(SwitchDrop.SPOOFED_SOURCE_MAC));
        assertEquals(2, droppedTotal());
        assertEquals(2, a.counter(NicCounter.TX_REFUSED_BY_SWITCH));
        assertEquals(0, lan.framesForwarded());
        assertTrue(tapped.isEmpty());
    }

    @Test
    void anIpv4PacketFromAnotherAddressIsDroppedAndCounted() {
        send(a, TestFrames.ipv4(c.mac(), a.mac(), b.ipv4(), c.ipv4(), 60, 0));
        send(a, TestFrames.ipv4(c.mac(), a.mac(), Ipv4Address.parse("8.8.8.8"), c.ipv4(), 60, 0));
        assertEquals(2, lan.pump(10));
        assertNull(c.receive());
        assertEquals(2, lan.dropped(SwitchDrop.SPOOFED_SOURCE_IP));
        assertEquals(2, droppedTotal());
        assertEquals(2, a.counter(NicCounter.TX_REFUSED_BY_SWITCH));
    }

    @Test
    void anArpClaimForAnotherAddressIsDroppedAndCounted() {
        // "10.0.0.2 is at a's MAC": would steal b's traffic.
        send(a, TestFrames.arp(MacAddress.BROADCAST, EthernetFrame.ARP_REPLY, a.mac(), b.ipv4(),
            MacAddress.BROADCAST, 0));
        assertEquals(1, lan.pump(10));
        assertEquals(1, lan.dropped(SwitchDrop.SPOOFED_SOURCE_IP));

        // Ethernet source is a's own, but the ARP sender MAC is b's.
        byte[] lying = TestFrames.arpRequest(a, c.ipv4());
        b.mac().writeTo(lying, EthernetFrame.ARP_SENDER_MAC_OFFSET);
        send(a, lying);
        assertEquals(1, lan.pump(10));
        assertEquals(1, lan.dropped(SwitchDrop.SPOOFED_SOURCE_MAC));

        assertNull(b.receive());
        assertNull(c.receive());
        assertEquals(0, lan.broadcastsForwarded());
        assertEquals(2, droppedTotal());
    }

    @Test
    void aBroadcastArpRequestReachesOnlyThePortHoldingItsTargetIp() {
        VirtualNic d = nic(4);
        lan.attach(d);
        byte[] whoHas = TestFrames.arpRequest(b, d.ipv4());
        send(b, whoHas);
        assertEquals(1, lan.pump(10));
        assertArrayEquals(whoHas, d.receive(), "the same broadcast frame, byte for byte");
        assertNull(d.receive());
        assertEquals(1, told(d));
        for (VirtualNic other : List.of(a, b, c)) {
            assertNull(other.receive(), other.toString());
            assertEquals(0, told(other), "not woken: " + other);
        }
        assertEquals(1, lan.framesForwarded());
        assertEquals(1, lan.broadcastsForwarded());
        assertEquals(1, tapped.size());
        assertArrayEquals(whoHas, tapped.get(0), "the tap sees the request once");
        assertEquals(0, droppedTotal());

        send(d, TestFrames.arpReply(d, b));
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.arpReply(d, b), b.receive());
        assertNull(a.receive());
        assertNull(c.receive());
        assertEquals(2, lan.framesForwarded());
        assertEquals(1, lan.broadcastsForwarded());
    }

    @Test
    void aBroadcastArpRequestForAnAddressNobodyHoldsIsDroppedAndCounted() {
        send(a, TestFrames.arpRequest(a, Ipv4Address.parse("10.0.0.99")));
        assertTrue(lan.detach(c));
        send(a, TestFrames.arpRequest(a, c.ipv4()));          // a detached port's address is nobody's
        assertEquals(2, lan.pump(10));
        assertEquals(2, lan.dropped(SwitchDrop.ARP_TARGET_UNKNOWN));
        assertEquals(2, droppedTotal());
        assertEquals(2, a.counter(NicCounter.TX_REFUSED_BY_SWITCH));
        for (VirtualNic other : List.of(a, b, c)) {
            assertNull(other.receive(), other.toString());
            assertEquals(0, told(other), other.toString());
        }
        assertEquals(0, lan.framesForwarded());
        assertEquals(0, lan.broadcastsForwarded());
        assertTrue(tapped.isEmpty());

        lan.attach(c);
        send(a, TestFrames.arpRequest(a, c.ipv4()));
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.arpRequest(a, c.ipv4()), c.receive(), "attached again, it is found");
        assertEquals(2, lan.dropped(SwitchDrop.ARP_TARGET_UNKNOWN));
    }

    @Test
    void aBroadcastArpRequestForTheSendersOwnAddressIsSentToSelf() {
        // A gratuitous ARP: the only holder of the target address is the sender.
        send(a, TestFrames.arpRequest(a, a.ipv4()));
        assertEquals(1, lan.pump(10));
        assertEquals(1, lan.dropped(SwitchDrop.SENT_TO_SELF));
        assertEquals(0, lan.dropped(SwitchDrop.ARP_TARGET_UNKNOWN));
        assertEquals(1, droppedTotal());
        assertEquals(1, a.counter(NicCounter.TX_REFUSED_BY_SWITCH));
        for (VirtualNic other : List.of(a, b, c)) {
            assertNull(other.receive(), other.toString());
        }
        assertEquals(0, lan.framesForwarded());
        assertTrue(tapped.isEmpty());
    }

    @Test
    void otherBroadcastsStillReachEveryOtherPortButNotTheSender() {
        VirtualNic d = nic(4);
        lan.attach(d);
        byte[] udp = TestFrames.ipv4Broadcast(b, 80, 7);
        // An ARP reply sent to the broadcast MAC is not a request: it is copied to all.
        byte[] announce = TestFrames.arp(MacAddress.BROADCAST, EthernetFrame.ARP_REPLY, b.mac(), b.ipv4(),
            MacAddress.BROADCAST, a.ipv4());
        send(b, udp);
        send(b, announce);
        assertEquals(2, lan.pump(10));
        for (VirtualNic other : List.of(a, c, d)) {
            assertArrayEquals(udp, other.receive(), other.toString());
            assertArrayEquals(announce, other.receive(), other.toString());
            assertNull(other.receive());
        }
        assertNull(b.receive());
        assertEquals(0, told(b));
        assertEquals(2, lan.framesForwarded());
        assertEquals(2, lan.broadcastsForwarded());
        assertEquals(2, tapped.size(), "a broadcast is tapped once, not once per copy");
        assertEquals(0, droppedTotal());
    }

    @Test
    void aUnicastArpRequestGoesByMacLikeAnyFrame() {
        // Sent to c's MAC, though it asks for b's address: the switch forwards by MAC.
        byte[] refresh = TestFrames.arp(c.mac(), EthernetFrame.ARP_REQUEST, a.mac(), a.ipv4(), c.mac(), b.ipv4());
        send(a, refresh);
        assertEquals(1, lan.pump(10));
        assertArrayEquals(refresh, c.receive());
        assertNull(b.receive());
        assertEquals(1, lan.framesForwarded());
        assertEquals(0, lan.broadcastsForwarded());
    }

    @Test
    void aFrameForAnUnknownMacIsDroppedAndCounted() {
        send(a, TestFrames.ipv4(MacAddress.parse("02:00:00:00:00:77"), a.mac(), a.ipv4(), c.ipv4(), 60, 0));
        send(a, TestFrames.ipv4(MacAddress.parse("01:00:5e:00:00:01"), a.mac(), a.ipv4(), 0xE0000001, 60, 0));
        assertEquals(2, lan.pump(10));
        assertEquals(2, lan.dropped(SwitchDrop.UNKNOWN_DESTINATION));
        assertEquals(2, droppedTotal());
        assertNull(b.receive());
        assertNull(c.receive());
        assertEquals(2, a.counter(NicCounter.TX_REFUSED_BY_SWITCH));
    }

    @Test
    void aFrameToTheSendersOwnMacIsNotSentBack() {
        send(a, TestFrames.ipv4(a, a, 60, 0));
        assertEquals(1, lan.pump(10));
        assertNull(a.receive());
        assertEquals(1, lan.dropped(SwitchDrop.SENT_TO_SELF));
        assertEquals(1, droppedTotal());
    }

    @Test
    void onlyIpv4AndArpAreCarried() {
        byte[] ipv6 = TestFrames.ipv4(a, b, 80, 0);
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xDD;
        // An 802.1Q tag in front of an IPv4 header claiming c's address.
        byte[] tagged = TestFrames.ipv4(a, b, 80, 0);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0x00;
        send(a, ipv6);
        send(a, tagged);
        assertEquals(2, lan.pump(10));
        assertNull(b.receive());
        assertEquals(2, lan.dropped(SwitchDrop.UNSUPPORTED_ETHERTYPE));
        assertEquals(2, droppedTotal());
    }

    @Test
    void malformedFramesAreDroppedAndCounted() {
        byte[] shortIpv4 = TestFrames.ipv4(a, b, 60, 0);
        send(a, Arrays.copyOf(shortIpv4, 33));  // one byte short of a 20-byte IPv4 header
        byte[] notVersion4 = TestFrames.ipv4(a, b, 60, 0);
        notVersion4[EthernetFrame.IPV4_VERSION_IHL_OFFSET] = 0x65;
        send(a, notVersion4);
        byte[] arp = TestFrames.arpRequest(a, b.ipv4());
        send(a, Arrays.copyOf(arp, 41));        // ARP packet cut short
        byte[] wideArp = TestFrames.arpRequest(a, b.ipv4());
        wideArp[EthernetFrame.ARP_PROTOCOL_LENGTH_OFFSET] = 16;
        send(a, wideArp);
        assertEquals(4, lan.pump(10));
        assertEquals(4, lan.dropped(SwitchDrop.MALFORMED));
        assertEquals(4, droppedTotal());
        assertNull(b.receive());

        // Lengths no NIC lets through, checked by the switch all the same.
        assertEquals(SwitchDrop.MALFORMED, IngressCheck.check(a, new byte[13]));
        assertEquals(SwitchDrop.MALFORMED, IngressCheck.check(a, TestFrames.ipv4(a, b, 1515, 0)));
        assertNull(IngressCheck.check(a, TestFrames.ipv4(a, b, 1514, 0)));
        assertNull(IngressCheck.check(a, TestFrames.ipv4(a, b, 34, 0)));
        assertNull(IngressCheck.check(a, Arrays.copyOf(TestFrames.arpRequest(a, b.ipv4()), 60)));
    }

    @Test
    void aFullRxQueueDropsAndCountsInsteadOfBlocking() {
        for (int i = 0; i < 4; i++) {
            send(a, TestFrames.ipv4(a, b, 60, i));
        }
        assertEquals(4, lan.pump(10));
        send(a, TestFrames.ipv4(a, b, 60, 4));
        send(a, TestFrames.ipv4(a, b, 60, 5));
        assertEquals(2, lan.pump(10));
        assertEquals(2, lan.dropped(SwitchDrop.RX_QUEUE_FULL));
        assertEquals(2, b.counter(NicCounter.RX_DROPPED_FULL));
        assertEquals(0, a.counter(NicCounter.TX_REFUSED_BY_SWITCH), "the sender did nothing wrong");
        assertEquals(4, lan.framesForwarded());
        assertEquals(4, told(b));
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(TestFrames.ipv4(a, b, 60, i), b.receive());
        }
        assertNull(b.receive());

        // A broadcast still reaches the ports with room; each port without room is counted.
        for (int i = 0; i < 4; i++) {
            send(a, TestFrames.ipv4(a, b, 60, i));
        }
        assertEquals(4, lan.pump(10));
        send(c, TestFrames.ipv4Broadcast(c, 60, 0));
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.ipv4Broadcast(c, 60, 0), a.receive());
        assertEquals(3, lan.dropped(SwitchDrop.RX_QUEUE_FULL));
        assertEquals(1, lan.broadcastsForwarded());

        // An ARP request for the full port: its one copy is counted, like a broadcast's.
        send(c, TestFrames.arpRequest(c, b.ipv4()));
        assertEquals(1, lan.pump(10));
        assertEquals(4, lan.dropped(SwitchDrop.RX_QUEUE_FULL));
        assertEquals(4, b.counter(NicCounter.RX_DROPPED_FULL));
        assertEquals(2, lan.broadcastsForwarded());
        assertNull(a.receive());
    }

    @Test
    void aFloodingPortCannotStopAnotherPortsFrameInTheFirstRound() {
        for (int i = 0; i < 4; i++) {
            send(a, TestFrames.ipv4(a, c, 60, i));
        }
        assertEquals(-11, a.send(TestFrames.ipv4(a, c, 60, 9), 60), "a's TX queue is full");
        send(b, TestFrames.ipv4(b, c, 60, 100));
        assertEquals(2, lan.pump(2), "one round: one frame from each busy port");
        assertArrayEquals(TestFrames.ipv4(a, c, 60, 0), c.receive());
        assertArrayEquals(TestFrames.ipv4(b, c, 60, 100), c.receive());
        assertEquals(3, a.txWaiting());
    }

    @Test
    void theNextPumpCarriesOnWhereTheLastRoundStopped() {
        for (VirtualNic from : List.of(a, b, c)) {
            send(from, TestFrames.ipv4(from, from == a ? b : a, 60, 1));
            send(from, TestFrames.ipv4(from, from == a ? b : a, 60, 2));
        }
        assertEquals(1, lan.pump(1));
        assertEquals(1, lan.pump(1));
        assertEquals(1, lan.pump(1));
        assertEquals(List.of(1, 1, 1), List.of(a.txWaiting(), b.txWaiting(), c.txWaiting()));
        assertEquals(3, lan.pump(100));
        assertEquals(0, lan.pump(100), "idle");
    }

    @Test
    void doWorkPumpsTheConfiguredNumberOfFrames() {
        VirtualSwitch small = new VirtualSwitch(2);
        VirtualNic x = nic(10);
        VirtualNic y = nic(11);
        small.attach(x);
        small.attach(y);
        for (int i = 0; i < 3; i++) {
            send(x, TestFrames.ipv4(x, y, 60, i));
        }
        assertEquals(2, small.doWork());
        assertEquals(1, small.doWork());
        assertEquals(0, small.doWork());
        assertEquals("virtual-switch", small.roleName());
        assertThrows(IllegalArgumentException.class, () -> new VirtualSwitch(0));
    }

    @Test
    void aDetachedPortGetsNothingAndSendsNothing() {
        assertTrue(lan.detach(b));
        assertFalse(lan.detach(b));
        assertNull(b.attachedTo());
        assertEquals(List.of(a, c), lan.ports());
        send(a, TestFrames.ipv4(a, b, 60, 0));
        send(a, TestFrames.arpRequest(a, b.ipv4()));
        send(b, TestFrames.ipv4(b, a, 60, 0));
        assertEquals(2, lan.pump(10));
        assertNull(b.receive());
        assertEquals(0, told(b));
        assertEquals(1, lan.dropped(SwitchDrop.UNKNOWN_DESTINATION));
        assertEquals(1, lan.dropped(SwitchDrop.ARP_TARGET_UNKNOWN), "b's address is nobody's now");
        assertNull(c.receive());
        assertNull(a.receive());
        assertEquals(1, b.txWaiting(), "a detached port's TX queue is not drained");

        lan.attach(b);
        assertSame(lan, b.attachedTo());
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.ipv4(b, a, 60, 0), a.receive());
    }

    @Test
    void aRetiredPortStillSendsWhatItQueuedThenLetsGoAndReceivesNothingMore() {
        byte[] last1 = TestFrames.ipv4(a, b, 60, 1);
        byte[] last2 = TestFrames.ipv4(a, c, 60, 2);
        send(a, last1);
        send(a, last2);
        assertTrue(lan.retire(a));
        assertFalse(lan.ports().contains(a), "a retired port leaves the LAN at once");
        assertSame(lan, a.attachedTo(), "but the switch holds it until its TX queue is drained");
        send(b, TestFrames.ipv4(b, a, 60, 3)); // to the retired port: nobody there any more

        assertEquals(3, lan.pump(10));
        assertArrayEquals(last1, b.receive());
        assertArrayEquals(last2, c.receive());
        assertNull(a.receive());
        assertEquals(1, lan.dropped(SwitchDrop.UNKNOWN_DESTINATION));
        assertNull(a.attachedTo(), "drained: released");
        assertEquals(0, lan.pump(10));

        // its addresses are free again, and a NIC retired with nothing queued is released at once
        VirtualNic again = nic(1);
        lan.attach(again);
        assertTrue(lan.retire(again));
        assertNull(again.attachedTo());
        assertFalse(lan.retire(again));
    }

    @Test
    @Timeout(10)
    void detachFromInsideAPumpIsRefusedAndLeavesTheSwitchUsable() {
        VirtualSwitch other = new VirtualSwitch();
        VirtualNic x = nic(10);
        VirtualNic[] victim = new VirtualNic[1];
        VirtualNic y = new VirtualNic(MacAddress.parse("02:00:00:00:00:11"), 0x0A00_0011, 4, 4,
            nic -> other.detach(victim[0]));
        victim[0] = x;
        other.attach(x);
        other.attach(y);
        send(x, TestFrames.ipv4(x, y, 60, 0));
        assertEquals("detach called by the switch thread during a pump",
            assertThrows(IllegalStateException.class, () -> other.pump(10)).getMessage());
        assertSame(other, x.attachedTo());
        assertTrue(other.detach(x), "the pump's end was recorded, so this does not wait forever");
        assertEquals(List.of(y), other.ports());
    }

    @Test
    void attachRefusesATakenMacOrIpAndASecondSwitch() {
        VirtualNic sameMac = new VirtualNic(b.mac(), Ipv4Address.parse("10.0.0.50"), RxListener.NONE);
        assertEquals("cannot attach VirtualNic[02:00:00:00:00:02, 10.0.0.50]: MAC 02:00:00:00:00:02 is already"
                + " in use by VirtualNic[02:00:00:00:00:02, 10.0.0.2]",
            assertThrows(IllegalArgumentException.class, () -> lan.attach(sameMac)).getMessage());
        VirtualNic sameIp = new VirtualNic(MacAddress.parse("02:00:00:00:00:50"), c.ipv4(), RxListener.NONE);
        assertEquals("cannot attach VirtualNic[02:00:00:00:00:50, 10.0.0.3]: IPv4 address 10.0.0.3 is already"
                + " in use by VirtualNic[02:00:00:00:00:03, 10.0.0.3]",
            assertThrows(IllegalArgumentException.class, () -> lan.attach(sameIp)).getMessage());
        assertEquals("VirtualNic[02:00:00:00:00:01, 10.0.0.1] is already attached to this switch",
            assertThrows(IllegalArgumentException.class, () -> lan.attach(a)).getMessage());
        VirtualSwitch other = new VirtualSwitch();
        assertEquals("VirtualNic[02:00:00:00:00:01, 10.0.0.1] is already attached to another switch",
            assertThrows(IllegalArgumentException.class, () -> other.attach(a)).getMessage());
        assertFalse(other.detach(a));
        assertSame(lan, a.attachedTo());
        assertEquals(List.of(a, b, c), lan.ports());
        assertEquals(List.of(), other.ports());
    }

    @Test
    void aPortNeedNotBeAVm() {
        // The gateway joins the LAN as a NIC like any other, polled by its own thread.
        VirtualNic gateway = new VirtualNic(MacAddress.parse("02:00:00:00:00:fe"), Ipv4Address.parse("10.0.0.254"),
            1024, 1024, RxListener.NONE);
        lan.attach(gateway);
        send(a, TestFrames.ipv4(a, gateway, 60, 0));
        send(gateway, TestFrames.ipv4(gateway, a, 60, 1));
        assertEquals(2, lan.pump(10));
        assertArrayEquals(TestFrames.ipv4(a, gateway, 60, 0), gateway.receive());
        assertArrayEquals(TestFrames.ipv4(gateway, a, 60, 1), a.receive());
    }
}
