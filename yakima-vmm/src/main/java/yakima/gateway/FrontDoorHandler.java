package yakima.gateway;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import yakima.gateway.tcp.GuestConnection;
import yakima.vm.HostedVm;

/**
 * The HTTP front door, for one client connection until it knows the VM: it
 * reads the first request's head (at most {@link GatewayConfig#maxHeaderBytes},
 * within {@link GatewayConfig#headerTimeoutMs}), picks the VM by the
 * {@code Host} header ({@link HttpRequestHead#vmName}), opens a connection to
 * the VM's port 80, and hands over to a {@link GuestSplice}, which passes the
 * head and everything after it through unchanged. The whole client connection
 * then belongs to that VM (keep-alive and pipelining are the VM's business).
 *
 * <p>Answers of its own, each counted, each closing the connection:
 * 400 for a head that is not routable HTTP, 404 for a {@code Host} that names
 * no VM, 408 for a head that is too slow, 431 for one that is too long,
 * 502 for a VM that has ended, 503 over a connection limit. No VM sees
 * any of these requests. Gateway loop only.
 */
final class FrontDoorHandler extends ChannelInboundHandlerAdapter {
    private static final int FIRST_BUFFER = 1024;
    /** How long a refused client's remaining bytes are read and dropped before the connection closes. */
    static final long LINGER_MS = 2_000;

    private final Gateway gateway;
    private byte[] head = new byte[FIRST_BUFFER];
    private int length;
    private ScheduledFuture<?> deadline;
    private boolean holdsSlot;
    private boolean done;

    FrontDoorHandler(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!gateway.openConnection()) {
            reply(ctx, GatewayReplies.overLimit("the gateway is at its limit of "
                    + gateway.config().maxConnections() + " connections"));
            return;
        }
        holdsSlot = true;
        deadline = ctx.executor().schedule(() -> {
            if (!done) {
                gateway.count(GatewayCounter.HTTP_408_HEADER_TIMEOUT);
                reply(ctx, GatewayReplies.headerTimeout());
            }
        }, gateway.config().headerTimeoutMs(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            if (done) {
                return;
            }
            int max = gateway.config().maxHeaderBytes();
            int n = buf.readableBytes();
            if (length + n > head.length) { // grow by doubling up to the limit, and always enough for this read
                head = java.util.Arrays.copyOf(head, Math.max(length + n, Math.min(head.length * 2, max)));
            }
            buf.readBytes(head, length, n);
            length += n;
            HttpRequestHead.Result r = HttpRequestHead.parse(head, Math.min(length, max));
            switch (r) {
                case HttpRequestHead.Incomplete i -> {
                    if (length >= max) {
                        gateway.count(GatewayCounter.HTTP_431_HEADER_TOO_LARGE);
                        reply(ctx, GatewayReplies.headerTooLarge(max));
                    }
                }
                case HttpRequestHead.Malformed m -> {
                    gateway.count(GatewayCounter.HTTP_400_BAD_REQUEST);
                    reply(ctx, GatewayReplies.badRequest(m.reason()));
                }
                case HttpRequestHead.Complete c -> route(ctx, c.head());
            }
        } finally {
            buf.release();
        }
    }

    private void route(ChannelHandlerContext ctx, HttpRequestHead request) {
        String name = HttpRequestHead.vmName(request.host(), gateway.config().hostSuffix());
        HostedVm vm = name == null ? null : gateway.findVm(name);
        if (vm == null) {
            gateway.count(GatewayCounter.HTTP_404_UNKNOWN_VM);
            reply(ctx, GatewayReplies.unknownVm(request.host()));
            return;
        }
        if (!Gateway.isLive(vm)) {
            gateway.count(GatewayCounter.HTTP_502_VM_DOWN);
            reply(ctx, GatewayReplies.vmDown(vm.idString(), "has ended (" + vm.state().label() + ")"));
            return;
        }
        VmIngress ingress = gateway.ingress(vm);
        GuestSplice splice = new GuestSplice(gateway, ctx.channel(), vm, ingress, true);
        GuestConnection c = gateway.connectGuest(vm, ingress, 80, splice);
        if (c == null) {
            reply(ctx, GatewayReplies.overLimit(vm.idString() + " has too many connections"));
            return;
        }
        done = true;
        deadline.cancel(false);
        holdsSlot = false; // the splice gives it back
        ctx.pipeline().replace(this, "splice", splice);
        splice.start(c, Unpooled.wrappedBuffer(head, 0, length));
        head = null;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && done) {
            ctx.close(); // the end of a lingering close
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // the client finished sending before a whole head: nothing to route
            if (length > 0) {
                gateway.count(GatewayCounter.HTTP_400_BAD_REQUEST);
                reply(ctx, GatewayReplies.badRequest("the connection ended inside the request head"));
            } else {
                close(ctx);
            }
        } else if (evt instanceof IdleStateEvent && !done) {
            gateway.count(GatewayCounter.IDLE_TIMEOUTS);
            close(ctx);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        close(ctx);
    }

    /**
     * Sends one of the gateway's pages and ends the connection with a
     * lingering close: FIN after the page, then whatever the client still
     * sends is read and dropped until it closes too or {@link #LINGER_MS}
     * pass. Closing at once with unread bytes would make the kernel send RST,
     * which can destroy the page before the client reads it.
     */
    private void reply(ChannelHandlerContext ctx, ByteBuf page) {
        done = true;
        release();
        ctx.writeAndFlush(page).addListener(f -> {
            if (!f.isSuccess() || !(ctx.channel() instanceof DuplexChannel d)) {
                ctx.close();
                return;
            }
            d.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        });
    }

    private void close(ChannelHandlerContext ctx) {
        done = true;
        ctx.close();
        release();
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (holdsSlot) {
            holdsSlot = false;
            gateway.closeConnection();
        }
    }
}
