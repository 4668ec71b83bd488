package yakima.host;

import java.util.Map;

import yakima.vm.HostedVm;

/**
 * Counters that a part of the host outside this package keeps (the gateway),
 * published with the host's own in the admin API and {@code /metrics}.
 * Called on the admin server's threads: an implementation reads counters that
 * are safe to read from any thread.
 */
public interface CounterSource {
    /** Adds the host-wide counters, by camel-case name. */
    void hostCounters(Map<String, Long> into);

    /** Adds {@code vm}'s own counters, by camel-case name (nothing if it has none). */
    void vmCounters(HostedVm vm, Map<String, Long> into);
}
