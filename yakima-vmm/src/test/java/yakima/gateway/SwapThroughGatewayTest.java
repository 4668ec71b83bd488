package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.host.Host;
import yakima.swap.VmStub;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Swapping under real traffic: 2,000 httpd VMs (one booted, the rest
 * clones of its template) behind the front door, with a budget that holds
 * about 100 of them, all answer in turn; and a client's keep-alive
 * connection survives its VM being swapped out and back between requests.
 */
class SwapThroughGatewayTest {
    private static final int VMS = 2000;
    private static LiveGatewayHost live;
    private static int port;
    private static long budget;

    @TempDir
    static Path swapDir;

    @BeforeAll
    static void boot() throws Exception {
        // about 100 idle httpd VMs: each holds ~40 KB once it has served a request
        budget = 100 * 40_000L;
        live = new LiveGatewayHost(4096, budget, swapDir);
        Host host = live.host();
        Vm first = live.boot("httpd", 1).get(0);
        assertTrue(live.awaitReady(30, TimeUnit.SECONDS), live.console());
        assertTrue(FrontDoorTest.waitFor(() -> first.state() == VmState.IDLE, 10_000));
        assertTrue(host.scheduler().evict(first));
        assertTrue(FrontDoorTest.waitFor(() -> host.lookup(first.idString()) instanceof VmStub, 10_000),
                String.valueOf(host.lastSwapError()));
        host.registerClones((VmStub) host.lookup(first.idString()), VMS - 1);
        port = live.startGateway(GatewayConfig.defaults().withHttpPort(0)).httpPort();
    }

    @AfterAll
    static void shutDown() {
        live.close();
    }

    private static RawHttp.Response get(String vmHost) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send(RawHttp.get("/small", vmHost, true));
            return c.read();
        }
    }

    @Test
    void twoThousandVmsAnswerInTurnWithABudgetForAHundred() throws Exception {
        Host host = live.host();
        long swapOutsBefore = host.swapCounters().get("swapOuts");
        for (int id = 1; id <= VMS; id++) {
            RawHttp.Response r = get("vm" + id + ".denali");
            assertEquals(200, r.status(), "vm-" + id + ": " + r.head());
            assertArrayEquals(RawHttp.object("/small"), r.body(), "vm-" + id);
        }
        // each swap-out waits for an fsync; on a slow disk the evicted VMs queue for the writer meanwhile
        assertTrue(FrontDoorTest.waitFor(() -> host.swapCounters().get("swapOutsQueued") == 0, 60_000),
                "the swap-out queue drains: " + host.swapCounters());
        long swapOuts = host.swapCounters().get("swapOuts") - swapOutsBefore;
        assertTrue(swapOuts >= VMS - 300, "most VMs were swapped out to make room: " + host.swapCounters());
        assertEquals(0L, host.swapCounters().get("swapInFailures"));
        assertEquals(0L, host.swapCounters().get("swapOutFailures"));
        long residentVms = host.vms().size();
        assertTrue(residentVms <= 200, residentVms + " VMs in memory for a budget of about 100");
    }

    @Test
    void aKeepAliveConnectionSurvivesItsVmBeingSwappedOutAndIn() throws Exception {
        Host host = live.host();
        int id = VMS / 2 + 7;
        try (RawHttp c = new RawHttp(port)) {
            c.send(RawHttp.get("/small", "vm" + id + ".denali", false));
            assertEquals(200, c.read().status());
            long swapInsBefore = host.swapCounters().get("swapIns");
            assertTrue(swapOut(host, "vm-" + id), "vm-" + id + " was never swapped out: " + host.swapCounters()
                    + " " + host.lastSwapError());

            c.send(RawHttp.get("/small", "vm" + id + ".denali", false));
            RawHttp.Response second = c.read();
            assertEquals(200, second.status(), second.head());
            assertArrayEquals(RawHttp.object("/small"), second.body());
            assertInstanceOf(Vm.class, host.lookup("vm-" + id), "the request brought it back");
            assertTrue(host.swapCounters().get("swapIns") > swapInsBefore, "it came back from its record");
        }
    }

    /**
     * Evicts {@code name} once it is idle until its record is on disk and it
     * is a stub. A late frame (our side's ACK of its response may still be
     * in flight) can rightly take it back while it is written; then try
     * again, a bounded number of times.
     */
    private static boolean swapOut(Host host, String name) {
        for (int attempt = 0; attempt < 5; attempt++) {
            long takenBack = host.swapCounters().get("swapTakenBack");
            long swapIns = host.swapCounters().get("swapIns");
            if (!(host.lookup(name) instanceof Vm vm)
                    || !FrontDoorTest.waitFor(() -> vm.state() == VmState.IDLE, 5_000)
                    || !host.scheduler().evict(vm)) {
                continue;
            }
            FrontDoorTest.waitFor(() -> host.lookup(name) instanceof VmStub
                    || host.swapCounters().get("swapTakenBack") > takenBack
                    || host.swapCounters().get("swapIns") > swapIns, 5_000);
            if (host.lookup(name) instanceof VmStub || host.swapCounters().get("swapIns") > swapIns) {
                return true;
            }
        }
        return false;
    }
}
