package yakima.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import yakima.gateway.tcp.GuestConnection;
import yakima.vm.HostedVm;

/**
 * A TCP port forward, for one client connection: as soon as it is accepted,
 * opens a connection to the forward's VM and port and hands over to a
 * {@link GuestSplice}. An unknown or ended VM, or a connection limit, closes
 * the client's connection at once (counted). Gateway loop only.
 */
final class TcpForwardHandler extends ChannelInboundHandlerAdapter {
    private final Gateway gateway;
    private final Forward forward;

    TcpForwardHandler(Gateway gateway, Forward forward) {
        this.gateway = gateway;
        this.forward = forward;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!gateway.openConnection()) {
            ctx.close();
            return;
        }
        HostedVm vm = gateway.liveVm(forward.vm());
        if (vm == null) {
            gateway.count(GatewayCounter.FORWARD_UNKNOWN_VM);
            gateway.closeConnection();
            ctx.close();
            return;
        }
        VmIngress ingress = gateway.ingress(vm);
        GuestSplice splice = new GuestSplice(gateway, ctx.channel(), vm, ingress, false);
        GuestConnection c = gateway.connectGuest(vm, ingress, forward.guestPort(), splice);
        if (c == null) {
            gateway.closeConnection();
            ctx.close();
            return;
        }
        ctx.pipeline().replace(this, "splice", splice);
        splice.start(c, null);
    }
}
