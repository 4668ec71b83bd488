package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.admin.AdminServer;
import yakima.admin.JsonParser;
import yakima.admin.JsonWriter;
import yakima.admin.PrometheusTextTest;
import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.TinyElf;

/**
 * Every verb of docs/admin-api.md over real HTTP against a real {@link Host}
 * (the built-in images, a hand-assembled one from a file), as {@code yakima
 * host} wires them. The host's scheduler thread is not started: the test runs
 * it by hand between requests, and moves the host's clock itself.
 */
class HostAdminApiTest {
    private static final int MAX_VMS = 8;
    /** Reads MEM_SIZE, then the word there, just past the end of memory: mov 0x8,%eax; mov (%eax),%eax; TERM. */
    private static final byte[] READS_PAST_THE_END = {(byte) 0xA1, 0x08, 0, 0, 0, (byte) 0x8B, 0x00, 0x0F, 0x0C};

    @TempDir
    Path dir;

    private final AtomicLong nowNs = new AtomicLong();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Host host;
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        HostConfig config = HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)).withMaxVms(MAX_VMS);
        host = new Host(config, new ImageResolver(), nowNs::get, ConsoleSink.of(console));
        server = AdminServer.loopback(new HostAdminBackend(host), 0).start();
    }

    @AfterEach
    void stop() {
        server.close();
        host.close();
        http.close();
    }

    @Test
    void createInspectListTheHostAndMetricsFollowTheVmsThroughTheirLives() throws Exception {
        // create
        HttpResponse<String> created = post("{\"image\": \"hello-sleeper\", \"name\": \"sleepy\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(Optional.of("/v1/vms/vm-1"), created.headers().firstValue("Location"));
        Map<String, Object> vm = object(created);
        assertEquals("vm-1", vm.get("id"));
        assertEquals("sleepy", vm.get("name"));
        assertEquals("hello-sleeper", vm.get("image"));
        assertEquals("runnable", vm.get("state"), "admitted at once: the budget has room");
        assertEquals(1048576L, vm.get("memSizeBytes"), "1 MiB by default");
        assertEquals("02:00:00:00:00:01", vm.get("mac"));
        assertEquals("10.0.0.2", vm.get("ipv4"));
        assertNull(vm.get("faultReason"));
        assertNull(vm.get("exitCode"));

        // it runs: says hello, then idles for a second
        runUntil(() -> host.find("vm-1").state() == yakima.vm.VmState.IDLE);
        assertEquals("hello from denali\n", console.toString(StandardCharsets.US_ASCII));
        vm = object(get("/v1/vms/sleepy")); // by name
        assertEquals("idle", vm.get("state"));
        Map<String, Object> counters = map(vm.get("counters"));
        long helloBytes = "hello from denali\n".length();
        assertEquals(helloBytes, counters.get("consoleBytes"));
        assertEquals(0L, counters.get("consoleDroppedBytes"));
        assertTrue((Long) counters.get("hypercalls") >= 1, counters.toString());
        assertTrue((Long) counters.get("instructions") > 0, counters.toString());
        assertTrue((Long) counters.get("quanta") >= 1, counters.toString());
        assertEquals(0L, counters.get("wakes"));
        Map<String, Object> memory = map(vm.get("memory"));
        assertTrue((Long) memory.get("privateBytes") > 0, "page 0 and the written pages: " + memory);
        assertTrue((Long) memory.get("sharedBytes") > 0, "the image's unwritten pages are shared: " + memory);
        assertTrue((Long) memory.get("pageTableBytes") > 0, memory.toString());

        nowNs.addAndGet(1_500_000_000L); // its deadline passes
        runUntil(() -> host.find("vm-1").wakes() == 1 && host.find("vm-1").state() == yakima.vm.VmState.IDLE);
        assertEquals(1L, map(object(get("/v1/vms/vm-1")).get("counters")).get("wakes"));

        // a VM that ends, and one that faults, on the same scheduler thread
        assertEquals(201, post("{\"image\": \"hello\"}").statusCode());
        runUntil(() -> host.find("vm-2").state().isFinal());
        vm = object(get("/v1/vms/vm-2"));
        assertEquals("terminated", vm.get("state"));
        assertEquals(0L, vm.get("exitCode"));
        assertNull(vm.get("faultReason"));
        assertNull(vm.get("name"), "created without a name");

        Path faulter = dir.resolve("reads-past-the-end.elf");
        Files.write(faulter, TinyElf.of(READS_PAST_THE_END, new byte[16]));
        HttpResponse<String> faulterCreated = post("{\"image\": " + JsonWriter.write(faulter.toString()) + ", \"mem\": \"64KiB\"}");
        assertEquals(201, faulterCreated.statusCode(), faulterCreated.body());
        runUntil(() -> host.find("vm-3").state().isFinal());
        vm = object(get("/v1/vms/vm-3"));
        assertEquals("faulted", vm.get("state"));
        assertEquals("memory access outside the VM's memory (address 0x00010000) at eip 0x00001005: mov   (%eax),%eax", vm.get("faultReason"));
        assertNull(vm.get("exitCode"));
        assertEquals(65536L, vm.get("memSizeBytes"));
        memory = map(vm.get("memory"));
        assertEquals(0L, memory.get("privateBytes"), "a faulted VM's memory is released: " + memory);
        assertEquals(0L, memory.get("sharedBytes"));
        assertEquals(0L, memory.get("pageTableBytes"));

        nowNs.addAndGet(1_000_000_000L); // the sleeper, on the same thread, carries on
        runUntil(() -> host.find("vm-1").wakes() == 2 && host.find("vm-1").state() == yakima.vm.VmState.IDLE);
        assertEquals("faulted", object(get("/v1/vms/vm-3")).get("state"));
        assertEquals("memory access outside the VM's memory (address 0x00010000) at eip 0x00001005: mov   (%eax),%eax",
                object(get("/v1/vms/vm-3")).get("faultReason"), "the reason stays for inspection");

        // list: every VM, in id order
        HttpResponse<String> listed = get("/v1/vms");
        assertEquals(200, listed.statusCode());
        List<?> vms = (List<?>) JsonParser.parse(listed.body());
        assertEquals(List.of("vm-1", "vm-2", "vm-3"), vms.stream().map(v -> map(v).get("id")).toList());
        assertEquals(List.of("idle", "terminated", "faulted"), vms.stream().map(v -> map(v).get("state")).toList());
        long vmInstructions = vms.stream().mapToLong(v -> (Long) map(map(v).get("counters")).get("instructions")).sum();

        // the host as a whole
        Map<String, Object> h = object(get("/v1/host"));
        assertEquals(2_500_000_000L, h.get("uptimeNs"), "the host's clock since it started");
        Map<String, Object> byState = map(h.get("vmsByState"));
        assertEquals(1L, byState.get("idle"));
        assertEquals(1L, byState.get("terminated"));
        assertEquals(1L, byState.get("faulted"));
        assertEquals(3L, byState.values().stream().mapToLong(n -> (Long) n).sum(), byState.toString());
        Map<String, Object> hostCounters = map(h.get("counters"));
        assertEquals(vmInstructions, hostCounters.get("instructions"), "the host counts every instruction its VMs ran");
        assertEquals(2L, hostCounters.get("wakes"));
        assertEquals(3L, hostCounters.get("vmsCreated"));
        assertEquals(2L, hostCounters.get("vmsEnded"));
        Map<String, Object> hostMemory = map(h.get("memory"));
        assertEquals(host.config().residentBudgetBytes(), hostMemory.get("budgetBytes"));
        assertEquals((Long) hostMemory.get("privateBytes") + (Long) hostMemory.get("sharedBytes") + (Long) hostMemory.get("pageTableBytes")
                + (Long) hostMemory.get("bookkeepingBytes"), hostMemory.get("residentBytes"), hostMemory.toString());

        // Prometheus
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
        PrometheusTextTest.assertFollowsTheFormat(metrics.body());
        List<String> lines = metrics.body().lines().toList();
        for (String line : List.of(
                "yakima_host_uptime_seconds 2.500000000",
                "yakima_host_vms{state=\"idle\"} 1",
                "yakima_host_vms{state=\"faulted\"} 1",
                "yakima_host_vms_created_total 3",
                "yakima_host_instructions_total " + vmInstructions,
                "yakima_vm_info{vm=\"vm-1\",name=\"sleepy\",image=\"hello-sleeper\",state=\"idle\"} 1",
                "yakima_vm_info{vm=\"vm-2\",name=\"\",image=\"hello\",state=\"terminated\"} 1",
                "yakima_vm_mem_size_bytes{vm=\"vm-3\"} 65536",
                "yakima_vm_console_bytes_total{vm=\"vm-1\"} " + helloBytes,
                "yakima_vm_wakes_total{vm=\"vm-1\"} 2")) {
            assertTrue(lines.contains(line), "missing: " + line + "\n" + metrics.body());
        }
    }

    @Test
    void destroyAnswersWithTheFinalViewThenTheVmIsGone() throws Exception {
        assertEquals(201, post("{\"image\": \"hello-sleeper\", \"name\": \"sleepy\"}").statusCode());
        runUntil(() -> host.find("sleepy").state() == yakima.vm.VmState.IDLE);

        HttpResponse<String> destroyed = delete("/v1/vms/sleepy");
        assertEquals(200, destroyed.statusCode(), destroyed.body());
        assertEquals("destroyed", object(destroyed).get("state"));
        assertEquals("vm-1", object(destroyed).get("id"));
        // the owner thread has not carried it out yet: a second destroy is an illegal transition
        assertError(409, "vm-1 is already destroyed", delete("/v1/vms/vm-1"));

        host.scheduler().thread(0).doWork(); // the owner thread destroys it
        assertError(404, "no VM named sleepy", get("/v1/vms/sleepy"));
        assertError(404, "no VM named vm-1", get("/v1/vms/vm-1"));
        assertError(404, "no VM named vm-1", delete("/v1/vms/vm-1"));
        assertEquals("[]\n", get("/v1/vms").body());
        Map<String, Object> h = object(get("/v1/host"));
        assertEquals(0L, map(h.get("vmsByState")).values().stream().mapToLong(n -> (Long) n).sum(), h.toString());
        assertEquals(1L, map(h.get("counters")).get("vmsEnded"));
        assertEquals(0L, map(h.get("memory")).get("privateBytes"), "its memory is released");
    }

    @Test
    void destroyingAVmThatEndedRemovesItToo() throws Exception {
        assertEquals(201, post("{\"image\": \"hello\"}").statusCode());
        Path faulter = dir.resolve("f.elf");
        Files.write(faulter, TinyElf.of(READS_PAST_THE_END, new byte[16]));
        assertEquals(201, post("{\"image\": " + JsonWriter.write(faulter.toString()) + ", \"mem\": 65536}").statusCode());
        runUntil(() -> host.find("vm-1").state().isFinal() && host.find("vm-2").state().isFinal());

        for (String id : List.of("vm-1", "vm-2")) {
            HttpResponse<String> destroyed = delete("/v1/vms/" + id);
            assertEquals(200, destroyed.statusCode(), destroyed.body());
            assertEquals("destroyed", object(destroyed).get("state"));
        }
        host.scheduler().thread(0).doWork();
        assertEquals("[]\n", get("/v1/vms").body(), "destroyed VMs leave the host, whatever state they were in");
        assertError(404, "no VM named vm-1", delete("/v1/vms/vm-1"));
        assertError(404, "no VM named vm-2", get("/v1/vms/vm-2"));
        Map<String, Object> h = object(get("/v1/host"));
        assertEquals(0L, map(h.get("vmsByState")).values().stream().mapToLong(n -> (Long) n).sum(), h.toString());
        assertEquals(2L, map(h.get("counters")).get("vmsEnded"), "each VM ended once");
    }

    @Test
    void refusalsHaveTheDocumentedStatusAndOneClearLine() throws Exception {
        assertError(404, "no VM named vm-7", get("/v1/vms/vm-7"));
        assertError(404, "no VM named vm-7", delete("/v1/vms/vm-7"));
        HttpResponse<String> noImage = post("{\"image\": \"no-such-image\"}");
        assertEquals(404, noImage.statusCode(), noImage.body());
        String message = (String) object(noImage).get("error");
        assertTrue(message.startsWith("image 'no-such-image' not found") && message.contains("hello-sleeper"),
                "names the image and the built-in ones: " + message);

        assertError(400, "malformed JSON: unexpected end of JSON, expected '}' at offset 13", post("{\"image\": \"h\""));
        assertError(400, "missing \"image\": the name of the image to boot", post("{\"name\": \"x\"}"));
        HttpResponse<String> typo = post("{\"image\": \"hello\", \"memory\": \"1M\"}");
        assertEquals(400, typo.statusCode(), typo.body());
        assertTrue(((String) object(typo).get("error")).contains("memory"), typo.body());
        HttpResponse<String> badMem = post("{\"image\": \"hello\", \"mem\": 12345}");
        assertEquals(400, badMem.statusCode(), badMem.body());
        Path notElf = dir.resolve("not-an-image.elf");
        Files.writeString(notElf, "hello");
        HttpResponse<String> refused = post("{\"image\": " + JsonWriter.write(notElf.toString()) + "}");
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(((String) object(refused).get("error")).startsWith(notElf + ": "), "names the image: " + refused.body());
        assertEquals("[]\n", get("/v1/vms").body(), "nothing was created");

        assertEquals(201, post("{\"image\": \"hello\", \"name\": \"web\"}").statusCode());
        assertError(409, "a VM named web already exists", post("{\"image\": \"hello-sleeper\", \"name\": \"web\"}"));

        for (int i = 2; i <= MAX_VMS; i++) {
            assertEquals(201, post("{\"image\": \"hello\"}").statusCode());
        }
        assertError(503, "the host already holds " + MAX_VMS + " VMs", post("{\"image\": \"hello\"}"));
        assertEquals(MAX_VMS, ((List<?>) JsonParser.parse(get("/v1/vms").body())).size());
    }

    // ---------------------------------------------------------------- helpers

    /** Runs the host's scheduler thread until {@code done}; a guest that never gets there fails the test. */
    private void runUntil(BooleanSupplier done) {
        for (int step = 0; step < 1000; step++) {
            if (done.getAsBoolean()) {
                return;
            }
            host.scheduler().thread(0).doWork();
        }
        assertTrue(done.getAsBoolean(), "the guests did not get there in 1000 scheduler steps");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, BodyPublishers.noBody());
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return send("DELETE", path, BodyPublishers.noBody());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return send("POST", "/v1/vms", BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).build();
        return http.send(request, BodyHandlers.ofString());
    }

    private static Map<String, Object> object(HttpResponse<String> r) throws Exception {
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        return map(JsonParser.parse(r.body()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object json) {
        assertTrue(json instanceof Map, "a JSON object: " + json);
        return (Map<String, Object>) json;
    }

    private static void assertError(int status, String message, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(Map.of("error", message), object(r));
        assertFalse(message.contains("\n"));
    }
}
