package yakima.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.memory.GuestMemory;
import yakima.host.HandTurnedHost.Agent;
import yakima.swap.SwapStore;
import yakima.swap.VmStub;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Swapping a VM out to the store and back in, turned by hand: what comes
 * back is the VM that left, bit for bit, and it carries on.
 */
class HostSwapTest {
    private static final int MEM = 256 << 10;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    @TempDir
    Path swapDir;

    private Host startSwapping() throws Exception {
        hand.start();
        hand.host().enableSwap(SwapStore.open(swapDir, 64L << 20));
        return hand.host();
    }

    /** Evicts {@code vm} and turns the swap-out: the stub that took its place. */
    private VmStub swapOut(Host host, Vm vm) {
        assertTrue(host.scheduler().evict(vm));
        hand.turnScheduler();
        assertEquals(VmState.SWAPPED, vm.state());
        assertEquals(1, host.swapOutWork());
        HostedVm now = host.lookup(vm.idString());
        return assertInstanceOf(VmStub.class, now, "a stub took the VM's place");
    }

    /** Asks for {@code stub}'s VM back and turns the swap-in: the VM built from the record. */
    private Vm swapIn(Host host, VmStub stub) {
        assertTrue(host.bringBack(stub));
        assertEquals(1, host.swapInWork());
        Vm back = host.find(stub.idString());
        assertNotNull(back, "back in memory: " + host.lastSwapError());
        return back;
    }

    @Test
    void anIdleVmComesBackBitIdenticalAndCarriesOn() throws Exception {
        Host host = startSwapping();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE && hand.output().contains("hello from denali"), 10_000);
        byte[] before = GuestView.of(vm);
        long quanta = vm.quanta();

        VmStub stub = swapOut(host, vm);
        assertNull(host.find(vm.idString()), "no VM object is left in memory");
        assertEquals(1, host.swapStore().records());
        assertTrue(stub.recordBytes() > 0 && stub.recordBytes() < 16 << 10, "record of " + stub.recordBytes() + " bytes");
        assertEquals(1L, host.countByState().get(VmState.SWAPPED));

        Vm back = swapIn(host, stub);
        assertNotSame(vm, back);
        assertArrayEquals(before, GuestView.of(back), "registers and memory survive the swap bit for bit");
        assertEquals(quanta, back.quanta(), "counters carry over");
        hand.turnScheduler();
        assertEquals(VmState.IDLE, back.state(), "it left idle, and waits again once admitted");

