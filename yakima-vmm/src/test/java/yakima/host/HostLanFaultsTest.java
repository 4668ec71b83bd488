package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import yakima.host.HandTurnedHost.Agent;
import yakima.net.LanFaults;
import yakima.net.NicCounter;
import yakima.net.SwitchDrop;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/** {@link HostConfig#withLanFaults}: the host's switch injects the faults, and the admin API counts them. */
class HostLanFaultsTest {
    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    @Test
    void aHostWithoutFaultsInjectsNone() {
        assertEquals(LanFaults.NONE, HostConfig.defaults().lanFaults());
        try (Host host = new Host(HostConfig.defaults(), new ImageResolver(), () -> 0, ConsoleSink.discarding())) {
            assertEquals(LanFaults.NONE, host.lan().faults());
        }
    }

    @Test
    void framesBetweenVmsAreDroppedByTheFaultsAndTheAdminApiCountsThem() throws Exception {
        LanFaults faults = new LanFaults(100, 0, 0, 3);
        Host host = hand.start(HostConfig.defaults().withLanFaults(faults)).host();
        assertEquals(faults, host.lan().faults());
        Vm receiver = hand.createGuest("frame-receiver", 256 << 10, null);
        Vm sender = hand.createGuest("frame-sender", 256 << 10, null, "PEER=1", "COUNT=3");
        hand.turnUntil(() -> sender.state() == VmState.TERMINATED, 1000, HandTurnedHost.MS);
        hand.turnFrozen(100); // nothing more to move, whatever turns
        assertEquals(VmState.TERMINATED, sender.state(), hand.output());
        assertTrue(hand.output().contains("sent 3 refused 0"), hand.output());
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
