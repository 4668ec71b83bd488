package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** JSON output: escaping of every character, structure, and refusals. */
class JsonWriterTest {
    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0000i\\u0001j\\u001fk\\u007f/\"",
                JsonWriter.write("a\"b\\c\nd\re\tf\bg\fh\u0000i\u0001j\u001fk\u007f/"));
    }

    @Test
    void nonAsciiIsEscapedSoTheOutputIsAscii() {
        assertEquals("\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u2028\"", JsonWriter.write("café € 😀 \u2028"));
    }

    @Test
    void everyCharValueSurvivesARoundTrip() throws JsonSyntaxException {
        char[] all = new char[0x10000];
        for (int c = 0; c < all.length; c++) {
            all[c] = (char) c; // lone surrogates included: escaped, they cannot be lost to an encoder
        }
        String s = new String(all);
        String json = JsonWriter.write(s);
        assertTrue(json.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "output is printable ASCII");
        assertEquals(s, JsonParser.parse(json));
    }

    @Test
    void objectsKeepTheirOrderAndNest() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1L);
        m.put("a", Arrays.asList(true, false, null, -5, new BigDecimal("1.25"), 2.5));
        m.put("m", Map.of());
        m.put("s", "x");
        assertEquals("{\"z\":1,\"a\":[true,false,null,-5,1.25,2.5],\"m\":{},\"s\":\"x\"}", JsonWriter.write(m));
        assertEquals("[]", JsonWriter.write(List.of()));
        assertEquals("9223372036854775807", JsonWriter.write(Long.MAX_VALUE));
    }

    @Test
    void valuesJsonCannotHoldAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(new Object()));
        assertThrows(IllegalArgumentException.class, () -> JsonWriter.write(Map.of(1, 2)));
    }
}
