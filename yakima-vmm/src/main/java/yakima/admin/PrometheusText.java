package yakima.admin;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /metrics}: the host and its VMs in the Prometheus text exposition
 * format 0.0.4. Every family is written once, with its {@code # HELP} and
 * {@code # TYPE} lines, and all its samples together, as the format demands:
 * <pre>
 *   yakima_host_uptime_seconds                       gauge
 *   yakima_host_vms{state}                           gauge, from HostView.vmsByState
 *   yakima_host_memory_bytes{kind}                   gauge, from HostView.memory
 *   yakima_host_&lt;counter&gt;_total                      counter, one per HostView.counters key
 *   yakima_vm_info{vm,name,image,state} 1            gauge, one sample per VM
 *   yakima_vm_mem_size_bytes{vm}                     gauge
 *   yakima_vm_memory_bytes{vm,kind}                  gauge, from VmView.memory
 *   yakima_vm_&lt;counter&gt;_total{vm}                    counter, one per key any VM has
 * </pre>
 * A key becomes a name in snake case ({@code framesForwarded} to
 * {@code frames_forwarded}), and a memory kind loses its {@code Bytes}
 * ({@code pageTableBytes} to {@code page_table}), since the unit is in the
 * family's name. Counters always end in {@code _total} and gauges never do,
 * so the two cannot collide; if two counter keys map to one name, the first
 * wins. Stateless; any thread.
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    public static String render(HostView host, List<VmView> vms) {
        StringBuilder sb = new StringBuilder();
        family(sb, "yakima_host_uptime_seconds", "gauge", "Time since the Yakima host started.");
        sb.append("yakima_host_uptime_seconds ").append(BigDecimal.valueOf(host.uptimeNs(), 9).toPlainString()).append('\n');

        family(sb, "yakima_host_vms", "gauge", "VMs on the host, by state.");
        host.vmsByState().forEach((state, n) -> sample(sb, "yakima_host_vms", n, "state", state));

        family(sb, "yakima_host_memory_bytes", "gauge", "Host memory by kind: the budget, what is resident, and its parts.");
        host.memory().forEach((key, n) -> sample(sb, "yakima_host_memory_bytes", n, "kind", kind(key)));

        for (Map.Entry<String, String> c : counterNames("yakima_host_", List.of(host.counters())).entrySet()) {
            family(sb, c.getValue(), "counter", "Host counter " + c.getKey() + ".");
            sample(sb, c.getValue(), host.counters().get(c.getKey()));
        }

        family(sb, "yakima_vm_info", "gauge", "One sample per VM, with its name, image and state as labels.");
        for (VmView v : vms) {
            sample(sb, "yakima_vm_info", 1, "vm", v.id(), "name", v.name() == null ? "" : v.name(), "image", v.image(), "state", v.state());
        }
        family(sb, "yakima_vm_mem_size_bytes", "gauge", "The VM's memory size (its address space, not what is resident).");
        for (VmView v : vms) {
            sample(sb, "yakima_vm_mem_size_bytes", v.memSizeBytes(), "vm", v.id());
        }
        family(sb, "yakima_vm_memory_bytes", "gauge", "The VM's memory by kind.");
        for (VmView v : vms) {
            v.memory().forEach((key, n) -> sample(sb, "yakima_vm_memory_bytes", n, "vm", v.id(), "kind", kind(key)));
        }
        List<Map<String, Long>> vmCounters = vms.stream().map(VmView::counters).toList();
        for (Map.Entry<String, String> c : counterNames("yakima_vm_", vmCounters).entrySet()) {
            family(sb, c.getValue(), "counter", "Per-VM counter " + c.getKey() + ".");
            for (VmView v : vms) {
                Long n = v.counters().get(c.getKey());
                if (n != null) {
                    sample(sb, c.getValue(), n, "vm", v.id());
                }
            }
        }
        return sb.toString();
    }

    /** Each counter key (in first-seen order) to its family name; a key whose name is taken is left out. */
    private static Map<String, String> counterNames(String prefix, List<Map<String, Long>> maps) {
        Map<String, String> names = new LinkedHashMap<>();
        List<String> taken = new ArrayList<>();
        for (Map<String, Long> m : maps) {
            for (String key : m.keySet()) {
                if (names.containsKey(key)) {
                    continue;
                }
                String name = prefix + snakeCase(key);
                name = name.endsWith("_total") ? name : name + "_total";
                if (!taken.contains(name)) {
                    taken.add(name);
                    names.put(key, name);
                }
            }
        }
        return names;
    }

    /** {@code pageTableBytes} to {@code page_table}: the family name already says bytes. */
    static String kind(String key) {
        String k = snakeCase(key);
        return k.endsWith("_bytes") && k.length() > "_bytes".length() ? k.substring(0, k.length() - "_bytes".length()) : k;
    }

    /**
     * A key as a metric-name fragment: camelCase to snake_case (an acronym is
     * one word: {@code nicRXFrames} to {@code nic_rx_frames}), lower case, and
     * any character outside {@code [a-zA-Z0-9_:]} replaced by {@code _}, with a
     * leading {@code _} if it would start with a digit.
     */
    public static String snakeCase(String key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                boolean afterLowerOrDigit = i > 0 && (Character.isLowerCase(key.charAt(i - 1)) || Character.isDigit(key.charAt(i - 1)));
                boolean endsAcronym = i > 0 && Character.isUpperCase(key.charAt(i - 1))
                        && i + 1 < key.length() && Character.isLowerCase(key.charAt(i + 1));
                if (afterLowerOrDigit || endsAcronym) {
                    sb.append('_');
                }
                sb.append((char) (c + ('a' - 'A')));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':') {
                sb.append(c);
            } else {
                sb.append('_');
            }
        }
        if (sb.isEmpty() || (sb.charAt(0) >= '0' && sb.charAt(0) <= '9')) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    /** A label value as the format wants it: backslash, double quote and newline escaped; all else as is (UTF-8). */
    public static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void family(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** One line: {@code name{l1="v1",...} value}; {@code labels} alternate names and values. */
    private static void sample(StringBuilder sb, String name, long value, String... labels) {
        sb.append(name);
        if (labels.length > 0) {
            sb.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            sb.append('}');
        }
        sb.append(' ').append(value).append('\n');
    }
}
