package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The switch's fault injection ({@link LanFaults}): drop, duplicate, reorder, their rates, their determinism. */
class SwitchFaultsTest {
    private static final int QUEUE = 4096;

    private final List<byte[]> tapped = new ArrayList<>();

    /** A NIC with MAC 02:00:00:00:00:0n and IP 10.0.0.n, queues of {@link #QUEUE} frames. */
    private static VirtualNic nic(int n) {
        return new VirtualNic(new MacAddress(0x0200_0000_0000L | n), 0x0A00_0000 | n, QUEUE, QUEUE, x -> { });
    }

    private VirtualSwitch lan(LanFaults faults, VirtualNic... nics) {
        VirtualSwitch lan = new VirtualSwitch(QUEUE, VirtualSwitch.DEFAULT_READY_QUEUE_CAPACITY, faults);
        lan.setTap(tapped::add);
        for (VirtualNic nic : nics) {
            lan.attach(nic);
        }
        return lan;
    }

    /** Sends {@code count} frames numbered from {@code first} (the number is in the payload). */
    private static void send(VirtualNic from, VirtualNic to, int first, int count) {
        for (int i = first; i < first + count; i++) {
            byte[] frame = TestFrames.ipv4(from, to, 64, 0);
            frame[60] = (byte) (i >>> 8);
            frame[61] = (byte) i;
            assertEquals(0, from.send(frame, frame.length));
        }
    }

    /** The numbers of the frames waiting in {@code nic}'s RX queue, in order. */
    private static List<Integer> received(VirtualNic nic) {
        List<Integer> numbers = new ArrayList<>();
        for (byte[] frame = nic.receive(); frame != null; frame = nic.receive()) {
            numbers.add(frame.length < 62 ? -1 : ((frame[60] & 0xFF) << 8) | (frame[61] & 0xFF));
        }
        return numbers;
    }

    private static void pumpAll(VirtualSwitch lan) {
        for (int i = 0; i < 100 && lan.pump(QUEUE) > 0; i++) {
            // bounded: every frame was queued before
        }
        assertEquals(0, lan.pump(QUEUE), "the switch has drained");
    }

    @Test
    void withoutFaultsTheSwitchInjectsNone() {
        assertFalse(LanFaults.NONE.enabled());
        VirtualSwitch plain = new VirtualSwitch();
        assertSame(LanFaults.NONE, plain.faults());
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        plain.attach(a);
        plain.attach(b);
        send(a, b, 0, 100);
        pumpAll(plain);
        assertEquals(seq(0, 100), received(b));
        assertEquals(0, plain.dropped(SwitchDrop.FAULT_INJECTED));
        assertEquals(0, plain.framesDuplicated());
        assertEquals(0, plain.framesReordered());
    }

    @Test
    void aHundredPercentDropDropsEveryDeliveryAndCountsIt() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualNic c = nic(3);
        VirtualSwitch lan = lan(new LanFaults(100, 0, 0, 7), a, b, c);
        send(a, b, 0, 10);
        byte[] everyone = TestFrames.ipv4Broadcast(a, 60, 0);
        assertEquals(0, a.send(everyone, everyone.length));
        byte[] arp = TestFrames.arpRequest(a, b.ipv4());
        assertEquals(0, a.send(arp, arp.length));
        pumpAll(lan);

