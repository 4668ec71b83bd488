package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.host.Host;
import yakima.host.HostException;
import yakima.swap.RecordReader;
import yakima.swap.RecordWriter;
import yakima.swap.VmImage;
import yakima.swap.VmStub;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Snapshots between two real hosts in one JVM, each with its gateway: an
 * httpd VM that has served a request on host A is snapshotted and restored
 * on host B, where it answers HTTP through B's front door under its new
 * address; a stop moves it; a swapped-out VM and a clone that never ran are
 * snapshotted from their records; a damaged snapshot changes nothing on B.
 *
 * <p>A swaps (with a budget large enough that only the test evicts), so it
 * has stubs and clones; B does not. A boots httpd vm-1 to vm-3, swaps vm-3
 * out and registers vm-4 and vm-5 as clones of its record; B boots vm-1.
 */
class SnapshotThroughGatewayTest {
    private static LiveGatewayHost a;
    private static LiveGatewayHost b;
    private static int portA;
    private static int portB;

    @TempDir
    static Path swapDir;

    @BeforeAll
    static void boot() throws Exception {
        a = new LiveGatewayHost(64, 256L << 20, swapDir);
        Host hostA = a.host();
        a.boot("httpd", 3);
        b = new LiveGatewayHost(64);
        b.boot("httpd", 1);
        assertTrue(a.awaitReady(30, TimeUnit.SECONDS), a.console());
        assertTrue(b.awaitReady(30, TimeUnit.SECONDS), b.console());
        Vm third = hostA.find("vm-3");
        assertTrue(FrontDoorTest.waitFor(() -> third.state() == VmState.IDLE, 10_000));
        assertTrue(hostA.scheduler().evict(third));
        assertTrue(FrontDoorTest.waitFor(() -> hostA.lookup("vm-3") instanceof VmStub, 10_000), String.valueOf(hostA.lastSwapError()));
        hostA.registerClones((VmStub) hostA.lookup("vm-3"), 2);
        portA = a.startGateway(GatewayConfig.defaults().withHttpPort(0)).httpPort();
        portB = b.startGateway(GatewayConfig.defaults().withHttpPort(0)).httpPort();
    }

    @AfterAll
    static void shutDown() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private static RawHttp.Response get(int port, HostedVm vm) throws Exception {
        return get(port, vm.idString());
    }

    private static RawHttp.Response get(int port, String vm) throws Exception {
        try (RawHttp c = new RawHttp(port)) {
            c.send(RawHttp.get("/small", vm + ".denali", true));
            return c.read();
        }
    }

    private static void assertServes(int port, HostedVm vm) throws Exception {
        RawHttp.Response r = get(port, vm);
        assertEquals(200, r.status(), vm.idString() + ": " + r.head());
        assertArrayEquals(RawHttp.object("/small"), r.body(), vm.idString());
    }

    @Test
    void aVmThatServedARequestResumesOnAnotherHostAndAnswersThroughItsGateway() throws Exception {
        Vm source = a.host().find("vm-1");
        assertServes(portA, source);
        long insns = source.insnCount();

        byte[] record = a.host().snapshot("vm-1", false);
        VmImage image = RecordReader.read(record);
        assertEquals(1, image.id());
        assertTrue(image.insns() >= insns, "captured after the request it served");
        assertTrue(record.length < 16 << 10, record.length + " bytes");

        HostedVm moved = b.host().restoreVm(record, null);
        assertNotEquals(1, moved.id(), "B's vm-1 is its own httpd: the snapshot gets a new id");
        assertServes(portB, moved);
        assertServes(portB, b.host().lookup("vm-1")); // B's own VM is untouched
        assertServes(portA, source); // and the source runs on
        assertInstanceOf(Vm.class, a.host().lookup("vm-1"));
    }

    @Test
    void stopMovesAVm() throws Exception {
        Vm source = a.host().find("vm-2");
        assertServes(portA, source);
        byte[] record = a.host().snapshot("vm-2", true);
        assertEquals(VmState.DESTROYED, source.state());
        assertNull(a.host().lookup("vm-2"), "the source left host A");
        assertNotEquals(200, get(portA, "vm-2").status(), "A's gateway no longer reaches it");

        HostedVm moved = b.host().restoreVm(record, "moved");
        assertEquals("moved", moved.name());
        assertServes(portB, moved);
        assertServes(portB, b.host().lookup("moved"));
    }

