package yakima.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import denali.isa.memory.GuestMemory;

/** Helpers the disk tests share: recognisable block contents and whole-file and whole-memory snapshots. */
final class DiskTesting {
    private DiskTesting() {
    }

    static final int BS = BlockStore.BLOCK_SIZE;

    /** {@code blockCount} blocks of bytes that differ per seed and per position, never all zero. */
    static byte[] pattern(int seed, int blockCount) {
        byte[] b = new byte[blockCount * BS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >>> 12) + 1);
        }
        return b;
    }

    static byte[] fileBytes(Path path) throws IOException {
        return Files.readAllBytes(path);
    }

    static byte[] memoryBytes(GuestMemory mem) {
        byte[] all = new byte[mem.sizeBytes()];
        mem.readBytes(0, all, 0, all.length);
        return all;
    }

    static byte[] guestBytes(GuestMemory mem, int address, int length) {
        byte[] b = new byte[length];
        mem.readBytes(address, b, 0, length);
        return b;
    }

    /** A read-only base of {@code sizeBlocks} blocks, block {@code n} holding {@code pattern(100 + n, 1)}. */
    static VirtualDisk makeBase(Path path, int sizeBlocks) throws IOException {
        try (VirtualDisk d = VirtualDisk.create(path, sizeBlocks)) {
            for (int n = 0; n < sizeBlocks; n++) {
                d.writeBlocks(n, 1, pattern(100 + n, 1), 0);
            }
        }
        return VirtualDisk.openReadOnly(path);
    }

    /** The bytes base block {@code n} holds (see {@link #makeBase}). */
    static byte[] baseBlock(int n) {
        return pattern(100 + n, 1);
    }
}
