package yakima.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One VM as the supervisor reports it: a snapshot, built by the host on an
 * admin thread and immutable after.
 *
 * <p>{@code memory} (bytes by kind: {@code privateBytes}, {@code sharedBytes},
 * {@code pageTableBytes}, {@code bookkeepingBytes}...) and {@code counters}
 * ({@code instructions}, {@code quanta}, {@code hypercalls},
 * {@code consoleBytes}, drops...) are maps whose keys the host chooses, so it
 * can add one without changing this API; their order is kept, and is the
 * order JSON and {@code yakima inspect} show. Counters only ever grow;
 * {@code yakima ps} reads {@code instructions}.
 *
 * @param id           the host's id, {@code vm-12}
 * @param name         the name given at creation, or {@code null}
 * @param image        the image it booted
 * @param state        {@code running}, {@code idle}, {@code waiting},
 *                     {@code terminated}, {@code faulted}, {@code destroyed}...
 * @param mac          its NIC's address, {@code 02:00:00:00:00:0c}, or {@code null}
 * @param ipv4         its address on the virtual LAN, {@code 10.0.0.12}, or {@code null}
 * @param faultReason  why it faulted, or {@code null}
 * @param exitCode     its exit code once terminated, or {@code null}
 */
public record VmView(String id, String name, String image, String state, long memSizeBytes,
        String mac, String ipv4, Map<String, Long> memory, Map<String, Long> counters,
        String faultReason, Integer exitCode) {
    public VmView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(state, "state");
        memory = ordered(memory, "memory");
        counters = ordered(counters, "counters");
    }

    /** This view with another state: what {@code destroy} returns, for one. */
    public VmView withState(String newState) {
        return new VmView(id, name, image, newState, memSizeBytes, mac, ipv4, memory, counters, faultReason, exitCode);
    }

    /** An unmodifiable copy that keeps the caller's order and refuses null keys and values. */
    static Map<String, Long> ordered(Map<String, Long> m, String what) {
        Objects.requireNonNull(m, what);
        LinkedHashMap<String, Long> copy = new LinkedHashMap<>();
        m.forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what + "." + k)));
        return Collections.unmodifiableMap(copy);
    }
}
