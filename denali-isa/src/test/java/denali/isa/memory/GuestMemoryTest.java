package denali.isa.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import denali.isa.spec.DenaliAbi;

/**
 * Guest memory keeps pages as 32-bit words; these check that every access
 * width at every alignment, inside a page and across two, reads back exactly
 * the little-endian bytes a byte-addressed memory would hold.
 */
class GuestMemoryTest {
    private static final int SIZE = 4 * GuestMemory.PAGE_SIZE;

    @Test
    void everyWidthAtEveryAlignmentMatchesAByteModel() {
        GuestMemory mem = new GuestMemory(SIZE);
        byte[] model = new byte[SIZE];
        Random rnd = new Random(42);
        int[] hot = {2 * GuestMemory.PAGE_SIZE - 5, 2 * GuestMemory.PAGE_SIZE - 3, 2 * GuestMemory.PAGE_SIZE - 1, 3 * GuestMemory.PAGE_SIZE - 2};
        for (int n = 0; n < 20_000; n++) {
            int width = new int[] {1, 2, 4}[rnd.nextInt(3)];
            int a = n % 4 == 0 ? hot[rnd.nextInt(hot.length)] + rnd.nextInt(4)
                    : GuestMemory.PAGE_SIZE + rnd.nextInt(SIZE - GuestMemory.PAGE_SIZE - 4);
            int v = rnd.nextInt();
            switch (width) {
                case 1 -> mem.write8(a, v);
                case 2 -> mem.write16(a, v);
                default -> mem.write32(a, v);
            }
            for (int k = 0; k < width; k++) {
                model[a + k] = (byte) (v >>> (8 * k));
            }
            int b = Math.min(Math.max(a - 3 + rnd.nextInt(7), GuestMemory.PAGE_SIZE), SIZE - 4);
            assertEquals(model[b] & 0xFF, mem.read8(b));
            assertEquals((model[b] & 0xFF) | (model[b + 1] & 0xFF) << 8, mem.read16(b));
            assertEquals((model[b] & 0xFF) | (model[b + 1] & 0xFF) << 8 | (model[b + 2] & 0xFF) << 16 | model[b + 3] << 24,
                    mem.read32(b), "read32 at " + b);
        }
        byte[] out = new byte[SIZE - GuestMemory.PAGE_SIZE];
        mem.readBytes(GuestMemory.PAGE_SIZE, out, 0, out.length);
        byte[] expected = java.util.Arrays.copyOfRange(model, GuestMemory.PAGE_SIZE, SIZE);
        assertArrayEquals(expected, out);
    }

    @Test
    void bulkCopiesAtOddOffsetsRoundTrip() {
        GuestMemory mem = new GuestMemory(SIZE);
        byte[] data = new byte[5000];
        new Random(7).nextBytes(data);
        mem.writeBytes(GuestMemory.PAGE_SIZE + 3, data, 1, 4321);
        byte[] back = new byte[4321];
        mem.readBytes(GuestMemory.PAGE_SIZE + 3, back, 0, back.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1, 4322), back);
        assertEquals(data[1] & 0xFF, mem.read8(GuestMemory.PAGE_SIZE + 3));
        assertEquals(0, mem.read8(GuestMemory.PAGE_SIZE + 2));
    }

    @Test
    void accessesPastTheEndFaultAndAPageCrossingStoreThatFaultsWritesNothing() {
        GuestMemory mem = new GuestMemory(SIZE);
        assertThrows(MemoryFault.class, () -> mem.read8(SIZE));
        assertThrows(MemoryFault.class, () -> mem.read32(SIZE - 2));
        assertThrows(MemoryFault.class, () -> mem.write32(SIZE - 1, -1));
        assertEquals(0, mem.read8(SIZE - 1));
        assertThrows(MemoryFault.class, () -> mem.write8(-1, 1));
    }

    @Test
    void sharedPagesAreCopiedOnTheFirstStoreAndStayUnchangedForOthers() {
        byte[] bytes = new byte[GuestMemory.PAGE_SIZE];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        SharedPage page = new SharedPage(bytes);
        GuestMemory a = new GuestMemory(SIZE);
        GuestMemory b = new GuestMemory(SIZE);
        a.mapShared(2, page);
        b.mapShared(2, page);
        int base = 2 * GuestMemory.PAGE_SIZE;
        assertEquals(0x07060504, a.read32(base + 4));
        assertEquals(0x08070605, a.read32(base + 5));
        a.write16(base + 6, 0xBEEF);
        assertEquals(0xBEEF0504, a.read32(base + 4));
        assertEquals(0x07060504, b.read32(base + 4));
        assertEquals(1, a.privatePages() - b.privatePages());
        assertEquals(0, a.sharedPages(), "the copied page is no longer shared");
        assertEquals(1, b.sharedPages());
        b.mapShared(2, page); // mapping again replaces, it does not add
        b.mapShared(3, page);
        assertEquals(2, b.sharedPages());
        a.mapShared(2, page); // a private page mapped shared again
        assertEquals(1, a.sharedPages());
    }

    @Test
    void isPrivatePageNamesTheVirtualRegistersAndEveryWrittenOrCopiedPageAndNothingElse() {
        GuestMemory mem = new GuestMemory(8 * GuestMemory.PAGE_SIZE);
        SharedPage page = new SharedPage(new byte[GuestMemory.PAGE_SIZE]);
        mem.mapShared(2, page);
        mem.mapShared(3, page);
        mem.write8(GuestMemory.PAGE_SIZE + 7, 1); // page 1: a zero page, written
        mem.write8(3 * GuestMemory.PAGE_SIZE, 1); // page 3: shared, copied
        mem.read8(4 * GuestMemory.PAGE_SIZE); // page 4: only read
        int counted = 0;
        for (int p = 0; p < mem.pageCount(); p++) {
            counted += mem.isPrivatePage(p) ? 1 : 0;
        }
        assertTrue(mem.isPrivatePage(0));
        assertTrue(mem.isPrivatePage(1));
        assertFalse(mem.isPrivatePage(2), "shared, never written");
        assertTrue(mem.isPrivatePage(3));
        assertFalse(mem.isPrivatePage(4), "read only: still the zero page");
        assertEquals(mem.privatePages(), counted);
    }

    @Test
    void onlyTheGuestFieldsOfTheVirtualRegistersAreWritable() {
        GuestMemory mem = new GuestMemory(SIZE);
        mem.write32(DenaliAbi.VREG_INT_ENABLE, 1);
        assertEquals(1, mem.read32(DenaliAbi.VREG_INT_ENABLE));
        assertThrows(MemoryFault.class, () -> mem.write32(DenaliAbi.VREG_TIME_NS, 1));
        mem.vmmWrite64(DenaliAbi.VREG_TIME_NS, 0x1_0000_0002L);
        assertEquals(0x1_0000_0002L, mem.read64(DenaliAbi.VREG_TIME_NS));
    }
}
