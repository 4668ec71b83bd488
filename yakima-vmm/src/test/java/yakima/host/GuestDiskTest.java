package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.host.HandTurnedHost.MS;
import static yakima.host.HandTurnedHost.ended;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.spec.DenaliAbi;
import yakima.device.DiskCounter;
import yakima.host.HandTurnedHost.Agent;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Ilwaco's disk ({@code kern/disk.c}, {@code ilwaco/disk.h}) inside a VM on a
 * host whose agents are turned by hand: many threads reading and writing at
 * once, a request of more than 64 blocks, blocking instead of spinning, the
 * 16-request limit, persistence across VMs, and the errors.
 */
class GuestDiskTest {
    private static final int MEM = 1 << 20;
    private static final String BAD_CALLS = "bad calls: -" + DenaliAbi.EINVAL + " -" + DenaliAbi.EINVAL + " -"
            + DenaliAbi.EINVAL + " -" + DenaliAbi.EFAULT + " -" + DenaliAbi.EFAULT;

    @TempDir
    Path dir;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.DISKS).start();

    /**
     * Turns the scheduler and the disk thread by hand until {@code done}, moving the clock 1 ms a turn; fails after
     * 20,000 turns.
     */
    private void runUntil(BooleanSupplier done) {
        hand.runUntil(done, 20_000);
    }

    private Vm create(DiskSpec disk, String... defines) throws Exception {
        return hand.createGuest("disk-threads", MEM, disk, defines);
    }

    @Test
    void threadsWriteAndReadBackTheirBlocksAtOnceAndTheDataOutlivesTheVm() throws Exception {
        Path file = dir.resolve("threads.disk");
        Vm writer = create(DiskSpec.privateDisk(file, 128), "SEED=3");

        // With the disk thread stopped, every thread ends up waiting for the disk:
        // the VM must go idle (nobody spins), with the most requests the VMM takes in flight.
        for (int turn = 0; turn < 2_000 && writer.state() != VmState.IDLE && !ended(writer); turn++) {
            hand.turnScheduler();
            hand.advanceClock(MS);
        }
        assertEquals(VmState.IDLE, writer.state(), hand.output());
        assertEquals(16, writer.disk().counters().get(DiskCounter.IN_FLIGHT), "21 callers, 16 requests in flight");
        assertEquals(0, writer.disk().counters().get(DiskCounter.REJECTED_QUEUE_FULL), "callers wait for a slot instead");
        for (int i = 0; i < 50; i++) { // and it stays idle: no deadline, no spinning
            hand.turnScheduler();
            hand.advanceClock(MS);
        }
        assertEquals(VmState.IDLE, writer.state(), hand.output());

        runUntil(() -> ended(writer));
        assertEquals(0, writer.exitCode(), hand.output());
        assertTrue(hand.output().contains("workers ok 20\n"), hand.output());
        assertTrue(hand.output().contains("big ok 72\n"), hand.output());
        assertTrue(hand.output().contains(BAD_CALLS + "\n"), hand.output());
        // 20 workers x 3 rounds x (1 write + 2 reads), the big write and read in 2 requests each,
        // one refused write straddling the end (checked in the guest, never sent)
        assertEquals(20 * 3 + 2, writer.disk().counters().get(DiskCounter.WRITES));
        assertEquals(20 * 3 * 2 + 2, writer.disk().counters().get(DiskCounter.READS));
        assertEquals(0, writer.disk().counters().get(DiskCounter.REJECTED_QUEUE_FULL));
        hand.host().destroy(writer.idString());
        runUntil(() -> writer.state() == VmState.DESTROYED);

        hand.resetConsole();
        Vm reader = create(DiskSpec.privateDisk(file, 0), "SEED=3", "VERIFY");
        runUntil(() -> ended(reader));
        assertEquals(0, reader.exitCode(), hand.output());
        assertTrue(hand.output().contains("persisted ok 112\n"), hand.output());
        assertTrue(hand.output().contains(BAD_CALLS + "\n"), hand.output());
        // its first call into the kernel was a disk call: interrupts must be on after it
        assertTrue(hand.output().contains("interrupts on\n"), hand.output());

        // the same reader with another seed must notice: the check can fail
        hand.host().destroy(reader.idString());
        runUntil(() -> reader.state() == VmState.DESTROYED);
        hand.resetConsole();
        Vm wrong = create(DiskSpec.privateDisk(file, 0), "SEED=4", "VERIFY");
        runUntil(() -> ended(wrong));
        assertEquals(1, wrong.exitCode(), hand.output());
        assertTrue(hand.output().contains("workers' blocks: 0, block 0"), hand.output());
    }

    @Test
    void withoutADiskEveryCallIsEnosys() throws Exception {
        Vm vm = create(null);
        runUntil(() -> ended(vm));
        assertEquals(0, vm.exitCode(), hand.output());
        assertTrue(hand.output().contains("no disk: -" + DenaliAbi.ENOSYS + " -" + DenaliAbi.ENOSYS + "\n"),
                hand.output());
    }
}
