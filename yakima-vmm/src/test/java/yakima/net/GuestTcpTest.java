package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.host.HandTurnedHost.ended;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.host.HostConfig;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Ilwaco's TCP (ilwaco-guestos/net/tcp*.c) seen from inside VMs: over
 * loopback in one VM, and between VMs through the switch. The host's
 * threads are not started: each test turns the scheduler and the switch by
 * hand with a fake clock, so time passes only as the test says.
 */
class GuestTcpTest {
    private static final int MEM = 1 << 20;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    private Vm create(int mem, String guest, String... defines) throws Exception {
        return hand.createGuest(guest, mem, null, defines);
    }

    /** The value of {@code name=N} in the last line starting with {@code prefix}. */
    private long stat(String prefix, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + ".*\\b" + name + "=(\\d+)")
                .matcher(hand.output());
        long value = -1;
        while (m.find()) {
            value = Long.parseLong(m.group(1));
        }
        assertTrue(value >= 0, "no " + name + " after '" + prefix + "' in:\n" + hand.output());
        return value;
    }

    private void assertPassed(Vm vm, String doneLine) {
        assertEquals(VmState.TERMINATED, vm.state(), vm.faultReason() + "\n" + hand.output());
        assertFalse(hand.output().contains("FAIL"), hand.output());
        assertTrue(hand.output().contains(doneLine), hand.output());
        assertEquals(0, vm.exitCode(), hand.output());
    }

    @Test
    void loopbackTransferRefusedResetNonblockingBacklogAndSimultaneousOpenInOneVm() throws Exception {
        hand.start();
        Vm vm = create(MEM, "tcp-loop");
        hand.runUntil(() -> ended(vm), 30_000);
        assertPassed(vm, "tcp-loop done, 0 failures");
        assertEquals(0, stat("tcp stats", "rx_bad"));
        assertTrue(stat("tcp stats", "rst_out") >= 2, "a RST for the closed port and one for the unread data");
        assertTrue(stat("tcp stats", "backlog_drops") >= 1, "the second SYN met a full backlog");
        assertTrue(stat("tcp stats", "dup_in") >= 2, "each crossing SYN-ACK repeats a SYN already seen");
    }

    /** CRC-32 of the first n bytes of tcp-bulk.c's pattern. */
    private static long patternCrc(int n) {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[8192];
        for (int i = 0; i < n; i += chunk.length) {
            int len = Math.min(chunk.length, n - i);
            for (int k = 0; k < len; k++) {
                int j = i + k;
                chunk[k] = (byte) (j * 7 + (j >>> 11) + 1);
            }
            crc.update(chunk, 0, len);
        }
        return crc.getValue();
    }

    private static final int TEN_MIB = 10 << 20;
    private static final int BULK_MEM = 4 << 20;

    /** Runs tcp-bulk server (vm-1) and client (vm-2) until both end; returns the VM time taken in ms. */
    private long bulk(HostConfig config, int maxTurns) throws Exception {
        return bulk(config, TEN_MIB, maxTurns);
    }

    private long bulk(HostConfig config, int bytes, int maxTurns, String... clientDefines) throws Exception {
        hand.start(config);
        Vm server = create(BULK_MEM, "tcp-bulk", "SERVER", "BYTES=" + bytes);
        hand.runUntil(() -> hand.output().contains("server listening"), 1_000);
        String[] defines = java.util.stream.Stream.concat(java.util.stream.Stream.of("PEER=1", "BYTES=" + bytes),
                java.util.Arrays.stream(clientDefines)).toArray(String[]::new);
        Vm client = create(BULK_MEM, "tcp-bulk", defines);
        long start = hand.nowNs(), wall = System.nanoTime();
        hand.runUntil(() -> ended(server) && ended(client), maxTurns);
        System.out.printf("tcp-bulk: %d ms of VM time, %d ms wall%n", (hand.nowNs() - start) / 1_000_000,
                (System.nanoTime() - wall) / 1_000_000);
        String crc = String.format("%08x", patternCrc(bytes));
        assertEquals(0, server.exitCode(), hand.output());
        assertEquals(0, client.exitCode(), hand.output());
        assertTrue(hand.output().contains("client sent " + bytes + " bytes crc " + crc), hand.output());
        assertTrue(hand.output().contains("server got " + bytes + " bytes crc " + crc + " mismatches 0"),
                hand.output());
        return (hand.nowNs() - start) / 1_000_000;
    }

    @Test
    void tenMibFromVmToVmArriveExactly() throws Exception {
        bulk(HostConfig.defaults(), 60_000);
        assertEquals(0, stat("server stats", "rx_bad"));
        assertEquals(0, stat("client stats", "retransmits"), "a clean LAN loses nothing");
    }

    @Test
    void aClientThatClosesAndExitsAtOnceStillDeliversItsDataAndItsFinThroughALossyLan() throws Exception {
        // exit() lingers until the peer has acknowledged what close() queued; 10% of frames are lost. The client
        // does not wait for the server's FIN: if that is lost, the client is gone before it is sent again and the
        // server lingers its full 30 s (tcp-bulk.c), so the budget holds the transfer and those 30 s
        bulk(HostConfig.defaults().withLanFaults(new LanFaults(10, 0, 0, 11)), 256 << 10, 45_000, "EXIT_AT_ONCE");
        assertTrue(hand.host().lan().dropped(SwitchDrop.FAULT_INJECTED) > 0, "frames were dropped");
    }

    @Test
    void tenMibArriveExactlyThroughASwitchThatDropsReordersAndDuplicatesFrames() throws Exception {
        bulk(HostConfig.defaults().withLanFaults(new LanFaults(2, 2, 2, 42)), 120_000);
        VirtualSwitch lan = hand.host().lan();
        assertTrue(lan.dropped(SwitchDrop.FAULT_INJECTED) > 100, "frames were dropped");
        assertTrue(lan.framesReordered() > 100, "frames were reordered");
        assertTrue(lan.framesDuplicated() > 100, "frames were duplicated");
        // the sender resent what was lost, mostly at once on duplicate ACKs
        assertTrue(stat("client stats", "retransmits") > 50, hand.output());
        assertTrue(stat("client stats", "fast_retransmits") > 20, hand.output());
        // the receiver dropped the duplicates and kept the early segments
        assertTrue(stat("server stats", "dup_in") > 50, hand.output());
        assertTrue(stat("server stats", "ooo_in") > 50, hand.output());
    }

    @Test
    void refusedResetClosedWindowTimeWaitAndTimeoutsBetweenVms() throws Exception {
        hand.start();
        Vm peer = create(MEM, "tcp-peer"); // vm-1
        hand.runUntil(() -> hand.output().contains("peer up"), 1_000);
        Vm probe = create(MEM, "tcp-probe", "PEER=1");
        // 10 ms a turn: the connect timeout takes a minute of VM time
        hand.runUntil(() -> hand.output().contains("vanish: connected"), 20_000, 10_000_000);
        assertTrue(hand.output().contains("vanish: connected 1"), hand.output());
        assertEquals(VmState.IDLE, peer.state(), hand.output());
        long timeout = Long.parseLong(hand.output().replaceAll("(?s).*timeout after (\\d+) s.*", "$1"));
        assertTrue(timeout >= 60 && timeout <= 70, "SYN sent at 0, 1, 3, 7, 15, 31 s; given up at 63 s: " + timeout);
        assertTrue(stat("peer stats", "rst_out") >= 2, "the closed port and the unread data");
        assertTrue(stat("peer stats", "drops") >= 1, "the peer's closed window turned away a probe byte");
        assertTrue(hand.output().contains("peer: slow read 100000 bytes"), hand.output());
        // the peer closed the slow connection first: TIME_WAIT, gone 2 * MSL (60 s) later
        assertEquals(1, stat("peer stats", "open"), hand.output());
        assertEquals(0, stat("peer later", "open"), hand.output());

        // the peer vanishes: the data is resent 10 times with the RTO doubling to 60 s, then ETIMEDOUT
        hand.host().destroy(peer.idString());
        hand.runUntil(() -> ended(probe), 40_000, 10_000_000);
        assertPassed(probe, "probe done, 0 failures");
        long gaveUp = Long.parseLong(hand.output().replaceAll("(?s).*vanish: gave up after (\\d+) s.*", "$1"));
        assertTrue(gaveUp >= 150 && gaveUp <= 300, "0.2 s doubling to 60 s, 11 sends: " + gaveUp);
    }

    @Test
    void aHundredConcurrentConnectionsBetweenTwoVmsEachEchoTheirOwnBytes() throws Exception {
        hand.start();
        Vm server = create(8 << 20, "tcp-many", "SERVER");
        hand.runUntil(() -> hand.output().contains("many server listening"), 1_000);
        Vm client = create(8 << 20, "tcp-many", "PEER=1");
        long wall = System.nanoTime();
        hand.runUntil(() -> ended(server) && ended(client), 60_000);
        System.out.printf("tcp-many: %d ms wall%n", (System.nanoTime() - wall) / 1_000_000);
        assertPassed(client, "many client done: 100 ok, 0 failures");
        assertEquals(0, server.exitCode(), hand.output());
        int bytes = 0;
        for (int i = 0; i < 100; i++) {
            bytes += 3000 + 37 * i;
        }
        assertTrue(hand.output().contains("many server done: 100 connections, " + bytes + " bytes"), hand.output());
    }

    /** TCP_TIME_WAIT_MAX as ilwaco-guestos/net/tcp_pcb.h defines it. */
    private static int timeWaitMax() throws IOException {
        String header = Files.readString(Path.of("..", "ilwaco-guestos", "net", "tcp_pcb.h"));
        Matcher m = Pattern.compile("(?m)^#define\\s+TCP_TIME_WAIT_MAX\\s+(\\d+)\\b").matcher(header);
        assertTrue(m.find(), "TCP_TIME_WAIT_MAX in tcp_pcb.h");
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aServerThatClosesFirstKeepsAtMostTcpTimeWaitMaxConnectionsInTimeWaitAndRecyclesTheOldest()
            throws Exception {
        int max = timeWaitMax();
        int conns = 3 * max + 8;
        hand.start();
        Vm server = create(MEM, "tcp-timewait", "SERVER", "CONNS=" + conns);
        hand.runUntil(() -> hand.output().contains("tw server listening"), 1_000);
        Vm client = create(MEM, "tcp-timewait", "PEER=1", "CONNS=" + conns);
        long start = hand.nowNs();
        hand.runUntil(() -> ended(server) && ended(client), 60_000);
        long vmMs = (hand.nowNs() - start) / 1_000_000;
        System.out.printf("tcp-timewait: %d connections in %d ms of VM time%n", conns, vmMs);
        assertPassed(client, "tw client done: " + conns + " ok, 0 failures");
        assertEquals(0, server.exitCode(), hand.output());
        assertTrue(hand.output().contains("tw server done: " + conns + " connections, 0 failures"), hand.output());

        // The server closed first every time, so every connection entered TIME_WAIT there, and all
        // within 2 * MSL (60 s) of VM time, so none left it by its timer: the max stayed, the rest
        // were recycled, oldest first, to make room.
        assertTrue(vmMs < 60_000, "no TIME_WAIT expired: " + vmMs + " ms");
        assertEquals(max, stat("tw server stats", "time_wait"), hand.output());
        assertEquals(max, stat("tw server stats", "peak"), "sampled after every accept: never above the max");
        assertEquals(conns - max, stat("tw server stats", "recycled"), hand.output());
        assertEquals(max, stat("tw server stats", "open"), "only the TIME_WAIT connections are left");
        assertEquals(0, stat("tw server stats", "rst_out"), "recycling a TIME_WAIT sends nothing");
        assertEquals(0, stat("tw server stats", "backlog_drops"));
        assertEquals(0, stat("tw server stats", "drops"));
        // The client closed second: nothing in TIME_WAIT on its side.
        assertEquals(0, stat("tw client stats", "time_wait"));
        assertEquals(0, stat("tw client stats", "recycled"));
    }

    @Test
    void theConnectionsRecycledOutOfTimeWaitAreTheOldest() throws Exception {
        int max = timeWaitMax();
        int conns = max + 16;
        hand.start();
        // The server keeps its sockets, so it can ask each connection afterwards whether it is still there.
        Vm server = create(MEM, "tcp-timewait", "SERVER", "HOLD", "CONNS=" + conns);
        hand.runUntil(() -> hand.output().contains("tw server listening"), 1_000);
        Vm client = create(MEM, "tcp-timewait", "PEER=1", "CONNS=" + conns);
        hand.runUntil(() -> ended(server) && ended(client), 60_000);
        assertPassed(client, "tw client done: " + conns + " ok, 0 failures");
        assertEquals(0, server.exitCode(), hand.output());
        assertTrue(hand.output().contains("tw server held: 16 recycled, " + max + " in TIME_WAIT, oldest first: yes"),
                hand.output());
        assertEquals(16, stat("tw server stats", "recycled"), hand.output());
        assertEquals(max, stat("tw server stats", "time_wait"), hand.output());
        assertEquals(max, stat("tw server stats", "peak"), hand.output());
    }

    @Test
    void segmentsWrittenByHandMeetRfc9293ArrivalRulesAndRfc5961Checks() throws Exception {
        hand.start();
        Vm server = create(MEM, "tcp-raw", "SERVER");
        hand.runUntil(() -> hand.output().contains("raw server listening"), 1_000);
        Vm raw = create(MEM, "tcp-raw", "PEER=1");
        hand.runUntil(() -> ended(raw), 10_000);
        assertPassed(raw, "raw done, 0 failures");
        assertEquals(VmState.IDLE, server.state(), hand.output());
        assertTrue(hand.output().contains("raw server read abcdefghijklm, end 104"), "ECONNRESET after all the data");
        assertEquals(1, stat("raw server stats", "rx_bad"), "the segment with the bad checksum");
        assertEquals(1, stat("raw server stats", "dup_in"));
        assertEquals(1, stat("raw server stats", "ooo_in"));
        assertEquals(0, stat("raw server stats", "open"));
    }
}
