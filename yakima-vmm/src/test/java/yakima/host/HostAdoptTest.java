package yakima.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import yakima.host.HandTurnedHost.Agent;
import yakima.swap.SwapStore;
import yakima.swap.SwapStoreException;
import yakima.swap.VmStub;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * A host started on a swap store an earlier host left behind adopts its VMs:
 * each comes back as of its last completed swap-out, bit for bit, clones as
 * clones, destroyed ones not at all. Two (or three) hosts turned by hand,
 * one after the other, on the same directory; each has a clock of its own
 * that starts at zero, as a new process's does.
 */
class HostAdoptTest {
    private static final int MEM = 256 << 10;
    private static final long STORE_LIMIT = 64L << 20;

    @RegisterExtension
    final HandTurnedHost first = new HandTurnedHost(Agent.LAN);

    @RegisterExtension
    final HandTurnedHost second = new HandTurnedHost(Agent.LAN);

    @RegisterExtension
    final HandTurnedHost third = new HandTurnedHost(Agent.LAN);

    @TempDir
    Path swapDir;

    private Host startOn(HandTurnedHost hand) throws Exception {
        hand.start();
        hand.host().enableSwap(SwapStore.open(swapDir, STORE_LIMIT));
        return hand.host();
    }

    /** Evicts {@code vm} and turns the swap-out: the stub that took its place. */
    private static VmStub swapOut(HandTurnedHost hand, Vm vm) {
        Host host = hand.host();
        assertTrue(host.scheduler().evict(vm));
        hand.turnScheduler();
        assertEquals(VmState.SWAPPED, vm.state());
        assertEquals(1, host.swapOutWork());
        return assertInstanceOf(VmStub.class, host.lookup(vm.idString()), "a stub took the VM's place");
    }

    /** Asks for {@code stub}'s VM back and turns the swap-in: the VM built from the record. */
    private static Vm swapIn(Host host, VmStub stub) {
        assertTrue(host.bringBack(stub));
        assertEquals(1, host.swapInWork());
        Vm back = host.find(stub.idString());
        assertNotNull(back, "back in memory: " + host.lastSwapError());
        return back;
    }

    /** Turns the swap-out thread until it has nothing left (records of ended VMs to drop), at most 100 turns. */
    private static void drainSwapOut(Host host) {
        for (int i = 0; i < 100 && host.swapOutWork() > 0; i++) {
            // each turn drops records or writes one
        }
    }

    private Vm idleSleeper(HandTurnedHost hand, String name) throws Exception {
        Vm vm = hand.host().create(new VmSpec("hello-sleeper", MEM, name, null));
        hand.runUntil(() -> vm.state() == VmState.IDLE, 10_000);
        return vm;
    }

    @Test
    void aRestartedHostAdoptsItsSwappedVmsAndTheyCarryOnBitForBit() throws Exception {
        Host a = startOn(first);
        Vm web = idleSleeper(first, "web");
        Vm other = idleSleeper(first, null);
        first.runUntil(() -> first.output().contains("hello from denali\nhello from denali"), 1_000);
        byte[] webBefore = GuestView.of(web);
        byte[] otherBefore = GuestView.of(other);
        long webInsns = web.insnCount();
        long savedClock = web.vmTimeNs(first.nowNs());
        swapOut(first, web);
        swapOut(first, other);
        first.close();

        Host b = startOn(second); // its clock starts at 0, far behind the first host's
        Adoption adopted = b.adoption();
        assertEquals(2, adopted.vms());
        assertEquals(0, adopted.clones());
        assertEquals(0, adopted.faulted());
        VmStub webStub = assertInstanceOf(VmStub.class, b.lookup("web"), "the name is known again");
        assertEquals(web.id(), webStub.id());
        assertEquals(VmState.SWAPPED, webStub.state());
        assertEquals("hello-sleeper", webStub.imageName());
        assertEquals(MEM, webStub.memSizeBytes());
        assertFalse(webStub.isClone());
        assertEquals(2L, b.countByState().get(VmState.SWAPPED));

        HostException taken = assertThrows(HostException.class, () -> b.create(new VmSpec("hello-sleeper", MEM, "web", null)));
        assertEquals(HostException.Kind.CONFLICT, taken.kind());
        Vm fresh = b.create(new VmSpec("hello-sleeper", MEM, null, null));
        assertEquals(3, fresh.id(), "new ids start above the adopted ones");

        Vm webBack = swapIn(b, webStub);
        assertArrayEquals(webBefore, GuestView.of(webBack), "registers and memory as they were swapped out");
        assertEquals(webInsns, webBack.insnCount());
        assertEquals(VmAddresses.mac(web.id()), webBack.mac());
        assertTrue(webBack.vmTimeNs(second.nowNs()) >= savedClock,
                "its clock goes on from where it stood, though the new host's clock started at 0");
        Vm otherBack = swapIn(b, assertInstanceOf(VmStub.class, b.lookup(other.idString())));
        assertArrayEquals(otherBefore, GuestView.of(otherBack));

        // both were idle until their 1 s deadline: they wake and run on
        second.turnScheduler();
        assertEquals(VmState.IDLE, webBack.state());
        second.runUntil(() -> webBack.insnCount() > webInsns && webBack.state() == VmState.IDLE, 3_000);
    }

