package yakima.vm;

import static denali.isa.spec.DenaliAbi.EFAULT;
import static denali.isa.spec.DenaliAbi.ENOSYS;
import static denali.isa.spec.DenaliAbi.HC_CONSOLE_WRITE;
import static denali.isa.spec.DenaliAbi.HC_DISK_READ;
import static denali.isa.spec.DenaliAbi.HC_NIC_SEND;
import static denali.isa.spec.DenaliAbi.HC_YIELD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

class HypercallDispatcherTest {
    private static final int MEM = 64 * 1024;
    private final GuestMemory mem = new GuestMemory(MEM);
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final HypercallDispatcher hc = new HypercallDispatcher(ConsoleSink.of(console), DenaliAbi.DEV_CONSOLE);

    private int call(int number, int ebx, int ecx) {
        return hc.dispatch(mem, number, ebx, ecx, 0, 0, 0);
    }

    @Test
    void consoleWriteCopiesTheGuestsBytesAndReturnsTheLength() {
        byte[] msg = "hello from denali\n".getBytes(StandardCharsets.US_ASCII);
        mem.writeBytes(0x2000, msg, 0, msg.length);
        assertEquals(msg.length, call(HC_CONSOLE_WRITE, 0x2000, msg.length));
        assertArrayEquals(msg, console.toByteArray());
        assertEquals(msg.length, hc.consoleBytes());
    }

    @Test
    void consoleWriteIsRawBytesEvenAcrossPagesAndChunks() {
        byte[] all = new byte[10_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        mem.writeBytes(0x1F00, all, 0, all.length);
        assertEquals(all.length, call(HC_CONSOLE_WRITE, 0x1F00, all.length));
        assertArrayEquals(all, console.toByteArray());
    }

    @Test
    void zeroLengthWriteIsFine() {
        assertEquals(0, call(HC_CONSOLE_WRITE, 0x1000, 0));
        assertEquals(0, console.size());
    }

    @Test
    void aBufferOutsideMemoryIsEfaultAndWritesNothing() {
        assertEquals(-EFAULT, call(HC_CONSOLE_WRITE, MEM - 4, 5));
        assertEquals(-EFAULT, call(HC_CONSOLE_WRITE, MEM, 1));
        assertEquals(-EFAULT, call(HC_CONSOLE_WRITE, 0xFFFFFFF0, 0x20)); // wraps around 4 GiB
        assertEquals(-EFAULT, call(HC_CONSOLE_WRITE, 0x1000, -1)); // 4 GiB - 1 bytes
        assertEquals(-EFAULT, call(HC_CONSOLE_WRITE, 0x1000, 0x80000000));
        assertEquals(0, console.size());
        assertEquals(5, hc.faultedCalls());
        assertEquals(4, call(HC_CONSOLE_WRITE, MEM - 4, 4)); // the very last bytes are fine
    }

    @Test
    void unknownNumbersAndAbsentDevicesAreEnosys() {
        assertEquals(-ENOSYS, call(0, 0, 0));
        assertEquals(-ENOSYS, call(HC_NIC_SEND, 0x1000, 64));
        assertEquals(-ENOSYS, call(HC_DISK_READ, 0, 0x1000));
        assertEquals(-ENOSYS, call(12345, 0, 0));
        assertEquals(-ENOSYS, call(-1, 0, 0));
        assertEquals(5, hc.unknownCalls());
    }

    @Test
    void withoutAConsoleConsoleWriteIsEnosys() {
        HypercallDispatcher noConsole = new HypercallDispatcher(ConsoleSink.of(console), 0);
        assertEquals(-ENOSYS, noConsole.dispatch(mem, HC_CONSOLE_WRITE, 0x1000, 4, 0, 0, 0));
        assertEquals(0, console.size());
    }

    @Test
    void yieldReturnsZero() {
        assertEquals(0, call(HC_YIELD, 0, 0));
        assertEquals(1, hc.yields());
    }
}
