package yakima.vm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import denali.isa.spec.DenaliAbi;

/**
 * Parses and checks a VM memory size as a person writes it: {@code 1m},
 * {@code 512k}, {@code 65536}. Suffixes are binary ({@code k} = 1024,
 * {@code m} = 1024 * 1024) and case-insensitive; {@code g} is understood only
 * so that {@code 1g} is refused as too large rather than as gibberish. The
 * result must be a multiple of 4096 within
 * [{@link DenaliAbi#MIN_MEM_SIZE}, {@link DenaliAbi#MAX_MEM_SIZE}].
 */
public final class MemorySize {
    public static final int DEFAULT_BYTES = 1 << 20;
    private static final Pattern FORM = Pattern.compile("(\\d{1,18})([kKmMgG]?)");

    private MemorySize() {
    }

    /** The size in bytes; an {@link IllegalArgumentException} whose message is one line for the user otherwise. */
    public static int parse(String text) {
        if (!FORM.matcher(text == null ? "" : text.strip()).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a memory size: use a number of bytes, or a number with a k or m suffix (e.g. 1m, 512k)");
        }
        long bytes;
        try {
            bytes = parseBytes(text);
        } catch (IllegalArgumentException e) {
            bytes = Long.MAX_VALUE; // too large to parse: refused below
        }
        if (bytes > 1L << 32) {
            throw new IllegalArgumentException("memory size " + text.strip() + " is above the maximum " + describe(DenaliAbi.MAX_MEM_SIZE));
        }
        return check(bytes);
    }

    /**
     * Any byte count written the same way (for disk sizes): {@code 1m},
     * {@code 64k}, {@code 2g}, at most 2<sup>42</sup> bytes; not checked as a VM memory size.
     */
    public static long parseBytes(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a number of bytes, or a number with a k, m or g suffix (e.g. 1m, 512k)");
        }
        int shift = switch (m.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        long number = Long.parseLong(m.group(1));
        if (number > 1L << (42 - shift)) { // keeps the shift from overflowing
            throw new IllegalArgumentException("size " + text.strip() + " is above the maximum " + describe(1L << 42));
        }
        return number << shift;
    }

    /** {@code bytes} itself if it is a valid VM memory size. */
    public static int check(long bytes) {
        if (bytes % DenaliAbi.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("memory size " + describe(bytes) + " is not a multiple of the 4096-byte page size");
        }
        if (bytes < DenaliAbi.MIN_MEM_SIZE) {
            throw new IllegalArgumentException("memory size " + describe(bytes) + " is below the minimum " + describe(DenaliAbi.MIN_MEM_SIZE));
        }
        if (bytes > DenaliAbi.MAX_MEM_SIZE) {
            throw new IllegalArgumentException("memory size " + describe(bytes) + " is above the maximum " + describe(DenaliAbi.MAX_MEM_SIZE));
        }
        return (int) bytes;
    }

    /** {@code "1 MiB"}, {@code "64 KiB"} or {@code "12345 bytes"}. */
    public static String describe(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
