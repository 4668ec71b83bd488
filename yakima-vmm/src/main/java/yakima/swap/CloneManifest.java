package yakima.swap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import yakima.vm.VmAddresses;

/**
 * What a host writes to its swap store when it registers clones of a
 * template (template boot), before any of them becomes visible: which
 * template record they start from and which ids they have. A clone that was
 * never swapped out itself has no record of its own, so without this a
 * host restarted on the store would not know it existed. One manifest per
 * registration, a few dozen bytes, stored like a record (the store's file
 * header gives it a length and a CRC).
 *
 * <pre>
 *  0                   8       10      12              16              20              24              28
 *  +-------------------+-------+-------+---------------+---------------+---------------+---------------+------------+
 *  | magic (8 bytes)   |version| flags | template id   | first id      | count         | memSizeBytes  | image name |
 *  +-------------------+-------+-------+---------------+---------------+---------------+---------------+------------+
 *  magic: 89 59 4B 43 0D 0A 1A 0A ("\211YKC\r\n\032\n"); version 1; flags 0
 *  the clones are ids first .. first + count - 1; image name: length u16 (1 to 4096), then that many bytes of UTF-8
 * </pre>
 *
 * <p>A manifest read back is untrusted: {@link #decode} checks every field
 * and refuses with a one-line {@link RecordException}.
 *
 * <p>Threading: immutable; any thread.
 *
 * @param templateRecordId the store id of the template record the clones start from
 * @param firstId          the first clone's VM id
 * @param count            how many clones, with consecutive ids
 * @param imageName        the image they run
 * @param memSizeBytes     their memory size
 */
public record CloneManifest(int templateRecordId, int firstId, int count, String imageName, int memSizeBytes) {
    static final byte[] MAGIC = {(byte) 0x89, 'Y', 'K', 'C', '\r', '\n', 0x1A, '\n'};
    static final int VERSION = 1;
    static final int FIXED_BYTES = 30;

    public CloneManifest {
        Objects.requireNonNull(imageName, "imageName");
        String problem = problem(templateRecordId, firstId, count, memSizeBytes);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        int n = imageName.getBytes(StandardCharsets.UTF_8).length;
        if (n == 0 || n > Descriptor.MAX_STRING_BYTES) {
            throw new IllegalArgumentException("image name of " + n + " bytes (1 to " + Descriptor.MAX_STRING_BYTES + ")");
        }
    }

    /** The last clone's id. */
    public int lastId() {
        return firstId + count - 1;
    }

    /** True if {@code id} is one of the clones. */
    public boolean covers(int id) {
        return id >= firstId && id <= lastId();
    }

    /** The manifest's bytes, to be written to the store. */
    public byte[] encode() {
        byte[] name = imageName.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + name.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(templateRecordId).putInt(firstId).putInt(count)
                .putInt(memSizeBytes).putShort((short) name.length).put(name);
        return b.array();
    }

    /** True if {@code bytes} start as a manifest does (its magic), whatever follows. */
    public static boolean looksLikeOne(byte[] bytes) {
        return bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The manifest {@code bytes} hold, every field checked. */
    public static CloneManifest decode(byte[] bytes) throws RecordException {
        if (bytes.length < FIXED_BYTES) {
            throw new RecordException("clone manifest truncated: " + bytes.length + " bytes, shorter than " + FIXED_BYTES);
        }
        if (!looksLikeOne(bytes)) {
            throw new RecordException("not a clone manifest (bad magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getShort(8) & 0xFFFF;
        if (version != VERSION) {
            throw new RecordException("unsupported clone manifest version " + version + " (this build reads version "
                    + VERSION + ")");
        }
        int flags = b.getShort(10) & 0xFFFF;
        if (flags != 0) {
            throw new RecordException(String.format("clone manifest has unknown flags 0x%04X", flags));
        }
        int template = b.getInt(12);
        int first = b.getInt(16);
        int count = b.getInt(20);
        int memSize = b.getInt(24);
        String problem = problem(template, first, count, memSize);
        if (problem != null) {
            throw new RecordException("clone manifest: " + problem);
        }
        int n = b.getShort(28) & 0xFFFF;
        if (n == 0 || n > Descriptor.MAX_STRING_BYTES) {
            throw new RecordException("clone manifest: image name of " + n + " bytes (1 to " + Descriptor.MAX_STRING_BYTES
                    + ")");
        }
        if (bytes.length != FIXED_BYTES + n) {
            throw new RecordException("clone manifest is " + bytes.length + " bytes, not the " + (FIXED_BYTES + n)
                    + " its image name makes");
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, FIXED_BYTES, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RecordException("clone manifest: image name is not valid UTF-8");
        }
        return new CloneManifest(template, first, count, name, memSize);
    }

    private static String problem(int template, int first, int count, int memSize) {
        if (template < 0) {
            return "template record id " + Integer.toUnsignedString(template) + " is out of range";
        }
        if (first < 1 || count < 1 || (long) first + count - 1 > VmAddresses.MAX_ID) {
            return "clone ids " + Integer.toUnsignedString(first) + " + " + Integer.toUnsignedString(count)
                    + " are outside 1.." + VmAddresses.MAX_ID;
        }
        return ImageLimits.memSize(Integer.toUnsignedLong(memSize));
    }
}
