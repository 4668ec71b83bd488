package denali.isa.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * Mutates a valid image 20,000 ways at a fixed seed. Whatever the mutation,
 * parsing either succeeds with an image that keeps every promise, or throws
 * {@link LoadException}; nothing else ever escapes.
 */
class ElfFuzzTest {
    private static final int MEM = 1 << 20;
    private static final int ROUNDS = 20_000;
    private static final int[] INTERESTING = {
        0, 1, 2, 3, 0x20, 0x34, 0x7F, 0x80, 0xFF, 0xFFF, 0x1000, 0x1001, 0xFFFF, 0x10000, MEM - 1, MEM, MEM + 1,
        0x7FFFFFFF, 0x80000000, 0xFFFFF000, 0xFFFFFFFE, 0xFFFFFFFF
    };

    @Test
    void onlyLoadExceptionEverEscapes() {
        byte[] valid = ElfBuilder.standard()
                .load(0x8000, ElfBuilder.counting(40, 3), 0x2000, ElfBuilder.R | ElfBuilder.W)
                .symbol("_start", 0x1000, 9, 2)
                .symbol("data", 0x3000, 16, 1)
                .build();
        SplittableRandom rnd = new SplittableRandom(0xDE7A11L);
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] f = mutate(valid, rnd);
            try {
                ElfImage img = ElfImage.parse(f, MEM);
                checkPromises(img);
                accepted++;
            } catch (LoadException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && !e.getMessage().contains("\n"));
            } catch (Throwable t) {
                fail("round " + round + " threw " + t + " for file " + Arrays.toString(f), t);
            }
        }
        // The mutations must exercise both outcomes, or the test proves little.
        assertTrue(accepted > ROUNDS / 50, "accepted " + accepted);
        assertTrue(accepted < ROUNDS - ROUNDS / 50, "accepted " + accepted);
    }

    private static void checkPromises(ElfImage img) {
        assertTrue(img.lowestAddress() >= DenaliAbi.IMAGE_BASE);
        assertTrue(img.highestAddress() <= MEM && img.highestAddress() > img.lowestAddress());
        assertTrue(img.segments().stream().anyMatch(s -> s.isExecutable() && s.contains(img.entry())
                && img.entry() - s.address() < s.fileSize()));
        GuestMemory mem = new GuestMemory(MEM);
        img.mapInto(mem);
        GuestMemory copy = new GuestMemory(MEM);
        img.copyInto(copy);
        for (var s : img.segments()) {
            byte[] bytes = img.read(s.address(), s.memSize());
            for (int i = 0; i < bytes.length; i += 61) {
                assertEquals(bytes[i] & 0xFF, mem.read8(s.address() + i));
                assertEquals(bytes[i] & 0xFF, copy.read8(s.address() + i));
            }
        }
        img.symbols().forEach(sym -> assertTrue(sym.name() != null && !sym.name().isEmpty()));
    }

    private static byte[] mutate(byte[] valid, SplittableRandom rnd) {
        byte[] f = valid.clone();
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n && f.length >= 64; k++) { // a truncation may leave too little to patch
            switch (rnd.nextInt(6)) {
                case 0 -> f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256); // any byte
                case 1 -> f[rnd.nextInt(Math.min(f.length, 52 + 3 * 32))] ^= (byte) (1 << rnd.nextInt(8)); // a header bit
                case 2 -> { // a 32-bit header or program-header field set to an interesting value
                    int field = rnd.nextBoolean() ? 16 + 4 * rnd.nextInt(9) : 52 + 4 * rnd.nextInt(24);
                    if (field + 4 <= f.length) {
                        ElfBuilder.put32(f, field, INTERESTING[rnd.nextInt(INTERESTING.length)] + (rnd.nextInt(4) == 0 ? rnd.nextInt(16) - 8 : 0));
                    }
                }
                case 3 -> { // a 16-bit header field (counts and sizes)
                    int field = 40 + 2 * rnd.nextInt(6);
                    ElfBuilder.put16(f, field, rnd.nextBoolean() ? rnd.nextInt(8) : rnd.nextInt(65536));
                }
                case 4 -> { // a section-header or symbol field
                    int field = f.length - 4 - 4 * rnd.nextInt(Math.min(60, (f.length - 4) / 4));
                    ElfBuilder.put32(f, field, INTERESTING[rnd.nextInt(INTERESTING.length)]);
                }
                default -> f = Arrays.copyOf(f, rnd.nextInt(f.length + 64)); // truncate or extend with zeros
            }
        }
        return f;
    }
}