    @Test
    void anAdoptedVmsIdleDeadlineSwapsItInByItself() throws Exception {
        startOn(first);
        Vm vm = idleSleeper(first, null);
        first.advanceClock(300 * HandTurnedHost.MS); // the first host's clock is well past the VM's boot
        long remaining = vm.idleUntilNs - first.nowNs();
        assertTrue(remaining > 0 && remaining <= 1_000_000_000L, "idle for at most a second: " + remaining);
        swapOut(first, vm);
        first.close();

        Host b = startOn(second);
        assertEquals(0, b.swapInWork(), "not due yet");
        second.advanceClock(remaining - HandTurnedHost.MS);
        assertEquals(0, b.swapInWork(), "its deadline kept its distance across the restart");
        second.advanceClock(2 * HandTurnedHost.MS);
        assertTrue(b.swapInWork() > 0);
        assertNotNull(b.find(vm.idString()), "due: swapped in without anyone asking");
    }

    @Test
    void clonesComeBackAsClonesAndADestroyedCloneStaysGone() throws Exception {
        Host a = startOn(first);
        Vm source = idleSleeper(first, null);
        VmStub template = swapOut(first, source);
        List<VmStub> clones = a.registerClones(template, 4); // vm-2 .. vm-5
        assertEquals(List.of(2, 3, 4, 5), clones.stream().map(VmStub::id).toList());
        Vm ran = swapIn(a, clones.get(1)); // vm-3 runs, and is swapped out: a record of its own
        first.turnScheduler();
        byte[] ranBefore = GuestView.of(ran);
        swapOut(first, ran);
        a.destroy("vm-4"); // a stub: its tombstone is written now
        Vm resident = swapIn(a, clones.get(3)); // vm-5 is in memory, never swapped out, when it is destroyed
        first.turnScheduler();
        a.destroy(resident.idString());
        first.turnScheduler();
        drainSwapOut(a);
        assertEquals(2L, a.swapCounters().get("swapTombstones"));
        first.close();

        Host b = startOn(second);
        Adoption adopted = b.adoption();
        assertEquals(3, adopted.vms(), "vm-1 and vm-3 by their records, vm-2 by the manifest");
        assertEquals(1, adopted.clones());
        assertEquals(2, adopted.destroyed());
        assertEquals(1, adopted.templates());
        assertNull(b.lookup("vm-4"), "destroyed as a stub: stays gone");
        assertNull(b.lookup("vm-5"), "destroyed in memory: stays gone");
        VmStub clone = assertInstanceOf(VmStub.class, b.lookup("vm-2"));
        assertTrue(clone.isClone(), "still a clone of the template");
        assertEquals(Host.FIRST_TEMPLATE_RECORD, clone.recordId());
        VmStub own = assertInstanceOf(VmStub.class, b.lookup("vm-3"));
        assertFalse(own.isClone());

        Vm cloneBack = swapIn(b, clone);
        assertEquals(VmAddresses.mac(2), cloneBack.mac(), "built from the template with its own identity");
        assertArrayEquals(ranBefore, GuestView.of(swapIn(b, own)), "vm-3 as it was last swapped out");
        assertEquals(6, b.create(new VmSpec("hello-sleeper", MEM, null, null)).id(), "ids go on above the clones");

        // a template boot on the adopted host takes the next template id, and its clones survive too
        second.turnScheduler();
        Vm next = b.find("vm-6");
        second.runUntil(() -> next.state() == VmState.IDLE, 10_000);
        List<VmStub> more = b.registerClones(swapOut(second, next), 2);
        assertEquals(Host.FIRST_TEMPLATE_RECORD + 1, more.get(0).recordId());
        b.destroy("vm-2"); // in memory now: its owner destroys it, the swap-out thread writes the tombstone
        second.turnScheduler();
        drainSwapOut(b);
        second.close();

        Host c = startOn(third);
        assertNull(c.lookup("vm-4"));
        assertNull(c.lookup("vm-5"));
        assertNull(c.lookup("vm-2"), "destroyed on the second host, as a clone it stays gone");
        assertTrue(assertInstanceOf(VmStub.class, c.lookup("vm-7")).isClone());
        assertTrue(assertInstanceOf(VmStub.class, c.lookup("vm-8")).isClone());
        assertEquals(2, c.adoption().templates());
    }

