package yakima.vm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hand-assembled Denali programs as minimal ELF files: one R+W+X segment at
 * 0x1000 holding the code, then data. For tests that must not depend on the
 * guest C toolchain.
 */
public final class TinyElf {
    public static final int BASE = 0x1000;
    private static final int HEADERS = 52 + 32;

    private TinyElf() {
    }

    /** An image whose segment is {@code code} followed by {@code data}; entry at the first code byte. */
    public static byte[] of(byte[] code, byte[] data) {
        int size = code.length + data.length;
        ByteBuffer b = ByteBuffer.allocate(HEADERS + size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1, 0}).position(16);
        b.putShort((short) 2).putShort((short) 3).putInt(1).putInt(BASE).putInt(52).putInt(0).putInt(0)
                .putShort((short) 52).putShort((short) 32).putShort((short) 1).putShort((short) 40).putShort((short) 0).putShort((short) 0);
        b.putInt(1).putInt(HEADERS).putInt(BASE).putInt(BASE).putInt(size).putInt(size).putInt(7).putInt(0x1000);
        b.put(code).put(data);
        return b.array();
    }

    /** Where {@code data} starts in memory for an image built from {@code code}. */
    public static int dataAddress(byte[] code) {
        return BASE + code.length;
    }

    // A few encodings, little-endian immediates.
    public static byte[] movEax(int v) {
        return imm(0xB8, v);
    }

    public static byte[] movEbx(int v) {
        return imm(0xBB, v);
    }

    public static byte[] movEcx(int v) {
        return imm(0xB9, v);
    }

    public static byte[] movEdx(int v) {
        return imm(0xBA, v);
    }

    /** The Denali instructions: 0x0F then DenaliAbi.OP_*. */
    public static byte[] op(int second) {
        return new byte[] {0x0F, (byte) second};
    }

    public static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] imm(int opcode, int v) {
        return new byte[] {(byte) opcode, (byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }
}
