package loadgen.core;

import java.io.IOException;
import java.net.ConnectException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One client connection and the request it carries (at most one: no
 * pipelining). It sits behind Netty's HTTP response decoder, counts body
 * bytes chunk by chunk (nothing is aggregated) and tells its {@link Worker}
 * when the request ends, well or not. Runs on the worker's event loop only.
 */
final class Conn extends ChannelInboundHandlerAdapter {
    private final Worker w;
    private final Channel ch;
    boolean connected;
    /** Closed, or being closed: never used again. */
    boolean dead;
    /** A request is in flight. */
    boolean busy;
    /** In the worker's idle pool (open loop, keep-alive). */
    boolean idle;
    int liveIndex;

    private long intended;
    private long sent;
    long deadline;
    private int status;
    private long body;
    private boolean responseKeepAlive;
    private int service;

    /**
     * The service of this connection's requests. A front door that routes by the Host header (Yakima's)
     * binds a client connection to the VM its first request named, so a kept-alive connection is reused
     * only for requests to the same service, as a browser keeps one pool per host.
     */
    int service() {
        return service;
    }

    private Conn(Worker w, Channel ch) {
        this.w = w;
        this.ch = ch;
    }

    /**
     * Opens a connection to the server for a request intended at {@code intended}, sent now: the request is
     * written once connected. Null if no socket could be had (nothing is counted then).
     */
    static Conn open(Worker w, long intended, long now, int service) {
        Channel ch;
        try {
            ch = w.plan.epoll ? new EpollSocketChannel() : new NioSocketChannel();
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
            ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, w.plan.timeoutNanos / 1_000_000 + 1));
        } catch (RuntimeException e) {
            return null;
        }
        Conn c = new Conn(w, ch);
        ch.pipeline().addLast(new HttpResponseDecoder(), c);
        w.addLive(c);
        // The request first: registering and connecting may complete, or fail, before register() returns.
        c.send(intended, now, service);
        w.loop.register(ch).addListener((ChannelFuture f) -> c.registered(f));
        return c;
    }

    private void registered(ChannelFuture f) {
        if (dead) {
            ch.close();
        } else if (!f.isSuccess()) {
            fail(ErrorKinds.OTHER);
        } else {
            ch.connect(w.plan.remote).addListener((ChannelFuture cf) -> connectDone(cf));
        }
    }

    private void connectDone(ChannelFuture f) {
        if (dead) {
            ch.close();
            return;
        }
        if (f.isSuccess()) {
            connected = true;
            if (busy) {
                write();
            }
            return;
        }
        Throwable cause = f.cause();
        if (cause instanceof ConnectTimeoutException) {
            fail(ErrorKinds.CONNECT_TIMEOUT);
        } else if (cause instanceof ConnectException) {
            fail(ErrorKinds.CONNECT_REFUSED);
        } else {
            fail(ErrorKinds.OTHER);
        }
    }

    /**
     * Starts a request for {@code service} intended at {@code intended}, sent now (written on connect, if
     * still connecting). A kept-alive connection carries requests for one service only ({@link #service}).
     */
    void send(long intended, long now, int service) {
        this.busy = true;
        this.intended = intended;
        this.sent = now;
        this.deadline = now + w.plan.timeoutNanos;
        this.status = 0;
        this.body = 0;
        this.service = service;
        w.inFlight++;
        if (connected) {
            write();
        }
    }

    private void write() {
        ByteBuf buf = ch.alloc().ioBuffer(w.plan.maxRequestBytes);
        w.plan.encode(buf, service, w.digits);
        ch.writeAndFlush(buf, ch.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (dead || w.finished()) {
                return;
            }
            if (!busy) {
                kill(); // a response nobody asked for: the connection is out of step
                return;
            }
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                fail(ErrorKinds.BAD_RESPONSE);
                return;
            }
            if (msg instanceof HttpResponse r) {
                status = r.status().code();
                responseKeepAlive = HttpUtil.isKeepAlive(r);
            }
            if (msg instanceof HttpContent c) {
                body += c.content().readableBytes();
                if (msg instanceof LastHttpContent) {
                    responseEnd();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void responseEnd() {
        if (status >= 100 && status < 200 && status != 101) {
            body = 0; // an interim response (100 Continue): the real one follows
            return;
        }
        long now = System.nanoTime();
        busy = false;
        String kind;
        if (status / 100 != 2) {
            kind = ErrorKinds.http(status);
        } else if (w.plan.spec.expectBytes() >= 0 && body != w.plan.spec.expectBytes()) {
            kind = ErrorKinds.SIZE_MISMATCH;
        } else {
            kind = null;
        }
        boolean reusable = w.plan.spec.keepAlive() && responseKeepAlive && ch.isActive();
        if (!reusable) {
            kill();
        }
        w.complete(this, kind, intended, sent, now, body, reusable);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (busy) {
            fail(ErrorKinds.CLOSED);
        } else {
            kill();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (busy) {
            fail(cause instanceof DecoderException ? ErrorKinds.BAD_RESPONSE
                    : cause instanceof IOException ? ErrorKinds.CLOSED : ErrorKinds.OTHER);
        } else {
            kill();
        }
    }

    /** The request in flight fails with {@code kind}; the connection is closed. */
    void fail(String kind) {
        if (!busy) {
            kill();
            return;
        }
        busy = false;
        kill();
        w.complete(this, kind, intended, sent, System.nanoTime(), 0, false);
    }

    /** Closes the connection for good. */
    void kill() {
        if (!dead) {
            dead = true;
            w.removeLive(this);
            ch.close();
        }
    }
}
