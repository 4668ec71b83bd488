package yakima.swap;

import static yakima.swap.Descriptor.MAX_CONSOLE_BYTES;
import static yakima.swap.Descriptor.MAX_FRAME_BYTES;
import static yakima.swap.Descriptor.MAX_MEM_SIZE_BYTES;
import static yakima.swap.Descriptor.MAX_RX_FRAMES;
import static yakima.swap.Descriptor.MAX_STRING_BYTES;
import static yakima.swap.Descriptor.MIN_FRAME_BYTES;
import static yakima.swap.Descriptor.PAGE_BYTES;

/**
 * What a VM image may hold and still make a record, in one place so that
 * {@link RecordWriter} (which refuses to write anything else) and
 * {@link RecordReader} (which refuses to read anything else) cannot drift
 * apart: whatever is written can be read back. Each rule returns null when
 * the value is fine, else the problem as a phrase a message can end with.
 */
final class ImageLimits {
    private ImageLimits() {
    }

    static String memSize(long memSizeBytes) {
        if (memSizeBytes <= 0 || memSizeBytes % PAGE_BYTES != 0 || memSizeBytes > MAX_MEM_SIZE_BYTES) {
            return "memory size " + memSizeBytes + " is not a positive multiple of 4096 of at most 1 GiB";
        }
        return null;
    }

    static String mac(long mac) {
        return mac >>> 48 != 0 ? String.format("MAC 0x%X has more than 48 bits", mac) : null;
    }

    static String stringBytes(String what, int bytes) {
        return bytes > MAX_STRING_BYTES
                ? what + " is " + bytes + " bytes of UTF-8, more than " + MAX_STRING_BYTES : null;
    }

    /** Page {@code number} coming after {@code previous} (0 for the first) in a VM of {@code pageCount} pages. */
    static String pageNumber(long number, long previous, int pageCount) {
        if (number < 1 || number >= pageCount) {
            return "page number " + number + " is outside 1.." + (pageCount - 1);
        }
        if (number <= previous) {
            return "page numbers not ascending: " + number + " after " + previous;
        }
        return null;
    }

    static String pageCount(long count, int pageCount) {
        return count > pageCount - 1
                ? count + " private pages besides page 0, more than a VM of " + pageCount + " pages has" : null;
    }

    static String frameCount(long count) {
        return count > MAX_RX_FRAMES ? count + " frames, more than the " + MAX_RX_FRAMES + " a NIC can queue" : null;
    }

    static String frameLength(int length) {
        return length < MIN_FRAME_BYTES || length > MAX_FRAME_BYTES
                ? "a frame of " + length + " bytes (frames are " + MIN_FRAME_BYTES + " to " + MAX_FRAME_BYTES + ")"
                : null;
    }

    static String consoleBytes(int length) {
        return length > MAX_CONSOLE_BYTES
                ? "console tail of " + length + " bytes, more than " + MAX_CONSOLE_BYTES : null;
    }

    static String notNegative(String what, long value) {
        return value < 0 ? what + " is negative (" + value + ")" : null;
    }

    static String deadline(long idleDeadlineVmNs) {
        return idleDeadlineVmNs < -1 ? "idle deadline " + idleDeadlineVmNs + " is neither -1 nor a VM time" : null;
    }
}
