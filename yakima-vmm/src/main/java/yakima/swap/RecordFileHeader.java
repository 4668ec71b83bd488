package yakima.swap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of a record file, {@code vm-N.rec}: a small header, then the
 * encapsulation record's bytes exactly as the caller gave them.
 *
 * <pre>
 *   header, little-endian, 24 bytes; the record follows at byte 24
 *    0               4               8              12              16              20
 *   +---------------+---------------+---------------+---------------+---------------+---------------+
 *   | magic "YKSR"  |  version = 1  |     vm id     | record length |  record crc   |  header crc   |
 *   +---------------+---------------+---------------+---------------+---------------+---------------+
 *   record crc = CRC32C of the record's bytes
 *   header crc = CRC32C of header bytes 0..19
 * </pre>
 *
 * <p>Why a header when the record checks itself: the store must tell a torn
 * or short file apart from a good one without knowing the record format, and
 * say so plainly ("record of vm-12 is truncated (4096 of 6000 bytes)"). The
 * header's own CRC is what lets the store trust the length it reads, so a
 * damaged length is reported as a damaged header and not as a truncation.
 * The VM id guards against a file copied or renamed to the wrong name.
 *
 * <p>The store's write protocol means a torn file never takes a record's
 * name; these checks catch damage that happened afterwards (a bad disk, a
 * person editing the directory), one VM at a time.
 *
 * <p>Threading: pure functions, any thread.
 */
final class RecordFileHeader {
    private RecordFileHeader() {
    }

    static final int MAGIC = 'Y' | 'K' << 8 | 'S' << 16 | 'R' << 24;
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int VM_ID_OFFSET = 8;
    static final int LENGTH_OFFSET = 12;
    static final int RECORD_CRC_OFFSET = 16;
    static final int HEADER_CRC_OFFSET = 20;
    static final int BYTES = 24;

    /** The header for {@code length} bytes of {@code record} from {@code offset}, ready to write. */
    static ByteBuffer encode(int vmId, byte[] record, int offset, int length) {
        ByteBuffer header = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC_OFFSET, MAGIC);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(VM_ID_OFFSET, vmId);
        header.putInt(LENGTH_OFFSET, length);
        header.putInt(RECORD_CRC_OFFSET, crc(record, offset, length));
        header.putInt(HEADER_CRC_OFFSET, crc(header.array(), 0, HEADER_CRC_OFFSET));
        return header;
    }

    /**
     * The record a whole record file holds, after checking that the file is
     * {@code vmId}'s, complete, and undamaged.
     *
     * @throws SwapStoreException of kind CORRUPT, saying what is wrong
     */
    static byte[] recordOf(int vmId, byte[] file) throws SwapStoreException {
        String vm = SwapStore.vmName(vmId);
        if (file.length < BYTES) {
            throw corrupt(vmId, "record file of " + vm + " is truncated (" + file.length + " of " + BYTES
                    + " header bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(file, 0, BYTES).order(ByteOrder.LITTLE_ENDIAN);
        if (header.getInt(MAGIC_OFFSET) != MAGIC) {
            throw corrupt(vmId, "record file of " + vm + " is not a swap record file (bad magic)");
        }
        if (header.getInt(HEADER_CRC_OFFSET) != crc(file, 0, HEADER_CRC_OFFSET)) {
            throw corrupt(vmId, "record file of " + vm + " has a damaged header (checksum mismatch)");
        }
        int version = header.getInt(VERSION_OFFSET);
        if (version != VERSION) {
            throw corrupt(vmId, "record file of " + vm + " has version " + version + "; this store reads version "
                    + VERSION);
        }
        int owner = header.getInt(VM_ID_OFFSET);
        if (owner != vmId) {
            throw corrupt(vmId, "record file of " + vm + " holds the record of " + SwapStore.vmName(owner));
        }
        long length = Integer.toUnsignedLong(header.getInt(LENGTH_OFFSET));
        long present = file.length - BYTES;
        if (present < length) {
            throw corrupt(vmId, "record of " + vm + " is truncated (" + present + " of " + length + " bytes)");
        }
        if (present > length) {
            throw corrupt(vmId, "record file of " + vm + " has " + (present - length) + " bytes past the record's end");
        }
        if (header.getInt(RECORD_CRC_OFFSET) != crc(file, BYTES, (int) length)) {
            throw corrupt(vmId, "record of " + vm + " is damaged (checksum mismatch)");
        }
        return Arrays.copyOfRange(file, BYTES, file.length);
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static SwapStoreException corrupt(int vmId, String message) {
        return new SwapStoreException(SwapStoreException.Kind.CORRUPT, vmId, message);
    }
}
