package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.host.HandTurnedHost.ended;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.spec.DenaliAbi;
import yakima.host.HandTurnedHost.Agent;
import yakima.net.NicCounter;
import yakima.net.SwitchDrop;
import yakima.vm.TestGuests;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * The devices seen from inside VMs on one host: frames between VMs through
 * the NIC hypercalls and the switch, the switch's source checks, the disk's
 * persistence and privacy. The host's threads are not started: each test
 * turns the scheduler, the switch and the disk thread by hand.
 */
class HostDevicesTest {
    private static final int MEM = 256 << 10;

    @TempDir
    Path dir;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN, Agent.DISKS);

    /** Turns every agent by hand until {@code done}, moving the clock 1 ms a turn; fails after 10,000 turns. */
    private void runUntil(BooleanSupplier done) {
        hand.runUntil(done, 10_000);
    }

    private Vm create(Path image, DiskSpec disk) throws Exception {
        return hand.create(image.toString(), MEM, disk);
    }

    @Test
    void twoVmsExchangeAFrameThroughTheSwitchAndTheReceiverIsWokenByTheInterrupt() throws Exception {
        hand.start();
        Path pcap = dir.resolve("lan.pcap");
        hand.host().recordLan(pcap);
        Vm receiver = create(TestGuests.build("frame-receiver"), null); // vm-1
        Vm sender = create(TestGuests.build("frame-sender", "PEER=1"), null); // vm-2
        // the receiver runs first and goes idle with no deadline: only the frame can wake it
        hand.turnScheduler();
        assertEquals(VmState.IDLE, receiver.state());
        runUntil(() -> ended(receiver) && ended(sender));

        assertEquals(0, sender.exitCode(), hand.output());
        assertEquals(0, receiver.exitCode(), hand.output());
        assertTrue(hand.output().contains("sent 1 refused 0"), hand.output());
        assertTrue(hand.output().contains("got 42 bytes, 0 waiting, pending 2: denali!!"), hand.output());
        assertEquals(1, hand.host().lan().framesForwarded());
        assertEquals(1, sender.nic().counter(NicCounter.TX_FRAMES));
        assertEquals(1, receiver.nic().counter(NicCounter.RX_FRAMES));
        assertTrue(receiver.wakes() >= 1, "the frame woke the idle receiver");

        // --pcap: closing the host writes what the tap holds; one record of the 42-byte frame
        hand.close();
        java.nio.ByteBuffer file = java.nio.ByteBuffer.wrap(Files.readAllBytes(pcap)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(24 + 16 + 42, file.capacity());
        assertEquals(0xA1B2C3D4, file.getInt(0));
        assertEquals(1, file.getInt(20), "link type Ethernet");
        assertEquals(42, file.getInt(24 + 8), "captured length");
        assertEquals(receiver.mac() >>> 40, file.get(40) & 0xFF, "the destination MAC leads the frame");
    }

    @Test
    void theVmsSeeTheirOwnAddressesAndDevicesInTheVirtualRegisters() throws Exception {
        hand.start();
        Vm vm = create(TestGuests.build("frame-receiver"), null);
        int status = vm.memory().read32(DenaliAbi.VREG_DEVICE_STATUS);
        assertEquals(DenaliAbi.DEV_CONSOLE | DenaliAbi.DEV_NIC | DenaliAbi.DEV_NIC_LINK_UP, status);
        assertEquals(Integer.reverseBytes(Host.GATEWAY_IPV4 + vm.id()), vm.memory().read32(DenaliAbi.VREG_IPV4));
        assertEquals(0x02, vm.memory().read8(DenaliAbi.VREG_MAC));
        assertEquals(vm.id(), vm.memory().read8(DenaliAbi.VREG_MAC + 5));
    }

    @Test
    void aFrameWithAForgedSourceMacOrIpIsDroppedAndCountedAndNeverDelivered() throws Exception {
        hand.start();
        Vm receiver = create(TestGuests.build("frame-receiver"), null); // vm-1
        Vm macSpoofer = create(TestGuests.build("frame-sender", "PEER=1", "SPOOF_MAC"), null);
        Vm ipSpoofer = create(TestGuests.build("frame-sender", "PEER=1", "SPOOF_IP"), null);
        runUntil(() -> ended(macSpoofer) && ended(ipSpoofer) && receiver.state() == VmState.IDLE);
        hand.turnFrozen(100); // nothing more to move, whatever turns

        assertEquals(VmState.IDLE, receiver.state(), "no frame reached the receiver");
        assertEquals(0, receiver.nic().counter(NicCounter.RX_FRAMES));
        assertEquals(1, hand.host().lan().dropped(SwitchDrop.SPOOFED_SOURCE_MAC));
        assertEquals(1, hand.host().lan().dropped(SwitchDrop.SPOOFED_SOURCE_IP));
        assertEquals(1, macSpoofer.nic().counter(NicCounter.TX_REFUSED_BY_SWITCH));
        assertEquals(1, ipSpoofer.nic().counter(NicCounter.TX_REFUSED_BY_SWITCH));
        assertEquals(0, hand.host().lan().framesForwarded());
    }

    @Test
    void aFullTxQueueRefusesTheSendWithEagainAndCountsItInsteadOfBlocking() throws Exception {
        hand.start(HostConfig.defaults().withNicQueueFrames(4));
        Vm receiver = create(TestGuests.build("frame-receiver"), null);
        Vm flooder = create(TestGuests.build("frame-sender", "PEER=1", "COUNT=10"), null);
        // the flooder sends 10 frames in one quantum, before the switch runs
        hand.turnScheduler();
        hand.turnScheduler();
        assertEquals(VmState.TERMINATED, flooder.state(), hand.output());
        assertTrue(hand.output().contains("sent 4 refused 6"), hand.output());
        assertEquals(6, flooder.nic().counter(NicCounter.TX_DROPPED_FULL));
        runUntil(() -> ended(receiver));
        assertEquals(4, hand.host().lan().framesForwarded());
        assertTrue(hand.output().contains("got 42 bytes, 3 waiting"), hand.output());
    }

    @Test
    void diskContentsSurviveTheVmBeingDestroyedAndCreatedAgainOnTheSameDisk() throws Exception {
        hand.start();
        Path file = dir.resolve("a.disk");
        Vm writer = create(TestGuests.build("disk-rw", "WRITE", "SEED=5"), DiskSpec.privateDisk(file, 16));
        assertEquals(16, writer.memory().read32(DenaliAbi.VREG_DISK_BLOCKS));
        runUntil(() -> ended(writer));
        assertEquals(0, writer.exitCode(), hand.output());
        assertTrue(hand.output().contains("wrote 3 blocks of 16"), hand.output());
        hand.host().destroy(writer.idString());
        runUntil(() -> writer.state() == VmState.DESTROYED);

        Vm reader = create(TestGuests.build("disk-rw", "SEED=5"), DiskSpec.privateDisk(file, 0));
        runUntil(() -> ended(reader));
        assertEquals(0, reader.exitCode(), hand.output());
        // byte i = i*7 + 5: bytes 0, 1, 2 and 4095
        assertTrue(hand.output().contains("read 05 0c 13 " + String.format("%02x", (4095 * 7 + 5) & 0xFF)),
                hand.output());
        assertTrue(hand.output().contains("past end: -" + DenaliAbi.EINVAL), hand.output());
        assertEquals(16 * 4096, Files.size(file));
    }

    @Test
    void aVmSeesOnlyItsOwnDiskAndCannotOpenADiskAnotherVmHolds() throws Exception {
        hand.start();
        Path a = dir.resolve("a.disk");
        Path b = dir.resolve("b.disk");
        Vm writer = create(TestGuests.build("disk-rw", "WRITE", "SEED=9"), DiskSpec.privateDisk(a, 4));
        // while vm-1 holds a.disk, nobody else may be given it
        HostException refused = assertThrows(HostException.class,
                () -> create(TestGuests.build("disk-rw", "SEED=9"), DiskSpec.privateDisk(a, 4)));
        assertEquals(HostException.Kind.BAD_REQUEST, refused.kind());
        assertTrue(refused.getMessage().contains("already open"), refused.getMessage());

        Vm other = create(TestGuests.build("disk-rw", "SEED=9"), DiskSpec.privateDisk(b, 8));
        runUntil(() -> ended(writer) && ended(other));
        // the other VM reads its own, fresh disk: zeros, not vm-1's pattern; and nothing past its own end
        assertTrue(hand.output().contains("read 00 00 00 00 sum 00000000 of 8"), hand.output());
        assertTrue(hand.output().contains("past end: -" + DenaliAbi.EINVAL), hand.output());
        assertNotEquals(Files.size(a), Files.size(b));
    }

    @Test
    void aVmWithoutADiskGetsEnosys() throws Exception {
        hand.start();
        Vm vm = create(TestGuests.build("disk-rw", "SEED=1"), null);
        runUntil(() -> ended(vm));
        assertEquals(1, vm.exitCode());
        assertTrue(hand.output().contains("read refused: -" + DenaliAbi.ENOSYS), hand.output());
    }

    @Test
    void aDiskThatCannotBeOpenedRefusesTheVmWithAClearMessageAndLeavesNothingBehind() throws Exception {
        hand.start();
        Path missing = dir.resolve("missing.disk");
        HostException e = assertThrows(HostException.class,
                () -> create(TestGuests.build("disk-rw", "SEED=1"), DiskSpec.privateDisk(missing, 0)));
        assertEquals(HostException.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(0, hand.host().vms().size());
        assertEquals(0, hand.host().lan().ports().size());
    }
}
