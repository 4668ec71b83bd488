package yakima.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The switch at scale: O(1) attach and detach, a pump that only visits ports
 * with TX work, the ready queue's at-most-once scheduling and its overflow path,
 * and the hand-over when a port leaves the rotation just as its owner sends.
 */
class SwitchReadyPortsTest {
    /** NIC number n (from 1): MAC 02:00:00:00:00:00 + n, IPv4 10.0.0.0 + n. */
    private static VirtualNic nic(int n, int txCapacity, int rxCapacity) {
        return new VirtualNic(new MacAddress(0x0200_0000_0000L | n), 0x0A00_0000 | n, txCapacity, rxCapacity,
            RxListener.NONE);
    }

    private static VirtualNic nic(int n) {
        return nic(n, 4, 4);
    }

    private static void send(VirtualNic from, byte[] frame) {
        assertEquals(0, from.send(frame, frame.length));
    }

    /** Pumps until idle; the frames taken. */
    private static int pumpAll(VirtualSwitch lan) {
        int total = 0;
        for (int taken; (taken = lan.pump(1000)) > 0; ) {
            total += taken;
        }
        return total;
    }

    private static long droppedTotal(VirtualSwitch lan) {
        long total = 0;
        for (SwitchDrop cause : SwitchDrop.values()) {
            total += lan.dropped(cause);
        }
        return total;
    }

