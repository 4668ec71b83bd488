package yakima.gateway;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The front door's own answers, for requests no VM sees: each a small plain
 * text page with {@code Connection: close}. The gateway closes the connection
 * after sending one.
 */
final class GatewayReplies {
    private GatewayReplies() {
    }

    static ByteBuf badRequest(String reason) {
        return page(400, "Bad Request", "bad request: " + reason);
    }

    static ByteBuf unknownVm(String host) {
        return page(404, "Not Found", "no VM answers to the host name '" + host + "'");
    }

    static ByteBuf headerTimeout() {
        return page(408, "Request Timeout", "the request head did not arrive in time");
    }

    static ByteBuf headerTooLarge(int limit) {
        return page(431, "Request Header Fields Too Large", "the request head is longer than " + limit + " bytes");
    }

    static ByteBuf vmDown(String vm, String why) {
        return page(502, "Bad Gateway", vm + " " + why);
    }

    static ByteBuf overLimit(String why) {
        return page(503, "Service Unavailable", why);
    }

    static ByteBuf vmTimeout(String vm) {
        return page(504, "Gateway Timeout", vm + " did not accept the connection in time");
    }

    private static ByteBuf page(int status, String phrase, String text) {
        byte[] body = ("yakima gateway: " + text + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + phrase + "\r\nServer: yakima-gateway\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        return Unpooled.wrappedBuffer(h, body);
    }
}
