package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The strict parser: what it builds, what it refuses, and where it says it stopped. */
class JsonParserTest {
    @Test
    void parsesEveryKindOfValue() throws JsonSyntaxException {
        Object v = JsonParser.parse(" {\"a\": [1, -2, 1.5, 1e3, 12345678901234567890, true, false, null],\n\t\"b\": {\"c\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b"), List.copyOf(m.keySet()));
        assertEquals(Arrays.asList(1L, -2L, new BigDecimal("1.5"), new BigDecimal("1e3"), new BigDecimal("12345678901234567890"), true, false, null),
                m.get("a"));
        assertEquals(Map.of("c", "\"\\/\b\f\n\r\té😀"), m.get("b"));
        assertEquals("x", JsonParser.parse("\"x\""));
        assertEquals(0L, JsonParser.parse("-0"));
    }

    @Test
    void aFlatObjectHoldsStringsNumbersAndBooleans() throws JsonSyntaxException {
        Map<String, Object> m = JsonParser.parseFlatObject("{\"image\":\"hello\",\"mem\":65536,\"x\":true}");
        assertEquals(List.of("image", "mem", "x"), List.copyOf(m.keySet()));
        assertEquals("hello", m.get("image"));
        assertEquals(65536L, m.get("mem"));
        assertEquals(true, m.get("x"));
        assertEquals(Map.of(), JsonParser.parseFlatObject("{}"));
    }

    @Test
    void aFlatObjectRefusesNestingNullAndNonObjects() {
        assertEquals("field \"a\" must be a string, number or boolean, not an object", flatError("{\"a\":{}}"));
        assertEquals("field \"a\" must be a string, number or boolean, not an array", flatError("{\"a\":[1]}"));
        assertEquals("field \"a\" must be a string, number or boolean, not null", flatError("{\"a\":null}"));
        assertEquals("expected a JSON object", flatError("[1]"));
        assertEquals("expected a JSON object", flatError("\"image\""));
    }

    @Test
    void malformedTextIsRefusedWithItsOffset() {
        assertEquals("unexpected end of JSON at offset 0", error(""));
        assertEquals("expected a string key at offset 1", error("{a:1}"));
        assertEquals("expected ':' at offset 5", error("{\"a\" 1}"));
        assertEquals("expected a string key at offset 7", error("{\"a\":1,}"));
        assertEquals("leading zero in a number at offset 6", error("{\"a\":01}"));
        assertEquals("unexpected text after the JSON value at offset 8", error("{\"a\":1} x"));
        assertEquals("control character U+0001 in a string (escape it) at offset 2", error("[\"\u0001\"]"));
        assertEquals("bad escape \\'x' at offset 3", error("[\"\\x\"]"));
        assertEquals("bad hex digit in a \\u escape at offset 6", error("[\"\\u12g4\"]"));
        assertEquals("truncated \\u escape at offset 4", error("[\"\\u12"));
        assertEquals("unterminated string at offset 5", error("[\"abc"));
        assertEquals("duplicate key \"a\" at offset 7", error("{\"a\":1,\"a\":2}"));
        assertEquals("expected a digit at offset 2", error("[-]"));
        assertEquals("expected a digit after '.' at offset 3", error("[1.]"));
        assertEquals("expected a digit in the exponent at offset 3", error("[1e]"));
        assertEquals("unexpected character 't' at offset 1", error("[tru]"));
        assertEquals("unexpected character ''' at offset 0", error("'a'"));
        assertEquals("unexpected end of JSON, expected '}' at offset 6", error("{\"a\":1"));
        assertEquals("expected ']' at offset 3", error("[1 2]"));
    }

    @Test
    void nestingIsLimitedSoDeepTextCannotOverflowTheStack() throws JsonSyntaxException {
        int ok = JsonParser.MAX_DEPTH;
        assertTrue(JsonParser.parse("[".repeat(ok) + "]".repeat(ok)) instanceof List);
        assertEquals("nested deeper than 64 levels at offset 64", error("[".repeat(ok + 1) + "]".repeat(ok + 1)));
        assertTrue(error("[".repeat(100_000)).startsWith("nested deeper than 64 levels"));
        assertTrue(error("{\"a\":".repeat(100_000)).startsWith("nested deeper than 64 levels"));
    }

    private static String error(String text) {
        return assertThrows(JsonSyntaxException.class, () -> JsonParser.parse(text), text).getMessage();
    }

    private static String flatError(String text) {
        return assertThrows(JsonSyntaxException.class, () -> JsonParser.parseFlatObject(text), text).getMessage();
    }
}
