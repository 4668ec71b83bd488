package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The metrics text: names, label escaping, and that the whole page follows the 0.0.4 format. */
public class PrometheusTextTest {
    /** {@code name{label="value",...} value}, with the format's three escapes in label values. */
    static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\")*\\})? (-?[0-9]+(\\.[0-9]+)?)");
    static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");

    @Test
    void keysBecomeSnakeCaseMetricNames() {
        assertEquals("frames_forwarded", PrometheusText.snakeCase("framesForwarded"));
        assertEquals("nic_rx_frames", PrometheusText.snakeCase("nicRXFrames"));
        assertEquals("drops_rx_queue_full", PrometheusText.snakeCase("dropsRxQueueFull"));
        assertEquals("page_table_bytes", PrometheusText.snakeCase("pageTableBytes"));
        assertEquals("ipv4_frames", PrometheusText.snakeCase("ipv4Frames"));
        assertEquals("tx_2_drops", PrometheusText.snakeCase("tx 2-drops"));
        assertEquals("_9lives", PrometheusText.snakeCase("9lives"));
        assertEquals("caf__x", PrometheusText.snakeCase("café.x"));
        assertEquals("_", PrometheusText.snakeCase(""));
        assertEquals("page_table", PrometheusText.kind("pageTableBytes"));
        assertEquals("resident", PrometheusText.kind("residentBytes"));
        assertEquals("swapped_pages", PrometheusText.kind("swappedPages"));
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewline() {
        assertEquals("a\\\\b\\\"c\\nd é\t", PrometheusText.escapeLabel("a\\b\"c\nd é\t"));
    }

    @Test
    void theHostAndItsVmsAreRendered() throws AdminException {
        FakeBackend backend = new FakeBackend();
        backend.create(new CreateVmRequest("hello", 1 << 20, "web"));
        backend.create(new CreateVmRequest("cpuwork", 65536, "say \"hi\"\\\nnow"));
        String text = PrometheusText.render(backend.host(), backend.list());
        List<String> lines = text.lines().toList();
        for (String expected : List.of(
                "# TYPE yakima_host_uptime_seconds gauge",
                "yakima_host_uptime_seconds 1.500000000",
                "yakima_host_vms{state=\"running\"} 2",
                "yakima_host_memory_bytes{kind=\"budget\"} 8388608",
                "yakima_host_memory_bytes{kind=\"resident\"} 1114112",
                "# TYPE yakima_host_instructions_total counter",
                "yakima_host_instructions_total 3000",
                "yakima_host_frames_forwarded_total 7",
                "yakima_host_drops_rx_queue_full_total 2",
                "yakima_vm_info{vm=\"vm-1\",name=\"web\",image=\"hello\",state=\"running\"} 1",
                "yakima_vm_info{vm=\"vm-2\",name=\"say \\\"hi\\\"\\\\\\nnow\",image=\"cpuwork\",state=\"running\"} 1",
                "yakima_vm_mem_size_bytes{vm=\"vm-2\"} 65536",
                "yakima_vm_memory_bytes{vm=\"vm-1\",kind=\"page_table\"} 64",
                "# HELP yakima_vm_instructions_total Per-VM counter instructions.",
                "# TYPE yakima_vm_instructions_total counter",
                "yakima_vm_instructions_total{vm=\"vm-1\"} 1000",
                "yakima_vm_instructions_total{vm=\"vm-2\"} 2000",
                "yakima_vm_console_dropped_total{vm=\"vm-2\"} 0")) {
            assertTrue(lines.contains(expected), expected + "\n in:\n" + text);
        }
        assertTrue(text.endsWith("\n"));
        assertFollowsTheFormat(text);
    }

    @Test
    void counterKeysOnlySomeVmsHaveAndCollidingKeysStayValid() {
        VmView a = vm("vm-1", Map.of("instructions", 5L));
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("nicRxFrames", 3L);
        c.put("nic_rx_frames", 4L); // the same name: the first key wins
        c.put("retriesTotal", 1L); // already ends in _total
        VmView b = vm("vm-2", c);
        String text = PrometheusText.render(new HostView(0, Map.of(), Map.of(), Map.of()), List.of(a, b));
        List<String> lines = text.lines().toList();
        assertTrue(lines.contains("yakima_vm_nic_rx_frames_total{vm=\"vm-2\"} 3"), text);
        assertFalse(lines.contains("yakima_vm_nic_rx_frames_total{vm=\"vm-2\"} 4"), text);
        assertTrue(lines.contains("yakima_vm_retries_total{vm=\"vm-2\"} 1"), text);
        assertFalse(text.contains("yakima_vm_instructions_total{vm=\"vm-2\"}"), text);
        assertFollowsTheFormat(text);
    }

    @Test
    void theFormatCheckCatchesBrokenText() {
        String ok = "# HELP a_total x\n# TYPE a_total counter\na_total{vm=\"v\"} 1\n";
        assertFollowsTheFormat(ok);
        for (String bad : List.of(
                ok + "a_total{vm=\"v\"} 2\n",                                    // a duplicate series
                ok.replace("{vm=\"v\"}", "{vm=\"a\"b\"}"),                      // an unescaped quote
                ok.replace("{vm=\"v\"}", "{vm=\"a\nb\"}"),                      // a raw newline
                ok.replace("counter", "gauge"),                                  // a gauge named _total
                "a_total 1\n" + ok,                                              // a sample before its TYPE
                ok + "# HELP b x\n# TYPE b gauge\nb 1\na_total{vm=\"w\"} 1\n",  // a family split in two
                ok.replace("a_total{", "9a_total{"))) {                          // a bad name
            assertThrows(AssertionFailedError.class, () -> assertFollowsTheFormat(bad), bad);
        }
    }

    private static VmView vm(String id, Map<String, Long> counters) {
        return new VmView(id, null, "hello", "idle", 65536, null, null, Map.of("privateBytes", 0L), counters, null, null);
    }

    /**
     * Every line is a HELP, a TYPE or a sample; each family has one HELP and
     * one TYPE before its samples, its samples are together, counters end in
     * _total, and no two samples have the same name and labels.
     */
    public static void assertFollowsTheFormat(String text) {
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> finished = new HashSet<>();
        Set<String> seriesSeen = new HashSet<>();
        List<String> order = new ArrayList<>();
        String current = null;
        for (String line : text.lines().toList()) {
            Matcher comment = COMMENT.matcher(line);
            if (comment.matches()) {
                String name = comment.group(2);
                if (!name.equals(current)) {
                    if (current != null) {
                        finished.add(current);
                    }
                    assertFalse(finished.contains(name), "family " + name + " appears twice");
                    current = name;
                    order.add(name);
                }
                if (comment.group(1).equals("HELP")) {
                    assertTrue(helped.add(name), "two HELP lines for " + name);
                } else {
                    assertTrue(Set.of("counter", "gauge").contains(comment.group(3)), line);
                    assertTrue(types.put(name, comment.group(3)) == null, "two TYPE lines for " + name);
                    assertEquals(comment.group(3).equals("counter"), name.endsWith("_total"), line);
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                fail("not a sample line: " + line);
            }
            assertEquals(current, sample.group(1), "a sample outside its family: " + line);
            assertTrue(types.containsKey(current) && helped.contains(current), "no HELP and TYPE before " + line);
            assertTrue(seriesSeen.add(line.substring(0, line.lastIndexOf(' '))), "a duplicate series: " + line);
        }
        assertFalse(order.isEmpty());
    }
}
