package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A VM's ingress allowance: a rate of 0 means unlimited for bytes and for
 * frames alike ({@code --vm-ingress-rate 0}, {@code --vm-ingress-frames 0}),
 * and a limited bucket still limits when the other one is unlimited.
 */
class VmIngressTest {
    @Test
    void unlimitedFramesAndBytesGrantEverythingWanted() {
        VmIngress in = new VmIngress(GatewayConfig.defaults().withVmRates(0, 1, 0, 1), 0);
        assertEquals(1 << 20, in.grantStream(1 << 20, 0));
        assertEquals(0, in.nanosUntilGrant(0));
    }

    @Test
    void unlimitedFramesLeaveTheByteLimitInForce() {
        VmIngress in = new VmIngress(GatewayConfig.defaults().withVmRates(1000, 4000, 0, 1), 0);
        assertEquals(4000, in.grantStream(10_000, 0));
        assertEquals(0, in.grantStream(10_000, 0));
    }

    @Test
    void unlimitedBytesLeaveTheFrameLimitInForce() {
        VmIngress in = new VmIngress(GatewayConfig.defaults().withVmRates(0, 1, 10, 2), 0);
        assertEquals(2 * VmIngress.SEGMENT_BYTES, in.grantStream(10 * VmIngress.SEGMENT_BYTES, 0));
        assertEquals(0, in.grantStream(10_000, 0));
    }
}
