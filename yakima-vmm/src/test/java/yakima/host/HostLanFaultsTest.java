package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import yakima.net.LanFaults;
import yakima.net.NicCounter;
import yakima.net.SwitchDrop;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.TestGuests;
import yakima.vm.Vm;
import yakima.vm.VmState;

/** {@link HostConfig#withLanFaults}: the host's switch injects the faults, and the admin API counts them. */
class HostLanFaultsTest {
    private long nowNs;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private Host host;

    @AfterEach
    void close() {
        if (host != null) {
            host.close();
        }
    }

    private String output() {
        return console.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aHostWithoutFaultsInjectsNone() {
        assertEquals(LanFaults.NONE, HostConfig.defaults().lanFaults());
        host = new Host(HostConfig.defaults(), new ImageResolver(), () -> nowNs, ConsoleSink.discarding());
        assertEquals(LanFaults.NONE, host.lan().faults());
    }

    @Test
    void framesBetweenVmsAreDroppedByTheFaultsAndTheAdminApiCountsThem() throws Exception {
        LanFaults faults = new LanFaults(100, 0, 0, 3);
        HostConfig config = HostConfig.defaults().withLanFaults(faults);
        host = new Host(config.withScheduler(config.scheduler().withThreads(1)), new ImageResolver(), () -> nowNs,
                ConsoleSink.of(console));
        assertEquals(faults, host.lan().faults());
        Vm receiver = host.create(new VmSpec(TestGuests.build("frame-receiver").toString(), 256 << 10, null, null));
        Vm sender = host.create(new VmSpec(TestGuests.build("frame-sender", "PEER=1", "COUNT=3").toString(), 256 << 10, null, null));
        for (int turn = 0; turn < 1000 && sender.state() != VmState.TERMINATED; turn++) {
            host.scheduler().thread(0).doWork();
            host.lan().doWork();
            nowNs += 1_000_000;
        }
        for (int i = 0; i < 100; i++) { // nothing more to move, whatever turns
            host.lan().doWork();
            host.scheduler().thread(0).doWork();
        }
        assertEquals(VmState.TERMINATED, sender.state(), output());
        assertTrue(output().contains("sent 3 refused 0"), output());
        assertEquals(VmState.IDLE, receiver.state(), "no frame reached the receiver");
        assertEquals(0, receiver.nic().counter(NicCounter.RX_FRAMES));
        assertEquals(3, host.lan().dropped(SwitchDrop.FAULT_INJECTED));

        Map<String, Long> counters = new HostAdminBackend(host).host().counters();
        assertEquals(3L, counters.get("framesDroppedFaultInjected"));
        assertEquals(0L, counters.get("framesDuplicated"));
        assertEquals(0L, counters.get("framesReordered"));
        assertEquals(0L, counters.get("framesForwarded"));
    }
}
