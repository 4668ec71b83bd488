package yakima.admin;

import java.util.Map;

/**
 * The host as a whole, a snapshot built by the host on an admin thread.
 * Like {@link VmView}'s, the maps have keys the host chooses, in an order it
 * keeps.
 *
 * @param uptimeNs   time since the host started
 * @param vmsByState how many VMs are in each state ({@code running}: 3, ...)
 * @param memory     bytes by kind: {@code budgetBytes}, {@code residentBytes},
 *                   {@code privateBytes}, {@code sharedBytes},
 *                   {@code pageTableBytes}, {@code bookkeepingBytes}...
 * @param counters   host-wide counters, which only grow: {@code instructions},
 *                   {@code quanta}, {@code framesForwarded}, drops by cause...
 */
public record HostView(long uptimeNs, Map<String, Long> vmsByState, Map<String, Long> memory, Map<String, Long> counters) {
    public HostView {
        vmsByState = VmView.ordered(vmsByState, "vmsByState");
        memory = VmView.ordered(memory, "memory");
        counters = VmView.ordered(counters, "counters");
    }
}
