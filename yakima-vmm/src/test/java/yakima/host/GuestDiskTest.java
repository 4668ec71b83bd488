package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.spec.DenaliAbi;
import yakima.device.DiskCounter;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.TestGuests;
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

    private long nowNs;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final Host host = new Host(HostConfig.defaults().withScheduler(HostConfig.defaults().scheduler().withThreads(1)),
            new ImageResolver(), () -> nowNs, ConsoleSink.of(console));

    @AfterEach
    void close() {
        host.close();
    }

    private String output() {
        return console.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean ended(Vm vm) {
        return vm.state() == VmState.TERMINATED || vm.state() == VmState.FAULTED;
    }

    /** Turns every agent by hand until {@code done}, moving the clock 1 ms a turn; fails after 20,000 turns. */
    private void runUntil(BooleanSupplier done) {
        for (int turn = 0; turn < 20_000; turn++) {
            if (done.getAsBoolean()) {
                return;
            }
            host.scheduler().thread(0).doWork();
            host.disks().doWork();
            nowNs += 1_000_000;
        }
        throw new AssertionError("not done after 20,000 turns; console so far:\n" + output());
    }

    private Vm create(DiskSpec disk, String... defines) throws Exception {
        return host.create(new VmSpec(TestGuests.build("disk-threads", defines).toString(), MEM, null, disk));
    }

    @Test
    void threadsWriteAndReadBackTheirBlocksAtOnceAndTheDataOutlivesTheVm() throws Exception {
        Path file = dir.resolve("threads.disk");
        Vm writer = create(DiskSpec.privateDisk(file, 128), "SEED=3");

        // With the disk thread stopped, every thread ends up waiting for the disk:
        // the VM must go idle (nobody spins), with the most requests the VMM takes in flight.
        for (int turn = 0; turn < 2_000 && writer.state() != VmState.IDLE && !ended(writer); turn++) {
            host.scheduler().thread(0).doWork();
            nowNs += 1_000_000;
        }
        assertEquals(VmState.IDLE, writer.state(), output());
        assertEquals(16, writer.disk().counters().get(DiskCounter.IN_FLIGHT), "21 callers, 16 requests in flight");
        assertEquals(0, writer.disk().counters().get(DiskCounter.REJECTED_QUEUE_FULL), "callers wait for a slot instead");
        for (int i = 0; i < 50; i++) { // and it stays idle: no deadline, no spinning
            host.scheduler().thread(0).doWork();
            nowNs += 1_000_000;
        }
        assertEquals(VmState.IDLE, writer.state(), output());

        runUntil(() -> ended(writer));
        assertEquals(0, writer.exitCode(), output());
        assertTrue(output().contains("workers ok 20\n"), output());
        assertTrue(output().contains("big ok 72\n"), output());
        assertTrue(output().contains(BAD_CALLS + "\n"), output());
        // 20 workers x 3 rounds x (1 write + 2 reads), the big write and read in 2 requests each,
        // one refused write straddling the end (checked in the guest, never sent)
        assertEquals(20 * 3 + 2, writer.disk().counters().get(DiskCounter.WRITES));
        assertEquals(20 * 3 * 2 + 2, writer.disk().counters().get(DiskCounter.READS));
        assertEquals(0, writer.disk().counters().get(DiskCounter.REJECTED_QUEUE_FULL));
        host.destroy(writer.idString());
        runUntil(() -> writer.state() == VmState.DESTROYED);

        console.reset();
        Vm reader = create(DiskSpec.privateDisk(file, 0), "SEED=3", "VERIFY");
        runUntil(() -> ended(reader));
        assertEquals(0, reader.exitCode(), output());
        assertTrue(output().contains("persisted ok 112\n"), output());
        assertTrue(output().contains(BAD_CALLS + "\n"), output());
        // its first call into the kernel was a disk call: interrupts must be on after it
        assertTrue(output().contains("interrupts on\n"), output());

        // the same reader with another seed must notice: the check can fail
        host.destroy(reader.idString());
        runUntil(() -> reader.state() == VmState.DESTROYED);
        console.reset();
        Vm wrong = create(DiskSpec.privateDisk(file, 0), "SEED=4", "VERIFY");
        runUntil(() -> ended(wrong));
        assertEquals(1, wrong.exitCode(), output());
        assertTrue(output().contains("workers' blocks: 0, block 0"), output());
    }

    @Test
    void withoutADiskEveryCallIsEnosys() throws Exception {
        Vm vm = create(null);
        runUntil(() -> ended(vm));
        assertEquals(0, vm.exitCode(), output());
        assertTrue(output().contains("no disk: -" + DenaliAbi.ENOSYS + " -" + DenaliAbi.ENOSYS + "\n"), output());
    }
}
