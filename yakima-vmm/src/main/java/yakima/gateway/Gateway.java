package yakima.gateway;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import yakima.gateway.tcp.EndpointCounter;
import yakima.gateway.tcp.GatewayEndpoint;
import yakima.gateway.tcp.GuestConnection;
import yakima.gateway.tcp.TcpConfig;
import yakima.host.CounterSource;
import yakima.host.Host;
import yakima.host.HostAdminBackend;
import yakima.net.Counters;
import yakima.net.MacAddress;
import yakima.net.VirtualNic;
import yakima.vm.HostedVm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * The gateway: joins the virtual LAN to host sockets, so that real clients
 * (curl, wrk, browsers) reach services in VMs. It is a port on the LAN with its
 * own MAC and the address {@link Host#GATEWAY_IPV4}, and it speaks TCP to guests
 * itself through its {@link GatewayEndpoint} (the way QEMU's user networking
 * and passt do); this class and the handlers beside it splice the bytes of each
 * guest connection onto a host socket.
 *
 * <h2>Ways in</h2>
 * <ul>
 *   <li>The HTTP front door ({@link FrontDoorHandler}): one host port; the
 *       request's {@code Host} header picks the VM, then the connection is
 *       spliced to the VM's port 80 ({@link GuestSplice}).</li>
 *   <li>Port forwards ({@link Forward}): TCP connections ({@link GuestSplice})
 *       and UDP datagrams ({@link UdpForwarder}) to a fixed VM and port.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * One Netty event loop, the <em>gateway loop</em>, owns every host socket, the
 * endpoint and the gateway's NIC (it is the NIC's owner thread), and all the
 * state here that is not a counter. Nothing on it blocks. The switch thread
 * tells it that frames arrived through the NIC's {@link yakima.net.RxListener},
 * which queues one drain task on the loop (a flag keeps it to one at a time);
 * the drain takes frames in batches of {@link #FRAMES_PER_DRAIN} and flushes
 * the host sockets it wrote to once per batch. A tick every
 * {@link #TICK_MS} ms runs the endpoint's timers and sweeps idle UDP flows.
 * Counters may be read from any thread.
 *
 * <h2>Limits</h2>
 * {@link GatewayConfig} bounds the connections in total and per VM, the
 * request head's size and time, idle connections and clients that stop
 * reading, and each VM's ingress rate ({@link VmIngress}). Every refusal and
 * drop is counted ({@link GatewayCounter}).
 */
public final class Gateway implements AutoCloseable, CounterSource {
    /** The gateway's MAC: 02:00:00:00:00:00 (VM ids start at 1, so no VM has it). */
    public static final MacAddress MAC = new MacAddress(0x020000000000L);
    /** Frames one drain task takes from the NIC before letting other tasks run. */
    static final int FRAMES_PER_DRAIN = 512;
    /** The period of the timer tick. */
    static final long TICK_MS = 5;
    /** Frames the gateway's NIC queues each way: it carries every VM's outside traffic. */
    static final int NIC_QUEUE_FRAMES = 8192;
    /** The kernel send buffer of each client socket. */
    static final int CLIENT_SEND_BUFFER = 64 * 1024;
    /** The gateway's UDP ports for the flows of UDP forwards: a range of their own. */
    static final int FIRST_FLOW_PORT = 20_000;
    static final int LAST_FLOW_PORT = 39_999;
    /** How often idle UDP flows are swept. */
    static final long FLOW_SWEEP_NS = 1_000_000_000L;

    private final Host host;
    private final GatewayConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final boolean epoll;
    private final VirtualNic nic;
    private final GatewayEndpoint endpoint;
    private final Counters counters = new Counters(GatewayCounter.values().length);
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final Map<Integer, VmIngress> ingress = new ConcurrentHashMap<>();
    private final List<Channel> listeners = new ArrayList<>();
    private final List<UdpForwarder> udpForwarders = new ArrayList<>();
    private final List<GuestSplice> toFlush = new ArrayList<>();
    private volatile int connections;
    private int httpPort = -1;
    private final Map<Forward, Integer> forwardPorts = new ConcurrentHashMap<>();
    private boolean closed;
    // Loop only: the UDP flow ports.
    private final java.util.BitSet udpPortsInUse = new java.util.BitSet();
    private int nextFlowPort = FIRST_FLOW_PORT;
    private int udpFlows;
    private long lastFlowSweepNs = System.nanoTime();

    private Gateway(Host host, GatewayConfig config) {
        this.host = host;
        this.config = config;
        this.epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("yakima-gateway", true), io);
        this.loop = group.next();
        this.nic = new VirtualNic(MAC, Host.GATEWAY_IPV4, NIC_QUEUE_FRAMES, NIC_QUEUE_FRAMES, n -> queueDrain());
        TcpConfig tcp = config.tcp();
        this.endpoint = new GatewayEndpoint(nic, System::nanoTime, new TcpConfig(tcp.sendBufferBytes(),
                tcp.receiveWindowBytes(), tcp.maxConnections(), tcp.minRtoNs(),
                TimeUnit.MILLISECONDS.toNanos(config.connectTimeoutMs())));
        // the host gives VM n its MAC and IPv4 address together (VmAddresses): no ARP needed for them
        this.endpoint.setStaticNeighbours(VmAddresses::macOfIpv4);
    }

    /**
     * Joins {@code host}'s LAN and opens the front door and the forwards that
     * {@code config} asks for. Its counters are published with the host's.
     *
     * @throws IOException if a port cannot be bound (the message says which); nothing is left open
     */
    public static Gateway start(Host host, GatewayConfig config) throws IOException {
        Gateway gateway = new Gateway(host, config);
        try {
            gateway.open();
        } catch (IOException | RuntimeException e) {
            gateway.close();
            throw e;
        }
        host.publishCounters(gateway);
        return gateway;
    }

    private void open() throws IOException {
        host.lan().attach(nic);
        loop.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        if (config.httpPort() >= 0) {
            Channel ch = bindTcp(config.httpPort(), "the HTTP front door", null);
            httpPort = ((InetSocketAddress) ch.localAddress()).getPort();
        }
        for (Forward f : config.forwards()) {
            Channel ch;
            if (f.protocol() == Forward.Protocol.TCP) {
                ch = bindTcp(f.hostPort(), "forward " + f, f);
            } else {
                UdpForwarder forwarder = new UdpForwarder(this, f);
                ch = bindUdp(f, forwarder);
                udpForwarders.add(forwarder);
            }
            forwardPorts.put(f, ((InetSocketAddress) ch.localAddress()).getPort());
        }
    }

    private Channel bindTcp(int port, String what, Forward forward) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // below the guest connection's receive window, so a client that stops reading makes its
                // channel unwritable (and the write-stall timer starts) before the window closes
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(16 * 1024, 32 * 1024))
                // a fixed kernel send buffer (no autotuning to megabytes), so that a client that reads
                // nothing soon leaves bytes waiting here, where the write-stall timer sees them
                .childOption(ChannelOption.SO_SNDBUF, CLIENT_SEND_BUFFER)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted(ch, forward);
                    }
                });
        return bind(b.bind(config.listenAddress(), port), port, what);
    }

    private Channel bindUdp(Forward f, UdpForwarder forwarder) throws IOException {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(forwarder);
                    }
                });
        return bind(b.bind(config.listenAddress(), f.hostPort()), f.hostPort(), "forward " + f);
    }

    private Channel bind(ChannelFuture future, int port, String what) throws IOException {
        try {
            future.sync();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + what);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            String address = config.listenAddress().getHostAddress() + ":" + port;
            BindException be = new BindException("cannot listen on " + address + " for " + what + ": "
                    + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
            be.initCause(cause);
            throw be;
        }
        Channel ch = future.channel();
        listeners.add(ch);
        return ch;
    }

    // A client connection arrived (on the loop): the front door or a TCP forward takes it.
    private void accepted(SocketChannel ch, Forward forward) {
        count(GatewayCounter.CONNECTIONS_ACCEPTED);
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, config.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        if (forward == null) {
            ch.pipeline().addLast("front-door", new FrontDoorHandler(this));
        } else {
            ch.pipeline().addLast("forward", new TcpForwardHandler(this, forward));
        }
    }

    // ---------------------------------------------------------------- the LAN side, on the loop

    // Switch thread: frames arrived for the gateway. One drain task queued at a time.
    private void queueDrain() {
        if (drainQueued.compareAndSet(false, true)) {
            loop.execute(this::drain);
        }
    }

    private void drain() {
        drainQueued.set(false);
        if (closed) {
            return;
        }
        endpoint.receive(FRAMES_PER_DRAIN);
        flushClients();
        if (nic.rxWaiting() > 0) {
            queueDrain(); // more than one batch: let other tasks run first
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        endpoint.runTimers();
        flushClients();
        long now = System.nanoTime();
        if (now - lastFlowSweepNs >= FLOW_SWEEP_NS) {
            lastFlowSweepNs = now;
            for (UdpForwarder f : udpForwarders) {
                f.expireFlows(now);
            }
        }
    }

    /** A splice wrote to its host socket without flushing; flushed at the end of this batch. Loop only. */
    void flushLater(GuestSplice splice) {
        toFlush.add(splice);
    }

    private void flushClients() {
        for (int i = 0; i < toFlush.size(); i++) {
            toFlush.get(i).flush();
        }
        toFlush.clear();
    }

    // ---------------------------------------------------------------- for the handlers, on the loop

    public GatewayConfig config() {
        return config;
    }

    GatewayEndpoint endpoint() {
        return endpoint;
    }

    EventLoop loop() {
        return loop;
    }

    /** The VM {@code name} names if it can still take connections, else null. */
    HostedVm liveVm(String name) {
        HostedVm vm = host.lookup(name);
        return vm == null || !isLive(vm) ? null : vm;
    }

    HostedVm findVm(String name) {
        return host.lookup(name);
    }

    static boolean isLive(HostedVm vm) {
        VmState s = vm.state();
        return s != VmState.TERMINATED && s != VmState.FAULTED && s != VmState.DESTROYED && !vm.destroyRequested();
    }

    /** The VM's ingress state, made on first use. */
    VmIngress ingress(HostedVm vm) {
        return ingress.computeIfAbsent(vm.id(), id -> new VmIngress(config, System.nanoTime()));
    }

    /**
     * A free gateway UDP port for a new flow of a UDP forward, or -1 when the
     * gateway holds {@link GatewayConfig#maxUdpFlows} flows or no port is free.
     */
    int takeUdpFlowPort() {
        if (udpFlows >= config.maxUdpFlows()) {
            return -1;
        }
        int range = LAST_FLOW_PORT - FIRST_FLOW_PORT + 1;
        for (int i = 0; i < range; i++) {
            int port = nextFlowPort;
            nextFlowPort = port == LAST_FLOW_PORT ? FIRST_FLOW_PORT : port + 1;
            if (!udpPortsInUse.get(port)) {
                udpPortsInUse.set(port);
                udpFlows++;
                return port;
            }
        }
        return -1;
    }

    void releaseUdpFlowPort(int port) {
        if (udpPortsInUse.get(port)) {
            udpPortsInUse.clear(port);
            udpFlows--;
        }
    }

    /** Takes one of the gateway's connection slots; false (counted) at the limit. */
    boolean openConnection() {
        if (connections >= config.maxConnections()) {
            count(GatewayCounter.REFUSED_TOTAL_LIMIT);
            return false;
        }
        connections++;
        return true;
    }

    void closeConnection() {
        connections--;
    }

    /**
     * Opens the guest side of a splice: a slot of the VM's, then a connection
     * from the endpoint. Returns null, with the slot given back and the refusal
     * counted, if either is refused.
     */
    GuestConnection connectGuest(HostedVm vm, VmIngress in, int port, GuestConnection.Handler handler) {
        if (!in.openConnection(config.maxConnectionsPerVm())) {
            count(GatewayCounter.REFUSED_VM_LIMIT);
            return null;
        }
        GuestConnection c = endpoint.connect(vm.ipv4(), port, handler);
        if (c == null) {
            in.closeConnection();
            count(GatewayCounter.ENDPOINT_PORTS_EXHAUSTED);
        }
        return c;
    }

    void count(GatewayCounter c) {
        counters.increment(c.ordinal());
    }

    void count(GatewayCounter c, long n) {
        counters.add(c.ordinal(), n);
    }

    // ---------------------------------------------------------------- any thread

    /** The front door's bound port, or -1 if there is none. */
    public int httpPort() {
        return httpPort;
    }

    /** The host port a forward listens on (useful when it asked for port 0). */
    public int port(Forward forward) {
        Integer p = forwardPorts.get(forward);
        if (p == null) {
            throw new IllegalArgumentException("no such forward: " + forward);
        }
        return p;
    }

    /** A counter's value. Any thread. */
    public long counter(GatewayCounter c) {
        return counters.get(c.ordinal());
    }

    /** The endpoint's counter. Any thread. */
    public long counter(EndpointCounter c) {
        return endpoint.counter(c);
    }

    /** Client connections open now. Any thread. */
    public int connections() {
        return connections;
    }

    /** The gateway's NIC on the LAN. */
    public VirtualNic nic() {
        return nic;
    }

    @Override
    public void hostCounters(Map<String, Long> into) {
        into.put("gatewayConnectionsOpen", (long) connections);
        for (GatewayCounter c : GatewayCounter.values()) {
            into.put(HostAdminBackend.camel("gateway_" + c.name()), counter(c));
        }
        for (EndpointCounter c : EndpointCounter.values()) {
            into.put(HostAdminBackend.camel("gateway_tcp_" + c.name()), endpoint.counter(c));
        }
    }

    @Override
    public void vmCounters(HostedVm vm, Map<String, Long> into) {
        VmIngress in = ingress.get(vm.id());
        if (in != null) {
            for (VmIngress.Counter c : VmIngress.Counter.values()) {
                into.put(HostAdminBackend.camel("gateway_" + c.name()), in.get(c));
            }
        }
    }

    /** Closes every port and client connection, leaves the LAN, and stops the loop. */
    @Override
    public void close() {
        host.publishCounters(null);
        for (Channel ch : listeners) {
            ch.close().awaitUninterruptibly();
        }
        host.lan().detach(nic); // before the loop stops: the switch no longer hands it frames
        try {
            loop.submit(() -> {
                closed = true;
            }).awaitUninterruptibly();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the loop has stopped already
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