    @Test
    @Timeout(120) // a guard only: with O(ports) attach and detach this took minutes
    void aHundredThousandPortsAttachAndHalfDetachAndTheRestStillForwardRight() {
        int count = 100_000;
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic[] nics = new VirtualNic[count];
        for (int i = 0; i < count; i++) {
            nics[i] = nic(i + 1);
            lan.attach(nics[i]);
        }
        assertEquals(count, lan.portCount());
        assertEquals(count, lan.ports().size());
        // Every odd-numbered port leaves: half the VMs swapped out.
        List<VirtualNic> staying = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i % 2 == 1) {
                assertTrue(lan.detach(nics[i]));
                assertNull(nics[i].attachedTo());
            } else {
                staying.add(nics[i]);
            }
        }
        assertEquals(count / 2, lan.portCount());
        assertEquals(staying, lan.ports(), "attach order survives");
        assertFalse(lan.detach(nics[1]));
        // A detached port's address is free again, for a new NIC.
        VirtualNic reusing = new VirtualNic(nics[3].mac(), nics[3].ipv4(), 4, 4, RxListener.NONE);
        lan.attach(reusing);
        assertTrue(lan.detach(reusing));
        assertEquals(0, lan.portVisits(), "nothing sent yet, nothing visited");

        // Every 1000th staying port sends one frame to the next staying port and
        // one to the detached port between them; a detached port sends too.
        int senders = 0;
        for (int i = 0; i + 2 < count; i += 2000) {
            send(nics[i], TestFrames.ipv4(nics[i], nics[i + 2], 60, i));
            send(nics[i], TestFrames.ipv4(nics[i], nics[i + 1], 60, i));
            senders++;
        }
        send(nics[count - 1], TestFrames.ipv4(nics[count - 1], nics[0], 60, 7));
        assertEquals(2 * senders, pumpAll(lan));
        assertEquals(2 * senders, lan.portVisits(), "only the senders were visited, once per frame");
        for (int i = 0; i + 2 < count; i += 2000) {
            assertArrayEquals(TestFrames.ipv4(nics[i], nics[i + 2], 60, i), nics[i + 2].receive());
            assertNull(nics[i + 2].receive());
            assertEquals(0, nics[i + 1].rxWaiting(), "a detached port gets nothing");
        }
        assertEquals(senders, lan.framesForwarded());
        assertEquals(senders, lan.dropped(SwitchDrop.UNKNOWN_DESTINATION));
        assertEquals(senders, droppedTotal(lan));
        assertEquals(1, nics[count - 1].txWaiting(), "a detached port's TX queue is not drained");

        // A broadcast reaches every staying port once, and no detached one.
        byte[] everyone = TestFrames.ipv4Broadcast(nics[0], 60, 0);
        send(nics[0], everyone);
        assertEquals(1, lan.pump(10));
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0 && i != 0) {
                assertArrayEquals(everyone, nics[i].receive(), nics[i].toString());
            }
            assertNull(nics[i].receive(), nics[i].toString());
        }
        assertEquals(1, lan.broadcastsForwarded());
        assertEquals(senders, droppedTotal(lan));

        // An ARP request reaches its target's port alone; one for a detached port's address, nobody.
        byte[] whoHas = TestFrames.arpRequest(nics[0], nics[count - 2].ipv4());
        send(nics[0], whoHas);
        send(nics[0], TestFrames.arpRequest(nics[0], nics[count - 3].ipv4()));
        assertEquals(2, lan.pump(10));
        for (int i = 0; i < count; i++) {
            if (i == count - 2) {
                assertArrayEquals(whoHas, nics[i].receive(), nics[i].toString());
            }
            assertNull(nics[i].receive(), nics[i].toString());
        }
        assertEquals(2, lan.broadcastsForwarded());
        assertEquals(1, lan.dropped(SwitchDrop.ARP_TARGET_UNKNOWN));
        assertEquals(senders + 1, droppedTotal(lan));

        // Coming back, a port sends what it queued while away.
        lan.attach(nics[count - 1]);
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.ipv4(nics[count - 1], nics[0], 60, 7), nics[0].receive());
    }

    @Test
    void anIdlePumpTouchesNoPort() {
        VirtualSwitch lan = new VirtualSwitch(256);
        VirtualNic[] nics = new VirtualNic[10_000];
        for (int i = 0; i < nics.length; i++) {
            nics[i] = nic(i + 1);
            lan.attach(nics[i]);
        }
        assertEquals(0, lan.pump(256));
        assertEquals(0, lan.doWork());
        assertEquals(0, lan.portVisits());

        send(nics[5000], TestFrames.ipv4(nics[5000], nics[17], 60, 0));
        assertEquals(1, lan.doWork());
        assertEquals(1, lan.portVisits());
        assertEquals(0, lan.doWork());
        assertEquals(0, lan.pump(256));
        assertEquals(1, lan.portVisits(), "the port left the rotation with its last frame");
        assertArrayEquals(TestFrames.ipv4(nics[5000], nics[17], 60, 0), nics[17].receive());
    }

    @Test
    void aPortIsQueuedOnceHoweverManyFramesItSends() {
        VirtualSwitch lan = new VirtualSwitch(256, 2);
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        VirtualNic sink = nic(3, 4, 16);
        lan.attach(a);
        lan.attach(b);
        lan.attach(sink);
        for (int i = 0; i < 4; i++) {
            send(a, TestFrames.ipv4(a, sink, 60, i));
            send(b, TestFrames.ipv4(b, sink, 60, 100 + i));
        }
        assertEquals(0, lan.readyQueueOverflows(), "two ports, two places: each port is queued once");
        assertEquals(8, lan.pump(100));
        assertEquals(8, lan.portVisits());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(TestFrames.ipv4(a, sink, 60, i), sink.receive());
            assertArrayEquals(TestFrames.ipv4(b, sink, 60, 100 + i), sink.receive());
        }
        assertEquals(0, lan.fullScans());
    }

    @Test
    void aFloodingPortDoesNotStarveOthersAmongManyPorts() {
        VirtualSwitch lan = new VirtualSwitch();
        int count = 1000;
        VirtualNic flooder = nic(1, 64, 4);
        VirtualNic sink = nic(2, 4, 4096);
        lan.attach(flooder);
        lan.attach(sink);
        List<VirtualNic> others = new ArrayList<>();
        for (int n = 3; n <= count; n++) {
            VirtualNic other = nic(n);
            lan.attach(other);
            others.add(other);
        }
        for (int i = 0; i < 64; i++) {
            send(flooder, TestFrames.ipv4(flooder, sink, 60, i));
        }
        for (VirtualNic other : others) {
            send(other, TestFrames.ipv4(other, sink, 60, 0));
        }
        int busy = 1 + others.size();
        assertEquals(busy, lan.pump(busy), "one frame from each busy port");
        assertEquals(63, flooder.txWaiting());
        assertArrayEquals(TestFrames.ipv4(flooder, sink, 60, 0), sink.receive());
        for (VirtualNic other : others) {
            assertEquals(0, other.txWaiting());
            assertArrayEquals(TestFrames.ipv4(other, sink, 60, 0), sink.receive(), other.toString());
        }

        // A port with work joins the back of the rotation and takes turns with the flooder.
        VirtualNic late = others.get(500);
        send(late, TestFrames.ipv4(late, sink, 60, 1));
        send(late, TestFrames.ipv4(late, sink, 60, 2));
        assertEquals(4, lan.pump(4));
        assertArrayEquals(TestFrames.ipv4(flooder, sink, 60, 1), sink.receive());
        assertArrayEquals(TestFrames.ipv4(late, sink, 60, 1), sink.receive());
        assertArrayEquals(TestFrames.ipv4(flooder, sink, 60, 2), sink.receive());
        assertArrayEquals(TestFrames.ipv4(late, sink, 60, 2), sink.receive());
        assertEquals(61, pumpAll(lan));
        assertEquals(0, flooder.txWaiting());
        assertEquals(busy + 4 + 61, lan.framesForwarded());
        assertEquals(busy + 4 + 61, lan.portVisits(), "no port was visited without a frame to take");
    }

    @Test
    void aFrameSentJustBeforeTheSwitchClearsThePortsFlagIsNotStranded() {
        // The owner sends while the flag is still set, so it does not queue the
        // port: the switch's second look at the TX queue must find the frame.
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        lan.attach(a);
        lan.attach(b);
        int[] calls = new int[1];
        lan.setDeactivationHook(new VirtualSwitch.DeactivationHook() {
            @Override
            public void txLookedEmpty(VirtualNic nic) {
                if (calls[0]++ == 0) {
                    send(a, TestFrames.ipv4(a, b, 60, 2));
                }
            }

            @Override
            public void flagCleared(VirtualNic nic) {
            }
        });
        send(a, TestFrames.ipv4(a, b, 60, 1));
        assertEquals(2, lan.pump(10), "the switch kept the port and took the second frame too");
        assertArrayEquals(TestFrames.ipv4(a, b, 60, 1), b.receive());
        assertArrayEquals(TestFrames.ipv4(a, b, 60, 2), b.receive());
        assertEquals(0, lan.pump(10));
        assertEquals(2, calls[0]);

        // And the port is scheduled afresh next time.
        send(a, TestFrames.ipv4(a, b, 60, 3));
        assertEquals(1, lan.pump(10));
        assertArrayEquals(TestFrames.ipv4(a, b, 60, 3), b.receive());
    }

    @Test
    void aFrameSentJustAfterTheSwitchClearsThePortsFlagIsNotStranded() {
        // The owner sends once the flag is clear, so it queues the port itself;
        // the switch sees the frame too but loses the race for the flag, and
        // leaves the port to the ready queue: the frame goes exactly once.
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        lan.attach(a);
        lan.attach(b);
        int[] calls = new int[1];
        lan.setDeactivationHook(new VirtualSwitch.DeactivationHook() {
            @Override
            public void txLookedEmpty(VirtualNic nic) {
            }

            @Override
            public void flagCleared(VirtualNic nic) {
                if (calls[0]++ < 3) {
                    send(a, TestFrames.ipv4(a, b, 60, 10 + calls[0]));
                }
            }
        });
        send(a, TestFrames.ipv4(a, b, 60, 10));
        assertEquals(4, pumpAll(lan));
        for (int i = 10; i < 14; i++) {
            assertArrayEquals(TestFrames.ipv4(a, b, 60, i), b.receive());
        }
        assertNull(b.receive());
        assertEquals(0, a.txWaiting());
        assertEquals(4, lan.portVisits());
        assertEquals(0, lan.readyQueueOverflows());
    }

    @Test
    void aFullReadyQueueFallsBackToAFullScanAndStrandsNothing() {
        VirtualSwitch lan = new VirtualSwitch(256, 2);
        VirtualNic sink = nic(1, 4, 64);
        lan.attach(sink);
        List<VirtualNic> senders = new ArrayList<>();
        for (int n = 2; n <= 10; n++) {
            VirtualNic sender = nic(n);
            lan.attach(sender);
            senders.add(sender);
        }
        for (VirtualNic sender : senders) {
            send(sender, TestFrames.ipv4(sender, sink, 60, 0));
            send(sender, TestFrames.ipv4(sender, sink, 60, 1));
        }
        assertEquals(senders.size() - 2, lan.readyQueueOverflows());
        assertEquals(2 * senders.size(), pumpAll(lan));
        assertEquals(1, lan.fullScans());
        assertEquals(2 * senders.size(), sink.rxWaiting());
        for (VirtualNic sender : senders) {
            assertEquals(0, sender.txWaiting());
        }
        assertEquals(0, lan.pump(10));
        assertEquals(1, lan.fullScans(), "the scan ran once, for the overflow");
        assertEquals(2 * senders.size(), lan.portVisits());
    }

    @Test
    void aPortDetachedWhileQueuedIsDroppedUnseenAndAttachingAgainSendsEachFrameOnce() {
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        lan.attach(a);
        lan.attach(b);
        send(a, TestFrames.ipv4(a, b, 60, 1));
        assertTrue(lan.detach(a));
        assertEquals(0, lan.pump(10));
        assertEquals(0, lan.portVisits(), "the switch did not touch the detached NIC");
        assertEquals(1, a.txWaiting());

        // Back on the same switch: the stale entry is skipped, the new port sends the frame once.
        lan.attach(a);
        assertEquals(1, pumpAll(lan));
        assertArrayEquals(TestFrames.ipv4(a, b, 60, 1), b.receive());
        assertNull(b.receive());
        assertEquals(1, lan.portVisits());

        // Queued here, then moved to another switch: that one sends it, this one never touches it.
        send(a, TestFrames.ipv4(a, b, 60, 2));
        assertTrue(lan.detach(a));
        VirtualSwitch other = new VirtualSwitch();
        VirtualNic c = nic(3);
        other.attach(c);
        other.attach(a);
        assertSame(other, a.attachedTo());
        assertEquals(0, lan.pump(10));
        assertEquals(1, lan.portVisits());
        send(a, TestFrames.ipv4(a, c, 60, 3));
        assertEquals(2, pumpAll(other));
        assertEquals(1, other.dropped(SwitchDrop.UNKNOWN_DESTINATION), "b is not on the other LAN");
        assertArrayEquals(TestFrames.ipv4(a, c, 60, 3), c.receive());
    }

    @Test
    void aPortDetachedInTheMiddleOfItsTurnsIsNotVisitedAgain() {
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        VirtualNic b = nic(2);
        lan.attach(a);
        lan.attach(b);
        for (int i = 0; i < 3; i++) {
            send(a, TestFrames.ipv4(a, b, 60, i));
        }
        assertEquals(1, lan.pump(1));
        assertTrue(lan.detach(a));
        assertEquals(0, lan.pump(10));
        assertEquals(2, a.txWaiting(), "its frames stay with it");
        assertEquals(1, lan.portVisits());
        lan.attach(a);
        assertEquals(2, lan.pump(10));
        assertEquals(3, b.rxWaiting());
    }

    @Test
    void aListenerThatThrowsLeavesTheRotationWhole() {
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        boolean[] fail = {true};
        VirtualNic b = new VirtualNic(new MacAddress(0x0200_0000_0002L), 0x0A00_0002, 4, 4, nic -> {
            if (fail[0]) {
                fail[0] = false;
                throw new IllegalStateException("listener bug");
            }
        });
        lan.attach(a);
        lan.attach(b);
        send(a, TestFrames.ipv4(a, b, 60, 1));
        send(a, TestFrames.ipv4(a, b, 60, 2));
        assertThrows(IllegalStateException.class, () -> lan.pump(10));
        assertEquals(1, lan.pump(10), "the port kept its place and its second frame goes");
        assertEquals(2, b.rxWaiting());
        send(a, TestFrames.ipv4(a, b, 60, 3));
        assertEquals(1, lan.pump(10));
    }

    @Test
    void pumpFromInsideAPumpIsRefused() {
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = nic(1);
        VirtualNic b = new VirtualNic(new MacAddress(0x0200_0000_0002L), 0x0A00_0002, 4, 4, nic -> lan.pump(1));
        lan.attach(a);
        lan.attach(b);
        send(a, TestFrames.ipv4(a, b, 60, 1));
        assertEquals("pump called by the switch thread during a pump",
            assertThrows(IllegalStateException.class, () -> lan.pump(10)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 1, 3, 100, (1 << 30) + 1, Integer.MIN_VALUE})
    void theReadyQueueCapacityMustBeAPowerOfTwoInRange(int capacity) {
        assertEquals("readyQueueCapacity " + capacity + " must be a power of two from 2 to 1073741824",
            assertThrows(IllegalArgumentException.class, () -> new VirtualSwitch(1, capacity)).getMessage());
    }

    @Test
    void defaults() {
        assertEquals(VirtualSwitch.DEFAULT_READY_QUEUE_CAPACITY, new VirtualSwitch().readyQueueCapacity());
        assertEquals(2, new VirtualSwitch(1, 2).readyQueueCapacity());
    }
}
