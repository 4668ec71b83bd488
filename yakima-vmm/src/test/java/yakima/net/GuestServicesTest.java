package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.loader.ElfImage;
import denali.isa.loader.ElfSymbol;
import denali.isa.memory.GuestMemory;
import yakima.host.DiskSpec;
import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.host.HostConfig;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * The guest services ({@code services/httpd}, {@code echo}, {@code kv}) over
 * Ilwaco's TCP/IP stack, each in a VM with a client VM beside it on the LAN
 * (the clients are {@code src/test/guests/*-client.c}; they check every byte
 * and print what the tests assert). The host's threads are not started:
 * every test turns the scheduler, the switch and the disk thread by hand
 * with a fake clock, so runs are deterministic and bounded.
 */
class GuestServicesTest {
    private static final int SERVER_MEM = 8 << 20;
    private static final int CLIENT_MEM = 8 << 20;
    /** What an idle httpd may hold privately: 48 KiB. */
    private static final int IDLE_PRIVATE_PAGES = 12;

    @TempDir
    Path dir;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN, Agent.DISKS);

    private Vm client(String guest, String... defines) throws Exception {
        return hand.createGuest(guest, CLIENT_MEM, null, defines);
    }

    private void runUntilEnded(Vm vm, int maxTurns) {
        hand.runUntil(() -> vm.state().isFinal(), maxTurns);
        assertEquals(VmState.TERMINATED, vm.state(), () -> "fault: " + vm.faultReason() + "\n" + hand.output());
    }

    private void assertPrinted(String line) {
        assertTrue(hand.output().contains(line + "\n"), () -> "no line \"" + line + "\" in:\n" + hand.output());
    }

    // ---------------------------------------------------------------- httpd

    @Test
    void aHundredConcurrentConnectionsFetchEveryObjectSizeAndEveryByteMatches() throws Exception {
        hand.start();
        Vm httpd = hand.create("httpd", SERVER_MEM, null); // vm-1
        Vm client = client("http-client", "LOAD", "SERVER=1");
        runUntilEnded(client, 200_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("load: 100 connections open");
        // connection i asks objects i % 4 and i % 4 + 1: each of the four 50 times
        long bodyBytes = 50L * (1024 + 2258 + 10240 + 134007);
        assertPrinted("load: 100 connections, 200 responses, " + bodyBytes + " body bytes, 0 errors");
        assertPrinted("load: server peak 100 connections");
        assertEquals(VmState.IDLE, httpd.state(), "the server waits for the next client");
        System.out.println("httpd after 100 connections: " + httpd.privatePages() + " private pages");

        // once TCP's last timers (TIME_WAIT, 60 s) have run out, the server is back to running nothing
        for (int i = 0; i < 100; i++) {
            hand.turn(1_000_000_000);
        }
        long insns = httpd.insns();
        for (int i = 0; i < 100; i++) {
            hand.turn(1_000_000_000);
        }
        assertEquals(insns, httpd.insns(), "the server is idle again after its clients left");
    }

    @Test
    void malformedRequestsGet400AndAClosedConnectionAndTheServerKeepsServing() throws Exception {
        hand.start();
        hand.create("httpd", SERVER_MEM, null);
        Vm client = client("http-client", "MALFORMED", "SERVER=1");
        runUntilEnded(client, 100_000);

        assertEquals(0, client.exitCode(), hand.output());
        for (int i = 0; i < 16; i++) {
            assertPrinted("malformed " + i + ": 400 closed");
        }
        assertPrinted("malformed 16: 505 closed");
        assertPrinted("malformed 17: 501 closed");
        assertPrinted("oversized: 400 closed");
        assertPrinted("after: 200, 2258 bytes ok");
        assertPrinted("malformed: 19 requests, 0 failures");
    }

    @Test
    void keepAlivePipeliningConnectionCloseAndHttp10() throws Exception {
        hand.start();
        hand.create("httpd", SERVER_MEM, null);
        Vm client = client("http-client", "KEEPALIVE", "SERVER=1");
        runUntilEnded(client, 100_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("/1k: 200, length 1024");
        assertPrinted("/small: 200, length 2258");
        assertPrinted("/10k: 200, length 10240");
        assertPrinted("/large: 200, length 134007");
        assertPrinted("404 kept: 404, length 14");
        assertPrinted("HEAD /large: 200, length 134007");
        assertPrinted("405 kept: 405, length 23");
        assertPrinted("after HEAD: 200, length 2258");
        assertPrinted("pipelined: 3 of 3, then closed by server");
        assertPrinted("1.0: 200, length 1024, close");
        assertPrinted("1.0 keep-alive: 200, length 1024, keep-alive");
        assertPrinted("1.0 again: 200, length 2258, close");
        assertPrinted("close: 200, length 10240, close");
        assertPrinted("keepalive: 0 failures");
    }

    @Test
    void keepAliveAndPipeliningWorkOverALanThatDropsReordersAndDuplicatesFrames() throws Exception {
        hand.start(HostConfig.defaults().withLanFaults(new LanFaults(2, 2, 2, 7)));
        hand.create("httpd", SERVER_MEM, null);
        Vm client = client("http-client", "KEEPALIVE", "SERVER=1");
        runUntilEnded(client, 300_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("pipelined: 3 of 3, then closed by server");
        assertPrinted("keepalive: 0 failures");
        assertTrue(hand.host().lan().framesDuplicated() > 0, "the LAN did inject faults");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheIdleTimeout() throws Exception {
        hand.start();
        hand.create("httpd", SERVER_MEM, null);
        Vm client = client("http-client", "IDLE", "SERVER=1");
        hand.runUntil(() -> client.state().isFinal(), 20_000, 5_000_000);

        assertEquals(0, client.exitCode(), hand.output());
        Matcher m = Pattern.compile("idle: closed by server after (\\d+) ms").matcher(hand.output());
        assertTrue(m.find(), hand.output());
        long ms = Long.parseLong(m.group(1));
        assertTrue(ms >= 10_000 && ms <= 10_200, "closed after " + ms + " ms, the timeout is 10 s");
    }

    @Test
    void aClientThatShutsDownItsSideAndReadsLateStillGetsItsResponseAndTheServerDoesNotSpin() throws Exception {
        hand.start();
        Vm httpd = hand.create("httpd", SERVER_MEM, null);
        Vm client = client("http-client", "HALFCLOSE", "SERVER=1");
        runUntilEnded(client, 100_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("halfclose: 200, 134007 bytes ok, closed by server");
        // while the client read nothing for 2 s the server had nothing to do but wait for POLLOUT (about 0.5
        // million instructions in all): the half-closed connection is not POLLHUP (our side is still open),
        // so a poll loop does not spin (when it was, some 200 million)
        System.out.println("halfclose: httpd ran " + httpd.insns() + " instructions");
        assertTrue(httpd.insns() < 5_000_000, "the server ran " + httpd.insns() + " instructions");
    }

    @Test
    void anIdleHttpdRunsNoInstructionsAndHoldsAtMost48KiBOfPrivateMemory() throws Exception {
        hand.start();
        Vm httpd = hand.create("httpd", SERVER_MEM, null);
        hand.runUntil(() -> hand.output().contains("httpd: listening on port 80") && httpd.state() == VmState.IDLE,
                1_000);

        long insns = httpd.insns();
        for (int i = 0; i < 2_000; i++) {
            hand.turn(10_000_000); // 20 s of virtual time
        }
        assertEquals(VmState.IDLE, httpd.state());
        assertEquals(insns, httpd.insns(), "an idle server runs nothing");

        String breakdown = privateBreakdown(httpd);
        System.out.println("idle httpd private pages: " + breakdown);
        assertTrue(httpd.privatePages() <= IDLE_PRIVATE_PAGES,
                "an idle httpd holds " + httpd.privatePages() + " private pages (" + breakdown + "), at most "
                        + IDLE_PRIVATE_PAGES + " allowed");
    }

    /**
     * Which private pages an idle VM holds: page 0, the image's data and
     * bss, the heap (from __heap_start up), thread stacks (below the main
     * stack's reserve, from the top down) and the main stack (the top 64 KiB).
     */
    private static String privateBreakdown(Vm vm) throws Exception {
        byte[] elf = new ImageResolver().resolve("httpd").bytes();
        ElfImage image = ElfImage.parse(elf, vm.memSizeBytes());
        int dataStart = Integer.MAX_VALUE;
        int heapStart = 0;
        for (ElfSymbol s : image.symbols()) {
            if (s.name().equals("__heap_start")) {
                heapStart = s.address();
            }
            if (s.name().equals("_etext")) {
                dataStart = (s.address() + GuestMemory.PAGE_MASK) & ~GuestMemory.PAGE_MASK;
            }
        }
        GuestMemory mem = vm.memory();
        int pages = mem.pageCount();
        int mainStackFirst = pages - 16;
        int vregs = 0, data = 0, heap = 0, threadStacks = 0, mainStack = 0, text = 0;
        int heapTop = heapStart >>> GuestMemory.PAGE_SHIFT;
        int highestHeap = heapTop;
        for (int p = heapTop; p < mainStackFirst; p++) {
            if (mem.isPrivatePage(p) && p - highestHeap <= 4) {
                highestHeap = p; // the heap is contiguous from __heap_start; stacks sit far above
            }
        }
        for (int p = 0; p < pages; p++) {
            if (!mem.isPrivatePage(p)) {
                continue;
            }
            int a = p << GuestMemory.PAGE_SHIFT;
            if (p == 0) {
                vregs++;
            } else if (a < dataStart) {
                text++;
            } else if (a < heapStart) {
                data++;
            } else if (p >= mainStackFirst) {
                mainStack++;
            } else if (p <= highestHeap) {
                heap++;
            } else {
                threadStacks++;
            }
        }
        return vm.privatePages() + " = page 0: " + vregs + ", text/rodata: " + text + ", data+bss: " + data + ", heap: "
                + heap + ", thread stacks: " + threadStacks + ", main stack: " + mainStack;
    }

    // ---------------------------------------------------------------- echo

    @Test
    void echoAnswersOverUdpAndTcp() throws Exception {
        hand.start();
        Vm echo = hand.create("echo", SERVER_MEM, null);
        Vm client = client("echo-client", "SERVER=1");
        runUntilEnded(client, 100_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("echo: UDP and TCP port 7");
        assertPrinted("udp: 4 of 4 echoed");
        assertPrinted("tcp: 100000 bytes echoed, closed by server");
        // the client shuts down its side before the last echo is back: the server waits for POLLOUT, no
        // spinning (about 0.8 million instructions in all)
        System.out.println("echo: ran " + echo.insns() + " instructions");
        assertTrue(echo.insns() < 10_000_000, "echo ran " + echo.insns() + " instructions");
    }

    // ---------------------------------------------------------------- kv

    @Test
    void kvDataSurvivesTheVmBeingDestroyedAndCreatedAgainOnItsDisk() throws Exception {
        hand.start();
        Path disk = dir.resolve("kv.disk");
        Vm kv = hand.create("kv", SERVER_MEM, DiskSpec.privateDisk(disk, 64)); // vm-1
        Vm writer = client("kv-client", "PHASE=1", "SERVER=1"); // vm-2
        runUntilEnded(writer, 100_000);
        assertEquals(0, writer.exitCode(), hand.output());
        assertPrinted("kv: formatted a blank disk of 64 blocks: two logs of 31 blocks");
        assertPrinted("phase 1 ok");

        hand.host().destroy(kv.idString());
        hand.runUntil(() -> kv.state() == VmState.DESTROYED, 1_000);
        Vm again = hand.create("kv", SERVER_MEM, DiskSpec.privateDisk(disk, 0)); // vm-3, the same disk
        Vm reader = client("kv-client", "PHASE=2", "SERVER=3"); // vm-4
        runUntilEnded(reader, 100_000);
        assertEquals(0, reader.exitCode(), hand.output());
        // 20 puts, k3 again, the delete of k5
        assertPrinted("kv: replayed 22 records from disk: 19 keys, " + keptBytes() + " bytes; log "
                + logBytes() + " of 126976 bytes, generation 1");
        assertPrinted("phase 2 ok");
        assertEquals(VmState.IDLE, again.state());
    }

    @Test
    void kvCompactsItsLogAndTheCompactedDataSurvivesTheVmBeingCreatedAgain() throws Exception {
        hand.start();
        Path disk = dir.resolve("kv.disk");
        Vm kv = hand.create("kv", SERVER_MEM, DiskSpec.privateDisk(disk, 64));
        Vm writer = client("kv-client", "PHASE=1", "COMPACT", "SERVER=1");
        runUntilEnded(writer, 100_000);
        assertEquals(0, writer.exitCode(), hand.output());
        assertPrinted("phase 1 ok");
        Matcher stats = Pattern.compile("STATS keys=19 .* generation=(\\d+) compactions=(\\d+)").matcher(hand.output());
        assertTrue(stats.find(), hand.output());
        int generation = Integer.parseInt(stats.group(1));
        assertTrue(Integer.parseInt(stats.group(2)) >= 1, "8 x 21 KB through a 124 KB log compacts it");

        hand.host().destroy(kv.idString());
        hand.runUntil(() -> kv.state() == VmState.DESTROYED, 1_000);
        hand.create("kv", SERVER_MEM, DiskSpec.privateDisk(disk, 0));
        Vm reader = client("kv-client", "PHASE=2", "COMPACT", "SERVER=3");
        runUntilEnded(reader, 100_000);
        assertEquals(0, reader.exitCode(), hand.output());
        assertTrue(hand.output().contains("19 keys, " + keptBytes() + " bytes; log "), hand.output());
        assertTrue(hand.output().contains(", generation " + generation + "\n"), hand.output());
        assertPrinted("phase 2 ok");
    }

    /** Keys and values phase 1 leaves: k0..k19 but k5, value of k<i> 100 i + 1 bytes, k19's 4,096. */
    private static long keptBytes() {
        long n = 0;
        for (int i = 0; i < 20; i++) {
            if (i != 5) {
                n += ("k" + i).length() + (i == 19 ? 4096 : 100 * i + 1);
            }
        }
        return n;
    }

    /** The log phase 1 writes: 16-byte headers, key and value padded to 4. */
    private static long logBytes() {
        long n = 0;
        for (int i = 0; i < 20; i++) {
            n += 16 + ((("k" + i).length() + (i == 19 ? 4096 : 100 * i + 1) + 3) & ~3);
        }
        n += 16 + ((2 + 301 + 3) & ~3); // k3 again
        n += 16 + 4; // delete k5
        return n;
    }

    @Test
    void malformedKvCommandsGetErrorsAndTheConnectionKeepsServingAndNoDiskMeansMemoryOnly() throws Exception {
        hand.start();
        hand.create("kv", SERVER_MEM, null);
        Vm client = client("kv-client", "MALFORMED", "SERVER=1");
        runUntilEnded(client, 100_000);

        assertEquals(0, client.exitCode(), hand.output());
        assertPrinted("kv: no disk: running in memory only, nothing outlives the VM");
        assertPrinted("unknown: ERROR unknown command");
        assertPrinted("key of 65: ERROR key too long");
        assertPrinted("value of 5000: ERROR value too long");
        assertPrinted("value without its line end: ERROR value not followed by a line end");
        assertPrinted("line of 301: ERROR line too long");
        assertPrinted("put after errors: STORED");
        assertPrinted("malformed ok");
    }
}