        // it was idle until its 1 s deadline: it wakes then, and runs on
        long insns = back.insnCount();
        hand.runUntil(() -> back.insnCount() > insns && back.state() == VmState.IDLE, 3_000);
        assertEquals(VmState.IDLE, back.state());
    }

    @Test
    void randomVmStatesSurviveTheRoundTrip() throws Exception {
        Host host = startSwapping();
        Vm first = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> first.state() == VmState.IDLE, 10_000);
        Random random = new Random(20261121);
        Vm vm = first;
        for (int round = 0; round < 40; round++) {
            // scribble over registers and a random set of pages (some whole, some a word), then swap
            for (int n = 0; n < 8; n++) {
                vm.setReg(n, random.nextInt());
            }
            GuestMemory mem = vm.memory();
            int writes = random.nextInt(64);
            for (int w = 0; w < writes; w++) {
                int page = 1 + random.nextInt(mem.pageCount() - 1);
                if (random.nextBoolean()) {
                    for (int o = 0; o < GuestMemory.PAGE_SIZE; o += 4) {
                        mem.vmmWrite32(page * GuestMemory.PAGE_SIZE + o, random.nextInt(4) == 0 ? 0 : random.nextInt());
                    }
                } else {
                    mem.vmmWrite32(page * GuestMemory.PAGE_SIZE + 4 * random.nextInt(1024), random.nextInt());
                }
            }
            byte[] before = GuestView.of(vm);
            Vm back = swapIn(host, swapOut(host, vm));
            assertArrayEquals(before, GuestView.of(back), "round " + round);
            vm = back;
        }
    }

    @Test
    void aFrameForASwappedVmBringsItBackAndReachesIt() throws Exception {
        Host host = startSwapping();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE, 10_000);
        VmStub stub = swapOut(host, vm);

        sendTo(host, vm); // from another port of the LAN to the swapped VM's MAC
        assertEquals(1, host.lan().framesHeldForAbsent(), "the switch gave the frame to the host");

        assertEquals(1, host.swapInWork(), "the frame asked for the VM");
        Vm back = host.find(stub.idString());
        assertNotNull(back, String.valueOf(host.lastSwapError()));
        assertEquals(1, back.nic().rxWaiting(), "the held frame waits in its NIC");
        assertTrue(back.hasRaised(), "and its interrupt is raised");
    }

    /** A frame to {@code vm}'s MAC and address from a new peer port, moved by the switch. */
    private static void sendTo(Host host, Vm vm) {
        yakima.net.VirtualNic peer = new yakima.net.VirtualNic(new yakima.net.MacAddress(0x02AA00000001L), 0x0A0000FE,
                yakima.net.RxListener.NONE);
        host.lan().attach(peer);
        byte[] frame = new byte[60];
        long dst = vm.mac();
        for (int k = 0; k < 6; k++) {
            frame[k] = (byte) (dst >>> (40 - 8 * k));
            frame[6 + k] = (byte) (0x02AA00000001L >>> (40 - 8 * k));
        }
        frame[12] = 0x08; // IPv4, protocol 253 (for experiments): the guest drops it
        frame[14] = 0x45;
        frame[23] = (byte) 253;
        java.nio.ByteBuffer.wrap(frame, 26, 8).putInt(0x0A0000FE).putInt(vm.ipv4());
        assertEquals(0, peer.send(frame, frame.length));
        host.lan().doWork();
    }

    /**
     * Two idle sleepers evicted, the second's swap-out queued behind the first's; returns them
     * (first, second).
     */
    private Vm[] twoEvicted(Host host) throws Exception {
        Vm first = hand.create("hello-sleeper", MEM, null);
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> first.state() == VmState.IDLE && vm.state() == VmState.IDLE, 10_000);
        assertTrue(host.scheduler().evict(first));
        assertTrue(host.scheduler().evict(vm));
        hand.turnScheduler();
        return new Vm[] {first, vm};
    }

    @Test
    void aVmPutBackAndEvictedAgainBeforeItsTurnIsQueuedOnce() throws Exception {
        Host host = startSwapping();
        Vm[] two = twoEvicted(host);
        Vm first = two[0];
        Vm vm = two[1];
        sendTo(host, vm);
        host.swapOutWork(); // vm put back (its entry stays in the queue), first written
        assertEquals(vm, host.find(vm.idString()));
        hand.runUntil(() -> vm.state() == VmState.IDLE && !vm.hasWorkWaiting(), 10_000);

        assertTrue(host.scheduler().evict(vm)); // again, before the old entry's turn
        hand.turnScheduler();
        assertEquals(VmState.SWAPPED, vm.state());
        assertEquals(1, host.swapOutWork(), "the entry left behind serves the new eviction");
        assertInstanceOf(VmStub.class, host.lookup(vm.idString()));
        assertEquals(0, host.swapOutWork(), "and no second entry was queued for it");
        assertEquals(2L, host.swapCounters().get("swapOuts"));
    }

    @Test
    void aVmWantedBackBeforeItsSwapOutBeginsIsPutBackAheadOfTheQueueAndNothingIsWritten() throws Exception {
        Host host = startSwapping();
        Vm[] two = twoEvicted(host);
        Vm first = two[0];
        Vm vm = two[1];
        assertEquals(VmState.SWAPPED, vm.state(), "evicted, its swap-out queued behind first's");

        sendTo(host, vm); // its NIC is still on the LAN: the frame reaches it
        assertEquals(1, vm.nic().rxWaiting());
        host.swapOutWork(); // one turn of the swap-out thread: vm is put back, then first is written
        assertEquals(vm, host.find(vm.idString()), "the same VM, back without waiting for first's record");
        assertInstanceOf(VmStub.class, host.lookup(first.idString()));
        assertEquals(1, host.swapStore().records(), "first's record only: none was written for vm");
        assertEquals(1L, host.swapCounters().get("swapTakenBack"));

        assertTrue(vm.hasRaised(), "its NIC interrupt waits for it");
        long quanta = vm.quanta();
        hand.runUntil(() -> vm.quanta() > quanta, 1_000); // admitted again, and woken by it at once
        host.swapOutWork(); // its own turn in the queue comes: skipped
        assertEquals(1, host.swapStore().records());
        assertEquals(1L, host.swapCounters().get("swapOuts"));
    }

    @Test
    void theGatekeepersEvictionSparesAVmWithWorkWaitingButAPlainEvictionTakesIt() throws Exception {
        Host host = startSwapping();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE, 10_000);
        var thread = host.scheduler().thread(0);
        vm.raise(denali.isa.spec.DenaliAbi.INT_NIC_RX); // a frame came for it, and it has not run since

        long refused = thread.evictionsRefused();
        assertTrue(host.scheduler().evictIfQuiet(vm));
        hand.turnScheduler();
        assertEquals(refused + 1, thread.evictionsRefused(), "it is about to run: not taken");
        assertTrue(vm.state() != VmState.SWAPPED);

        vm.raise(denali.isa.spec.DenaliAbi.INT_NIC_RX);
        assertTrue(host.scheduler().evict(vm)); // a snapshot or a clean stop takes it whatever waits
        hand.turnScheduler();
        assertEquals(VmState.SWAPPED, vm.state());
    }

    @Test
    void clonesComeBackFromTheirTemplateDecodedOnceEachWithMemoryOfItsOwn() throws Exception {
        Host host = startSwapping();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE && hand.output().contains("hello from denali"), 10_000);
        int esp = vm.reg(4);
        int word = vm.memory().read32(esp);
        VmStub stub = swapOut(host, vm);
        java.util.List<VmStub> clones = host.registerClones(stub, 2);

        Vm a = swapIn(host, clones.get(0));
        Vm b = swapIn(host, clones.get(1));
        assertEquals(1L, host.swapCounters().get("swapTemplateReads"), "the template record was read and checked once");
        assertEquals(word, a.memory().read32(esp));
        assertEquals(word, b.memory().read32(esp));
        a.memory().write32(esp, ~word);
        assertEquals(word, b.memory().read32(esp), "one clone's write is not the other's");
        assertEquals(a.reg(4), b.reg(4));
        assertTrue(a.ipv4() != b.ipv4() && a.ipv4() != vm.ipv4(), "each clone has its own addresses");
    }

    @Test
    void aCorruptRecordFailsThatVmAloneWithTheReason() throws Exception {
        Host host = startSwapping();
        Vm a = hand.create("hello-sleeper", MEM, null);
        Vm b = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> a.state() == VmState.IDLE && b.state() == VmState.IDLE, 10_000);
        VmStub sa = swapOut(host, a);
        VmStub sb = swapOut(host, b);
        try (var files = Files.walk(swapDir)) {
            Path rec = files.filter(p -> p.getFileName().toString().startsWith("vm-" + a.id() + ".")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(rec);
            bytes[bytes.length / 2] ^= 0x10;
            Files.write(rec, bytes);
        }
        assertTrue(host.bringBack(sa));
        assertEquals(1, host.swapInWork());
        assertEquals(VmState.FAULTED, sa.state());
        assertTrue(sa.faultReason().startsWith("swap-in failed"), sa.faultReason());
        assertNull(host.find(sa.idString()));

        Vm other = swapIn(host, sb);
        hand.turnScheduler();
        assertEquals(VmState.IDLE, other.state(), "the other VM is untouched");
    }

    @Test
    void aFullStoreKeepsTheVmInMemory() throws Exception {
        hand.start();
        Host host = hand.host();
        host.enableSwap(SwapStore.open(swapDir, 1)); // room for nothing
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE, 10_000);
        byte[] before = GuestView.of(vm);
        assertTrue(host.scheduler().evict(vm));
        hand.turnScheduler();
        assertEquals(1, host.swapOutWork());
        assertEquals(1L, host.swapCounters().get("swapOutFailures"));
        assertNotNull(host.lastSwapError());
        Vm still = host.find(vm.idString());
        assertNotNull(still, "the VM never left memory");
        assertArrayEquals(before, GuestView.of(still));
        hand.turnScheduler();
        assertEquals(VmState.IDLE, still.state(), "admitted again, idle as it was");
    }

    @Test
    void destroyingASwappedVmDeletesItsRecord() throws Exception {
        Host host = startSwapping();
        Vm vm = hand.create("hello-sleeper", MEM, null);
        hand.runUntil(() -> vm.state() == VmState.IDLE, 10_000);
        VmStub stub = swapOut(host, vm);
        assertEquals(1, host.swapStore().records());
        host.destroy(stub.idString());
        assertNull(host.lookup(stub.idString()));
        assertEquals(0, host.swapStore().records());
    }
}
