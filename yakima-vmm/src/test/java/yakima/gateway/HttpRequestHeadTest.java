package yakima.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class HttpRequestHeadTest {
    private static HttpRequestHead.Result parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return HttpRequestHead.parse(b, b.length);
    }

    private static String malformed(String s) {
        return assertInstanceOf(HttpRequestHead.Malformed.class, parse(s)).reason();
    }

    @Test
    void aWholeHeadGivesMethodTargetHostAndItsLength() {
        String head = "GET /small HTTP/1.1\r\nUser-Agent: curl\r\nHost: vm-42.denali:8080\r\nAccept: */*\r\n\r\n";
        HttpRequestHead h = assertInstanceOf(HttpRequestHead.Complete.class, parse(head + "BODY")).head();
        assertEquals("GET", h.method());
        assertEquals("/small", h.target());
        assertEquals("HTTP/1.1", h.version());
        assertEquals("vm-42.denali:8080", h.host());
        assertEquals(head.length(), h.headLength());
    }

    @Test
    void bareLineFeedsAreAccepted() {
        HttpRequestHead h = assertInstanceOf(HttpRequestHead.Complete.class, parse("GET / HTTP/1.0\nhost: a\n\n")).head();
        assertEquals("a", h.host());
        assertEquals(24, h.headLength());
    }

    @Test
    void aHeadWithoutItsEmptyLineIsIncomplete() {
        assertInstanceOf(HttpRequestHead.Incomplete.class, parse("GET / HTTP/1.1\r\nHost: vm-1\r\n"));
        assertInstanceOf(HttpRequestHead.Incomplete.class, parse("GET / HT"));
        assertInstanceOf(HttpRequestHead.Incomplete.class, parse(""));
    }

    @Test
    void aBadRequestLineIsRefusedBeforeTheHeadEnds() {
        assertTrue(malformed("\u0001\u0002garbage\r\n").startsWith("bad"));
        assertTrue(malformed("GET /\r\n").startsWith("bad request line"));
        assertTrue(malformed("GET / HTTP/2.0\r\nHost: x\r\n\r\n").startsWith("unsupported version"));
        assertTrue(malformed("G(T / HTTP/1.1\r\n").startsWith("bad method"));
        assertTrue(malformed("GET /a\u0000b HTTP/1.1\r\n").startsWith("bad request target"));
    }

    @Test
    void badHeadersAreRefused() {
        assertEquals("two Host headers", malformed("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        assertTrue(malformed("GET / HTTP/1.1\r\n\r\n").startsWith("no Host header"));
        assertTrue(malformed("GET / HTTP/1.1\r\nHost:\r\n\r\n").startsWith("no Host header"));
        assertEquals("folded header line", malformed("GET / HTTP/1.1\r\nHost: a\r\n  folded\r\n\r\n"));
        assertTrue(malformed("GET / HTTP/1.1\r\nHost a\r\n\r\n").startsWith("header line without"));
        assertTrue(malformed("GET / HTTP/1.1\r\nHost : a\r\n\r\n").startsWith("bad header name"));
        assertTrue(malformed("GET / HTTP/1.1\r\nHost: a\u0001b\r\n\r\n").startsWith("control character"));
    }

    @Test
    void theHostNamesAVm() {
        assertEquals("vm-42", HttpRequestHead.vmName("vm-42.denali", "denali"));
        assertEquals("vm-42", HttpRequestHead.vmName("VM-42.Denali:8080", "denali"));
        assertEquals("vm-42", HttpRequestHead.vmName("vm42.denali", "denali"));
        assertEquals("vm-42", HttpRequestHead.vmName("vm-42", "denali"));
        assertEquals("vm-7", HttpRequestHead.vmName("vm7.denali.", "denali"));
        assertEquals("shop", HttpRequestHead.vmName("shop.example.org", "example.org"));
        assertEquals("vm-1.other", HttpRequestHead.vmName("vm-1.other", "denali"));
        assertEquals("vmx", HttpRequestHead.vmName("vmx.denali", "denali"));
        assertNull(HttpRequestHead.vmName(".denali", "denali"));
        assertNull(HttpRequestHead.vmName("[::1]:80", "denali"));
    }
}
