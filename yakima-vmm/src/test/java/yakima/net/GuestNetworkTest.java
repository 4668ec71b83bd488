package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.host.HandTurnedHost.MS;
import static yakima.host.HandTurnedHost.ended;

import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Ilwaco's network stack below TCP (ilwaco-guestos/net/) between VMs on one
 * host: ARP and ping, UDP echo through the sockets API, ICMP port
 * unreachable, loopback, a spinning thread that cannot silence netd, a VM
 * that is truly idle with its stack started, and malformed frames that are
 * counted without disturbing the VM. The host's threads are not started:
 * each test turns the scheduler and the switch by hand with a clock moved
 * 1 ms a turn.
 */
class GuestNetworkTest {
    private static final int MEM = 512 << 10;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    /** Turns every agent by hand until {@code done}; fails after 20,000 turns (20 s of VM time). */
    private void runUntil(BooleanSupplier done) {
        hand.runUntil(done, 20_000);
    }

    private Vm create(String guest, String... defines) throws Exception {
        return hand.createGuest(guest, MEM, null, defines);
    }

    /** The value of {@code name=N} in the node's last "node stats" line. */
    private int nodeStat(String name) {
        Matcher m = Pattern.compile("node stats .*\\b" + name + "=(\\d+)").matcher(hand.output());
        int value = -1;
        while (m.find()) {
            value = Integer.parseInt(m.group(1));
        }
        assertTrue(value >= 0, "no node stats with " + name + " in:\n" + hand.output());
        return value;
    }

    private void assertClientPassed(Vm client) {
        assertEquals(VmState.TERMINATED, client.state(), client.faultReason() + "\n" + hand.output());
        assertFalse(hand.output().contains("FAIL"), hand.output());
        assertTrue(hand.output().contains("client done, 0 failures"), hand.output());
        assertEquals(0, client.exitCode(), hand.output());
    }

    @Test
    void twoVmsPingEachOtherResolveEachOtherAndEchoUdpDatagramsByteForByte() throws Exception {
        hand.start();
        Vm node = create("net-node"); // vm-1, 10.0.0.2
        runUntil(() -> hand.output().contains("node up"));
        Vm client = create("net-client", "PEER=1"); // vm-2
        runUntil(() -> ended(client));

        assertClientPassed(client);
        String out = hand.output();
        for (int seq = 1; seq <= 3; seq++) {
            assertTrue(out.contains("ping seq=" + seq + " replied"), out);
        }
        assertTrue(out.contains("ok   arp: peer resolved"), out);
        assertTrue(out.contains("ok   udp echo of 1472 bytes"), out);
        assertTrue(out.contains("ok   udp: connected socket sees ECONNREFUSED"), out);
        assertTrue(out.contains("ok   udp: received over loopback"), out);
        assertTrue(out.contains("queue: 32 of 40 in order, 8 dropped"), out);
        assertTrue(out.contains("ok   the blocked recv fails with EBADF"), out);
        // 10.0.0.250 does not exist: three ARP requests a second apart, then the held datagrams are dropped
        assertTrue(out.contains("ping 10.0.0.250: -" + 113), out); // EHOSTUNREACH
        assertTrue(out.contains("arp_timeouts=1 arp_queue_drops=2"), out);
        // the two datagrams to port 9999 were counted and answered with port unreachable
        assertEquals(2, nodeStat("udp_no_port"));
        assertTrue(out.contains("ok   the node pinged us back and holds our MAC"), out);
        assertEquals(5, nodeStat("icmp_echo_in"), "four echo requests from the client, the reply to the node's ping");
        assertEquals(5, nodeStat("icmp_echo_out"), "four echo replies, the node's own request");
        assertEquals(1, nodeStat("arp_replies"), "the node answered the client's one ARP request");
        assertEquals(0, nodeStat("arp_requests"), "the node learnt the client from its request");
        assertEquals(0, nodeStat("rx_bad"));
        assertTrue(node.state() == VmState.IDLE || node.state() == VmState.RUNNABLE, node.state().label());
    }

    @Test
    void aThreadSpinningForeverDoesNotStopNetdAnsweringPingAndUdp() throws Exception {
        hand.start();
        Vm node = create("net-node", "SPIN"); // main spins for(;;), the UDP server runs in a thread
        runUntil(() -> hand.output().contains("node up"));
        Vm client = create("net-client", "PEER=1");
        runUntil(() -> ended(client));

        assertClientPassed(client);
        assertTrue(hand.output().contains("ping seq=3 replied"), hand.output());
        assertEquals(VmState.RUNNABLE, node.state(), "the spinner is still spinning");
    }

    @Test
    void anIdleVmWithItsStackStartedExecutesNoInstructions() throws Exception {
        hand.start();
        Vm node = create("net-node");
        runUntil(() -> hand.output().contains("node up") && node.state() == VmState.IDLE);
        // settle: netd and the server reach their waits
        for (int i = 0; i < 10; i++) {
            hand.turn(MS);
        }
        assertEquals(VmState.IDLE, node.state());
        long insns = node.insns();
        long quanta = node.quanta();
        for (int i = 0; i < 5_000; i++) { // 5 s of VM time
            hand.turn(MS);
        }
        assertEquals(VmState.IDLE, node.state());
        assertEquals(insns, node.insns(), "an idle stack runs no instructions");
        assertEquals(quanta, node.quanta(), "and is never woken");
        // page 0, .data, .bss (the kernel's thread table is 2.4 pages of it), the heap, main's stack, and
        // netd's 8 KiB stack (its top and its canary): 9 pages measured
        assertTrue(node.privatePages() <= 10, "private pages of an idle node: " + node.privatePages());
    }

    @Test
    void malformedFramesAreCountedAndTheVmKeepsAnsweringPing() throws Exception {
        hand.start();
        Vm node = create("net-node"); // vm-1
        runUntil(() -> hand.output().contains("node up"));
        Vm sender = create("net-badframes", "PEER=1"); // vm-2
        runUntil(() -> ended(sender));

        assertEquals(0, sender.exitCode(), hand.output());
        assertTrue(hand.output().contains("sent 6 bad frames"), hand.output());
        assertTrue(hand.output().contains("ping after the bad frames: replied"), hand.output());
        assertEquals(4, nodeStat("rx_bad"), "bad IP checksum, truncated datagram, header longer than the datagram, bad UDP checksum");
        assertEquals(1, nodeStat("ip_fragments"));
        assertEquals(1, nodeStat("rx_not_for_us"), "the unknown protocol");
        assertEquals(0, nodeStat("udp_no_port"));
        assertTrue(node.state() == VmState.IDLE || node.state() == VmState.RUNNABLE, node.state().label());
    }
}