        assertNull(b.receive());
        assertNull(c.receive());
        assertEquals(10 + 2 + 1, lan.dropped(SwitchDrop.FAULT_INJECTED),
            "10 unicast frames, the broadcast's 2 copies and the ARP request's 1 (to b only)");
        assertEquals(2, lan.framesForwarded(), "only the broadcast and the ARP request passed the switch");
        assertEquals(2, tapped.size());
        assertEquals(0, b.counter(NicCounter.RX_FRAMES));
    }

    @Test
    void aHundredPercentDuplicateDeliversEveryFrameTwiceInOrder() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualSwitch lan = lan(new LanFaults(0, 0, 100, 7), a, b);
        send(a, b, 0, 3);
        pumpAll(lan);

        assertEquals(List.of(0, 0, 1, 1, 2, 2), received(b));
        assertEquals(3, lan.framesDuplicated());
        assertEquals(6, lan.framesForwarded());
        assertEquals(6, tapped.size(), "the pcap shows both copies");
        assertEquals(0, lan.dropped(SwitchDrop.FAULT_INJECTED));
    }

    @Test
    void aHundredPercentReorderSwapsPairsAndLosesNothing() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualNic c = nic(3);
        VirtualSwitch lan = lan(new LanFaults(0, 100, 0, 7), a, b, c);
        send(a, b, 0, 5);
        pumpAll(lan);
        // 0 is held and follows 1; 2 follows 3; 4 is still held when the pump ends and goes then
        assertEquals(List.of(1, 0, 3, 2, 4), received(b));
        assertEquals(2, lan.framesReordered());
        assertEquals(5, lan.framesForwarded());
        assertEquals(5, tapped.size());

        // each port holds its own frame back: c's frames do not overtake b's
        send(a, b, 10, 1);
        send(a, c, 20, 1);
        send(a, b, 11, 1);
        send(a, c, 21, 1);
        pumpAll(lan);
        assertEquals(List.of(11, 10), received(b));
        assertEquals(List.of(21, 20), received(c));
    }

    @Test
    void aHeldFrameIsDeliveredBeforeThePumpReturns() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualSwitch lan = lan(new LanFaults(0, 100, 0, 7), a, b);
        send(a, b, 0, 1);
        assertEquals(1, lan.pump(1));
        assertEquals(List.of(0), received(b), "nothing later came: the held frame goes out at the end of the pump");
        assertEquals(0, lan.framesReordered());

        // a pump that stops early (maxFrames) releases its held frame too, before the next frame comes
        send(a, b, 1, 2);
        assertEquals(1, lan.pump(1));
        assertEquals(List.of(1), received(b));
        assertEquals(1, lan.pump(1));
        assertEquals(List.of(2), received(b));
        assertEquals(0, lan.pump(1));
    }

    @Test
    void aBroadcastIsHeldBackPerPort() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualNic c = nic(3);
        VirtualSwitch lan = lan(new LanFaults(0, 100, 0, 7), a, b, c);
        byte[] everyone = TestFrames.ipv4Broadcast(a, 60, 0);
        assertEquals(0, a.send(everyone, everyone.length));
        send(a, b, 5, 1);
        pumpAll(lan);
        assertEquals(List.of(5, -1), received(b), "the broadcast came after the later unicast frame");
        assertEquals(List.of(-1), received(c), "c's copy went at the end of the pump");
        assertEquals(1, lan.framesReordered());
        assertEquals(2, lan.framesForwarded());
        assertEquals(2, tapped.size());
    }

    @Test
    void anArpRequestIsOneDeliveryToItsTargetAndTakesFaultsLikeOne() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualNic c = nic(3);
        byte[] arp = TestFrames.arpRequest(a, b.ipv4());

        VirtualSwitch twice = lan(new LanFaults(0, 0, 100, 7), a, b, c);
        assertEquals(0, a.send(arp, arp.length));
        pumpAll(twice);
        assertEquals(List.of(-1, -1), received(b), "duplicated");
        assertEquals(List.of(), received(c));
        assertEquals(1, twice.framesDuplicated());
        assertEquals(1, twice.framesForwarded(), "counted once, as a broadcast is");
        assertEquals(1, twice.broadcastsForwarded());
        assertEquals(1, tapped.size(), "and tapped once");
        twice.detach(a);
        twice.detach(b);
        twice.detach(c);

        tapped.clear();
        VirtualSwitch held = lan(new LanFaults(0, 100, 0, 7), a, b, c);
        assertEquals(0, a.send(arp, arp.length));
        send(a, b, 5, 1);
        pumpAll(held);
        assertEquals(List.of(5, -1), received(b), "held back behind the later unicast frame");
        assertEquals(List.of(), received(c));
        assertEquals(1, held.framesReordered());
        assertEquals(2, held.framesForwarded());
        assertEquals(2, tapped.size());
    }

    @Test
    void ratesComeCloseToThePercentagesAndEveryFrameIsAccountedFor() {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        int frames = 4000;
        VirtualSwitch lan = lan(new LanFaults(10, 5, 5, 12345), a, b);
        send(a, b, 0, frames);
        pumpAll(lan);
        List<Integer> got = received(b);

        long dropped = lan.dropped(SwitchDrop.FAULT_INJECTED);
        long duplicated = lan.framesDuplicated();
        long reordered = lan.framesReordered();
        assertTrue(dropped > 300 && dropped < 500, "about 10% dropped: " + dropped);
        // duplicate and reorder are drawn for the frames not dropped (reorder only when the port holds none)
        assertTrue(duplicated > 110 && duplicated < 260, "about 4.5% duplicated: " + duplicated);
        assertTrue(reordered > 110 && reordered < 260, "about 4.5% reordered: " + reordered);
        assertEquals(frames - dropped + duplicated, got.size());
        assertEquals(got.size(), lan.framesForwarded());
        assertEquals(got.size(), b.counter(NicCounter.RX_FRAMES));

        // every frame arrived or was dropped; none arrived three times
        int[] copies = new int[frames];
        for (int n : got) {
            copies[n]++;
        }
        int missing = 0;
        int twice = 0;
        for (int c : copies) {
            assertTrue(c <= 2);
            missing += c == 0 ? 1 : 0;
            twice += c == 2 ? 1 : 0;
        }
        assertEquals(dropped, missing);
        assertEquals(duplicated, twice);
        // and the frames that came out of order are the reordered ones
        int inversions = 0;
        for (int i = 1; i < got.size(); i++) {
            inversions += got.get(i) < got.get(i - 1) ? 1 : 0;
        }
        assertEquals(reordered, inversions);
    }

    @Test
    void theSameSeedGivesTheSameFaultsAndAnotherSeedOthers() {
        assertEquals(run(42), run(42));
        assertNotEquals(run(42), run(43));
    }

    private List<Integer> run(long seed) {
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualSwitch lan = lan(new LanFaults(20, 20, 20, seed), a, b);
        send(a, b, 0, 200);
        pumpAll(lan);
        return received(b);
    }

    @Test
    void percentagesOutsideZeroToAHundredAreRefused() {
        assertEquals("drop must be a percentage from 0 to 100, not 100.5",
            assertThrows(IllegalArgumentException.class, () -> new LanFaults(100.5, 0, 0, 1)).getMessage());
        assertEquals("reorder must be a percentage from 0 to 100, not -1.0",
            assertThrows(IllegalArgumentException.class, () -> new LanFaults(0, -1, 0, 1)).getMessage());
        assertEquals("duplicate must be a percentage from 0 to 100, not NaN",
            assertThrows(IllegalArgumentException.class, () -> new LanFaults(0, 0, Double.NaN, 1)).getMessage());
        assertThrows(NullPointerException.class, () -> new VirtualSwitch(1, 2, null));
    }

    @Test
    void theSpecParsesInAnyOrderWithDefaults() {
        assertEquals(new LanFaults(1.5, 2, 1, 9), LanFaults.parse("drop=1.5,reorder=2,duplicate=1,seed=9", 0));
        assertEquals(new LanFaults(0, 0, 3, 77), LanFaults.parse(" duplicate = 3% ", 77));
        assertEquals(new LanFaults(100, 0.25, 0, -5), LanFaults.parse("seed=-5,reorder=.25,drop=100", 0));
        LanFaults f = new LanFaults(1.5, 2, 0, 42);
        assertEquals("drop=1.5%, reorder=2%, duplicate=0%, seed=42", f.toString());
        assertEquals(f, LanFaults.parse(f.toString(), 0), "toString reads back");
    }

    @Test
    void aBadSpecIsRefusedWithTheReason() {
        assertEquals("drop must be a percentage from 0 to 100, not 101", parseError("drop=101"));
        assertEquals("drop must be a percentage from 0 to 100, not 'lots'", parseError("drop=lots"));
        assertEquals("reorder must be a percentage from 0 to 100, not '-1'", parseError("reorder=-1"));
        assertEquals("duplicate must be a percentage from 0 to 100, not 'NaN'", parseError("duplicate=NaN"));
        assertEquals("drop must be a percentage from 0 to 100, not ''", parseError("drop="));
        assertEquals("unknown key 'loss' (keys: drop, reorder, duplicate, seed)", parseError("loss=1"));
        assertEquals("'drop' is not KEY=VALUE (keys: drop, reorder, duplicate, seed)", parseError("drop"));
        assertEquals("'' is not KEY=VALUE (keys: drop, reorder, duplicate, seed)", parseError("drop=1,"));
        assertEquals("drop is given twice", parseError("drop=1,drop=2"));
        assertEquals("seed must be a whole number, not '1.5'", parseError("seed=1.5"));
        assertEquals("expected drop=P,reorder=P,duplicate=P[,seed=N] with percentages from 0 to 100", parseError(" "));
    }

    private static String parseError(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> LanFaults.parse(spec, 0)).getMessage();
    }

    private static List<Integer> seq(int from, int count) {
        List<Integer> numbers = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            numbers.add(i);
        }
        return numbers;
    }
}
