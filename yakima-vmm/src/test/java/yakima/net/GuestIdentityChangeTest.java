package yakima.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import denali.isa.loader.ElfImage;
import denali.isa.loader.ElfSymbol;
import denali.isa.spec.DenaliAbi;
import yakima.gateway.tcp.EndpointCounter;
import yakima.gateway.tcp.GatewayEndpoint;
import yakima.gateway.tcp.GuestConnection;
import yakima.gateway.tcp.GuestConnection.CloseReason;
import yakima.gateway.tcp.TcpConfig;
import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.host.Host;
import yakima.vm.ImageResolver;
import yakima.vm.TestGuests;
import yakima.vm.VirtualRegisters;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * A VM whose network identity changes under it, as a VM cloned from a
 * template's snapshot will see it: it wakes with the template's memory (and so
 * Ilwaco's copy of the template's addresses) while the VMM has written the
 * clone's own MAC and IPv4 address into its virtual registers and given it a
 * NIC with them. Ilwaco must take the new identity up before it handles its
 * next frame (ilwaco-guestos/net/netif.c, {@code net_identity_check}).
 *
 * <p>Here one VM plays both parts: it boots, works a little and goes idle as
 * the template; then the test does to it what the VMM does to a clone
 * ({@link #becomeClone}) and plays the LAN around it: a TCP and UDP peer (the
 * gateway's endpoint) and a raw port that sends ARP requests and stray
 * datagrams by hand. What the guest counted is read from its memory. The host
 * is turned by hand with a fake clock, 1 ms a turn; nothing sleeps.
 */
class GuestIdentityChangeTest {
    private static final int GUEST_MEM = 1 << 20;
    private static final long MS = HandTurnedHost.MS;
    private static final Path NET_H = Path.of("..", "ilwaco-guestos", "include", "ilwaco", "net.h");

    /** vm-1 as the host made it: the template's identity. */
    private static final int OLD_IP = Host.GATEWAY_IPV4 + 1;
    /** The clone's identity: another VM's addresses, as the VMM would hand out. */
    private static final long NEW_MAC = 0x02_00_00_00_00_4DL;
    private static final int NEW_IP = Ipv4Address.parse("10.0.0.77");

    private static final MacAddress PROBE_MAC = MacAddress.parse("02:00:00:00:0c:c0");
    private static final int PROBE_IP = Ipv4Address.parse("10.0.0.200");

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    /** The VM under test: the template, then the clone. */
    private Vm vm;
    private GatewayEndpoint ep;
    /** A raw port on the LAN: the test reads and writes its frames itself. */
    private VirtualNic probe;
    private final List<byte[]> probeReceived = new ArrayList<>();

    @Test
    void aVmWhoseRegistersGetANewIdentityAnswersArpAndServesHttpThereAndNoLongerAsItsOldSelf() throws Exception {
        boot("httpd");
        run(() -> hand.output().contains("httpd: listening on port 80"), 2_000);
        // the template at work: one request served on a keep-alive connection left open
        Client before = new Client();
        GuestConnection old = ep.connect(OLD_IP, 80, before);
        assertNotNull(old);
        get(old, "/");
        run(() -> before.response() != null, 10_000);
        assertEquals(200, before.response()[0]);
        settle();
        assertEquals(1, guestStat("tcp_conns_open"), "the template holds the client's connection");
        assertEquals(0, guestStat("identity_changes"));

        VirtualNic nic = becomeClone(NEW_MAC, NEW_IP);

        // the first frame the clone gets: answered, so the new identity was taken before it was handled
        probe.send(TestFrames.arpRequest(probe, NEW_IP), EthernetFrame.ARP_LENGTH);
        run(() -> !probeReceived.isEmpty(), 100);
        byte[] reply = probeReceived.remove(0);
        assertEquals(EthernetFrame.ETHERTYPE_ARP, EthernetFrame.etherType(reply));
        assertEquals(EthernetFrame.ARP_REPLY, EthernetFrame.arpOperation(reply));
        assertEquals(NEW_MAC, EthernetFrame.arpSenderMac(reply), "the reply gives the new MAC");
        assertEquals(NEW_IP, EthernetFrame.arpSenderIp(reply));
        assertEquals(PROBE_MAC.bits(), EthernetFrame.destinationMac(reply));
        assertEquals(1, guestStat("identity_changes"));
        // the template's connection cannot go on from the clone: it is gone, silently
        assertEquals(0, guestStat("tcp_conns_open"));

        // a new client reaches httpd on the new address
        Client after = new Client();
        GuestConnection fresh = ep.connect(NEW_IP, 80, after);
        assertNotNull(fresh);
        get(fresh, "/");
        run(() -> after.response() != null, 10_000);
        int[] response = after.response();
        assertEquals(200, response[0], after.text());
        assertTrue(after.text().substring(response[1]).startsWith("<!DOCTYPE html>"), after.text());
        assertNull(after.closed, "the connection on the new address stays open");

        // a datagram for the old address is not the clone's: a ping to it inside a broadcast frame (the one way
        // this switch delivers a frame for an address nobody holds) is counted and not answered
        int notForUs = guestStat("rx_not_for_us");
        int echoIn = guestStat("icmp_echo_in");
        byte[] ping = icmpEcho(MacAddress.BROADCAST, PROBE_MAC, PROBE_IP, OLD_IP);
        probe.send(ping, ping.length);
        for (int i = 0; i < 50; i++) {
            turn();
        }
        assertEquals(notForUs + 1, guestStat("rx_not_for_us"));
        assertEquals(echoIn, guestStat("icmp_echo_in"));
        assertTrue(probeReceived.isEmpty(), "no answer to the old address");

        // and the clone never once spoke as the template (no RST for the old connection, no ARP from the old
        // address): the switch would have refused any such frame at ingress and counted it
        assertEquals(0, nic.counter(NicCounter.TX_REFUSED_BY_SWITCH));
        assertNull(before.closed, "nothing reached the old connection's client");
        assertEquals(VmState.IDLE, vm.state());
    }

    @Test
    void aClonesFirstConnectionFromTheGatewayNeedsNoArpEitherWay() throws Exception {
        // the gateway as the host runs it: VM addresses resolved from the host's own plan, never asked for
        boot("httpd");
        ep.setStaticNeighbours(yakima.vm.VmAddresses::macOfIpv4);
        run(() -> hand.output().contains("httpd: listening on port 80"), 2_000);
        settle();
        int cloneId = 76; // addresses from the host's plan, as the static neighbours assume
        VirtualNic nic = becomeClone(yakima.vm.VmAddresses.mac(cloneId), yakima.vm.VmAddresses.ipv4(cloneId));
        List<Integer> etherTypes = new ArrayList<>();
        hand.host().lan().setTap(frame -> etherTypes.add(EthernetFrame.etherType(frame)));

        Client client = new Client();
        GuestConnection c = ep.connect(yakima.vm.VmAddresses.ipv4(cloneId), 80, client);
        assertNotNull(c);
        get(c, "/");
        run(() -> client.response() != null, 10_000);
        assertEquals(200, client.response()[0], client.text());

        // the SYN went straight to the clone's MAC, and the clone answered the gateway from the SYN's source MAC
        assertEquals(0, ep.counter(EndpointCounter.ARP_REQUESTS_SENT));
        assertEquals(0, guestStat("arp_requests"));
        assertEquals(1, guestStat("arp_gleaned"));
        assertTrue(etherTypes.size() >= 4 && !etherTypes.contains(EthernetFrame.ETHERTYPE_ARP),
                "no ARP frame crossed the LAN: " + etherTypes);
        assertEquals(0, nic.counter(NicCounter.TX_REFUSED_BY_SWITCH));
    }

    @Test
    void aProgramThatSendsBeforeAnyFrameHasWokenTheStackSendsFromTheNewAddress() throws Exception {
        // udp-ticker sends a datagram to 10.0.0.1:9 every second, woken by a kernel timer, not by the network
        List<String> ticks = new ArrayList<>();
        boot(TestGuests.build("udp-ticker").toString());
        ep.bindUdp(9, (ip, port, data, offset, length) ->
                ticks.add(Ipv4Address.format(ip) + " " + new String(data, offset, length, StandardCharsets.US_ASCII)));
        run(() -> ticks.contains("10.0.0.2 tick 1"), 2_000);
        settle();
        assertEquals(VmState.IDLE, vm.state(), "asleep until the next tick");

        VirtualNic nic = becomeClone(NEW_MAC, NEW_IP);
        run(() -> ticks.size() == 2, 2_000);

        // the tick was sent by the program's own thread, netd never woke in between: the socket call itself took
        // the new identity up (and asked ARP again for 10.0.0.1 with it)
        assertEquals("10.0.0.77 tick 2", ticks.get(1));
        assertTrue(hand.output().contains("tick 2 sent, local address 10.0.0.77\n"), hand.output());
        assertEquals(0, nic.counter(NicCounter.TX_REFUSED_BY_SWITCH), "nothing left with the old addresses");
        assertEquals(1, guestStat("identity_changes"));
    }

    // ---------------------------------------------------------------- the host, the VM, the LAN

    /** Creates the host, the VM (vm-1) from {@code image} and the LAN around it; nothing has run yet. */
    private void boot(String image) throws Exception {
        hand.start();
        vm = hand.create(image, GUEST_MEM, null); // vm-1
        VirtualNic gw = new VirtualNic(MacAddress.parse("02:00:00:00:00:00"), Host.GATEWAY_IPV4, 256, 256, RxListener.NONE);
        hand.host().lan().attach(gw);
        ep = new GatewayEndpoint(gw, hand::nowNs, TcpConfig.defaults());
        probe = new VirtualNic(PROBE_MAC, PROBE_IP, 16, 16, RxListener.NONE);
        hand.host().lan().attach(probe);
    }

    /**
     * What the VMM does to a clone before it first runs: the clone's MAC and
     * IPv4 address into its virtual registers, and a NIC of its own with the
     * same addresses on the switch (the switch lets a port send only from its
     * own addresses). The VM is idle and stays so: nothing tells Ilwaco.
     */
    private VirtualNic becomeClone(long mac, int ipv4) {
        assertEquals(VmState.IDLE, vm.state());
        hand.host().lan().detach(vm.nic());
        VirtualRegisters.setNetwork(vm.memory(), mac, ipv4);
        Vm clone = vm;
        VirtualNic nic = new VirtualNic(new MacAddress(mac), ipv4, 256, 256,
                n -> hand.host().scheduler().raise(clone, DenaliAbi.INT_NIC_RX));
        hand.host().lan().attach(nic);
        vm.attachNic(nic);
        return nic;
    }

    /** One turn: the guest, the switch, then the endpoint and the probe; the clock moves 1 ms. */
    private void turn() {
        hand.turn(MS);
        ep.receive(1024);
        ep.runTimers();
        for (byte[] f = probe.receive(); f != null; f = probe.receive()) {
            probeReceived.add(f);
        }
    }

    private void run(BooleanSupplier done, int maxTurns) {
        for (int t = 0; t < maxTurns; t++) {
            if (done.getAsBoolean()) {
                return;
            }
            turn();
        }
        throw new AssertionError(String.format(Locale.ROOT, "not done after %,d turns; the VM %s; console:%n%s",
                maxTurns, vm.state().label(), hand.output()));
    }

    /** Turns until the VM is idle, and a few more so that netd and the program are back in their waits. */
    private void settle() {
        run(() -> vm.state() == VmState.IDLE, 1_000);
        for (int i = 0; i < 10; i++) {
            turn();
        }
    }

    // ---------------------------------------------------------------- what the guest counted

    /**
     * The field {@code name} of the guest's {@code struct net_stats}
     * ({@code ilwaco/net.h}: uint32_t fields only), read from its memory at the
     * symbol {@code net_stats}.
     */
    private int guestStat(String name) throws Exception {
        int index = statFields().indexOf(name);
        assertTrue(index >= 0, "no field " + name + " in struct net_stats: " + statFields());
        ElfImage image = ElfImage.parse(new ImageResolver().resolve(vm.imageName()).bytes(), GUEST_MEM);
        for (ElfSymbol s : image.symbols()) {
            if (s.name().equals("net_stats")) {
                return vm.memory().read32(s.address() + 4 * index);
            }
        }
        throw new AssertionError(vm.imageName() + " has no symbol net_stats");
    }

    private static List<String> statFields() throws IOException {
        String header = Files.readString(NET_H).replaceAll("(?s)/\\*.*?\\*/", "");
        Matcher body = Pattern.compile("(?s)struct net_stats \\{(.*?)\\};").matcher(header);
        assertTrue(body.find(), "no struct net_stats in " + NET_H);
        List<String> fields = new ArrayList<>();
        for (String decl : body.group(1).split(";")) {
            decl = decl.strip();
            if (decl.isEmpty()) {
                continue;
            }
            assertTrue(decl.startsWith("uint32_t "), "not a uint32_t field: " + decl);
            for (String field : decl.substring("uint32_t ".length()).split(",")) {
                fields.add(field.strip());
            }
        }
        return fields;
    }

    // ---------------------------------------------------------------- frames and HTTP

    /** An ICMP echo request of 8 bytes of data, both checksums right. */
    private static byte[] icmpEcho(MacAddress destination, MacAddress source, int sourceIp, int destinationIp) {
        int ip = EthernetFrame.HEADER_LENGTH;
        byte[] f = new byte[ip + 20 + 16];
        destination.writeTo(f, EthernetFrame.DESTINATION_MAC_OFFSET);
        source.writeTo(f, EthernetFrame.SOURCE_MAC_OFFSET);
        f[12] = 0x08;
        f[14] = 0x45;
        f[ip + 3] = 36;                                   // total length
        f[ip + 8] = 64;                                   // TTL
        f[ip + 9] = 1;                                    // ICMP
        Ipv4Address.writeTo(f, EthernetFrame.IPV4_SOURCE_OFFSET, sourceIp);
        Ipv4Address.writeTo(f, EthernetFrame.IPV4_DESTINATION_OFFSET, destinationIp);
        putChecksum(f, ip, 20, ip + 10);
        int icmp = ip + 20;
        f[icmp] = 8;                                      // echo request
        f[icmp + 5] = 1;                                  // identifier 1, sequence 1
        f[icmp + 7] = 1;
        for (int i = 8; i < 16; i++) {
            f[icmp + i] = (byte) i;
        }
        putChecksum(f, icmp, 16, icmp + 2);
        return f;
    }

    /** The Internet checksum of {@code f[from..from+length)} into {@code f[at..at+2)}. */
    private static void putChecksum(byte[] f, int from, int length, int at) {
        int sum = 0;
        for (int i = from; i < from + length; i += 2) {
            sum += (f[i] & 0xFF) << 8 | f[i + 1] & 0xFF;
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        f[at] = (byte) (~sum >>> 8);
        f[at + 1] = (byte) ~sum;
    }

    private static void get(GuestConnection c, String path) {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: guest\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        assertEquals(request.length, c.send(request, 0, request.length));
    }

    /** A client that keeps what it receives and reads one HTTP response out of it. */
    private static final class Client implements GuestConnection.Handler {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CloseReason closed;

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }

        /** [status, body start, body length] once the whole response is here, else null. */
        int[] response() {
            String text = text();
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return null;
            }
            Matcher length = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(text.substring(0, headEnd));
            if (!length.find()) {
                return null;
            }
            int bodyLength = Integer.parseInt(length.group(1));
            if (text.length() - (headEnd + 4) < bodyLength) {
                return null;
            }
            return new int[] {Integer.parseInt(text.substring(9, 12)), headEnd + 4, bodyLength};
        }

        @Override
        public void connected(GuestConnection c) {
        }

        @Override
        public void received(GuestConnection c, byte[] data, int offset, int length) {
            bytes.write(data, offset, length);
            c.consumed(length);
        }

        @Override
        public void sendSpace(GuestConnection c) {
        }

        @Override
        public void peerClosed(GuestConnection c) {
        }

        @Override
        public void closed(GuestConnection c, CloseReason reason) {
            closed = reason;
        }
    }
}