    @Test
    void clonesWhoseManifestCannotBeWrittenAreNeverRegistered() throws Exception {
        first.start();
        Host a = first.host();
        a.enableSwap(SwapStore.open(swapDir, 2 * 4096)); // room for the VM's record and the template, no more
        VmStub template = swapOut(first, idleSleeper(first, null));
        HostException full = assertThrows(HostException.class, () -> a.registerClones(template, 3));
        assertTrue(full.getMessage().startsWith("cannot register clones of vm-1: vm-33554432 not written"), full.getMessage());
        assertNull(a.lookup("vm-2"), "no clone is visible without its manifest");
        assertEquals(2, a.nextVmId(), "and no id was used up");
        first.close();

        Host b = startOn(second);
        assertEquals(1, b.adoption().vms());
        assertEquals(1, b.adoption().templates());
        assertNull(b.lookup("vm-2"));
    }

    @Test
    void aVmThatEndsInMemoryLeavesNoRecordToBringItBack() throws Exception {
        Host a = startOn(first);
        Vm vm = idleSleeper(first, "goner");
        Vm back = swapIn(a, swapOut(first, vm)); // its record stays on disk while it runs
        assertEquals(1, a.swapStore().records());
        first.turnScheduler();
        a.destroy("goner");
        first.turnScheduler();
        drainSwapOut(a);
        assertEquals(0, a.swapStore().records(), "dropped by the swap-out thread");
        assertEquals(VmState.DESTROYED, back.state());
        first.close();

        Host b = startOn(second);
        assertEquals(0, b.adoption().vms());
        assertNull(b.lookup("goner"));
    }

    @Test
    void anUnreadableRecordBecomesAFaultedStubAndTheOthersComeBack() throws Exception {
        Host a = startOn(first);
        Vm damaged = idleSleeper(first, "damaged");
        Vm good = idleSleeper(first, null);
        swapOut(first, damaged);
        byte[] goodBefore = GuestView.of(good);
        swapOut(first, good);
        SwapStore store = a.swapStore();
        byte[] junk = "not an encapsulation record".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        store.write(7, junk, 0, junk.length); // whole by the store's checksums, but no record
        first.close();
        try (var files = Files.walk(swapDir)) {
            Path rec = files.filter(p -> p.getFileName().toString().equals("vm-" + damaged.id() + ".rec")).findFirst()
                    .orElseThrow();
            byte[] bytes = Files.readAllBytes(rec);
            bytes[bytes.length / 2] ^= 0x10;
            Files.write(rec, bytes);
        }

        Host b = startOn(second);
        Adoption adopted = b.adoption();
        assertEquals(3, adopted.vms());
        assertEquals(2, adopted.faulted());
        assertNotNull(adopted.firstProblem());
        HostedVm bad = b.lookup(damaged.idString());
        assertEquals(VmState.FAULTED, bad.state());
        assertTrue(bad.faultReason().startsWith("unreadable record: record of vm-1 is damaged"), bad.faultReason());
        assertNull(b.lookup("damaged"), "an unreadable record's name is not known");
        HostedVm junkVm = b.lookup("vm-7");
        assertEquals(VmState.FAULTED, junkVm.state());
        assertTrue(junkVm.faultReason().contains("not an encapsulation record (bad magic)"), junkVm.faultReason());
        assertFalse(b.bringBack(bad), "a faulted stub is not brought back");

        assertArrayEquals(goodBefore, GuestView.of(swapIn(b, (VmStub) b.lookup(good.idString()))), "the other VM is untouched");
        assertEquals(8, b.create(new VmSpec("hello-sleeper", MEM, null, null)).id(), "ids go on above the faulted ones too");
        b.destroy(bad.idString());
        assertNull(b.lookup(bad.idString()));
        assertFalse(b.swapStore().contains(damaged.id()), "destroying it removes the damaged file");
    }

