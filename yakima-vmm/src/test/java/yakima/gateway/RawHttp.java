package yakima.gateway;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client over a plain socket, for tests that must control
 * every byte (pipelining, slow or silent clients, garbage), and the objects
 * httpd serves, computed as services/httpd/objects.c makes them.
 */
final class RawHttp implements AutoCloseable {
    /** One response: status, its raw head, its body. */
    record Response(int status, String head, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    final Socket socket;
    private final InputStream in;

    RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer the socket's receive buffer (0: the system's) */
    RawHttp(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(20_000); // a bound on every read: a hung gateway fails the test, never hangs it
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        in = socket.getInputStream();
    }

    void send(String s) throws IOException {
        send(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
    }

    static String get(String path, String host, boolean close) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: yakima-test\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
    }

    /** Reads one response; a body without Content-Length runs to the end of the stream. */
    Response read() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended inside a response head: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        long length = -1;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        byte[] body = length >= 0 ? in.readNBytes((int) length) : in.readAllBytes();
        if (length >= 0 && body.length != length) {
            throw new EOFException("the body ended after " + body.length + " of " + length + " bytes");
        }
        return new Response(status, h, body);
    }

    /** True if the peer has closed: the next read returns end of stream (or the connection was reset). */
    boolean atEnd() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** The pattern object httpd serves at {@code /1k}, {@code /small}, {@code /10k} or {@code /large}. */
    static byte[] object(String path) {
        int size;
        int seed;
        switch (path) {
            case "/1k" -> { size = 1024; seed = 15; }
            case "/small" -> { size = 2258; seed = 20; }
            case "/10k" -> { size = 10240; seed = 63; }
            case "/large" -> { size = 134007; seed = 6; }
            default -> throw new IllegalArgumentException(path);
        }
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i % 64 == 63 ? 10 : 33 + ((i / 64) * 7 + (i % 64) * 3 + seed * 11) % 94);
        }
        return b;
    }
}
