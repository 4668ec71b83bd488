package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ForwardTest {
    @Test
    void parsesTcpAndUdpForwards() {
        assertEquals(new Forward(Forward.Protocol.TCP, 8007, "vm-1", 7), Forward.parse("tcp:8007:vm-1:7"));
        assertEquals(new Forward(Forward.Protocol.UDP, 0, "echo", 7), Forward.parse("UDP:0:echo:7"));
        assertEquals("udp:9:vm-2:7", Forward.parse("udp:9:vm-2:7").toString());
    }

    @Test
    void refusesBadForwardsWithAMessage() {
        assertTrue(message("tcp:80:vm-1").contains("tcp|udp:HOSTPORT:VM:GUESTPORT"));
        assertTrue(message("sctp:80:vm-1:80").contains("tcp or udp"));
        assertTrue(message("tcp:http:vm-1:80").contains("'http' is not a port number"));
        assertTrue(message("tcp:80:vm-1:0").contains("1..65535"));
        assertTrue(message("tcp:70000:vm-1:80").contains("1..65535"));
        assertTrue(message("tcp:80: :80").contains("needs a VM"));
    }

    private static String message(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Forward.parse(spec)).getMessage();
    }
}
