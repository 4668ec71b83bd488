package yakima.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import denali.isa.spec.DenaliAbi;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VirtualNicTest {
    private static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");
    private static final int IP = Ipv4Address.parse("10.0.0.1");

    private final VirtualNic nic = new VirtualNic(MAC, IP, 4, 4, RxListener.NONE);

    @Test
    void sendCopiesTheFrameSoTheCallerMayReuseItsBuffer() {
        byte[] buffer = new byte[2048];
        Arrays.fill(buffer, (byte) 7);
        assertEquals(0, nic.send(buffer, 60));
        Arrays.fill(buffer, (byte) 9);
        byte[] queued = nic.pollTx();
        assertEquals(60, queued.length);
        byte[] expected = new byte[60];
        Arrays.fill(expected, (byte) 7);
        assertArrayEquals(expected, queued);
        assertEquals(1, nic.counter(NicCounter.TX_FRAMES));
        assertEquals(60, nic.counter(NicCounter.TX_BYTES));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 13, 1515, 65536})
    void sendRefusesABadLengthWithEinvalAndCountsIt(int length) {
        assertEquals(-DenaliAbi.EINVAL, nic.send(new byte[70000], length));
        assertEquals(1, nic.counter(NicCounter.TX_REJECTED_BAD_LENGTH));
        assertEquals(0, nic.counter(NicCounter.TX_FRAMES));
        assertNull(nic.pollTx());
    }

    @Test
    void theShortestAndLongestFramesAreAccepted() {
        assertEquals(0, nic.send(new byte[14], 14));
        assertEquals(0, nic.send(new byte[1514], 1514));
        assertEquals(14, nic.pollTx().length);
        assertEquals(1514, nic.pollTx().length);
    }

    @Test
    void aLengthBeyondTheHostsBufferIsAHostBug() {
        assertThrows(IndexOutOfBoundsException.class, () -> nic.send(new byte[20], 60));
    }

    @Test
    void aFullTxQueueMakesSendReturnEagainAndCountsIt() {
        for (int i = 0; i < 4; i++) {
            assertEquals(0, nic.send(new byte[60], 60));
        }
        assertEquals(-DenaliAbi.EAGAIN, nic.send(new byte[60], 60));
        assertEquals(-DenaliAbi.EAGAIN, nic.send(new byte[60], 60));
        assertEquals(2, nic.counter(NicCounter.TX_DROPPED_FULL));
        assertEquals(4, nic.counter(NicCounter.TX_FRAMES));
        assertEquals(4, nic.txWaiting());
        nic.pollTx();
        assertEquals(0, nic.send(new byte[60], 60), "room again once the switch took one");
    }

    @Test
    void receiveHandsOverRxFramesInOrderAndCountsThem() {
        int[] told = new int[1];
        VirtualNic counted = new VirtualNic(MAC, IP, 4, 4, n -> told[0]++);
        assertNull(counted.receive());
        assertEquals(0, counted.rxNextLength());
        byte[] first = new byte[60];
        byte[] second = new byte[100];
        counted.deliverRx(first);
        counted.deliverRx(second);
        assertEquals(2, told[0]);
        assertEquals(2, counted.rxWaiting());
        assertEquals(60, counted.rxNextLength());
        assertEquals(first, counted.receive());
        assertEquals(second, counted.receive());
        assertNull(counted.receive());
        assertEquals(2, counted.counter(NicCounter.RX_FRAMES));
        assertEquals(160, counted.counter(NicCounter.RX_BYTES));
    }

    @Test
    void aFullRxQueueRefusesAndCountsWithoutTellingTheListener() {
        int[] told = new int[1];
        VirtualNic counted = new VirtualNic(MAC, IP, 4, 4, n -> told[0]++);
        for (int i = 0; i < 4; i++) {
            assertTrue(counted.deliverRx(new byte[60]));
        }
        assertFalse(counted.deliverRx(new byte[60]));
        assertEquals(4, told[0]);
        assertEquals(1, counted.counter(NicCounter.RX_DROPPED_FULL));
        assertEquals(4, counted.rxWaiting());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 6, 100, 1 << 17})
    void capacitiesMustBePowersOfTwoInRange(int capacity) {
        assertEquals("txCapacity " + capacity + " must be a power of two from 4 to 65536",
            assertThrows(IllegalArgumentException.class,
                () -> new VirtualNic(MAC, IP, capacity, 4, RxListener.NONE)).getMessage());
        assertEquals("rxCapacity " + capacity + " must be a power of two from 4 to 65536",
            assertThrows(IllegalArgumentException.class,
                () -> new VirtualNic(MAC, IP, 4, capacity, RxListener.NONE)).getMessage());
    }

    @Test
    void defaultsAndDescription() {
        VirtualNic byDefault = new VirtualNic(MAC, IP, RxListener.NONE);
        assertEquals(256, byDefault.txCapacity());
        assertEquals(256, byDefault.rxCapacity());
        assertEquals("VirtualNic[02:00:00:00:00:01, 10.0.0.1]", byDefault.toString());
    }

    @Test
    void aNicCannotHaveAGroupAddress() {
        assertEquals("a NIC's MAC must be unicast, not the group address ff:ff:ff:ff:ff:ff",
            assertThrows(IllegalArgumentException.class,
                () -> new VirtualNic(MacAddress.BROADCAST, IP, RxListener.NONE)).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> new VirtualNic(MacAddress.parse("01:00:5e:00:00:01"), IP, RxListener.NONE));
    }
}
