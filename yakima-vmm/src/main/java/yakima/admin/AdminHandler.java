package yakima.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The HTTP side of the admin API: reads a request off an {@link HttpExchange},
 * asks {@link AdminRoutes} for the reply, writes it. Runs on the admin
 * server's executor threads, several exchanges at once.
 *
 * <p>A body is read only when a route asks for it, and at most
 * {@link AdminServer#MAX_BODY_BYTES} of it is kept ({@link AdminServer#MAX_RECORD_BYTES}
 * for a snapshot's record). A larger one is refused
 * with 413 after the rest is read and thrown away (up to
 * {@link #DRAIN_LIMIT_BYTES}): closing a socket with unread bytes makes the
 * kernel send a reset, which can destroy the 413 before the client reads it.
 */
final class AdminHandler implements HttpHandler {
    static final long DRAIN_LIMIT_BYTES = 1L << 20;

    private final AdminRoutes routes;

    AdminHandler(AdminRoutes routes) {
        this.routes = routes;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            RequestBody body = new RequestBody() {
                @Override
                public String read() throws AdminException, IOException {
                    return AdminRoutes.utf8(readBody(exchange, AdminServer.MAX_BODY_BYTES), "the request body");
                }

                @Override
                public byte[] readBytes(int limit) throws AdminException, IOException {
                    return readBody(exchange, limit);
                }
            };
            AdminReply reply = routes.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), body);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            // A HEAD answer has no body (the JDK refuses one), and 0 would mean chunked: both are -1.
            boolean noBody = reply.body().length == 0 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        } catch (IOException clientGone) {
            // The client closed the connection; there is no one left to answer.
        }
    }

    /**
     * At most {@code limit} bytes of the body: read into an array of the
     * declared length when there is one, so a large record is not copied
     * while it grows.
     */
    private static byte[] readBody(HttpExchange exchange, int limit) throws AdminException, IOException {
        InputStream in = exchange.getRequestBody();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = declared != null && declared.strip().matches("\\d{1,18}") ? Long.parseLong(declared.strip()) : -1;
        if (length > limit) {
            throw tooLarge(in, limit);
        }
        if (length >= 0) {
            byte[] body = new byte[(int) length];
            int n = in.readNBytes(body, 0, body.length); // the server's stream ends there
            if (n < body.length) {
                throw new IOException("the connection ended after " + n + " of the " + length + " bytes of the body");
            }
            return body;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            body.write(buf, 0, n);
            if (body.size() > limit) {
                throw tooLarge(in, limit);
            }
        }
        return body.toByteArray();
    }

    private static AdminException tooLarge(InputStream in, int limit) {
        long skipped = 0;
        byte[] buf = new byte[8192];
        try {
            for (int n; skipped < DRAIN_LIMIT_BYTES && (n = in.read(buf)) > 0; ) {
                skipped += n;
            }
        } catch (IOException e) {
            // the client stopped sending short of what it declared: nothing more to drain, and the 413 still goes out
        }
        return new AdminException(413, "the request body is larger than " + limit + " bytes");
    }
}
