package yakima.vm;

/**
 * The addresses the host gives VM {@code n}: MAC 02:00:00:xx:xx:xx (locally
 * administered; the low 24 bits are n) and IPv4 10.0.0.1 + n, with 10.0.0.1
 * kept for the gateway. Because they follow from the id, a VM that is
 * swapped out needs neither stored, and a frame for it names its id.
 */
public final class VmAddresses {
    /** 10.0.0.1: the gateway's address; VM n is this plus n. */
    public static final int GATEWAY_IPV4 = 0x0A000001;
    private static final long MAC_PREFIX = 0x020000000000L;
    /** Ids the MAC can tell apart. */
    public static final int MAX_ID = 0xFFFFFF;

    private VmAddresses() {
    }

    public static long mac(int id) {
        return MAC_PREFIX | (id & 0xFFFFFFL);
    }

    public static int ipv4(int id) {
        return GATEWAY_IPV4 + id;
    }

    /** The id a VM MAC names, or -1 if it is not a VM's. */
    public static int idOfMac(long mac) {
        return (mac & ~0xFFFFFFL) == MAC_PREFIX && (mac & 0xFFFFFF) != 0 ? (int) (mac & 0xFFFFFF) : -1;
    }

    /** The MAC of the VM whose IPv4 address is {@code ipv4}, or -1 if it is not a VM's address. */
    public static long macOfIpv4(int ipv4) {
        int id = idOfIpv4(ipv4);
        return id < 0 ? -1 : mac(id);
    }

    /** The id a VM's IPv4 address names, or -1 if it is not a VM's. */
    public static int idOfIpv4(int ipv4) {
        long id = Integer.toUnsignedLong(ipv4) - Integer.toUnsignedLong(GATEWAY_IPV4);
        return id >= 1 && id <= MAX_ID ? (int) id : -1;
    }
}