    @Test
    void aSwappedOutVmAndANeverRunCloneAreSnapshottedFromTheirRecords() throws Exception {
        Host hostA = a.host();
        assertInstanceOf(VmStub.class, hostA.lookup("vm-3"));
        byte[] swapped = hostA.snapshot("vm-3", false);
        assertArrayEquals(hostA.swapStore().read(3), swapped, "a swapped-out VM's snapshot is its record");
        assertInstanceOf(VmStub.class, hostA.lookup("vm-3"), "it stays swapped out");
        assertServes(portB, b.host().restoreVm(swapped, null));

        VmStub clone = assertInstanceOf(VmStub.class, hostA.lookup("vm-4"));
        assertTrue(clone.isClone());
        byte[] cloned = hostA.snapshot("vm-4", false);
        assertEquals(4, RecordReader.read(cloned).id(), "the template's record, as the clone");
        assertInstanceOf(VmStub.class, hostA.lookup("vm-4"), "the clone still has not run");
        assertServes(portB, b.host().restoreVm(cloned, null));

        // stopped, a clone goes but its template stays; a swapped-out VM's own record goes with it
        hostA.snapshot("vm-5", true);
        assertNull(hostA.lookup("vm-5"));
        hostA.snapshot("vm-3", true);
        assertNull(hostA.lookup("vm-3"));
        assertTrue(!hostA.swapStore().contains(3), "vm-3's record was deleted");
        assertServes(portA, hostA.lookup("vm-4")); // brought in from the template, which is still there
    }

    @Test
    void aVmUnderTrafficIsSnapshottedAgainAndAgainAndEveryRequestIsAnswered() throws Exception {
        Vm source = a.host().find("vm-1");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CompletableFuture<Integer> client = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            int answered = 0;
            try (RawHttp c = new RawHttp(portA)) { // one keep-alive connection: every response must come
                while (!done.get() || answered < 5) {
                    c.send(RawHttp.get("/small", "vm1.denali", false));
                    RawHttp.Response r = c.read();
                    if (r.status() != 200 || !Arrays.equals(RawHttp.object("/small"), r.body())) {
                        throw new AssertionError("request " + answered + ": " + r.head());
                    }
                    answered++;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return answered;
        });
        byte[] last = null;
        for (int i = 0; i < 20; i++) {
            last = a.host().snapshot("vm-1", false);
        }
        done.set(true);
        assertTrue(client.get(60, TimeUnit.SECONDS) >= 5);
        assertTrue(RecordReader.read(last).insns() > 0);
        assertInstanceOf(Vm.class, a.host().lookup("vm-1"));
        assertServes(portA, source);
        assertServes(portB, b.host().restoreVm(last, null));
    }

    @Test
    void aDamagedSnapshotIsRefusedWithTheReasonAndChangesNothing() throws Exception {
        byte[] record = a.host().snapshot("vm-1", false);
        VmImage image = RecordReader.read(record);
        Host hostB = b.host();
        int vms = hostB.vms().size();
        long created = hostB.vmsCreated();
        int ports = hostB.lan().portCount();

        assertRefused(hostB, Arrays.copyOf(record, record.length - 1),
                "bad snapshot: record truncated: " + (record.length - 1) + " bytes of the " + record.length + " its header declares");
        assertRefused(hostB, Arrays.copyOf(record, 20), "bad snapshot: record truncated: 20 bytes, shorter than the 24-byte header");
        assertRefused(hostB, new byte[0], "bad snapshot: record truncated: 0 bytes, shorter than the 24-byte header");
        byte[] flipped = record.clone();
        flipped[flipped.length - 10] ^= 0x04;
        assertRefused(hostB, flipped, "bad snapshot: bad checksum in section ");
        assertRefused(hostB, RecordWriter.write(with(image, "httpd", new byte[32], image.memSizeBytes())),
                "image httpd on this host is not the one the snapshot was taken with (its SHA-256 differs)");
        assertRefused(hostB, RecordWriter.write(with(image, "no-such-image", image.imageDigest(), image.memSizeBytes())),
                "the snapshot's image is not on this host: ");
        assertRefused(hostB, RecordWriter.write(with(image, "httpd", image.imageDigest(), 512 << 20)),
                "bad snapshot: memory size 512 MiB is above the maximum 256 MiB");

        assertEquals(vms, hostB.vms().size());
        assertEquals(created, hostB.vmsCreated());
        assertEquals(ports, hostB.lan().portCount());
    }

    private static void assertRefused(Host host, byte[] record, String reasonStart) {
        HostException e = assertThrows(HostException.class, () -> host.restoreVm(record, null));
        assertEquals(HostException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith(reasonStart), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    private static VmImage with(VmImage i, String imageName, byte[] digest, int memSizeBytes) {
        return new VmImage(i.id(), i.name(), imageName, digest, memSizeBytes, i.mac(), i.ipv4(), i.regs(), i.eip(), i.flags(),
                i.insns(), i.idle(), i.vmTimeNs(), i.idleDeadlineVmNs(), i.raised(), i.counters(), i.vregs(), i.pageNumbers(),
                i.pages(), i.rxFrames(), i.disk(), i.consoleTail());
    }
}
