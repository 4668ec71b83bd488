package yakima.gateway;

import java.util.Locale;

/**
 * One port forward, like QEMU's {@code hostfwd}: connections (TCP) or
 * datagrams (UDP) to {@code hostPort} on the gateway's listen address go to
 * {@code guestPort} of the VM named {@code vm} (its id such as {@code vm-3}, or
 * its name), looked up when each connection or flow starts.
 */
public record Forward(Protocol protocol, int hostPort, String vm, int guestPort) {
    public enum Protocol { TCP, UDP }

    public Forward {
        if (hostPort < 0 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("ports must be 1..65535 (host port 0: any free one)");
        }
        if (vm == null || vm.isBlank()) {
            throw new IllegalArgumentException("a forward needs a VM");
        }
    }

    /**
     * Parses {@code tcp:HOSTPORT:VM:GUESTPORT} or {@code udp:HOSTPORT:VM:GUESTPORT}.
     *
     * @throws IllegalArgumentException with a message for the user
     */
    public static Forward parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("a forward is tcp|udp:HOSTPORT:VM:GUESTPORT, not '" + spec + "'");
        }
        Protocol protocol = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw new IllegalArgumentException("a forward's protocol is tcp or udp, not '" + parts[0] + "' in '" + spec + "'");
        };
        return new Forward(protocol, port(parts[1], spec), parts[2], port(parts[3], spec));
    }

    private static int port(String s, String spec) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a port number in '" + spec + "'");
        }
    }

    @Override
    public String toString() {
        return protocol.name().toLowerCase(Locale.ROOT) + ":" + hostPort + ":" + vm + ":" + guestPort;
    }
}
