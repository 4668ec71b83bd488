package yakima.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * The supervisor: Denali's control interface as HTTP/JSON on a local port,
 * serving {@link AdminBackend} (the host) to {@code yakima ps},
 * {@code yakima inspect}, {@code curl} and Prometheus. The endpoints are in
 * {@link AdminRoutes} and docs/admin-api.md.
 *
 * <p><b>Loopback only by default.</b> The API has no authentication: anyone
 * who can connect can create and destroy VMs. {@link #loopback} binds
 * 127.0.0.1; binding any other address exposes it to that network.
 *
 * <p><b>Threads.</b> The JDK server's dispatcher thread accepts connections;
 * requests run on this server's own {@link #THREADS} daemon threads
 * ({@code yakima-admin-N}), never on a VM's or the scheduler's, so a slow
 * client or a blocking backend call cannot stall a guest. {@link #start} and
 * {@link #close} are called by whoever owns the server (the host's main
 * thread, a test).
 */
public final class AdminServer implements AutoCloseable {
    /** The port {@code yakima host} listens on and {@code yakima ps} asks, unless told otherwise. */
    public static final int DEFAULT_PORT = 7077;
    /** Requests served at once: enough for a person and a Prometheus scraper. */
    public static final int THREADS = 2;
    /** The largest request body accepted; a create request is a few dozen bytes. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /**
     * The largest snapshot record accepted ({@code POST /v1/vms/restore}): a
     * record is deflated, and a 256 MiB guest (the most a VM may have) whose
     * every page is private and incompressible makes about 256.3 MiB of it;
     * the rest leaves room for the frames waiting in its NIC.
     */
    public static final int MAX_RECORD_BYTES = 320 << 20;

    private final AdminBackend backend;
    private final InetSocketAddress bindAddress;
    private HttpServer server;
    private ExecutorService executor;

    /** A server for {@code backend} that will bind {@code bindAddress} (port 0: any free port) when started. */
    public AdminServer(AdminBackend backend, InetSocketAddress bindAddress) {
        this.backend = backend;
        this.bindAddress = bindAddress;
    }

    /** A server on 127.0.0.1:{@code port}; port 0 picks a free one (tests). */
    public static AdminServer loopback(AdminBackend backend, int port) {
        try {
            return new AdminServer(backend, new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port));
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e); // never: a literal address is not looked up
        }
    }

    /** Binds the port and starts serving; an {@link IOException} if the port is taken. */
    public synchronized AdminServer start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("the admin server is already started");
        }
        HttpServer s = HttpServer.create(bindAddress, 0);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "yakima-admin-" + n.incrementAndGet());
            t.setDaemon(true); // a forgotten server must not keep the JVM alive
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", new AdminHandler(new AdminRoutes(backend)));
        s.start();
        server = s;
        return this;
    }

    /** The address actually bound (with the chosen port when 0 was asked for). */
    public synchronized InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("the admin server is not started");
        }
        return server.getAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** Stops accepting, closes open connections, and waits briefly for requests in progress. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
    }
}
