package yakima.gateway;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import yakima.gateway.tcp.GuestConnection;
import yakima.vm.HostedVm;

/**
 * Joins one client's host socket to one {@link GuestConnection}: bytes from the
 * client go into the guest connection, bytes from the guest go out on the
 * socket. Used by the front door once it has picked the VM, and by TCP forwards
 * from the start. Gateway loop only.
 *
 * <h2>Back-pressure, both ways</h2>
 * <ul>
 *   <li>Client to guest: bytes the guest connection cannot take yet (its send
 *       buffer is full because the guest's window is closed, or the VM's
 *       ingress buckets are empty) wait here, and the socket stops reading
 *       (auto-read off) until {@link #sendSpace} or the bucket refills.</li>
 *   <li>Guest to client: bytes written to the socket count against the guest
 *       connection's receive window until the socket has actually sent them
 *       ({@link GuestConnection#consumed} runs in the write's listener); a client
 *       that does not read keeps the guest's window closed, and is dropped after
 *       the write-stall timeout.</li>
 * </ul>
 *
 * <h2>Closing</h2>
 * The client's FIN (input shut down) becomes the guest connection's FIN once
 * the bytes before it are in; the guest's FIN shuts the socket's output down.
 * When both have happened the socket closes. A client that goes away, idles
 * past the idle timeout or stalls its reads aborts the guest connection (RST);
 * a guest that resets the connection closes the socket with RST too
 * ({@code SO_LINGER} 0). The front door answers 502 or 504 instead when the
 * guest connection failed before any response byte.
 */
final class GuestSplice extends ChannelInboundHandlerAdapter implements GuestConnection.Handler {
    private final Gateway gateway;
    private final Channel channel;
    private final HostedVm vm;
    private final VmIngress ingress;
    /** True for the front door (HTTP error pages), false for a plain TCP forward. */
    private final boolean http;
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private final byte[] scratch = new byte[16 * 1024];
    private GuestConnection connection;
    private boolean connected;
    private boolean responseStarted;
    private boolean clientInputShut;
    private boolean guestFinSent;
    private boolean guestFinReceived;
    private boolean guestGone;
    private boolean finished;
    private boolean flushQueued;
    private ScheduledFuture<?> refill;
    private ScheduledFuture<?> stall;

    GuestSplice(Gateway gateway, Channel channel, HostedVm vm, VmIngress ingress, boolean http) {
        this.gateway = gateway;
        this.channel = channel;
        this.vm = vm;
        this.ingress = ingress;
        this.http = http;
    }

    /** The guest side is open: from now on the splice owns the slot and the connection. */
    void start(GuestConnection c, ByteBuf firstBytes) {
        this.connection = c;
        if (firstBytes != null && firstBytes.isReadable()) {
            pending.add(firstBytes);
        } else if (firstBytes != null) {
            firstBytes.release();
        }
        pump();
    }

