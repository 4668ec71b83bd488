package loadgen.testing;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A small HTTP server on 127.0.0.1 for the tests, on one Netty event-loop
 * thread: it answers every request with a fixed response (pre-encoded), or
 * misbehaves in one of the ways a load generator must report: refuses to
 * talk, answers garbage, never answers, or stalls one response.
 */
public final class TestServer implements AutoCloseable {
    /** How the server answers. */
    public enum Kind { OK, CLOSE_AT_ONCE, GARBAGE, SILENT }

    private final EventLoopGroup group;
    private final Channel server;
    private final Map<String, LongAdder> hosts = new ConcurrentHashMap<>();
    private final LongAdder mixedConnections = new LongAdder();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    private final Kind kind;
    private final ByteBuf keepAliveResponse;
    private final ByteBuf closeResponse;
    /** The request number (1-based, over all connections) whose response is held back, or 0. */
    private final long stallRequest;
    private final long stallMillis;

    private TestServer(Kind kind, int status, int bodyBytes, long stallRequest, long stallMillis) {
        this.kind = kind;
        this.stallRequest = stallRequest;
        this.stallMillis = stallMillis;
        this.keepAliveResponse = Unpooled.unreleasableBuffer(response(status, bodyBytes, false));
        this.closeResponse = Unpooled.unreleasableBuffer(response(status, bodyBytes, true));
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-server", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (kind == Kind.OK) {
                            ch.pipeline().addLast(new HttpRequestDecoder(), new Answer());
                        } else {
                            ch.pipeline().addLast(new Misbehave());
                        }
                    }
                });
        server = b.bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** Answers every request with {@code status} and a body of {@code bodyBytes} bytes. */
    public static TestServer ok(int status, int bodyBytes) {
        return new TestServer(Kind.OK, status, bodyBytes, 0, 0);
    }

    /** Answers 200 with {@code bodyBytes}, except request number {@code n} (1-based), answered after a stall. */
    public static TestServer stallingOnce(int bodyBytes, long n, long stallMillis) {
        return new TestServer(Kind.OK, 200, bodyBytes, n, stallMillis);
    }

    /** Misbehaves as {@code kind} says. */
    public static TestServer broken(Kind kind) {
        return new TestServer(kind, 200, 0, 0, 0);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** How many requests carried each Host header. */
    public Map<String, Long> hosts() {
        Map<String, Long> m = new TreeMap<>();
        hosts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Requests that named another Host than the first request on their connection. */
    public long mixedHostRequests() {
        return mixedConnections.sum();
    }

    public long connections() {
        return connections.get();
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static ByteBuf response(int status, int bodyBytes, boolean close) {
        String head = "HTTP/1.1 " + status + " Test\r\nContent-Length: " + bodyBytes + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = Unpooled.directBuffer(h.length + bodyBytes);
        buf.writeBytes(h);
        for (int i = 0; i < bodyBytes; i++) {
            buf.writeByte('a' + i % 26);
        }
        return buf;
    }

    /** Answers well-formed requests, holding back all responses of a connection while one is stalled. */
    private final class Answer extends ChannelInboundHandlerAdapter {
        private boolean close;
        private String firstHost;
        private boolean stalled;
        private int heldBack;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    String host = r.headers().get(HttpHeaderNames.HOST, "");
                    hosts.computeIfAbsent(host, k -> new LongAdder()).increment();
                    if (firstHost == null) {
                        firstHost = host;
                    } else if (!firstHost.equals(host)) {
                        mixedConnections.increment();
                    }
                    close = !HttpUtil.isKeepAlive(r);
                }
                if (msg instanceof LastHttpContent) {
                    long n = requests.incrementAndGet();
                    if (n == stallRequest) {
                        stalled = true;
                        heldBack++;
                        ctx.executor().schedule(() -> release(ctx), stallMillis, TimeUnit.MILLISECONDS);
                    } else if (stalled) {
                        heldBack++;
                    } else {
                        answer(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void release(ChannelHandlerContext ctx) {
            stalled = false;
            for (; heldBack > 0; heldBack--) {
                answer(ctx);
            }
        }

        private void answer(ChannelHandlerContext ctx) {
            if (close) {
                ctx.writeAndFlush(closeResponse.duplicate()).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(keepAliveResponse.duplicate());
            }
        }
    }

    private final class Misbehave extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (kind == Kind.CLOSE_AT_ONCE) {
                ctx.close();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            requests.incrementAndGet();
            if (kind == Kind.GARBAGE) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("this is not http\r\n\r\n", StandardCharsets.US_ASCII));
            }
        }
    }
}
