package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import denali.isa.spec.DenaliAbi;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threading contract under real threads: two owner threads each send and
 * receive on their own NIC while an {@link AgentRunner} runs the switch. How
 * the threads interleave varies from run to run; what must hold does not:
 * every frame either arrives, in the order sent, or is counted as dropped; and
 * once {@code detach} returns, the switch leaves the port alone.
 */
class LanThreadsTest {
    private static final int FRAMES_EACH_WAY = 20_000;

    @Test
    @Timeout(120)
    void ownerThreadsAndTheSwitchThreadLoseNothingUncounted() throws Exception {
        VirtualSwitch lan = new VirtualSwitch();
        VirtualNic a = new VirtualNic(MacAddress.parse("02:00:00:00:00:01"), Ipv4Address.parse("10.0.0.1"),
            RxListener.NONE);
        VirtualNic b = new VirtualNic(MacAddress.parse("02:00:00:00:00:02"), Ipv4Address.parse("10.0.0.2"),
            RxListener.NONE);
        lan.attach(a);
        lan.attach(b);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AgentRunner switchRunner = new AgentRunner(new YieldingIdleStrategy(), failure::set, null, lan);
        AgentRunner.startOnThread(switchRunner);
        Owner ownerA = new Owner(a, b);
        Owner ownerB = new Owner(b, a);
        Thread threadA = Thread.ofPlatform().name("owner-a").start(ownerA);
        Thread threadB = Thread.ofPlatform().name("owner-b").start(ownerB);
        long lastSeen = 0;
        while (threadA.isAlive() || threadB.isAlive()) {
            // The admin API's view: counters read from a third thread only ever go up.
            long forwarded = lan.framesForwarded();
            assertTrue(forwarded >= lastSeen);
            lastSeen = forwarded;
            spinOnce();
        }
        threadA.join();
        threadB.join();
        switchRunner.close();

        assertNull(failure.get());
        assertNull(ownerA.error);
        assertNull(ownerB.error);
        for (VirtualNic nic : new VirtualNic[] {a, b}) {
            assertEquals(FRAMES_EACH_WAY, nic.counter(NicCounter.TX_FRAMES));
            assertEquals(FRAMES_EACH_WAY, nic.counter(NicCounter.RX_FRAMES) + nic.counter(NicCounter.RX_DROPPED_FULL));
        }
        assertEquals(2L * FRAMES_EACH_WAY, lan.framesForwarded() + lan.dropped(SwitchDrop.RX_QUEUE_FULL));
    }

