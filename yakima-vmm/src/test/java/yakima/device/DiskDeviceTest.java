package yakima.device;

import static denali.isa.spec.DenaliAbi.EAGAIN;
import static denali.isa.spec.DenaliAbi.EFAULT;
import static denali.isa.spec.DenaliAbi.EINVAL;
import static denali.isa.spec.DenaliAbi.ENOSYS;
import static denali.isa.spec.DenaliAbi.INT_DISK;
import static denali.isa.spec.DenaliAbi.VREG_DISK_DONE;
import static denali.isa.spec.DenaliAbi.VREG_INT_PENDING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.device.DiskTesting.BS;
import static yakima.device.DiskTesting.fileBytes;
import static yakima.device.DiskTesting.guestBytes;
import static yakima.device.DiskTesting.memoryBytes;
import static yakima.device.DiskTesting.pattern;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * The guest's view of a disk, through the asynchronous path: submit on the
 * owner thread, {@link DiskService#doWork} (driven by hand, standing in for the
 * I/O thread), then {@link DiskDevice#complete} at the next quantum.
 */
class DiskDeviceTest {
    private static final int MEM = 1 << 20;
    private static final int BLOCKS = 32;
    private static final int BUF = 0x10000;
    private static final int BUF2 = 0x40000;

    @TempDir
    Path tmp;
    private final DiskService service = new DiskService(64, new NoOpIdleStrategy());
    private final List<DiskDevice> done = new ArrayList<>();
    private final GuestMemory mem = new GuestMemory(MEM);
    private Path diskPath;
    private DiskDevice disk;

    @BeforeEach
    void aVmWithADisk() throws IOException {
        diskPath = tmp.resolve("vm.img");
        disk = new DiskDevice(VirtualDisk.create(diskPath, BLOCKS), service, done::add);
    }

    @AfterEach
    void closeAll() throws IOException {
        disk.close();
        service.close();
    }

    private long count(DiskCounter c) {
        return disk.counters().get(c);
    }

    @Test
    void aWriteThenAReadGoThroughTheIoThreadAndRaiseTheDiskInterrupt() {
        mem.writeBytes(BUF, pattern(1, 3), 0, 3 * BS);
        assertEquals(1, disk.submitWrite(mem, 4, BUF, 3));
        assertEquals(1, count(DiskCounter.IN_FLIGHT));
        assertEquals(0, disk.complete(mem), "nothing finishes before the I/O thread runs");
        assertEquals(0, mem.read32(VREG_INT_PENDING));

        assertEquals(1, service.doWork());
        assertEquals(List.of(disk), done);
        assertEquals(1, disk.complete(mem));
        assertEquals(1, mem.read32(VREG_DISK_DONE));
        assertEquals(INT_DISK, mem.read32(VREG_INT_PENDING));
        assertEquals(0, disk.complete(mem));

        assertEquals(2, disk.submitRead(mem, 3, BUF2, 5));
        assertEquals(1, service.doWork());
        assertEquals(1, disk.complete(mem));
        byte[] want = new byte[5 * BS];
        System.arraycopy(pattern(1, 3), 0, want, BS, 3 * BS);
        assertArrayEquals(want, guestBytes(mem, BUF2, 5 * BS));
        assertEquals(2, mem.read32(VREG_DISK_DONE));

        assertEquals(1, count(DiskCounter.WRITES));
        assertEquals(3L * BS, count(DiskCounter.BYTES_WRITTEN));
        assertEquals(1, count(DiskCounter.READS));
        assertEquals(5L * BS, count(DiskCounter.BYTES_READ));
        assertEquals(0, count(DiskCounter.IN_FLIGHT));
        assertEquals(0, count(DiskCounter.IO_ERRORS));
        assertEquals(2, service.requestsServed());
    }

    @Test
    void theDiskDoneBitIsAddedToPendingInterruptsNotWrittenOverThem() {
        mem.vmmWrite32(VREG_INT_PENDING, DenaliAbi.INT_TIMER);
        mem.vmmWrite32(VREG_DISK_DONE, 41);
        disk.submitRead(mem, 0, BUF, 1);
        service.doWork();
        disk.complete(mem);
        assertEquals(DenaliAbi.INT_TIMER | INT_DISK, mem.read32(VREG_INT_PENDING));
        assertEquals(42, mem.read32(VREG_DISK_DONE));
    }

    @Test
    void readDataReachesGuestMemoryOnlyWhenTheOwnerCompletesTheRequest() throws IOException {
        disk.store().writeBlocks(0, 1, pattern(2, 1), 0);
        assertEquals(1, disk.submitRead(mem, 0, BUF, 1));
        service.doWork();
        assertArrayEquals(new byte[BS], guestBytes(mem, BUF, BS));
        disk.complete(mem);
        assertArrayEquals(pattern(2, 1), guestBytes(mem, BUF, BS));
    }

    @Test
    void aWriteTakesTheGuestsBytesAtSubmitSoTheBufferIsFreeAtOnce() throws IOException {
        mem.writeBytes(BUF, pattern(3, 1), 0, BS);
        disk.submitWrite(mem, 7, BUF, 1);
        mem.writeBytes(BUF, pattern(4, 1), 0, BS);
        service.doWork();
        disk.complete(mem);
        byte[] onDisk = new byte[BS];
        disk.store().readBlocks(7, 1, onDisk, 0);
        assertArrayEquals(pattern(3, 1), onDisk);
    }

    @Test
    void idsCountUpAndRequestsCompleteInOrderSoDiskDoneNamesTheLastOneDone() {
        for (int i = 0; i < 5; i++) {
            mem.writeBytes(BUF, pattern(10 + i, 1), 0, BS);
            assertEquals(i + 1, disk.submitWrite(mem, 1, BUF, 1)); // the same block, so order matters
        }
        service.doWork();
        assertEquals(5, disk.complete(mem));
        assertEquals(5, mem.read32(VREG_DISK_DONE));
        assertEquals(6, disk.submitRead(mem, 1, BUF2, 1));
        service.doWork();
        disk.complete(mem);
        assertArrayEquals(pattern(14, 1), guestBytes(mem, BUF2, BS), "the last write submitted is the one on disk");
    }

    @Test
    void contentsSurviveTheVmBeingDestroyedAndCreatedAgainOnTheSameFile() throws IOException {
        mem.writeBytes(BUF, pattern(5, 2), 0, 2 * BS);
        disk.submitWrite(mem, BLOCKS - 2, BUF, 2);
        service.doWork();
        disk.complete(mem);
        disk.close();

        GuestMemory newMem = new GuestMemory(MEM);
        disk = new DiskDevice(VirtualDisk.open(diskPath), service, done::add);
        assertEquals(1, disk.submitRead(newMem, BLOCKS - 2, BUF, 2));
        service.doWork();
        disk.complete(newMem);
        assertArrayEquals(pattern(5, 2), guestBytes(newMem, BUF, 2 * BS));
    }

    @Test
    void twoVmsDisksAreIsolated() throws IOException {
        Path otherPath = tmp.resolve("other.img");
        GuestMemory otherMem = new GuestMemory(MEM);
        List<DiskDevice> otherDone = new ArrayList<>();
        try (DiskDevice other = new DiskDevice(VirtualDisk.create(otherPath, BLOCKS), service, otherDone::add)) {
            mem.writeBytes(BUF, pattern(6, 1), 0, BS);
            otherMem.writeBytes(BUF, pattern(7, 1), 0, BS);
            disk.submitWrite(mem, 0, BUF, 1);
            other.submitWrite(otherMem, 0, BUF, 1);
            assertEquals(2, service.doWork());
            assertEquals(List.of(disk), done);
            assertEquals(List.of(other), otherDone);
            assertEquals(1, disk.complete(mem));
            assertEquals(1, other.complete(otherMem));

            disk.submitRead(mem, 0, BUF2, 1);
            other.submitRead(otherMem, 0, BUF2, 1);
            service.doWork();
            disk.complete(mem);
            other.complete(otherMem);
            assertArrayEquals(pattern(6, 1), guestBytes(mem, BUF2, BS));
            assertArrayEquals(pattern(7, 1), guestBytes(otherMem, BUF2, BS));
            assertEquals(1, other.counters().get(DiskCounter.READS));
        }
        assertArrayEquals(pattern(7, 1), Arrays.copyOf(fileBytes(otherPath), BS));
        assertArrayEquals(pattern(6, 1), Arrays.copyOf(fileBytes(diskPath), BS));
    }

    @ParameterizedTest(name = "{0}: block {1}, buffer {2}, {3} blocks -> -{4}")
    @CsvSource({
        "read,  0,          0x10000,    0,   EINVAL",
        "write, 0,          0x10000,    0,   EINVAL",
        "read,  0,          0x10000,    65,  EINVAL",
        "read,  0,          0x10000,    -1,  EINVAL",
        "read,  32,         0x10000,    1,   EINVAL",
        "write, 31,         0x10000,    2,   EINVAL",
        "read,  -1,         0x10000,    1,   EINVAL",
        "write, 0x7FFFFFFF, 0x10000,    1,   EINVAL",
        "read,  0,          0xFF001,    1,   EFAULT",
        "write, 0,          0x100000,   1,   EFAULT",
        "write, 0,          0xFFFFF000, 2,   EFAULT",
        "read,  0,          0x00000800, 1,   EFAULT",
        "read,  0,          0x00000000, 1,   EFAULT",
    })
    void aBadRequestIsRefusedAndTouchesNothing(String kind, int block, String buffer, int blockCount, String errno)
            throws IOException {
        mem.writeBytes(BUF, pattern(8, 4), 0, 4 * BS);
        byte[] memBefore = memoryBytes(mem);
        byte[] fileBefore = fileBytes(diskPath);
        int bufferAddress = Integer.parseUnsignedInt(buffer.substring(2), 16);
        int result = kind.equals("read")
                ? disk.submitRead(mem, block, bufferAddress, blockCount)
                : disk.submitWrite(mem, block, bufferAddress, blockCount);
        assertEquals(errno.equals("EINVAL") ? -EINVAL : -EFAULT, result);
        assertEquals(0, service.doWork(), "nothing was queued");
        assertEquals(0, disk.complete(mem));
        assertArrayEquals(memBefore, memoryBytes(mem));
        assertArrayEquals(fileBefore, fileBytes(diskPath));
        assertEquals(1, count(DiskCounter.REJECTED_BAD_REQUEST));
        assertEquals(0, count(DiskCounter.IN_FLIGHT));
        assertEquals(1, disk.submitRead(mem, 0, BUF, 1), "the refused request used no id");
    }

    @Test
    void theLargestRequestsAtTheEdgesAreAccepted() throws IOException {
        int max = DiskDevice.MAX_BLOCKS_PER_REQUEST;
        try (DiskDevice big = new DiskDevice(VirtualDisk.create(tmp.resolve("big.img"), 2 * max), service, DiskListener.NONE)) {
            assertEquals(1, big.submitRead(mem, max, MEM - max * BS, max)); // the last blocks into the top of memory
            assertEquals(2, big.submitWrite(mem, 2 * max - 1, 0, 1)); // a write may come from the registers page
            assertEquals(3, big.submitRead(mem, 0, 0x1000, max));
            assertEquals(3, service.doWork());
            assertEquals(3, big.complete(mem));
            assertEquals(0, big.counters().get(DiskCounter.REJECTED_BAD_REQUEST));
            assertEquals(2, big.counters().get(DiskCounter.READS));
        }
    }

    @Test
    void theDevicesInFlightLimitGivesEagainUntilACompletion() throws IOException {
        try (DiskDevice small = new DiskDevice(VirtualDisk.create(tmp.resolve("s.img"), 4), service, DiskListener.NONE, 3)) {
            byte[] memBefore = memoryBytes(mem);
            for (int i = 1; i <= 3; i++) {
                assertEquals(i, small.submitRead(mem, 0, BUF, 1));
            }
            assertEquals(-EAGAIN, small.submitRead(mem, 0, BUF, 1));
            assertEquals(-EAGAIN, small.submitWrite(mem, 0, BUF, 1));
            assertEquals(2, small.counters().get(DiskCounter.REJECTED_QUEUE_FULL));
            assertEquals(3, small.counters().get(DiskCounter.IN_FLIGHT));
            assertEquals(3, service.doWork());
            assertEquals(-EAGAIN, small.submitRead(mem, 0, BUF, 1), "served but not yet completed is still in flight");
            assertArrayEquals(memBefore, memoryBytes(mem));
            assertEquals(3, small.complete(mem));
            assertEquals(4, small.submitRead(mem, 0, BUF, 1));
        }
    }

    @Test
    void aFullIoQueueGivesEagainAndCountsIt() throws IOException {
        DiskService tiny = new DiskService(2, new NoOpIdleStrategy());
        try (DiskDevice a = new DiskDevice(VirtualDisk.create(tmp.resolve("a.img"), 4), tiny, DiskListener.NONE);
                DiskDevice b = new DiskDevice(VirtualDisk.create(tmp.resolve("b.img"), 4), tiny, DiskListener.NONE)) {
            assertEquals(2, tiny.queueCapacity());
            assertEquals(1, a.submitWrite(mem, 0, BUF, 1));
            assertEquals(1, b.submitWrite(mem, 0, BUF, 1));
            assertEquals(-EAGAIN, a.submitWrite(mem, 1, BUF, 1));
            assertEquals(-EAGAIN, b.submitRead(mem, 1, BUF2, 1));
            assertEquals(1, a.counters().get(DiskCounter.REJECTED_QUEUE_FULL));
            assertEquals(1, b.counters().get(DiskCounter.REJECTED_QUEUE_FULL));
            assertEquals(1, a.counters().get(DiskCounter.IN_FLIGHT));
            assertEquals(2, tiny.doWork());
            assertEquals(2, a.submitWrite(mem, 1, BUF, 1), "the refused request used no id");
            assertEquals(1, tiny.doWork());
            assertEquals(2, a.complete(mem));
            assertEquals(2, a.counters().get(DiskCounter.WRITES));
        } finally {
            tiny.close();
        }
    }

    @Test
    void anIoErrorCompletesTheRequestAsFailedAndCountsIt() throws IOException {
        mem.writeBytes(BUF, pattern(9, 2), 0, 2 * BS);
        assertEquals(1, disk.submitRead(mem, 0, BUF, 2));
        assertEquals(2, disk.submitWrite(mem, 2, BUF, 1));
        disk.store().close(); // the file goes away under the I/O thread
        assertEquals(2, service.doWork());
        assertEquals(List.of(disk, disk), done, "the host is told, so an idle guest wakes");
        assertEquals(2, disk.complete(mem));
        assertEquals(2, mem.read32(VREG_DISK_DONE), "the guest does not wait for ever");
        assertEquals(INT_DISK, mem.read32(VREG_INT_PENDING));
        assertArrayEquals(pattern(9, 2), guestBytes(mem, BUF, 2 * BS), "a failed read leaves the buffer alone");
        assertEquals(2, count(DiskCounter.IO_ERRORS));
        assertEquals(0, count(DiskCounter.READS));
        assertEquals(0, count(DiskCounter.WRITES));
        assertEquals(0, count(DiskCounter.IN_FLIGHT));
        assertInstanceOf(ClosedChannelException.class, disk.lastIoError());
    }

    @Test
    void aClosedDeviceAnswersEnosys() throws IOException {
        assertNull(disk.lastIoError());
        disk.close();
        assertEquals(-ENOSYS, disk.submitRead(mem, 0, BUF, 1));
        assertEquals(-ENOSYS, disk.submitWrite(mem, 0, BUF, 1));
        assertEquals(0, service.doWork());
    }

    @Test
    void bootAnnouncesTheDiskInTheVirtualRegisters() {
        mem.vmmWrite32(DenaliAbi.VREG_DEVICE_STATUS, DenaliAbi.DEV_CONSOLE);
        disk.initialiseRegisters(mem);
        assertEquals(BLOCKS, mem.read32(DenaliAbi.VREG_DISK_BLOCKS));
        assertEquals(DenaliAbi.DEV_CONSOLE | DenaliAbi.DEV_DISK, mem.read32(DenaliAbi.VREG_DEVICE_STATUS));
    }

    @Test
    void aVmsDiskMustBeWritable() throws IOException {
        Path basePath = tmp.resolve("base.img");
        try (VirtualDisk base = DiskTesting.makeBase(basePath, 4)) {
            assertThrows(IllegalArgumentException.class, () -> new DiskDevice(base, service, DiskListener.NONE));
        }
        assertThrows(IllegalArgumentException.class, () -> new DiskDevice(disk.store(), service, DiskListener.NONE, 0));
    }

    @Test
    void aVmOnAnOverlaySeesTheBaseAndItsOwnWritesOnly() throws IOException {
        Path basePath = tmp.resolve("base.img");
        try (VirtualDisk base = DiskTesting.makeBase(basePath, 8)) {
            byte[] baseBefore = fileBytes(basePath);
            GuestMemory mem2 = new GuestMemory(MEM);
            try (DiskDevice vm1 = new DiskDevice(OverlayDisk.create(tmp.resolve("1.ovl"), base), service, DiskListener.NONE);
                    DiskDevice vm2 = new DiskDevice(OverlayDisk.create(tmp.resolve("2.ovl"), base), service, DiskListener.NONE)) {
                mem.writeBytes(BUF, pattern(50, 1), 0, BS);
                vm1.submitWrite(mem, 3, BUF, 1);
                vm1.submitRead(mem, 2, BUF2, 3);
                vm2.submitRead(mem2, 2, BUF2, 3);
                service.doWork();
                vm1.complete(mem);
                vm2.complete(mem2);
                byte[] want1 = new byte[3 * BS];
                byte[] want2 = new byte[3 * BS];
                for (int i = 0; i < 3; i++) {
                    System.arraycopy(DiskTesting.baseBlock(2 + i), 0, want1, i * BS, BS);
                    System.arraycopy(DiskTesting.baseBlock(2 + i), 0, want2, i * BS, BS);
                }
                System.arraycopy(pattern(50, 1), 0, want1, BS, BS);
                assertArrayEquals(want1, guestBytes(mem, BUF2, 3 * BS));
                assertArrayEquals(want2, guestBytes(mem2, BUF2, 3 * BS));
            }
            assertArrayEquals(baseBefore, fileBytes(basePath));
        }
    }

    @Test
    void aListenerThatThrowsIsCountedAndTheRequestStillCompletes() throws IOException {
        try (DiskDevice d = new DiskDevice(VirtualDisk.create(tmp.resolve("l.img"), 4), service, x -> {
            throw new IllegalStateException("host bug");
        })) {
            d.submitRead(mem, 0, BUF, 1);
            assertEquals(1, service.doWork());
            assertEquals(1, service.listenerErrors());
            assertEquals(1, d.complete(mem));
            assertEquals(1, d.counters().get(DiskCounter.READS));
        }
    }

    @Test
    void countersCanBeReadAsOneSnapshot() {
        disk.submitRead(mem, 0, 0, 1);
        disk.submitRead(mem, 0, BUF, 1);
        var snap = disk.counters().snapshot();
        assertEquals(DiskCounter.values().length, snap.size());
        assertEquals(1L, snap.get(DiskCounter.REJECTED_BAD_REQUEST));
        assertEquals(1L, snap.get(DiskCounter.IN_FLIGHT));
        assertFalse(DiskCounter.IO_ERRORS.description().isEmpty());
        assertTrue(disk.counters().toString().contains("IN_FLIGHT=1"));
    }
}
