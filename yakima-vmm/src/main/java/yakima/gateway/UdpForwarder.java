package yakima.gateway;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import yakima.vm.HostedVm;

/**
 * A UDP port forward: relays datagrams between clients on the host and one
 * VM's port, as datagrams. Each client address is a <em>flow</em> with a
 * gateway UDP port of its own, so the VM's replies find their way back; a flow
 * unused for the idle timeout is forgotten. At most
 * {@link GatewayConfig#maxUdpFlows} flows (over every UDP forward); a datagram
 * for a new flow beyond that is dropped, as are datagrams over the VM's ingress
 * rate and datagrams for an unknown or ended VM (each counted). Gateway loop
 * only.
 */
final class UdpForwarder extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Gateway gateway;
    private final Forward forward;
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
    private final byte[] scratch = new byte[65_536];
    private ChannelHandlerContext ctx;

    private static final class Flow {
        final InetSocketAddress client;
        final int port;
        long lastUsedNs;

        Flow(InetSocketAddress client, int port) {
            this.client = client;
            this.port = port;
        }
    }

    UdpForwarder(Gateway gateway, Forward forward) {
        this.gateway = gateway;
        this.forward = forward;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        this.ctx = ctx;
        long now = System.nanoTime();
        HostedVm vm = gateway.liveVm(forward.vm());
        if (vm == null) {
            gateway.count(GatewayCounter.UDP_DROPPED_UNKNOWN_VM);
            return;
        }
        ByteBuf content = packet.content();
        int length = Math.min(content.readableBytes(), scratch.length);
        VmIngress ingress = gateway.ingress(vm);
        if (!ingress.grantDatagram(length, now)) {
            gateway.count(GatewayCounter.UDP_DROPPED_RATE_LIMIT);
            ingress.count(VmIngress.Counter.UDP_DROPPED_RATE_LIMIT, 1);
            return;
        }
        Flow flow = flows.get(packet.sender());
        if (flow == null) {
            flow = openFlow(packet.sender());
            if (flow == null) {
                gateway.count(GatewayCounter.UDP_DROPPED_FLOWS_FULL);
                return;
            }
        }
        flow.lastUsedNs = now;
        content.getBytes(content.readerIndex(), scratch, 0, length);
        if (gateway.endpoint().sendUdp(flow.port, vm.ipv4(), forward.guestPort(), scratch, 0, length)) {
            gateway.count(GatewayCounter.UDP_DATAGRAMS_TO_VMS);
            ingress.count(VmIngress.Counter.BYTES_IN, length);
        } else {
            gateway.count(GatewayCounter.UDP_DROPPED_SEND_FAILED);
        }
    }

    // A new flow with a free gateway port, or null when the table is full or no port is free.
    private Flow openFlow(InetSocketAddress client) {
        int port = gateway.takeUdpFlowPort();
        if (port < 0) {
            return null;
        }
        Flow flow = new Flow(client, port);
        flows.put(client, flow);
        gateway.endpoint().bindUdp(port, (guestIp, guestPort, data, offset, len) -> reply(flow, data, offset, len));
        return flow;
    }

    // A datagram from the VM to a flow's port: back to that flow's client.
    private void reply(Flow flow, byte[] data, int offset, int length) {
        flow.lastUsedNs = System.nanoTime();
        gateway.count(GatewayCounter.UDP_DATAGRAMS_FROM_VMS);
        if (ctx != null) {
            ctx.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(data, offset, length), flow.client));
        }
    }

    /** Forgets flows idle for the idle timeout. Called by the gateway's tick. */
    void expireFlows(long nowNs) {
        long idleNs = TimeUnit.MILLISECONDS.toNanos(gateway.config().idleTimeoutMs());
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext();) {
            Flow flow = it.next();
            if (nowNs - flow.lastUsedNs > idleNs) {
                it.remove();
                gateway.endpoint().unbindUdp(flow.port);
                gateway.releaseUdpFlowPort(flow.port);
            }
        }
    }
}
