package yakima.device;

import static denali.isa.spec.DenaliAbi.VREG_DISK_DONE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.device.DiskTesting.BS;
import static yakima.device.DiskTesting.guestBytes;
import static yakima.device.DiskTesting.pattern;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import denali.isa.memory.GuestMemory;

class DiskServiceTest {
    private static final int BUF = 0x10000;

    @TempDir
    Path tmp;
    private final GuestMemory mem = new GuestMemory(1 << 20);

    @Test
    void oneDoWorkServesAtMostItsLimitSoTheThreadStaysResponsive() throws IOException {
        DiskService service = new DiskService(64, new NoOpIdleStrategy());
        try (DiskDevice a = new DiskDevice(VirtualDisk.create(tmp.resolve("a.img"), 4), service, DiskListener.NONE, 32)) {
            for (int i = 0; i < DiskService.WORK_LIMIT + 3; i++) {
                a.submitRead(mem, 0, BUF, 1);
            }
            assertEquals(DiskService.WORK_LIMIT, service.doWork());
            assertEquals(3, service.doWork());
            assertEquals(0, service.doWork());
            assertEquals(DiskService.WORK_LIMIT + 3, a.complete(mem));
        } finally {
            service.close();
        }
    }

    @Test
    void closingTheServiceFailsWhatIsStillQueuedSoNoGuestWaitsForEver() throws IOException {
        DiskService service = new DiskService(64, new NoOpIdleStrategy());
        CountDownLatch told = new CountDownLatch(2);
        try (DiskDevice a = new DiskDevice(VirtualDisk.create(tmp.resolve("a.img"), 4), service, d -> told.countDown())) {
            mem.writeBytes(BUF, pattern(1, 1), 0, BS);
            a.submitRead(mem, 0, BUF, 1);
            a.submitWrite(mem, 0, BUF, 1);
            service.close();
            assertEquals(0, told.getCount());
            assertEquals(2, a.complete(mem));
            assertEquals(2, mem.read32(VREG_DISK_DONE));
            assertEquals(2, a.counters().get(DiskCounter.IO_ERRORS));
            assertArrayEquals(pattern(1, 1), guestBytes(mem, BUF, BS));
            assertEquals("the disk service closed before serving the request", a.lastIoError().getMessage());
            service.close(); // idempotent
            assertThrows(IllegalStateException.class, service::start);
        }
    }

    @Test
    void startedItServesRequestsOnItsOwnThreadAndTellsTheListenerThere() throws Exception {
        DiskService service = new DiskService(64, new SleepingMillisIdleStrategy(1));
        CountDownLatch told = new CountDownLatch(1);
        AtomicReference<String> listenerThread = new AtomicReference<>();
        try (DiskDevice a = new DiskDevice(VirtualDisk.create(tmp.resolve("a.img"), 4), service, d -> {
            listenerThread.set(Thread.currentThread().getName());
            told.countDown();
        })) {
            service.start();
            assertThrows(IllegalStateException.class, service::start);
            mem.writeBytes(BUF, pattern(2, 2), 0, 2 * BS);
            assertEquals(1, a.submitWrite(mem, 1, BUF, 2));
            assertTrue(told.await(30, TimeUnit.SECONDS), "the I/O thread served the request");
            assertEquals("yakima-disk-io", listenerThread.get());
            assertEquals(1, a.complete(mem));
            assertEquals(1, a.counters().get(DiskCounter.WRITES));
            byte[] onDisk = new byte[2 * BS];
            a.store().readBlocks(1, 2, onDisk, 0);
            assertArrayEquals(pattern(2, 2), onDisk);
        } finally {
            service.close();
        }
        assertEquals(1, service.requestsServed());
        assertEquals(0, service.agentErrors());
    }
}
