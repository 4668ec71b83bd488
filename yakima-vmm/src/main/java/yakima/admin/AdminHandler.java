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
 * {@link AdminServer#MAX_BODY_BYTES} of it is kept. A larger one is refused
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
            AdminReply reply = routes.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), () -> readBody(exchange));
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

    private static String readBody(HttpExchange exchange) throws AdminException, IOException {
        InputStream in = exchange.getRequestBody();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.strip().matches("\\d{1,18}") && Long.parseLong(declared.strip()) > AdminServer.MAX_BODY_BYTES) {
            throw tooLarge(in);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            body.write(buf, 0, n);
            if (body.size() > AdminServer.MAX_BODY_BYTES) {
                throw tooLarge(in);
            }
        }
        return AdminRoutes.utf8(body.toByteArray(), "the request body");
    }

    private static AdminException tooLarge(InputStream in) throws IOException {
        long skipped = 0;
        byte[] buf = new byte[8192];
        for (int n; skipped < DRAIN_LIMIT_BYTES && (n = in.read(buf)) > 0; ) {
            skipped += n;
        }
        return new AdminException(413, "the request body is larger than " + AdminServer.MAX_BODY_BYTES + " bytes");
    }
}
