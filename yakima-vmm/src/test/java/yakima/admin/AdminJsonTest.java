package yakima.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The API's JSON shapes: create requests in, VMs out and back. */
class AdminJsonTest {
    @Test
    void aCreateRequestNeedsOnlyAnImage() throws AdminException {
        assertEquals(new CreateVmRequest("hello", 1 << 20, null), AdminJson.createRequest(Map.of("image", "hello")));
        assertEquals(new CreateVmRequest("hello", 65536, "web"), AdminJson.createRequest(Map.of("image", "hello", "mem", 65536L, "name", "web")));
    }

    @Test
    void memoryIsBytesOrASizeWithASuffix() throws AdminException {
        assertEquals(1L << 20, mem("1M"));
        assertEquals(4L << 20, mem("4MiB"));
        assertEquals(512L << 10, mem("512k"));
        assertEquals(64L << 10, mem("64KiB"));
        assertEquals(2L << 20, mem("2mb"));
        assertEquals(65536L, mem("65536"));
        assertEquals(65536L, mem(65536L));
    }

    @Test
    void badMemorySizesAreRefusedWith400() {
        assertEquals("\"mem\" 1.5 is not a memory size: use a number of bytes, or a string such as \"1M\", \"4MiB\" or \"512k\"",
                refusal(Map.of("image", "hello", "mem", new BigDecimal("1.5"))));
        assertEquals("\"mem\" abc is not a memory size: use a number of bytes, or a string such as \"1M\", \"4MiB\" or \"512k\"",
                refusal(Map.of("image", "hello", "mem", "abc")));
        assertEquals("\"mem\" is not a memory size: use a number of bytes, or a string such as \"1M\", \"4MiB\" or \"512k\"",
                refusal(Map.of("image", "hello", "mem", true)));
        assertEquals("memory size 12345 bytes is not a multiple of the 4096-byte page size", refusal(Map.of("image", "hello", "mem", "12345")));
        assertEquals("memory size 1 GiB is above the maximum 256 MiB", refusal(Map.of("image", "hello", "mem", "1g")));
        assertEquals("memory size 99999999999999M is above the maximum 256 MiB", refusal(Map.of("image", "hello", "mem", "99999999999999M")));
        assertEquals("memory size 4 KiB is below the minimum 64 KiB", refusal(Map.of("image", "hello", "mem", 4096L)));
    }

    @Test
    void imageAndNameAreCheckedAndUnknownFieldsRefused() {
        assertEquals("missing \"image\": the name of the image to boot", refusal(Map.of("mem", "1M")));
        assertEquals("\"image\" must be a non-empty string", refusal(Map.of("image", "")));
        assertEquals("\"image\" must be a non-empty string", refusal(Map.of("image", 3L)));
        assertEquals("\"name\" must be a string", refusal(Map.of("image", "hello", "name", false)));
        assertEquals("unknown field \"memory\": a VM is created from image, mem, name, disk, diskSize and diskBase", refusal(Map.of("image", "hello", "memory", "1M")));
    }

    @Test
    void aVmSurvivesTheRoundTripThroughJson() throws JsonSyntaxException {
        Map<String, Long> memory = new LinkedHashMap<>();
        memory.put("sharedBytes", 8192L);
        memory.put("privateBytes", 4096L);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("quanta", 3L);
        counters.put("instructions", Long.MAX_VALUE);
        VmView vm = new VmView("vm-12", "a \"web\"\\\nserver é", "hello", "faulted", 1 << 20, "02:00:00:00:00:0c", "10.0.0.12",
                memory, counters, "page fault at 0x00000000", -3);
        Object json = JsonParser.parse(JsonWriter.write(AdminJson.vm(vm)));
        VmView back = AdminJson.vmFrom(json);
        assertEquals(vm, back);
        assertEquals(List.of("sharedBytes", "privateBytes"), List.copyOf(back.memory().keySet()));
        assertEquals(List.of("id", "name", "image", "state", "memSizeBytes", "mac", "ipv4", "memory", "counters", "faultReason", "exitCode"),
                List.copyOf(((Map<?, ?>) json).keySet()));

        VmView bare = new VmView("vm-1", null, "hello", "running", 65536, null, null, Map.of(), Map.of(), null, null);
        assertEquals(bare, AdminJson.vmFrom(JsonParser.parse(JsonWriter.write(AdminJson.vm(bare)))));
    }

    @Test
    void aMalformedVmIsRefused() {
        assertEquals("missing \"id\"", vmError("{\"image\":\"x\",\"state\":\"running\",\"memSizeBytes\":1,\"memory\":{},\"counters\":{}}"));
        assertEquals("\"counters.quanta\" is not an integer",
                vmError("{\"id\":\"vm-1\",\"image\":\"x\",\"state\":\"s\",\"memSizeBytes\":1,\"memory\":{},\"counters\":{\"quanta\":\"3\"}}"));
        assertEquals("expected \"memory\" as a JSON object", vmError("{\"id\":\"vm-1\",\"image\":\"x\",\"state\":\"s\",\"memSizeBytes\":1,\"counters\":{}}"));
        assertEquals("\"exitCode\" 4294967296 is not a 32-bit integer",
                vmError("{\"id\":\"vm-1\",\"image\":\"x\",\"state\":\"s\",\"memSizeBytes\":1,\"memory\":{},\"counters\":{},\"exitCode\":4294967296}"));
        assertEquals("expected a VM as a JSON object", vmError("[]"));
    }

    private static long mem(Object mem) throws AdminException {
        return AdminJson.createRequest(Map.of("image", "hello", "mem", mem)).memSizeBytes();
    }

    private static String refusal(Map<String, Object> body) {
        AdminException e = assertThrows(AdminException.class, () -> AdminJson.createRequest(body));
        assertEquals(400, e.httpStatus());
        return e.getMessage();
    }

    private static String vmError(String json) {
        return assertThrows(JsonSyntaxException.class, () -> AdminJson.vmFrom(JsonParser.parse(json))).getMessage();
    }

    @Test
    void theErrorShapeIsOneField() {
        assertEquals("{\"error\":\"no VM named vm-7\"}", JsonWriter.write(AdminJson.error("no VM named vm-7")));
        assertNull(AdminJson.error("x").get("status"));
    }
}
