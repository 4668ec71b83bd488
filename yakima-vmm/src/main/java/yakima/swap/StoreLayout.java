package yakima.swap;

import java.nio.file.Path;

/**
 * Where a VM's files are in a store directory.
 *
 * <pre>
 *   &lt;dir&gt;/
 *     00000/                 folder of VMs 0 .. 4095:    id / 4096 as 5 lower-case hex digits
 *       vm-1.rec             VM 1's record file (see RecordFileHeader); id in decimal
 *       vm-1.tmp             VM 1's record being written; only while a write is under way
 *     00001/                 folder of VMs 4096 .. 8191
 *       vm-5000.rec
 *     ...
 *     7ffff/                 the last folder: ids up to 2^31 - 1
 * </pre>
 *
 * <p>Why 4096 per folder: a host of a million VMs makes 245 folders of at
 * most 8,192 entries each (a record and, during a write, its temp file), so
 * no directory grows large enough for lookups or listings in it to slow
 * down, and the root stays small. The folder of an id is a pure function of
 * the id, so finding a record needs no index.
 *
 * <p>Names that do not fit this pattern are not the store's: it neither
 * counts nor removes them.
 *
 * <p>Threading: pure functions over an immutable root, any thread.
 */
final class StoreLayout {
    /** VM ids per folder. */
    static final int IDS_PER_FOLDER = 4096;
    private static final int FOLDER_SHIFT = 12;
    private static final int FOLDER_NAME_DIGITS = 5;
    private static final String PREFIX = "vm-";
    static final String RECORD_SUFFIX = ".rec";
    static final String TEMP_SUFFIX = ".tmp";

    private final Path root;

    StoreLayout(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The folder that holds {@code vmId}'s files. */
    Path folder(int vmId) {
        return root.resolve(folderName(folderIndex(vmId)));
    }

    Path recordFile(int vmId) {
        return folder(vmId).resolve(PREFIX + vmId + RECORD_SUFFIX);
    }

    Path tempFile(int vmId) {
        return folder(vmId).resolve(PREFIX + vmId + TEMP_SUFFIX);
    }

    static int folderIndex(int vmId) {
        return vmId >>> FOLDER_SHIFT;
    }

    static String folderName(int folderIndex) {
        String hex = Integer.toHexString(folderIndex);
        return "0".repeat(FOLDER_NAME_DIGITS - hex.length()) + hex;
    }

    /** The folder index a folder's name stands for, or -1 when the name is not a store folder's. */
    static int parseFolderName(String name) {
        if (name.length() != FOLDER_NAME_DIGITS) {
            return -1;
        }
        int index = 0;
        for (int i = 0; i < FOLDER_NAME_DIGITS; i++) {
            int digit = Character.digit(name.charAt(i), 16);
            if (digit < 0 || Character.isUpperCase(name.charAt(i))) {
                return -1;
            }
            index = index << 4 | digit;
        }
        return index <= folderIndex(Integer.MAX_VALUE) ? index : -1;
    }

    /**
     * The VM id in a file name {@code vm-<id><suffix>}, or -1 when the name
     * is not one: the id must be decimal without sign or leading zeros, so
     * each id has exactly one name.
     */
    static int parseFileName(String name, String suffix) {
        if (!name.startsWith(PREFIX) || !name.endsWith(suffix)) {
            return -1;
        }
        String digits = name.substring(PREFIX.length(), name.length() - suffix.length());
        if (digits.isEmpty() || digits.length() > 10 || (digits.length() > 1 && digits.charAt(0) == '0')) {
            return -1;
        }
        long id = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id <= Integer.MAX_VALUE ? (int) id : -1;
    }
}
