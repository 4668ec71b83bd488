package yakima.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The admin API's endpoints: a method and a path in, an {@link AdminReply}
 * out, with no socket in sight (the tests drive it through a real
 * {@link AdminServer}, but nothing here needs one).
 * <pre>
 *   GET    /v1/vms        list             POST /v1/vms   create (201)
 *   GET    /v1/vms/{vm}   inspect          DELETE /v1/vms/{vm}   destroy
 *   POST   /v1/vms/{vm}/snapshot[?stop=true]   the VM's record (application/octet-stream)
 *   POST   /v1/vms/restore[?name=NAME]         a VM from a record in the body (201)
 *   GET    /v1/host       host view        GET  /metrics  Prometheus text
 * </pre>
 * A VM named {@code restore} is still reached by GET and DELETE on
 * {@code /v1/vms/restore}; only POST there restores. Query strings are
 * ignored except by the two snapshot routes, which refuse parameters they
 * do not take.
 * {@link #handle} never throws: an {@link AdminException} is answered with
 * its status, and a {@link RuntimeException} from the backend (a bug in the
 * host) with 500 and one line, after it is logged with its stack trace, so
 * that one bad request cannot take the API down. Called on admin threads,
 * several at once; it keeps no state of its own.
 */
final class AdminRoutes {
    private static final System.Logger LOG = System.getLogger(AdminRoutes.class.getName());
    private static final String VMS = "/v1/vms";
    private static final String RESTORE = VMS + "/restore";
    private static final String SNAPSHOT = "/snapshot";
    private static final String PATHS = "/v1/vms, /v1/vms/{vm}, /v1/vms/{vm}/snapshot, /v1/vms/restore, /v1/host and /metrics";

    private final AdminBackend backend;

    AdminRoutes(AdminBackend backend) {
        this.backend = backend;
    }

    /**
     * {@code rawPath} is the path as sent, still percent-encoded, so that
     * {@code %2F} in a VM name stays in the name; {@code rawQuery} likewise,
     * or null when there is none.
     */
    AdminReply handle(String method, String rawPath, String rawQuery, RequestBody body) {
        try {
            return route(method, rawPath, rawQuery, body);
        } catch (AdminException e) {
            int status = e.httpStatus() >= 400 && e.httpStatus() <= 599 ? e.httpStatus() : 500;
            return AdminReply.error(status, oneLine(e.getMessage()));
        } catch (IOException e) {
            return AdminReply.error(400, "could not read the request: " + oneLine(e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, method + " " + rawPath + " failed in the host", e);
            return AdminReply.error(500, "internal error: " + oneLine(e.toString()));
        }
    }

    private AdminReply route(String method, String rawPath, String rawQuery, RequestBody body) throws AdminException, IOException {
        if (rawPath.equals(RESTORE) && method.equals("POST")) {
            return restore(rawQuery, body);
        }
        if (rawPath.startsWith(VMS + "/") && rawPath.endsWith(SNAPSHOT) && rawPath.length() > VMS.length() + SNAPSHOT.length()) {
            String segment = rawPath.substring(VMS.length() + 1, rawPath.length() - SNAPSHOT.length());
            if (!segment.isEmpty() && segment.indexOf('/') < 0) {
                return method.equals("POST") ? snapshot(percentDecode(segment), rawQuery) : notAllowed(method, rawPath, "POST");
            }
        }
        if (rawPath.equals(VMS)) {
            return switch (method) {
                case "GET" -> AdminReply.json(200, backend.list().stream().map(AdminJson::vm).toList());
                case "POST" -> create(body);
                default -> notAllowed(method, rawPath, "GET, POST");
            };
        }
        if (rawPath.startsWith(VMS + "/") && rawPath.length() > VMS.length() + 1 && rawPath.indexOf('/', VMS.length() + 1) < 0) {
            String vm = percentDecode(rawPath.substring(VMS.length() + 1));
            return switch (method) {
                case "GET" -> AdminReply.json(200, AdminJson.vm(backend.inspect(vm)));
                case "DELETE" -> AdminReply.json(200, AdminJson.vm(backend.destroy(vm)));
                default -> notAllowed(method, rawPath, rawPath.equals(RESTORE) ? "GET, POST, DELETE" : "GET, DELETE");
            };
        }
        if (rawPath.equals("/v1/host")) {
            return method.equals("GET") ? AdminReply.json(200, AdminJson.host(backend.host())) : notAllowed(method, rawPath, "GET");
        }
        if (rawPath.equals("/metrics")) {
            return method.equals("GET")
                    ? AdminReply.text(PrometheusText.CONTENT_TYPE, PrometheusText.render(backend.host(), backend.list()))
                    : notAllowed(method, rawPath, "GET");
        }
        throw AdminException.notFound("no such path " + rawPath + ": the admin API serves " + PATHS);
    }

    private AdminReply create(RequestBody body) throws AdminException, IOException {
        Map<String, Object> fields;
        try {
            fields = JsonParser.parseFlatObject(body.read());
        } catch (JsonSyntaxException e) {
            throw AdminException.badRequest("malformed JSON: " + e.getMessage());
        }
        VmView vm = backend.create(AdminJson.createRequest(fields));
        return AdminReply.json(201, AdminJson.vm(vm), Map.of("Location", VMS + "/" + percentEncode(vm.id())));
    }

    private AdminReply snapshot(String vm, String rawQuery) throws AdminException {
        Map<String, String> query = query(rawQuery, "stop");
        return AdminReply.bytes(backend.snapshot(vm, flag(query, "stop")));
    }

    private AdminReply restore(String rawQuery, RequestBody body) throws AdminException, IOException {
        Map<String, String> query = query(rawQuery, "name");
        String name = query.get("name");
        if (name != null && name.isEmpty()) {
            throw AdminException.badRequest("query parameter name is empty (leave it out to keep the snapshot's name)");
        }
        byte[] record = body.readBytes(AdminServer.MAX_RECORD_BYTES);
        if (record.length == 0) {
            throw AdminException.badRequest("the request body is empty: send the snapshot's bytes");
        }
        VmView vm = backend.restore(record, name);
        return AdminReply.json(201, AdminJson.vm(vm), Map.of("Location", VMS + "/" + percentEncode(vm.id())));
    }

    /**
     * A query string's parameters, decoded as path segments are ({@code +}
     * is a plus); a parameter not in {@code allowed}, or one given twice, is
     * refused.
     */
    static Map<String, String> query(String rawQuery, String... allowed) throws AdminException {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = percentDecode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
            if (!java.util.List.of(allowed).contains(key)) {
                throw AdminException.badRequest("unknown query parameter " + key + " (allowed: " + String.join(", ", allowed) + ")");
            }
            if (params.put(key, value) != null) {
                throw AdminException.badRequest("query parameter " + key + " is given twice");
            }
        }
        return params;
    }

    /** A yes-or-no parameter: absent is false; {@code true}, {@code 1} or no value is true; {@code false} or {@code 0} false. */
    static boolean flag(Map<String, String> query, String key) throws AdminException {
        String v = query.get(key);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "", "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw AdminException.badRequest("query parameter " + key + " must be true or false, not " + v);
        };
    }

    private static AdminReply notAllowed(String method, String rawPath, String allow) {
        return AdminReply.error(405, "method " + method + " is not allowed on " + rawPath + " (allowed: " + allow + ")", Map.of("Allow", allow));
    }

    /** One path segment decoded: {@code %XX} bytes as UTF-8; {@code +} is a plus, as in any path. */
    static String percentDecode(String segment) throws AdminException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                int n = Character.charCount(segment.codePointAt(i));
                bytes.writeBytes(segment.substring(i, i + n).getBytes(StandardCharsets.UTF_8));
                i += n - 1;
                continue;
            }
            int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(segment.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw AdminException.badRequest("bad percent escape in the path segment " + segment);
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        return utf8(bytes.toByteArray(), "the path segment " + segment);
    }

    /** Every byte outside RFC 3986's unreserved characters as {@code %XX}. */
    static String percentEncode(String segment) {
        StringBuilder sb = new StringBuilder();
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }

    /** Strict UTF-8: a malformed byte is the caller's error, not a U+FFFD in a VM's name. */
    static String utf8(byte[] bytes, String what) throws AdminException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw AdminException.badRequest(what + " is not valid UTF-8");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : String.join(" ", s.strip().lines().map(String::strip).toList());
    }
}
