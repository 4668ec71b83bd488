package yakima.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLI's side of the admin API: requests to a host at an
 * {@link AdminAddress}, answers parsed back into {@link VmView}s (or, for a
 * snapshot, the record's bytes). One client serves one command on the
 * calling thread.
 *
 * <p>What can go wrong, and how it arrives: a refusal from the host is an
 * {@link AdminException} with the host's status and message; nothing
 * listening is a {@link java.net.ConnectException}; an answer that is not the
 * admin API's JSON (something else on that port) is a
 * {@link NotAHostException}.
 */
public final class AdminClient implements AutoCloseable {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Generous: a host under load may take a while to gather every VM's view, but a hung one should not hang the shell. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final AdminAddress address;
    private final HttpClient http;

    public AdminClient(AdminAddress address) {
        this.address = address;
        // HTTP/1.1 only: the JDK's server does not speak HTTP/2, so an upgrade attempt would be wasted headers.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    public AdminAddress address() {
        return address;
    }

    /** {@code GET /v1/vms}. */
    public List<VmView> list() throws AdminException, IOException, InterruptedException {
        Object json = parse(get("/v1/vms"));
        if (!(json instanceof List<?> items)) {
            throw notAdminApi("expected a JSON array of VMs");
        }
        List<VmView> vms = new ArrayList<>();
        for (Object item : items) {
            vms.add(vm(item));
        }
        return vms;
    }

    /** {@code GET /v1/vms/{vm}}, by id or name. */
    public VmView inspect(String vm) throws AdminException, IOException, InterruptedException {
        return vm(parse(inspectJson(vm)));
    }

    /** {@code GET /v1/vms/{vm}} as the host sent it. */
    public String inspectJson(String vm) throws AdminException, IOException, InterruptedException {
        return get("/v1/vms/" + AdminRoutes.percentEncode(vm));
    }

    /**
     * {@code POST /v1/vms/{vm}/snapshot}: the VM's record, to keep in a file.
     * With {@code stop} the host destroys the VM once the record is taken.
     */
    public byte[] snapshot(String vm, boolean stop) throws AdminException, IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(address.baseUri() + "/v1/vms/" + AdminRoutes.percentEncode(vm)
                + "/snapshot" + (stop ? "?stop=true" : ""))).timeout(REQUEST_TIMEOUT)
                .header("Accept", AdminReply.OCTETS).POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        }
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith(AdminReply.OCTETS)) {
            throw notAdminApi("a snapshot came back as " + response.headers().firstValue("Content-Type").orElse("no content type"));
        }
        return response.body();
    }

    /** {@code POST /v1/vms/restore}: a VM started from {@code record}; {@code name} null keeps the record's. */
    public VmView restore(byte[] record, String name) throws AdminException, IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(address.baseUri() + "/v1/vms/restore"
                + (name == null ? "" : "?name=" + AdminRoutes.percentEncode(name)))).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").header("Content-Type", AdminReply.OCTETS)
                .POST(HttpRequest.BodyPublishers.ofByteArray(record)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body());
        }
        return vm(parse(response.body()));
    }

    /** The body of a 2xx answer to {@code GET path}; an {@link AdminException} for an error the host explains. */
    private String get(String path) throws AdminException, IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(address.baseUri() + path))
                .timeout(REQUEST_TIMEOUT).header("Accept", "application/json").GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 == 2) {
            return response.body();
        }
        throw refusal(response.statusCode(), response.body());
    }

    /** The host's refusal in an error answer: {"error": "..."}; anything else is not from a Yakima host. */
    private AdminException refusal(int status, String body) throws NotAHostException {
        String message = null;
        try {
            if (JsonParser.parse(body) instanceof Map<?, ?> m && m.get("error") instanceof String s) {
                message = s;
            }
        } catch (JsonSyntaxException e) {
            // message stays null
        }
        if (message == null) {
            throw notAdminApi("HTTP " + status + " without an error message");
        }
        return new AdminException(status, message);
    }

    private Object parse(String body) throws IOException {
        try {
            return JsonParser.parse(body);
        } catch (JsonSyntaxException e) {
            throw notAdminApi("the answer is not JSON: " + e.getMessage());
        }
    }

    private VmView vm(Object json) throws IOException {
        try {
            return AdminJson.vmFrom(json);
        } catch (JsonSyntaxException e) {
            throw notAdminApi("a VM in the answer is malformed: " + e.getMessage());
        }
    }

    private NotAHostException notAdminApi(String what) {
        return new NotAHostException(address + " did not answer as a Yakima host: " + what);
    }

    /** Something answered, but not with the admin API's JSON: another server on the port, or a proxy's error page. */
    public static final class NotAHostException extends IOException {
        private static final long serialVersionUID = 1L;

        NotAHostException(String message) {
            super(message);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
