package yakima.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.memory.GuestMemory;
import yakima.host.HandTurnedHost.Agent;
import yakima.swap.RecordReader;
import yakima.swap.RecordWriter;
import yakima.swap.VmImage;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * Snapshots on a host turned by hand: the snapshot is taken on another
 * thread (as the admin API's would be) while the test turns the VM's
 * scheduler thread, so what is captured, and when, is deterministic. A
 * snapshot is the VM bit for bit; the VM carries on where it was; a restore
 * is the VM again under a new identity; a stop destroys it.
 */
class HostSnapshotTest {
    private static final int MEM = 256 << 10;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    @TempDir
    Path dir;

    /** {@link Host#snapshot} on another thread, turning the scheduler's thread here until it answers (bounded). */
    private byte[] snapshot(String vm, boolean stop) throws Exception {
        Host host = hand.host();
        CompletableFuture<byte[]> f = CompletableFuture.supplyAsync(() -> {
            try {
                return host.snapshot(vm, stop);
            } catch (HostException e) {
                throw new CompletionException(e);
            }
        });
        for (int turns = 0; !f.isDone() && turns < 200_000; turns++) {
            hand.turnScheduler();
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof HostException h) {
                throw h;
            }
            throw e;
        }
    }

    private Vm idleSleeper() throws Exception {
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE && hand.output().contains("hello from denali"), 10_000);
        return vm;
    }

    @Test
    void aSnapshotIsTheVmBitForBitAndTheVmCarriesOnWhereItWas() throws Exception {
        hand.start();
        Host host = hand.host();
        Vm vm = idleSleeper();
        Random random = new Random(20261121); // private pages and registers worth capturing
        for (int w = 0; w < 40; w++) {
            vm.memory().vmmWrite32((1 + random.nextInt(vm.memory().pageCount() - 1)) * GuestMemory.PAGE_SIZE + 4 * random.nextInt(1024),
                    random.nextInt());
        }
        vm.setReg(3, 0x5EED);
        byte[] before = GuestView.from(vm, GuestMemory.PAGE_SIZE);
        long quanta = vm.quanta();

        byte[] record = snapshot(vm.idString(), false);
        VmImage image = RecordReader.read(record);
        assertEquals(vm.id(), image.id());
        assertTrue(image.idle(), "it was captured idle");

        hand.turnScheduler();
        assertEquals(VmState.IDLE, vm.state(), "the VM is back on its thread, idle as it was");
        assertArrayEquals(before, GuestView.from(vm, GuestMemory.PAGE_SIZE), "and untouched");
        assertEquals(quanta, vm.quanta());
        assertEquals(1, host.vms().size());

        HostedVm restored = host.restoreVm(record, "copy");
        Vm copy = assertInstanceOf(Vm.class, restored);
        assertNotEquals(vm.id(), copy.id(), "a restored VM gets an id of its own");
        assertEquals(VmAddresses.mac(copy.id()), copy.mac());
        assertEquals(VmAddresses.ipv4(copy.id()), copy.ipv4());
        assertEquals("copy", copy.name());
        assertArrayEquals(before, GuestView.from(copy, GuestMemory.PAGE_SIZE), "the copy is the VM bit for bit (but for its addresses in page 0)");
        assertEquals(image.vmTimeNs(), copy.vmTimeNs(hand.nowNs()), "its clock goes on from the snapshot's");
        hand.turnScheduler();
        assertEquals(VmState.IDLE, copy.state(), "admitted, it waits for its deadline as the VM did");

        // both wake at their deadline and run on
        long a = vm.insnCount();
        long b = copy.insnCount();
        hand.runUntil(() -> vm.insnCount() > a && copy.insnCount() > b, 3_000);
    }

    @Test
    void stopDestroysTheVmOnceTheSnapshotIsTaken() throws Exception {
        hand.start();
        Host host = hand.host();
        Vm vm = idleSleeper();
        long ended = host.vmsEnded();
        byte[] record = snapshot(vm.idString(), true);
        assertEquals(vm.id(), RecordReader.read(record).id());
        assertEquals(VmState.DESTROYED, vm.state());
        assertNull(host.lookup(vm.idString()), "it has left the host");
        assertEquals(ended + 1, host.vmsEnded());
        assertEquals(0, host.lan().portCount(), "its NIC left the LAN");

        Vm back = (Vm) host.restoreVm(record, null);
        hand.runUntil(() -> back.state() == VmState.IDLE && back.quanta() > 0, 10_000);
    }

    @Test
    void aVmWaitingForAdmissionIsCapturedWhereItWaits() throws Exception {
        hand.start(HostConfig.defaults().withBudget(1)); // nothing is admitted
        Host host = hand.host();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        assertEquals(VmState.WAITING, vm.state());
        byte[] record = host.snapshot(vm.idString(), false); // no scheduler thread is asked
        assertEquals(0L, RecordReader.read(record).insns(), "it has not run");
        assertEquals(VmState.WAITING, vm.state(), "it waits on");
        assertEquals(vm, host.waiting().get(0));
        assertEquals(1, host.lan().portCount());

        host.snapshot(vm.idString(), true);
        assertEquals(VmState.DESTROYED, vm.state());
        assertTrue(host.waiting().isEmpty());
    }

    @Test
    void whatCannotBeSnapshottedSaysWhy() throws Exception {
        hand.start();
        Host host = hand.host();
        HostException e = assertThrows(HostException.class, () -> host.snapshot("vm-9", false));
        assertEquals(HostException.Kind.NOT_FOUND, e.kind());
        assertEquals("no VM named vm-9", e.getMessage());

        Vm hello = hand.create("hello", MEM, null);
        hand.runUntil(() -> HandTurnedHost.ended(hello), 10_000);
        e = assertThrows(HostException.class, () -> host.snapshot(hello.idString(), false));
        assertEquals(HostException.Kind.ILLEGAL_STATE, e.kind());
        assertEquals(hello.idString() + " has ended (terminated): there is nothing to snapshot", e.getMessage());
    }

    @Test
    void aRefusedRestoreChangesNothing() throws Exception {
        hand.start();
        Host host = hand.host();
        Vm vm = idleSleeper();
        VmImage image = RecordReader.read(snapshot(vm.idString(), false));
        long created = host.vmsCreated();

        VmImage withDisk = new VmImage(image.id(), image.name(), image.imageName(), image.imageDigest(), image.memSizeBytes(),
                image.mac(), image.ipv4(), image.regs(), image.eip(), image.flags(), image.insns(), image.idle(), image.vmTimeNs(),
                image.idleDeadlineVmNs(), image.raised(), image.counters(), image.vregs(), image.pageNumbers(), image.pages(),
                image.rxFrames(), new VmImage.Disk(dir.resolve("gone.disk").toString(), 16, null, 0), image.consoleTail());
        HostException e = assertThrows(HostException.class, () -> host.restoreVm(RecordWriter.write(withDisk), null));
        assertEquals(HostException.Kind.BAD_REQUEST, e.kind());
        assertEquals("the snapshot's disk file " + dir.resolve("gone.disk")
                + " is not on this host (a snapshot does not hold its disk: copy the file to the same path)", e.getMessage());

        host.restoreVm(RecordWriter.write(image), "web");
        created++;
        e = assertThrows(HostException.class, () -> host.restoreVm(RecordWriter.write(image), "web"));
        assertEquals(HostException.Kind.CONFLICT, e.kind());
        assertEquals("a VM named web already exists", e.getMessage());

        assertEquals(created, host.vmsCreated());
        assertEquals(2, host.vms().size());
        assertEquals(2, host.lan().portCount());
    }
}