    // ---------------------------------------------------------------- client side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (finished || clientInputShut) {
            buf.release();
            return;
        }
        pending.add(buf);
        pump();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientInputShut = true;
            pump();
            closeIfDone();
        } else if (evt instanceof IdleStateEvent) {
            gateway.count(GatewayCounter.IDLE_TIMEOUTS);
            abortBoth();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!channel.isWritable()) {
            if (stall == null) {
                stall = gateway.loop().schedule(this::stalled, gateway.config().writeStallTimeoutMs(), TimeUnit.MILLISECONDS);
            }
        } else if (stall != null) {
            stall.cancel(false);
            stall = null;
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void stalled() {
        stall = null;
        if (!finished && !channel.isWritable()) {
            gateway.count(GatewayCounter.WRITE_STALL_TIMEOUTS);
            abortBoth();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish();
        if (connection != null && !guestGone && !(guestFinSent && guestFinReceived)) {
            guestGone = true;
            connection.abort(); // the client went away before the exchange ended
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        abortBoth(); // a reset or I/O error on the client's socket
    }

    // Moves waiting client bytes into the guest connection as far as its buffer and the VM's buckets allow.
    private void pump() {
        if (connection == null || guestGone || finished) {
            return;
        }
        long now = System.nanoTime();
        while (!pending.isEmpty()) {
            ByteBuf head = pending.peekFirst();
            int want = Math.min(Math.min(head.readableBytes(), connection.sendSpace()), scratch.length);
            if (want == 0) {
                break; // sendSpace() will call back
            }
            int granted = ingress.grantStream(want, now);
            if (granted == 0) {
                waitForTokens(now);
                break;
            }
            head.getBytes(head.readerIndex(), scratch, 0, granted);
            int taken = connection.send(scratch, 0, granted);
            head.skipBytes(taken);
            gateway.count(GatewayCounter.BYTES_TO_VMS, taken);
            ingress.count(VmIngress.Counter.BYTES_IN, taken);
            if (!head.isReadable()) {
                pending.pollFirst().release();
            }
            if (taken < granted) {
                break;
            }
        }
        if (pending.isEmpty() && clientInputShut && !guestFinSent) {
            guestFinSent = true;
            connection.close();
        }
        channel.config().setAutoRead(pending.isEmpty() && !clientInputShut);
    }

    private void waitForTokens(long now) {
        if (refill == null) {
            gateway.count(GatewayCounter.RATE_LIMITED_PAUSES);
            ingress.count(VmIngress.Counter.RATE_LIMITED_PAUSES, 1);
            long ns = Math.max(ingress.nanosUntilGrant(now), TimeUnit.MILLISECONDS.toNanos(1));
            refill = gateway.loop().schedule(() -> {
                refill = null;
                pump();
            }, ns, TimeUnit.NANOSECONDS);
        }
    }

    // ---------------------------------------------------------------- guest side (GuestConnection.Handler)

    @Override
    public void connected(GuestConnection c) {
        connected = true;
        gateway.count(GatewayCounter.CONNECTIONS_SPLICED);
    }

    @Override
    public void received(GuestConnection c, byte[] data, int offset, int length) {
        if (finished) {
            c.consumed(length);
            return;
        }
        responseStarted = true;
        gateway.count(GatewayCounter.BYTES_FROM_VMS, length);
        ingress.count(VmIngress.Counter.BYTES_OUT, length);
        channel.write(channel.alloc().buffer(length).writeBytes(data, offset, length)).addListener(f -> {
            if (!guestGone) {
                c.consumed(length); // on the socket now: the guest's window may open again
            }
        });
        if (!flushQueued) {
            flushQueued = true;
            gateway.flushLater(this);
        }
    }

    /** Flushes what {@link #received} wrote; the gateway calls it once per batch of frames. */
    void flush() {
        flushQueued = false;
        channel.flush();
    }

    @Override
    public void sendSpace(GuestConnection c) {
        pump();
    }

    @Override
    public void peerClosed(GuestConnection c) {
        guestFinReceived = true;
        if (channel instanceof DuplexChannel d) {
            channel.flush();
            d.shutdownOutput();
        }
        closeIfDone();
    }

    @Override
    public void closed(GuestConnection c, GuestConnection.CloseReason reason) {
        guestGone = true;
        if (finished || reason == GuestConnection.CloseReason.ABORTED) {
            return; // this side aborted it, and is ending the client's side itself
        }
        if (reason == GuestConnection.CloseReason.DONE) {
            closeAfterFlush(); // both FINs are through: nothing more can pass
            return;
        }
        boolean beforeAnswer = !connected || !responseStarted;
        if (http && beforeAnswer && reason != GuestConnection.CloseReason.ABORTED) {
            ByteBuf page;
            if (reason == GuestConnection.CloseReason.TIMEOUT && !connected) {
                gateway.count(GatewayCounter.HTTP_504_VM_TIMEOUT);
                page = GatewayReplies.vmTimeout(vm.idString());
            } else {
                gateway.count(GatewayCounter.HTTP_502_VM_DOWN);
                page = GatewayReplies.vmDown(vm.idString(), connected ? "reset the connection"
                        : "refused the connection on port 80");
            }
            channel.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
            finish();
            return;
        }
        if (!connected) {
            gateway.count(GatewayCounter.FORWARD_VM_UNREACHABLE);
        } else {
            gateway.count(GatewayCounter.GUEST_RESETS);
        }
        resetClient();
    }

    // ---------------------------------------------------------------- endings

    private void closeIfDone() {
        if (!finished && clientInputShut && guestFinReceived && pending.isEmpty()) {
            closeAfterFlush();
        }
    }

    // Closes the client's socket once what was written to it has gone.
    private void closeAfterFlush() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        finish();
    }

    // Ends both sides at once: RST to the guest and to the client.
    private void abortBoth() {
        if (!guestGone && connection != null) {
            guestGone = true;
            connection.abort();
        }
        resetClient();
    }

    private void resetClient() {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
        finish();
    }

    // Gives back the slots and timers once; the socket is closed or closing.
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (refill != null) {
            refill.cancel(false);
        }
        if (stall != null) {
            stall.cancel(false);
        }
        ByteBuf b;
        while ((b = pending.pollFirst()) != null) {
            b.release();
        }
        ingress.closeConnection();
        gateway.closeConnection();
    }
}