    @Test
    @Timeout(120)
    void afterDetachReturnsTheSwitchNeverTouchesThePortAgain() throws Exception {
        VirtualSwitch lan = new VirtualSwitch(1);
        VirtualNic a = new VirtualNic(MacAddress.parse("02:00:00:00:00:01"), Ipv4Address.parse("10.0.0.1"),
            RxListener.NONE);
        VirtualNic b = new VirtualNic(MacAddress.parse("02:00:00:00:00:02"), Ipv4Address.parse("10.0.0.2"),
            RxListener.NONE);
        lan.attach(a);
        lan.attach(b);
        // a's owner floods b with broadcasts, which b never reads: the switch keeps offering to b's RX queue.
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = Thread.ofPlatform().name("owner-a").start(() -> {
            // Not an ARP request: the switch sends one only to its target, and b is detached half the time.
            byte[] everyone = TestFrames.ipv4Broadcast(a, 60, 0);
            while (!stop.get()) {
                if (a.send(everyone, everyone.length) != 0) {
                    Thread.yield();
                }
            }
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AgentRunner switchRunner = new AgentRunner(new YieldingIdleStrategy(), failure::set, null, lan);
        AgentRunner.startOnThread(switchRunner);
        try {
            for (int round = 0; round < 200; round++) {
                awaitForwarded(lan, lan.framesForwarded() + 3);
                lan.detach(b);
                long dropped = b.counter(NicCounter.RX_DROPPED_FULL);
                int waiting = b.rxWaiting();
                long broadcastsBefore = lan.broadcastsForwarded();
                awaitForwarded(lan, lan.framesForwarded() + 3);
                assertTrue(lan.broadcastsForwarded() > broadcastsBefore);
                assertEquals(dropped, b.counter(NicCounter.RX_DROPPED_FULL), "round " + round);
                assertEquals(waiting, b.rxWaiting(), "round " + round);
                while (b.receive() != null) {
                    // b's owner catches up while b is off the LAN
                }
                lan.attach(b);
            }
        } finally {
            stop.set(true);
            sender.join();
            switchRunner.close();
        }
        assertNull(failure.get());
    }

    @Test
    @Timeout(120)
    void manyOwnersWithDetachChurnAndAnOverflowingReadyQueueStrandNoFrame() throws Exception {
        int owners = 4;
        int nicsPerOwner = 64;
        int framesPerOwner = 40_000;
        // A ready queue far smaller than the port count: overflows and full scans happen too.
        VirtualSwitch lan = new VirtualSwitch(64, 16);
        VirtualNic[] all = new VirtualNic[owners * nicsPerOwner];
        for (int i = 0; i < all.length; i++) {
            all[i] = new VirtualNic(new MacAddress(0x0200_0000_0000L | (i + 1)), 0x0A00_0000 | (i + 1), 8, 8,
                RxListener.NONE);
            lan.attach(all[i]);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AgentRunner switchRunner = new AgentRunner(new YieldingIdleStrategy(), failure::set, null, lan);
        AgentRunner.startOnThread(switchRunner);
        Thread[] threads = new Thread[owners];
        AtomicReference<Throwable> ownerFailure = new AtomicReference<>();
        for (int o = 0; o < owners; o++) {
            int firstOwn = o * nicsPerOwner;
            threads[o] = Thread.ofPlatform().name("owner-" + o).start(() -> {
                try {
                    SplittableRandom random = new SplittableRandom(firstOwn);
                    for (int f = 0; f < framesPerOwner; f++) {
                        VirtualNic own = all[firstOwn + random.nextInt(nicsPerOwner)];
                        VirtualNic to = all[random.nextInt(all.length)];
                        if (to != own) {
                            byte[] frame = TestFrames.ipv4(own, to, 60, f);
                            if (own.send(frame, frame.length) != 0) {
                                Thread.yield();  // -EAGAIN is counted, and fine: give the switch a turn
                            }
                        }
                        while (own.receive() != null) {
                            // keep the RX queue moving
                        }
                        if (f % 500 == 0) {
                            // Swap a VM out and back in: it sends while away, and again once back.
                            VirtualNic away = all[firstOwn + random.nextInt(nicsPerOwner)];
                            if (!lan.detach(away)) {
                                throw new AssertionError(away + " was not attached");
                            }
                            byte[] frame = TestFrames.ipv4(away, own == away ? to : own, 60, f);
                            away.send(frame, frame.length);
                            lan.attach(away);
                            away.send(frame, frame.length);
                        }
                    }
                } catch (Throwable t) {
                    ownerFailure.set(t);
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        // No more sends: every TX queue must drain. A stranded frame would spin here until the timeout.
        for (VirtualNic nic : all) {
            while (nic.txWaiting() > 0) {
                spinOnce();
            }
        }
        switchRunner.close();
        assertNull(failure.get());
        assertNull(ownerFailure.get());
        long sent = 0;
        for (VirtualNic nic : all) {
            sent += nic.counter(NicCounter.TX_FRAMES);
        }
        long dropped = 0;
        for (SwitchDrop cause : SwitchDrop.values()) {
            dropped += lan.dropped(cause);
        }
        assertEquals(sent, lan.framesForwarded() + dropped);
        assertEquals(dropped, lan.dropped(SwitchDrop.RX_QUEUE_FULL) + lan.dropped(SwitchDrop.UNKNOWN_DESTINATION)
            + lan.dropped(SwitchDrop.SENT_TO_SELF));
        assertEquals(all.length, lan.portCount());
    }

    private static void awaitForwarded(VirtualSwitch lan, long atLeast) {
        while (lan.framesForwarded() < atLeast) {
            spinOnce();
        }
    }

    /**
     * One turn of a busy wait that {@code @Timeout} can end: JUnit interrupts
     * the test thread when time is up, and a plain spin would never notice.
     */
    private static void spinOnce() {
        if (Thread.currentThread().isInterrupted()) {
            throw new AssertionError("timed out waiting: a frame was stranded, or the switch stopped");
        }
        Thread.onSpinWait();
    }

    /** One NIC's owner thread: sends numbered frames, retrying on -EAGAIN, and checks what it receives. */
    private static final class Owner implements Runnable {
        private final VirtualNic own;
        private final VirtualNic peer;
        private volatile String error;

        Owner(VirtualNic own, VirtualNic peer) {
            this.own = own;
            this.peer = peer;
        }

        @Override
        public void run() {
            byte[] buffer = TestFrames.ipv4(own, peer, 64, 0);
            int sent = 0;
            int received = 0;
            int lastNumber = -1;
            while (sent < FRAMES_EACH_WAY || received + own.counter(NicCounter.RX_DROPPED_FULL) < FRAMES_EACH_WAY) {
                boolean progress = false;
                if (sent < FRAMES_EACH_WAY) {
                    Ipv4Address.writeTo(buffer, 60, sent);
                    int result = own.send(buffer, buffer.length);
                    if (result == 0) {
                        sent++;
                        progress = true;
                    } else if (result != -DenaliAbi.EAGAIN) {
                        error = "send returned " + result;
                        return;
                    }
                }
                byte[] frame = own.receive();
                if (frame != null) {
                    int number = Ipv4Address.readFrom(frame, 60);
                    if (number <= lastNumber || EthernetFrame.sourceMac(frame) != peer.mac().bits()) {
                        error = "frame " + number + " after " + lastNumber;
                        return;
                    }
                    lastNumber = number;
                    received++;
                    progress = true;
                }
                if (!progress) {
                    Thread.yield();
                }
            }
        }
    }
}
