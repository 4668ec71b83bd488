package yakima.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressTest {
    @Test
    void macParsesFormatsAndKnowsItsKind() {
        MacAddress mac = MacAddress.parse("02:00:0A:ff:00:01");
        assertEquals(0x02000AFF0001L, mac.bits());
        assertEquals("02:00:0a:ff:00:01", mac.toString());
        assertTrue(mac.isLocallyAdministered());
        assertFalse(mac.isMulticast());
        assertFalse(mac.isBroadcast());
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("ff:ff:ff:ff:ff:ff"));
        assertTrue(MacAddress.BROADCAST.isBroadcast());
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:01").isMulticast());
        assertFalse(MacAddress.parse("00:1b:21:00:00:01").isLocallyAdministered());
    }

    @Test
    void macWritesAndReadsSixOctetsAtAnOffset() {
        byte[] bytes = new byte[9];
        MacAddress.parse("02:11:22:33:44:55").writeTo(bytes, 2);
        assertArrayEquals(new byte[] {0, 0, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0}, bytes);
        assertEquals(MacAddress.parse("02:11:22:33:44:55"), MacAddress.readFrom(bytes, 2));
        assertEquals(0xFFFF_FFFF_FFFFL, EthernetFrame.readMac(new byte[] {-1, -1, -1, -1, -1, -1}, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "02:00:00:00:00", "02:00:00:00:00:01:", "02-00-00-00-00-01", "02:00:00:00:00:0g",
        "2:00:00:00:00:001", "+2:00:00:00:00:01"})
    void macRefusesText(String text) {
        assertEquals("'" + text + "' is not a MAC address: use six hex octets like 02:00:00:00:00:01",
            assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text)).getMessage());
    }

    @Test
    void macRefusesMoreThan48Bits() {
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> new MacAddress(-1));
    }

    @Test
    void ipv4ParsesFormatsReadsAndWrites() {
        assertEquals(0x0A000002, Ipv4Address.parse("10.0.0.2"));
        assertEquals(0xFFFFFFFF, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals("192.168.100.7", Ipv4Address.format(Ipv4Address.parse("192.168.100.7")));
        assertEquals("255.255.255.255", Ipv4Address.format(-1));
        byte[] bytes = new byte[6];
        Ipv4Address.writeTo(bytes, 1, Ipv4Address.parse("10.1.2.200"));
        assertArrayEquals(new byte[] {0, 10, 1, 2, (byte) 200, 0}, bytes);
        assertEquals(Ipv4Address.parse("10.1.2.200"), Ipv4Address.readFrom(bytes, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.2.1", "10.0.0.256", "10.0.0.-1", "10.0.0.02", "10..0.2", "10.0.0.a",
        "10.0.0.2.", "1000.0.0.1"})
    void ipv4RefusesText(String text) {
        assertEquals("'" + text + "' is not an IPv4 address: use four decimal octets like 10.0.0.2",
            assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(text)).getMessage());
    }

    @Test
    void frameAccessorsReadTheDocumentedOffsets() {
        MacAddress a = MacAddress.parse("02:00:00:00:00:0a");
        MacAddress b = MacAddress.parse("02:00:00:00:00:0b");
        byte[] ip = TestFrames.ipv4(b, a, 0x0A000001, 0x0A000002, 60, 0);
        assertEquals(b.bits(), EthernetFrame.destinationMac(ip));
        assertEquals(a.bits(), EthernetFrame.sourceMac(ip));
        assertEquals(EthernetFrame.ETHERTYPE_IPV4, EthernetFrame.etherType(ip));
        assertEquals(4, EthernetFrame.ipv4Version(ip));
        assertEquals(0x0A000001, EthernetFrame.ipv4Source(ip));
        assertEquals(0x0A000002, EthernetFrame.ipv4Destination(ip));
        assertEquals(0x0A, ip[26]);
        assertEquals(0x01, ip[29]);

        byte[] arp = TestFrames.arp(MacAddress.BROADCAST, EthernetFrame.ARP_REQUEST, a, 0x0A000001,
            new MacAddress(0), 0x0A000002);
        assertEquals(EthernetFrame.ETHERTYPE_ARP, EthernetFrame.etherType(arp));
        assertTrue(EthernetFrame.isArpIpv4OverEthernet(arp));
        assertEquals(EthernetFrame.ARP_REQUEST, EthernetFrame.arpOperation(arp));
        assertEquals(a.bits(), EthernetFrame.arpSenderMac(arp));
        assertEquals(0x0A000001, EthernetFrame.arpSenderIp(arp));
        assertEquals(0x0A000002, EthernetFrame.arpTargetIp(arp));
        assertEquals(0x0A, arp[28]);
        arp[19] = 16;                                     // an IPv6-sized protocol address
        assertFalse(EthernetFrame.isArpIpv4OverEthernet(arp));
    }
}
