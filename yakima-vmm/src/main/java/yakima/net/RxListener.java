package yakima.net;

/**
 * Told when the switch has queued a frame on a NIC's RX queue, so the host can
 * set the VM's NIC_RX interrupt bit and wake it if it is idle.
 *
 * <p>Runs on the switch thread, once per frame queued. It must not block or
 * throw, and should be cheap (set a flag, offer to a bounded queue, unpark):
 * every port of the LAN waits while it runs. It must not call
 * {@link VirtualNic#receive} (the owner thread does that, in the VM's own
 * quantum) nor {@link VirtualSwitch#detach} or {@link VirtualSwitch#pump}
 * (both refused). It runs under the switch's lock, which {@code detach} waits
 * for: it must not wait for anything a thread calling {@code detach} may hold.
 */
@FunctionalInterface
public interface RxListener {
    /** A listener that does nothing, for ports whose owner polls {@link VirtualNic#rxWaiting}. */
    RxListener NONE = nic -> { };

    void rxReady(VirtualNic nic);
}
