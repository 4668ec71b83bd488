package yakima.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;
import yakima.gateway.Forward;
import yakima.gateway.GatewayConfig;

/**
 * The gateway's options of {@code yakima host} (a picocli mixin): the HTTP
 * front door, port forwards, where they listen, and the limits. With neither
 * {@code --http-port} nor {@code --forward} there is no gateway.
 */
final class GatewayOptions {
    @Option(names = "--http-port", paramLabel = "PORT",
            description = "open the HTTP front door on PORT: the Host header (vm-N.SUFFIX, or just vm-N) picks the VM, whose port 80 answers")
    Integer httpPort;

    @Option(names = "--forward", paramLabel = "SPEC",
            description = "forward a host port to a VM's port, like QEMU's hostfwd: tcp:HOSTPORT:VM:GUESTPORT or udp:HOSTPORT:VM:GUESTPORT (repeatable)")
    List<String> forwards = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "the address the front door and forwards listen on (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--host-suffix", paramLabel = "DOMAIN", defaultValue = "denali",
            description = "the domain of the front door's host names: vm-42.DOMAIN (default: ${DEFAULT-VALUE})")
    String hostSuffix;

    @Option(names = "--max-connections", paramLabel = "N", description = "client connections the gateway holds at once (default: 16384)")
    Integer maxConnections;

    @Option(names = "--max-connections-per-vm", paramLabel = "N", description = "client connections one VM may have at once (default: 256)")
    Integer maxConnectionsPerVm;

    @Option(names = "--vm-ingress-rate", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "bytes a second each VM may receive through the gateway, 0 for unlimited (default: 64m)")
    Long vmBytesPerSecond;

    @Option(names = "--vm-ingress-frames", paramLabel = "N",
            description = "frames a second each VM may receive through the gateway, 0 for unlimited (default: 50000)")
    Long vmFramesPerSecond;

    /** True if the user asked for a gateway at all. */
    boolean wanted() {
        return httpPort != null || !forwards.isEmpty();
    }

    /**
     * The configuration these options give.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    GatewayConfig config() {
        InetAddress address;
        try {
            address = InetAddress.getByName(listen);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen: unknown address " + listen);
        }
        List<Forward> parsed = new ArrayList<>();
        for (String f : forwards) {
            parsed.add(Forward.parse(f));
        }
        if (httpPort != null && (httpPort < 0 || httpPort > 65535)) {
            throw new IllegalArgumentException("--http-port must be 0..65535, not " + httpPort);
        }
        GatewayConfig c = GatewayConfig.defaults().withListenAddress(address).withHostSuffix(hostSuffix)
                .withForwards(parsed).withHttpPort(httpPort == null ? -1 : httpPort);
        if (maxConnections != null || maxConnectionsPerVm != null) {
            c = c.withConnectionLimits(maxConnections == null ? c.maxConnections() : maxConnections,
                    maxConnectionsPerVm == null ? c.maxConnectionsPerVm() : maxConnectionsPerVm);
        }
        if (vmBytesPerSecond != null || vmFramesPerSecond != null) {
            c = c.withVmRates(vmBytesPerSecond == null ? c.vmBytesPerSecond() : vmBytesPerSecond, c.vmBurstBytes(),
                    vmFramesPerSecond == null ? c.vmFramesPerSecond() : vmFramesPerSecond, c.vmBurstFrames());
        }
        return c;
    }
}
