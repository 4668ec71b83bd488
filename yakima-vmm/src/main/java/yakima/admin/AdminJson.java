package yakima.admin;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import denali.isa.spec.DenaliAbi;
import yakima.vm.MemorySize;

/**
 * The admin API's JSON shapes, both ways: views to JSON-ready maps for the
 * server, JSON back to views for {@link AdminClient}, and a request body to a
 * {@link CreateVmRequest}. The field names here are the API; docs/admin-api.md
 * lists them. Stateless; any thread.
 */
public final class AdminJson {
    /** Fields a create request may have: anything else is a typo the caller should hear about. */
    private static final List<String> CREATE_FIELDS = List.of("image", "mem", "name", "disk", "diskSize", "diskBase");
    /** {@code 1M}, {@code 4MiB}, {@code 512k}, {@code 65536}: MemorySize's forms, plus the IEC spelling. */
    private static final Pattern MEM = Pattern.compile("\\s*(\\d+)\\s*(?:([kKmMgG])(?:i?[bB])?)?\\s*");

    private AdminJson() {
    }

    public static Map<String, Object> vm(VmView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", v.id());
        m.put("name", v.name());
        m.put("image", v.image());
        m.put("state", v.state());
        m.put("memSizeBytes", v.memSizeBytes());
        m.put("mac", v.mac());
        m.put("ipv4", v.ipv4());
        m.put("memory", v.memory());
        m.put("counters", v.counters());
        m.put("faultReason", v.faultReason());
        m.put("exitCode", v.exitCode());
        return m;
    }

    public static Map<String, Object> host(HostView h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uptimeNs", h.uptimeNs());
        m.put("vmsByState", h.vmsByState());
        m.put("memory", h.memory());
        m.put("counters", h.counters());
        return m;
    }

    public static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    /**
     * A create request from a parsed body: {@code image} (required, a non-empty
     * string), {@code mem} (a number of bytes, or a string such as {@code "1M"}
     * or {@code "4MiB"}; default 1 MiB), {@code name} (optional string),
     * {@code disk} (optional path of the VM's disk file on the host),
     * {@code diskSize} (bytes, as {@code mem}: create the file this size if it
     * does not exist) and {@code diskBase} (optional read-only base disk;
     * {@code disk} is then the VM's overlay over it).
     */
    public static CreateVmRequest createRequest(Map<String, Object> body) throws AdminException {
        for (String key : body.keySet()) {
            if (!CREATE_FIELDS.contains(key)) {
                throw AdminException.badRequest("unknown field \"" + key
                        + "\": a VM is created from image, mem, name, disk, diskSize and diskBase");
            }
        }
        if (!(body.get("image") instanceof String image) || image.isBlank()) {
            throw AdminException.badRequest(body.containsKey("image")
                    ? "\"image\" must be a non-empty string" : "missing \"image\": the name of the image to boot");
        }
        Object name = body.get("name");
        if (name != null && !(name instanceof String)) {
            throw AdminException.badRequest("\"name\" must be a string");
        }
        long mem = body.containsKey("mem") ? memBytes(body.get("mem")) : MemorySize.DEFAULT_BYTES;
        String disk = optionalPath(body, "disk");
        String diskBase = optionalPath(body, "diskBase");
        long diskSize = body.containsKey("diskSize") ? diskBytes(body.get("diskSize")) : 0;
        try {
            return new CreateVmRequest(image, mem, (String) name, disk, diskSize, diskBase);
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest(e.getMessage());
        }
    }

    private static String optionalPath(Map<String, Object> body, String key) throws AdminException {
        Object v = body.get(key);
        if (v != null && (!(v instanceof String s) || s.isBlank())) {
            throw AdminException.badRequest("\"" + key + "\" must be a file path (a non-empty string)");
        }
        return (String) v;
    }

    private static long diskBytes(Object size) throws AdminException {
        try {
            if (size instanceof Long l && l > 0) {
                return l;
            }
            if (size instanceof String s) {
                return MemorySize.parseBytes(s.replaceAll("(?i)ib$", ""));
            }
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest("\"diskSize\": " + e.getMessage());
        }
        throw AdminException.badRequest("\"diskSize\" must be a positive number of bytes, or a string such as \"16M\"");
    }

    private static long memBytes(Object mem) throws AdminException {
        long bytes;
        if (mem instanceof Long l) {
            bytes = l;
        } else if (mem instanceof String s && MEM.matcher(s).matches()) {
            Matcher m = MEM.matcher(s);
            m.matches();
            int shift = m.group(2) == null ? 0 : switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                default -> 30;
            };
            if (m.group(1).length() > 10 || Long.parseLong(m.group(1)) > 1L << 32) { // the shift cannot overflow below this
                throw AdminException.badRequest("memory size " + s.strip() + " is above the maximum " + MemorySize.describe(DenaliAbi.MAX_MEM_SIZE));
            }
            bytes = Long.parseLong(m.group(1)) << shift;
        } else {
            throw AdminException.badRequest("\"mem\" " + (mem instanceof BigDecimal || mem instanceof String ? mem + " " : "")
                    + "is not a memory size: use a number of bytes, or a string such as \"1M\", \"4MiB\" or \"512k\"");
        }
        try {
            return MemorySize.check(bytes);
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest(e.getMessage());
        }
    }

    /** A VM from the server's JSON; {@link JsonSyntaxException} if a field is missing or of the wrong type. */
    public static VmView vmFrom(Object json) throws JsonSyntaxException {
        Map<?, ?> m = object(json, "a VM");
        Long exit = optionalLong(m, "exitCode");
        if (exit != null && exit != exit.intValue()) {
            throw new JsonSyntaxException("\"exitCode\" " + exit + " is not a 32-bit integer");
        }
        return new VmView(string(m, "id"), optionalString(m, "name"), string(m, "image"), string(m, "state"),
                longField(m, "memSizeBytes"), optionalString(m, "mac"), optionalString(m, "ipv4"),
                longs(m, "memory"), longs(m, "counters"), optionalString(m, "faultReason"),
                exit == null ? null : exit.intValue());
    }

    private static Map<?, ?> object(Object json, String what) throws JsonSyntaxException {
        if (json instanceof Map<?, ?> m) {
            return m;
        }
        throw new JsonSyntaxException("expected " + what + " as a JSON object");
    }

    private static String string(Map<?, ?> m, String key) throws JsonSyntaxException {
        String s = optionalString(m, key);
        if (s == null) {
            throw new JsonSyntaxException("missing \"" + key + "\"");
        }
        return s;
    }

    private static String optionalString(Map<?, ?> m, String key) throws JsonSyntaxException {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new JsonSyntaxException("\"" + key + "\" is not a string");
    }

    private static long longField(Map<?, ?> m, String key) throws JsonSyntaxException {
        Long v = optionalLong(m, key);
        if (v == null) {
            throw new JsonSyntaxException("missing \"" + key + "\"");
        }
        return v;
    }

    private static Long optionalLong(Map<?, ?> m, String key) throws JsonSyntaxException {
        Object v = m.get(key);
        if (v == null || v instanceof Long) {
            return (Long) v;
        }
        throw new JsonSyntaxException("\"" + key + "\" is not an integer");
    }

    private static Map<String, Long> longs(Map<?, ?> m, String key) throws JsonSyntaxException {
        Map<?, ?> obj = object(m.get(key), "\"" + key + "\"");
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : obj.entrySet()) {
            if (!(e.getValue() instanceof Long l)) {
                throw new JsonSyntaxException("\"" + key + "." + e.getKey() + "\" is not an integer");
            }
            out.put((String) e.getKey(), l);
        }
        return out;
    }
}