    @Test
    void aSecondHostOnTheSameStoreIsRefusedUntilTheFirstCloses() throws Exception {
        startOn(first);
        SwapStoreException e = assertThrows(SwapStoreException.class, () -> SwapStore.open(swapDir, STORE_LIMIT));
        assertEquals(SwapStoreException.Kind.IN_USE, e.kind());
        assertTrue(e.getMessage().contains("is in use by another host (process " + ProcessHandle.current().pid() + ")"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("yakima-swap.lock"), e.getMessage());
        first.close();
        SwapStore.open(swapDir, STORE_LIMIT).close();
    }

    @Test
    void aCleanStopSwapsOutEveryVmAdmittedOrWaitingAndARestartBringsThemAllBack() throws Exception {
        first.start(HostConfig.defaults().withBudget(64L << 20));
        Host a = first.host();
        a.enableSwap(SwapStore.open(swapDir, STORE_LIMIT));
        Vm idle = idleSleeper(first, "idle");
        Vm busy = a.create(new VmSpec("yielder", MEM, "busy", null));
        first.turnUntil(() -> busy.insnCount() > 1000, 1_000, HandTurnedHost.MS);
        assertEquals(VmState.RUNNABLE, busy.state());
        Vm destroyed = idleSleeper(first, null);
        a.destroy(destroyed.idString());
        first.turnScheduler();
        Vm terminated = a.create(new VmSpec("hello", MEM, null, null));
        first.runUntil(() -> terminated.state() == VmState.TERMINATED, 10_000);
        byte[] idleBefore = GuestView.of(idle);
        byte[] busyBefore = GuestView.of(busy);

        int left = -1;
        for (int round = 0; round < 100 && (left = a.swapOutAllStep()) > 0; round++) {
            first.turnScheduler();
            a.swapOutWork();
        }
        assertEquals(0, left, "every living VM is out, and the ended ones' records dropped");
        assertEquals(2, a.swapStore().records(), "idle and busy; the destroyed and the terminated left nothing");
        assertInstanceOf(VmStub.class, a.lookup("idle"));
        assertInstanceOf(VmStub.class, a.lookup("busy"));
        a.bringBack((VmStub) a.lookup("idle"));
        assertEquals(0, a.swapInWork(), "a stopping host brings nothing back");
        assertNull(a.find("idle"));
        first.close();

        Host b = startOn(second);
        assertEquals(2, b.adoption().vms());
        assertArrayEquals(idleBefore, GuestView.of(swapIn(b, (VmStub) b.lookup("idle"))));
        Vm busyBack = swapIn(b, (VmStub) b.lookup("busy"));
        assertArrayEquals(busyBefore, GuestView.of(busyBack), "the runnable VM was taken off between quanta");
        second.turnScheduler();
        assertEquals(VmState.RUNNABLE, busyBack.state());
        long insns = busyBack.insnCount();
        second.runUntil(() -> busyBack.insnCount() > insns, 100);
    }

    @Test
    void aWaitingVmIsSwappedOutByACleanStopWithoutEverRunning() throws Exception {
        // a budget for about one VM: the second waits for admission, never run
        first.start(HostConfig.defaults().withBudget(MemoryAccounting.admissionBytes(MEM) + 4096));
        Host a = first.host();
        a.enableSwap(SwapStore.open(swapDir, STORE_LIMIT));
        Vm runs = a.create(new VmSpec("yielder", MEM, null, null));
        Vm waits = a.create(new VmSpec("hello-sleeper", MEM, "later", null));
        assertEquals(VmState.WAITING, waits.state());
        assertEquals(0, waits.insnCount());
        int left = -1;
        for (int round = 0; round < 100 && (left = a.swapOutAllStep()) > 0; round++) {
            first.turnScheduler();
            a.swapOutWork();
        }
        assertEquals(0, left);
        assertEquals(0, waits.insnCount(), "it never ran");
        assertEquals(2, a.swapStore().records());
        first.close();

        second.start();
        Host b = second.host();
        b.enableSwap(SwapStore.open(swapDir, STORE_LIMIT));
        Vm back = swapIn(b, (VmStub) b.lookup("later"));
        second.runUntil(() -> second.output().contains("hello from denali"), 10_000);
        assertTrue(back.insnCount() > 0, "it boots now, from where it was: the start");
        assertNotNull(runs);
    }

    @Test
    void aHostThatHoldsVmsDoesNotAdopt() throws Exception {
        startOn(first);
        idleSleeper(first, null);
        swapOut(first, first.host().find("vm-1"));
        first.close();
        second.start();
        second.host().create(new VmSpec("hello-sleeper", MEM, null, null));
        SwapStore store = SwapStore.open(swapDir, STORE_LIMIT);
        try {
            assertThrows(IllegalStateException.class, () -> second.host().enableSwap(store));
        } finally {
            store.close();
        }
    }
}
