package yakima.gateway;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

import yakima.gateway.tcp.TcpConfig;

/**
 * The gateway's settings, validated once.
 *
 * @param listenAddress         where every host port listens (127.0.0.1 unless the user asks)
 * @param httpPort              the HTTP front door's port; -1 for none, 0 for any free one
 * @param hostSuffix            the {@code Host} header's domain: {@code vm-42.SUFFIX} (a bare {@code vm-42} works too)
 * @param forwards              the TCP and UDP port forwards
 * @param maxConnections        client connections the gateway holds at once, over every port
 * @param maxConnectionsPerVm   client connections one VM may have at once
 * @param maxHeaderBytes        the longest request head the front door reads (431 beyond)
 * @param headerTimeoutMs       how long a client may take to send its whole request head (408 after)
 * @param idleTimeoutMs         a connection with no bytes either way for this long is closed
 * @param writeStallTimeoutMs   a client that reads nothing of what is waiting for it for this long is dropped
 * @param connectTimeoutMs      how long the VM may take to accept a connection (504 after)
 * @param vmBytesPerSecond      each VM's ingress byte rate (0: unlimited)
 * @param vmBurstBytes          the byte bucket's depth
 * @param vmFramesPerSecond     each VM's ingress frame rate, counted in segments of at most one MSS (0: unlimited)
 * @param vmBurstFrames         the frame bucket's depth
 * @param maxUdpFlows           client address/port pairs the UDP forwards track at once
 * @param tcp                   the gateway endpoint's TCP settings
 */
public record GatewayConfig(InetAddress listenAddress, int httpPort, String hostSuffix, List<Forward> forwards,
        int maxConnections, int maxConnectionsPerVm, int maxHeaderBytes, long headerTimeoutMs, long idleTimeoutMs,
        long writeStallTimeoutMs, long connectTimeoutMs, long vmBytesPerSecond, long vmBurstBytes,
        long vmFramesPerSecond, long vmBurstFrames, int maxUdpFlows, TcpConfig tcp) {

    public GatewayConfig {
        Objects.requireNonNull(listenAddress, "listenAddress");
        Objects.requireNonNull(hostSuffix, "hostSuffix");
        Objects.requireNonNull(tcp, "tcp");
        forwards = List.copyOf(forwards);
        if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException("the HTTP port must be 0..65535, not " + httpPort);
        }
        if (hostSuffix.startsWith(".") || hostSuffix.contains(":")) {
            throw new IllegalArgumentException("the host suffix is a domain such as 'denali', not '" + hostSuffix + "'");
        }
        if (maxConnections < 1 || maxConnectionsPerVm < 1 || maxUdpFlows < 1) {
            throw new IllegalArgumentException("connection and flow limits must be at least 1");
        }
        if (maxHeaderBytes < 256 || maxHeaderBytes > 1 << 20) {
            throw new IllegalArgumentException("the header limit must be 256 bytes to 1 MiB, not " + maxHeaderBytes);
        }
        if (headerTimeoutMs < 1 || idleTimeoutMs < 1 || writeStallTimeoutMs < 1 || connectTimeoutMs < 1) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (vmBytesPerSecond < 0 || vmFramesPerSecond < 0 || vmBurstBytes < 1 || vmBurstFrames < 1) {
            throw new IllegalArgumentException("rates must be 0 (unlimited) or more, bursts at least 1");
        }
        long httpForwards = forwards.stream().filter(f -> f.protocol() == Forward.Protocol.TCP && f.hostPort() == httpPort && httpPort > 0).count();
        if (httpForwards > 0) {
            throw new IllegalArgumentException("TCP port " + httpPort + " is both the HTTP front door and a forward");
        }
    }

    /**
     * No ports open; on 127.0.0.1, suffix {@code denali}; 16,384 connections,
     * 256 per VM; 8 KiB heads read within 10 s; idle 60 s, write stall 10 s,
     * connect 5 s; each VM 64 MiB/s and 50,000 frames/s in, bursts of 4 MiB and
     * 2,048 frames; 4,096 UDP flows.
     */
    public static GatewayConfig defaults() {
        return new GatewayConfig(InetAddress.getLoopbackAddress(), -1, "denali", List.of(), 16_384, 256, 8192,
                10_000, 60_000, 10_000, 5_000, 64L << 20, 4L << 20, 50_000, 2_048, 4_096, TcpConfig.defaults());
    }

    public GatewayConfig withHttpPort(int port) {
        return new GatewayConfig(listenAddress, port, hostSuffix, forwards, maxConnections, maxConnectionsPerVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    public GatewayConfig withListenAddress(InetAddress address) {
        return new GatewayConfig(address, httpPort, hostSuffix, forwards, maxConnections, maxConnectionsPerVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    public GatewayConfig withHostSuffix(String suffix) {
        return new GatewayConfig(listenAddress, httpPort, suffix, forwards, maxConnections, maxConnectionsPerVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    public GatewayConfig withForwards(List<Forward> list) {
        return new GatewayConfig(listenAddress, httpPort, hostSuffix, list, maxConnections, maxConnectionsPerVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    /** The same with other connection limits. */
    public GatewayConfig withConnectionLimits(int total, int perVm) {
        return new GatewayConfig(listenAddress, httpPort, hostSuffix, forwards, total, perVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    /** The same with other header limits and timeouts (milliseconds). */
    public GatewayConfig withTimeouts(int headerBytes, long headerMs, long idleMs, long writeStallMs, long connectMs) {
        return new GatewayConfig(listenAddress, httpPort, hostSuffix, forwards, maxConnections, maxConnectionsPerVm,
                headerBytes, headerMs, idleMs, writeStallMs, connectMs, vmBytesPerSecond,
                vmBurstBytes, vmFramesPerSecond, vmBurstFrames, maxUdpFlows, tcp);
    }

    /** The same with other per-VM ingress rates (0: unlimited). */
    public GatewayConfig withVmRates(long bytesPerSecond, long burstBytes, long framesPerSecond, long burstFrames) {
        return new GatewayConfig(listenAddress, httpPort, hostSuffix, forwards, maxConnections, maxConnectionsPerVm,
                maxHeaderBytes, headerTimeoutMs, idleTimeoutMs, writeStallTimeoutMs, connectTimeoutMs, bytesPerSecond,
                burstBytes, framesPerSecond, burstFrames, maxUdpFlows, tcp);
    }
}
