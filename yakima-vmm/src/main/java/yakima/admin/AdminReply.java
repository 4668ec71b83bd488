package yakima.admin;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the admin API answers to one request, before it is written to the
 * connection: status, content type, body bytes, and any extra headers
 * ({@code Allow} on a 405, {@code Location} on a 201). Built by
 * {@link AdminRoutes} on an admin thread; sent by {@link AdminHandler}.
 */
record AdminReply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    static AdminReply json(int status, Object value) {
        return json(status, value, Map.of());
    }

    /** The JSON text and a newline, so that {@code curl} leaves the prompt on a line of its own. */
    static AdminReply json(int status, Object value, Map<String, String> headers) {
        return new AdminReply(status, JSON, (JsonWriter.write(value) + "\n").getBytes(StandardCharsets.UTF_8), headers);
    }

    static AdminReply error(int status, String message) {
        return error(status, message, Map.of());
    }

    static AdminReply error(int status, String message, Map<String, String> headers) {
        return json(status, AdminJson.error(message), headers);
    }

    static final String OCTETS = "application/octet-stream";

    /** Bytes that are not text: a snapshot's record. */
    static AdminReply bytes(byte[] body) {
        return new AdminReply(200, OCTETS, body, Map.of());
    }

    static AdminReply text(String contentType, String text) {
        return new AdminReply(200, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
