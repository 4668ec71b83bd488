package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over real HTTP on a loopback ephemeral port, against the fake host. */
class AdminServerTest {
    private final FakeBackend backend = new FakeBackend();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private AdminServer server;

    @BeforeEach
    void start() throws IOException {
        server = AdminServer.loopback(backend, 0).start();
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    @Test
    void createListInspectAndDestroy() throws Exception {
        HttpResponse<String> list = get("/v1/vms");
        assertEquals(200, list.statusCode());
        assertEquals("application/json; charset=utf-8", list.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("[]\n", list.body());

        HttpResponse<String> created = send("POST", "/v1/vms", "{\"image\": \"hello\", \"mem\": \"1M\", \"name\": \"web\"}");
        assertEquals(201, created.statusCode(), created.body());
        assertEquals(Optional.of("/v1/vms/vm-1"), created.headers().firstValue("Location"));
        assertEquals("{\"id\":\"vm-1\",\"name\":\"web\",\"image\":\"hello\",\"state\":\"running\",\"memSizeBytes\":1048576,"
                + "\"mac\":\"02:00:00:00:00:01\",\"ipv4\":\"10.0.0.1\","
                + "\"memory\":{\"privateBytes\":1048576,\"sharedBytes\":8192,\"pageTableBytes\":64,\"bookkeepingBytes\":512},"
                + "\"counters\":{\"instructions\":1000,\"quanta\":1,\"hypercalls\":10,\"consoleBytes\":12,\"consoleDropped\":0},"
                + "\"faultReason\":null,\"exitCode\":null}\n", created.body());
        assertEquals(new CreateVmRequest("hello", 1 << 20, "web"), backend.lastCreate());

        assertEquals(201, send("POST", "/v1/vms", "{\"image\":\"cpuwork\",\"mem\":65536}").statusCode());
        List<?> vms = (List<?>) JsonParser.parse(get("/v1/vms").body());
        assertEquals(List.of("vm-1", "vm-2"), vms.stream().map(v -> ((Map<?, ?>) v).get("id")).toList());

        assertEquals(created.body(), get("/v1/vms/vm-1").body());
        assertEquals(created.body(), get("/v1/vms/web").body());

        HttpResponse<String> destroyed = delete("/v1/vms/web");
        assertEquals(200, destroyed.statusCode());
        assertEquals("destroyed", AdminJson.vmFrom(JsonParser.parse(destroyed.body())).state());
        assertEquals("destroyed", AdminJson.vmFrom(JsonParser.parse(get("/v1/vms/vm-1").body())).state());
    }

    @Test
    void theHostView() throws Exception {
        backend.create(new CreateVmRequest("hello", 1 << 20, null));
        HttpResponse<String> r = get("/v1/host");
        assertEquals(200, r.statusCode());
        assertEquals("{\"uptimeNs\":1500000000,\"vmsByState\":{\"running\":1},\"memory\":{\"budgetBytes\":8388608,\"residentBytes\":1048576},"
                + "\"counters\":{\"instructions\":1000,\"framesForwarded\":7,\"dropsRxQueueFull\":2}}\n", r.body());
    }

    @Test
    void metricsAreThePrometheusTextFormat() throws Exception {
        backend.create(new CreateVmRequest("hello", 1 << 20, "web"));
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(r.body().lines().toList().contains("yakima_vm_instructions_total{vm=\"vm-1\"} 1000"), r.body());
        PrometheusTextTest.assertFollowsTheFormat(r.body());
    }

    @Test
    void backendRefusalsKeepTheirStatus() throws Exception {
        assertError(404, "no VM named vm-7", get("/v1/vms/vm-7"));
        assertError(404, "no VM named vm-7", delete("/v1/vms/vm-7"));
        assertError(404, "no image named nope", send("POST", "/v1/vms", "{\"image\":\"nope\"}"));
        send("POST", "/v1/vms", "{\"image\":\"hello\",\"mem\":\"4MiB\",\"name\":\"a\"}");
        assertError(409, "a VM named a exists", send("POST", "/v1/vms", "{\"image\":\"hello\",\"name\":\"a\"}"));
        assertError(503, "over the resident-memory budget", send("POST", "/v1/vms", "{\"image\":\"hello\",\"mem\":\"8M\"}"));
        assertEquals(200, delete("/v1/vms/a").statusCode());
        assertError(409, "vm-1 is already destroyed", delete("/v1/vms/vm-1"));
    }

    @Test
    void badRequestsAre400() throws Exception {
        assertError(400, "malformed JSON: expected ':' at offset 9", send("POST", "/v1/vms", "{\"image\" \"hello\"}"));
        assertError(400, "malformed JSON: unexpected end of JSON at offset 0", send("POST", "/v1/vms", ""));
        assertError(400, "malformed JSON: field \"mem\" must be a string, number or boolean, not an object",
                send("POST", "/v1/vms", "{\"image\":\"hello\",\"mem\":{}}"));
        assertError(400, "missing \"image\": the name of the image to boot", send("POST", "/v1/vms", "{\"mem\":\"1M\"}"));
        assertError(400, "memory size 12345 bytes is not a multiple of the 4096-byte page size",
                send("POST", "/v1/vms", "{\"image\":\"hello\",\"mem\":12345}"));
        assertError(400, "the request body is not valid UTF-8",
                send("POST", "/v1/vms", BodyPublishers.ofByteArray(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'})));
        assertError(400, "the path segment vm%C3 is not valid UTF-8", get("/v1/vms/vm%C3"));
        // HttpClient will not send a broken escape, so the decoder is asked directly
        assertEquals("bad percent escape in the path segment vm%2", assertThrows(AdminException.class, () -> AdminRoutes.percentDecode("vm%2")).getMessage());
        assertEquals("bad percent escape in the path segment %g0", assertThrows(AdminException.class, () -> AdminRoutes.percentDecode("%g0")).getMessage());
        assertEquals("a/b c+d", AdminRoutes.percentDecode("a%2Fb%20c+d"));
        assertEquals(null, backend.lastCreate(), "nothing reached the host");
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> r = send("PUT", "/v1/vms", "{}");
        assertError(405, "method PUT is not allowed on /v1/vms (allowed: GET, POST)", r);
        assertEquals(Optional.of("GET, POST"), r.headers().firstValue("Allow"));
        assertEquals(Optional.of("GET, DELETE"), send("POST", "/v1/vms/vm-1", "{}").headers().firstValue("Allow"));
        assertEquals(Optional.of("GET"), delete("/v1/host").headers().firstValue("Allow"));
        assertEquals(405, send("POST", "/metrics", "x").statusCode());
        HttpResponse<String> head = send("HEAD", "/v1/host", BodyPublishers.noBody());
        assertEquals(405, head.statusCode());
        assertEquals("", head.body());
        assertEquals(200, get("/v1/host").statusCode(), "the connection is still good");
    }

    @Test
    void unknownPathsAre404() throws Exception {
        for (String path : List.of("/", "/v1", "/v1/vms/", "/v1/vms/vm-1/console", "/v2/vms", "/metrics/x", "/v1/vms//snapshot",
                "/v1/vms/a/b/snapshot")) {
            assertError(404, "no such path " + path + ": the admin API serves /v1/vms, /v1/vms/{vm}, /v1/vms/{vm}/snapshot, "
                    + "/v1/vms/restore, /v1/host and /metrics",
                    get(path));
        }
    }

    @Test
    void aSnapshotIsTheRecordsBytesAndStopIsAQueryParameter() throws Exception {
        backend.create(new CreateVmRequest("hello", 1 << 20, "web server"));
        HttpResponse<byte[]> r = sendBytes("POST", "/v1/vms/web%20server/snapshot", BodyPublishers.noBody());
        assertEquals(200, r.statusCode());
        assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("record of vm-1", new String(r.body()));
        assertEquals("running", AdminJson.vmFrom(JsonParser.parse(get("/v1/vms/vm-1").body())).state(), "a copy: it runs on");

        assertEquals("record of vm-1, stopped", new String(sendBytes("POST", "/v1/vms/vm-1/snapshot?stop=true", BodyPublishers.noBody()).body()));
        assertEquals("destroyed", AdminJson.vmFrom(JsonParser.parse(get("/v1/vms/vm-1").body())).state());
        assertError(409, "vm-1 has ended (destroyed): there is nothing to snapshot", send("POST", "/v1/vms/vm-1/snapshot", ""));

        assertError(404, "no VM named vm-7", send("POST", "/v1/vms/vm-7/snapshot", ""));
        assertError(400, "query parameter stop must be true or false, not yes", send("POST", "/v1/vms/vm-1/snapshot?stop=yes", ""));
        assertError(400, "unknown query parameter force (allowed: stop)", send("POST", "/v1/vms/vm-1/snapshot?force=1", ""));
        assertError(400, "query parameter stop is given twice", send("POST", "/v1/vms/vm-1/snapshot?stop=0&stop=1", ""));
        HttpResponse<String> get = get("/v1/vms/vm-1/snapshot");
        assertError(405, "method GET is not allowed on /v1/vms/vm-1/snapshot (allowed: POST)", get);
        assertEquals(Optional.of("POST"), get.headers().firstValue("Allow"));
        assertError(404, "no VM named snapshot", get("/v1/vms/snapshot")); // a VM may be called that
    }

    @Test
    void aRestoreTakesTheRecordAsTheBodyAndAnswersLikeACreate() throws Exception {
        byte[] record = "record of vm-9".getBytes();
        HttpResponse<String> r = send("POST", "/v1/vms/restore?name=caf%C3%A9", BodyPublishers.ofByteArray(record));
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(Optional.of("/v1/vms/vm-1"), r.headers().firstValue("Location"));
        VmView vm = AdminJson.vmFrom(JsonParser.parse(r.body()));
        assertEquals("café", vm.name());
        assertArrayEquals(record, backend.lastRestore());
        assertEquals(201, send("POST", "/v1/vms/restore", BodyPublishers.ofByteArray(record)).statusCode());

        assertError(400, "bad snapshot: not an encapsulation record (bad magic)", send("POST", "/v1/vms/restore", "junk"));
        assertError(400, "the request body is empty: send the snapshot's bytes", send("POST", "/v1/vms/restore", ""));
        assertError(400, "query parameter name is empty (leave it out to keep the snapshot's name)",
                send("POST", "/v1/vms/restore?name=", BodyPublishers.ofByteArray(record)));
        assertError(400, "unknown query parameter stop (allowed: name)", send("POST", "/v1/vms/restore?stop=1", BodyPublishers.ofByteArray(record)));

        // a VM named "restore" is still one: GET and DELETE reach it
        backend.create(new CreateVmRequest("hello", 1 << 20, "restore"));
        assertEquals("restore", AdminJson.vmFrom(JsonParser.parse(get("/v1/vms/restore").body())).name());
        assertEquals(Optional.of("GET, POST, DELETE"), send("PUT", "/v1/vms/restore", "").headers().firstValue("Allow"));
        assertEquals(3, backend.list().size());
    }

    @Test
    void aRecordLargerThanTheLimitIs413AndALargeOneBelowItArrives() throws Exception {
        // declared too large: refused from the header, before any byte is read
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /v1/vms/restore HTTP/1.1\r\nHost: x\r\nContent-Length: " + (AdminServer.MAX_RECORD_BYTES + 1L)
                    + "\r\n\r\n").getBytes());
            s.shutdownOutput();
            String answer = new String(s.getInputStream().readAllBytes());
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains("the request body is larger than " + AdminServer.MAX_RECORD_BYTES + " bytes"), answer);
        }
        byte[] big = new byte[8 << 20]; // far over the JSON limit, well under the record limit
        System.arraycopy("record of vm-3".getBytes(), 0, big, 0, 14);
        assertEquals(201, send("POST", "/v1/vms/restore", BodyPublishers.ofByteArray(big)).statusCode());
        assertArrayEquals(big, backend.lastRestore());
        BodyPublisher chunked = BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big));
        assertEquals(201, send("POST", "/v1/vms/restore", chunked).statusCode());
        assertArrayEquals(big, backend.lastRestore());
    }

    @Test
    void aBackendBugIs500AndTheServerGoesOn() throws Exception {
        backend.failNext(new IllegalStateException("the scheduler\nwent away"));
        assertError(500, "internal error: java.lang.IllegalStateException: the scheduler went away", get("/v1/vms"));
        backend.failNext(new NullPointerException());
        assertError(500, "internal error: java.lang.NullPointerException", get("/metrics"));
        assertEquals(200, get("/v1/vms").statusCode());
        assertEquals(201, send("POST", "/v1/vms", "{\"image\":\"hello\"}").statusCode());
    }

    @Test
    void aBodyOver64KiBIs413WhetherItsLengthIsDeclaredOrNot() throws Exception {
        String big = "{\"image\":\"hello\",\"name\":\"" + "x".repeat(AdminServer.MAX_BODY_BYTES) + "\"}";
        assertError(413, "the request body is larger than 65536 bytes", send("POST", "/v1/vms", big));
        BodyPublisher chunked = BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()));
        assertError(413, "the request body is larger than 65536 bytes", send("POST", "/v1/vms", chunked));
        String justFits = "{\"image\":\"hello\",\"name\":\"" + "x".repeat(AdminServer.MAX_BODY_BYTES - 27) + "\"}";
        assertEquals(AdminServer.MAX_BODY_BYTES, justFits.length());
        assertEquals(201, send("POST", "/v1/vms", justFits).statusCode());
        assertEquals(null, backend.list().stream().filter(v -> v.name() != null && v.name().length() > 70_000).findAny().orElse(null));
    }

    @Test
    void namesWithQuotesBackslashesNewlinesAndUnicodeSurviveTheRoundTrip() throws Exception {
        String name = "say \"hi\" \\ to\nthe été 😀 /x";
        String body = "{\"image\":\"hello\",\"name\":" + JsonWriter.write(name) + "}";
        HttpResponse<String> created = send("POST", "/v1/vms", body);
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(created.body().contains("\"name\":\"say \\\"hi\\\" \\\\ to\\nthe \\u00e9t\\u00e9 \\ud83d\\ude00 /x\""), created.body());
        assertEquals(name, backend.lastCreate().name());
        HttpResponse<String> byName = get("/v1/vms/" + AdminRoutes.percentEncode(name));
        assertEquals(200, byName.statusCode(), byName.body());
        assertEquals(name, AdminJson.vmFrom(JsonParser.parse(byName.body())).name());
        // raw UTF-8 in the body, not escaped, is read as UTF-8
        assertEquals(201, send("POST", "/v1/vms", "{\"image\":\"hello\",\"name\":\"Łódź\"}").statusCode());
        assertEquals("Łódź", backend.lastCreate().name());
    }

    @Test
    void theServerBindsLoopbackAndClosesCleanly() throws Exception {
        assertEquals("127.0.0.1", server.address().getAddress().getHostAddress());
        assertTrue(server.port() > 0);
        AdminServer notStarted = AdminServer.loopback(backend, 0);
        assertThrows(IllegalStateException.class, notStarted::port);
        assertThrows(IllegalStateException.class, server::start);
        int port = server.port();
        server.close();
        server.close(); // idempotent
        assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/vms")).build(),
                BodyHandlers.ofString()));
    }

    private HttpResponse<byte[]> sendBytes(String method, String path, BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).build();
        return http.send(request, BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, BodyPublishers.noBody());
    }

    private HttpResponse<String> delete(String path) throws Exception {
        return send("DELETE", path, BodyPublishers.noBody());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, BodyPublishers.ofString(body));
    }

    private HttpResponse<String> send(String method, String path, BodyPublisher body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).method(method, body).build();
        return http.send(request, BodyHandlers.ofString());
    }

    private static void assertError(int status, String message, HttpResponse<String> r) throws JsonSyntaxException {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Map.of("error", message), JsonParser.parse(r.body()));
    }
}
