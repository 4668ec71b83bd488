package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import denali.isa.spec.DenaliAbi;
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
            Thread.onSpinWait();
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
            byte[] arp = TestFrames.arpRequest(a, b.ipv4());
            while (!stop.get()) {
                if (a.send(arp, arp.length) != 0) {
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

    private static void awaitForwarded(VirtualSwitch lan, long atLeast) {
        while (lan.framesForwarded() < atLeast) {
            Thread.onSpinWait();
        }
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
