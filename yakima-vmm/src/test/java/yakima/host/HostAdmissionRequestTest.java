package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import yakima.net.MacAddress;
import yakima.net.NicCounter;
import yakima.net.RxListener;
import yakima.net.VirtualNic;
import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Lazy receiver processing for VMs the gatekeeper has not admitted: their
 * frames wait in the NIC's bounded RX queue, and traffic asks the gatekeeper
 * to admit them ahead of the VMs that merely wait (the seam swap-in uses).
 * Threads are turned by hand.
 */
class HostAdmissionRequestTest {
    private static final int MEM = 1 << 20;
    private Host host;

    @AfterEach
    void close() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void trafficForAWaitingVmWaitsInItsBacklogAndPutsItFirstInLine() throws Exception {
        HostConfig config = HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)).withMaxVms(8)
                .withBudget(1).withNicQueueFrames(4);
        host = new Host(config, new ImageResolver(), () -> 0L, ConsoleSink.discarding());
        Vm first = host.create("hello-sleeper", MEM, null);
        Vm second = host.create("hello-sleeper", MEM, null);
        Vm third = host.create("hello-sleeper", MEM, null);
        assertEquals(List.of(first, second, third), host.waiting(), "over the budget: all wait, oldest first");

        VirtualNic client = new VirtualNic(new MacAddress(0x02AA00000001L), 0x0A0000C8, RxListener.NONE);
        host.lan().attach(client);
        for (int i = 0; i < 6; i++) {
            send(client, third.nic());
        }
        host.lan().pump(100);
        assertEquals(4, third.nic().rxWaiting(), "the backlog holds what the NIC's RX queue holds");
        assertEquals(2, third.nic().counter(NicCounter.RX_DROPPED_FULL), "and counts the rest");
        assertEquals(1, host.admissionRequests(), "one request, however many frames");

        assertEquals(0, host.admitWaiting(), "still no room");
        assertEquals(List.of(third, first, second), host.waiting(), "the VM with traffic is next in line");
        assertEquals(VmState.WAITING, third.state(), "nothing runs it before the gatekeeper says so");
        assertEquals(4, third.nic().rxWaiting(), "its backlog waits for its first quantum");
        host.scheduler().thread(0).doWork();
        assertEquals(VmState.WAITING, third.state());

    }

    // A minimal IPv4 frame from the client to the VM: enough for the switch's ingress check.
    private static void send(VirtualNic from, VirtualNic to) {
        byte[] f = new byte[60];
        long dst = to.mac().bits();
        long src = from.mac().bits();
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        f[12] = 0x08;
        f[14] = 0x45;
        int ip = from.ipv4();
        for (int i = 0; i < 4; i++) {
            f[26 + i] = (byte) (ip >>> (24 - 8 * i));
            f[30 + i] = (byte) (to.ipv4() >>> (24 - 8 * i));
        }
        assertEquals(0, from.send(f, f.length));
    }
}
