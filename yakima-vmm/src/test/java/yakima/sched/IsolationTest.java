package yakima.sched;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import denali.isa.loader.LoadException;
import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;
import yakima.vm.ConsoleSink;
import yakima.vm.TinyElf;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * What the Denali ISA promises a guest about its memory (denali-isa.md
 * sections 8, 10 and 11): one flat private address space that no other VM can
 * observe, image pages shared invisibly (copied on a VM's first write), page 0
 * readable but writable only at 0x20-0x2F, and an access past the end that
 * ends only this VM, with a one-line reason naming the address.
 *
 * <p>The guests are hand-assembled (bytes as {@code objdump -d} prints them)
 * and run on a scheduler thread driven by hand; the clock stands still.
 */
class IsolationTest {
    private static final int MEM = TestVms.MEM;

    private final TestVms.Clock clock = new TestVms.Clock();

    private Scheduler scheduler(long quantum) {
        return new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(quantum).withMaxVmsPerThread(64), clock::now, vm -> { });
    }

    private static ElfImage image(byte[] code, byte[] data) {
        try {
            return ElfImage.parse(TinyElf.of(code, data), MEM);
        } catch (LoadException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- copy on write

    /** The image's data page, at 0x2000: bytes 3, 10, 17, ... */
    private static final int DATA = 0x2000;

    private static byte[] dataPage() {
        byte[] page = new byte[GuestMemory.PAGE_SIZE];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (i * 7 + 3);
        }
        return page;
    }

    /**
     * Reads the image's word at DATA and keeps it at DATA+8 (what this VM saw
     * at boot), writes its own IPv4 register (different in every VM) to DATA,
     * yields so the other VMs write theirs, then reads DATA back and
     * terminates with it as the exit code. Padded to a page, so the data
     * page holds no code.
     */
    private static final byte[] COW_CODE = Arrays.copyOf(TestVms.hex("""
            8b 3d 00 20 00 00
            89 3d 08 20 00 00
            8b 35 38 00 00 00
            89 35 00 20 00 00
            b8 06 00 00 00
            0f 04
            8b 1d 00 20 00 00
            0f 0c
            """), GuestMemory.PAGE_SIZE);
    // mov 0x2000,%edi; mov %edi,0x2008; mov 0x38,%esi (IPV4); mov %esi,0x2000;
    // mov $6,%eax; HCALL (YIELD); mov 0x2000,%ebx; TERM

    /** What a VM's IPV4 register reads as a little-endian word (it is in network byte order). */
    private static int ipv4Word(Vm vm) {
        return Integer.reverseBytes(vm.ipv4());
    }

    @Test
    void vmsFromOneImageWriteTheSameSharedAddressPrivatelyAndTheImageStaysIntact() {
        byte[] pattern = dataPage();
        int original = ByteBuffer.wrap(pattern).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        ElfImage image = image(COW_CODE, pattern);
        assertEquals(2, image.pageCount(), "a code page and a data page");
        Scheduler s = scheduler(100_000);
        Vm a = TestVms.vm(1, image, clock);
        Vm b = TestVms.vm(2, image, clock);
        for (Vm vm : new Vm[] {a, b}) {
            assertEquals(2, vm.memory().sharedPages(), "both image pages are mapped shared at boot");
            assertEquals(1, vm.memory().privatePages(), "only page 0 is private at boot");
            s.admit(vm);
        }
        SchedulerThread t = s.thread(0);
        t.doWork(); // a writes its value, yields
        t.doWork(); // b writes its value at the same address, yields

        for (Vm vm : new Vm[] {a, b}) {
            GuestMemory m = vm.memory();
            assertEquals(ipv4Word(vm), m.read32(DATA), vm.idString() + " holds its own value");
            assertEquals(original, m.read32(DATA + 8), vm.idString() + " saw the image's word before writing");
            for (int off = 4; off < GuestMemory.PAGE_SIZE; off++) {
                if (off < 8 || off >= 12) {
                    assertEquals(pattern[off] & 0xFF, m.read8(DATA + off), vm.idString() + " the rest of its copy is the image's, at +" + off);
                }
            }
            assertEquals(1, m.sharedPages(), vm.idString() + ": the data page was copied, the code page is still shared");
            assertEquals(2, m.privatePages(), vm.idString() + ": page 0 and its copy of the data page");
            assertEquals(1, vm.sharedPages(), "the published count agrees");
            assertEquals(2, vm.privatePages(), "the published count agrees");
        }
        assertFalse(ipv4Word(a) == ipv4Word(b), "the two VMs wrote different values");

        Vm c = TestVms.vm(3, image, clock); // made after a and b wrote
        assertEquals(original, c.memory().read32(DATA), "a new VM from the image sees the image, not a's or b's write");
        assertEquals(2, c.memory().sharedPages());

        t.doWork(); // a reads back and terminates with what it read
        t.doWork(); // b likewise
        assertEquals(VmState.TERMINATED, a.state());
        assertEquals(VmState.TERMINATED, b.state());
        assertEquals(ipv4Word(a), a.exitCode(), "a read back its own value, not b's");
        assertEquals(ipv4Word(b), b.exitCode(), "b read back its own value");

        s.admit(c);
        t.doWork(); // c's first quantum, after a and b wrote and ended
        assertEquals(original, c.memory().read32(DATA + 8), "the guest in c read the image's original word");
        t.doWork();
        assertEquals(ipv4Word(c), c.exitCode());
    }

    // ---------------------------------------------------------------- probing the whole address space

    /** What the marker VM writes all over its memory; no other VM may ever read it. */
    private static final int MARKER = 0x5E4D3C2B;
    private static final int RESULTS = 0x1100;

    /**
     * Reads every word from 0 to MEM_SIZE - 4, hashing them (h = rol(h, 5) ^
     * word) and counting the words equal to MARKER (built with NOT, so the
     * code itself never holds it), then the last byte (MEM_SIZE - 1). Stores
     * hash, count and last byte at RESULTS, writes the 12 bytes to the
     * console, then reads the word at MEM_SIZE: just past the end.
     */
    private static final byte[] PROBE_CODE = Arrays.copyOf(TestVms.concat(TestVms.hex("""
            8b 0d 08 00 00 00
            31 c0
            31 db
            31 ff
            ba"""), TestVms.concat(TestVms.le(~MARKER), TestVms.hex("""
            f7 d2
            8b 30
            c1 c3 05
            31 f3
            39 d6
            75 01
            47
            83 c0 04
            39 c8
            72 ed
            0f b6 71 ff
            89 1d 00 11 00 00
            89 3d 04 11 00 00
            89 35 08 11 00 00
            b8 01 00 00 00
            bb 00 11 00 00
            b9 0c 00 00 00
            0f 04
            a1 08 00 00 00
            8b 00
            0f 0c
            """))), RESULTS - TinyElf.BASE);
    //        mov 0x8,%ecx (MEM_SIZE); xor %eax,%eax; xor %ebx,%ebx; xor %edi,%edi; mov $~MARKER,%edx; not %edx
    // top:   mov (%eax),%esi; rol $5,%ebx; xor %esi,%ebx; cmp %edx,%esi; jne 1f; inc %edi
    // 1:     add $4,%eax; cmp %ecx,%eax; jb top
    //        movzbl -1(%ecx),%esi; mov %ebx,0x1100; mov %edi,0x1104; mov %esi,0x1108
    //        mov $1,%eax; mov $0x1100,%ebx; mov $12,%ecx; HCALL (CONSOLE_WRITE)
    //        mov 0x8,%eax; mov (%eax),%eax  <- at 0x1052: faults; TERM
    private static final int PROBE_FAULT_EIP = 0x1052;

    /** Writes MARKER in its own memory where the probe will look (0x8000, the last word, GUEST_SCRATCH, its data), then counts 600,000 down and terminates with 42. */
    private static final byte[] MARKER_CODE = TestVms.concat(TinyElf.movEax(MARKER), TestVms.hex("""
            a3 00 80 00 00
            a3 fc ff 00 00
            a3 2c 00 00 00
            a3 00 11 00 00
            b9 c0 27 09 00
            49
            75 fd
            bb 2a 00 00 00
            0f 0c
            """));
    // mov $MARKER,%eax; mov %eax,0x8000; mov %eax,0xfffc; mov %eax,0x2c; mov %eax,0x1100;
    // mov $600000,%ecx; 1: dec %ecx; jnz 1b; mov $42,%ebx; TERM

    @Test
    void aGuestReadingEveryAddressSeesOnlyItsOwnMemoryAndFaultsCleanlyJustPastTheEnd() {
        // a quantum long enough for the probe's whole scan (8 instructions a word), so its clock
        // registers do not change under it; the marker VM needs two such quanta
        Scheduler s = scheduler(1_000_000);
        Vm marker = TestVms.vm(1, image(MARKER_CODE, new byte[16]), clock);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        byte[] probeData = new byte[16];
        Vm probe = TestVms.vm(2, image(PROBE_CODE, probeData), clock, ConsoleSink.of(console));

        // What the host knows is in the probe's memory: page 0 as the VMM published it at boot
        // (the clock registers are refreshed to 0 ns and 0 instructions as its first quantum
        // starts, which is what they hold at boot), the image at 0x1000, zeros everywhere else.
        int[] expected = new int[MEM / 4];
        for (int w = 0; w < GuestMemory.PAGE_SIZE / 4; w++) {
            expected[w] = probe.memory().read32(4 * w);
        }
        assertEquals(DenaliAbi.VREGS_MAGIC, expected[DenaliAbi.VREG_MAGIC / 4]);
        assertEquals(MEM, expected[DenaliAbi.VREG_MEM_SIZE / 4]);
        assertEquals(ipv4Word(probe), expected[DenaliAbi.VREG_IPV4 / 4]);
        for (int off = DenaliAbi.VREGS_SIZE; off < GuestMemory.PAGE_SIZE; off += 4) {
            assertEquals(0, expected[off / 4], "page 0 beyond the registers is zero, at " + off);
        }
        byte[] segment = TestVms.concat(PROBE_CODE, probeData);
        ByteBuffer.wrap(segment).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(expected, TinyElf.BASE / 4, segment.length / 4);
        int hash = 0;
        for (int w : expected) {
            hash = Integer.rotateLeft(hash, 5) ^ w;
        }

        s.admit(marker);
        s.admit(probe);
        SchedulerThread t = s.thread(0);
        t.doWork(); // the marker VM writes its marker everywhere, and is still counting when its quantum ends
        assertEquals(MARKER, marker.memory().read32(0x8000));
        assertEquals(MARKER, marker.memory().read32(MEM - 4));
        assertEquals(MARKER, marker.memory().read32(DenaliAbi.VREG_GUEST_SCRATCH));
        assertEquals(VmState.RUNNABLE, marker.state());

        t.doWork(); // the probe reads everything, reports, and reads one word too far
        ByteBuffer report = ByteBuffer.wrap(console.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12, report.remaining(), "the probe reported before it faulted");
        assertEquals(Integer.toHexString(hash), Integer.toHexString(report.getInt()),
                "the probe read exactly its page 0, its image and zeros: nothing of another VM's");
        assertEquals(0, report.getInt(), "the marker VM's value appears nowhere in the probe's memory");
        assertEquals(0, report.getInt(), "the last byte of memory is readable, and zero");

        assertEquals(VmState.FAULTED, probe.state());
        assertEquals(String.format("memory access outside the VM's memory (address 0x%08x) at eip 0x%08x: mov   (%%eax),%%eax",
                MEM, PROBE_FAULT_EIP), probe.faultReason());
        assertEquals(0, probe.privatePages() + probe.sharedPages(), "the faulted VM's memory is released");

        t.doWork(); // the marker VM, on the same thread, carries on after the fault
        assertEquals(VmState.TERMINATED, marker.state());
        assertEquals(42, marker.exitCode());
        assertNull(marker.faultReason());
        assertEquals(2, marker.quanta(), "the marker VM ran a quantum before and after the probe's");
    }

    // ---------------------------------------------------------------- the virtual-registers page

    /** mov %al,(%ebx); mov $0,%ebx; TERM: one byte store at the address the test puts in EBX. */
    private static final byte[] STORE8 = TestVms.hex("88 03 bb 00 00 00 00 0f 0c");
    /** mov %eax,(%ebx); mov $0,%ebx; TERM. */
    private static final byte[] STORE32 = TestVms.hex("89 03 bb 00 00 00 00 0f 0c");
    private static final int STORED = 0xA5C3E187;

    @Test
    void page0IsWritableOnlyAt0x20To0x2FAndAnyOtherWriteFaultsWritingNothing() {
        Scheduler s = scheduler(100_000);
        SchedulerThread t = s.thread(0);
        ElfImage store8 = image(STORE8, new byte[16]);
        ElfImage store32 = image(STORE32, new byte[16]);
        int id = 1;
        // every byte of page 0; and 32-bit stores at every offset that touches 0x1C..0x33, so the
        // writable range's edges are crossed by one byte and by three
        for (int width : new int[] {1, 4}) {
            int first = width == 1 ? 0 : 0x1C - 3;
            int end = width == 1 ? GuestMemory.PAGE_SIZE : 0x34;
            for (int off = first; off < end; off++) {
                Vm vm = TestVms.vm(id++, width == 1 ? store8 : store32, clock);
                GuestMemory mem = vm.memory(); // kept: the VM drops it when it ends
                int[] before = words(mem);
                vm.setReg(denali.isa.interp.CpuState.EAX, STORED);
                vm.setReg(denali.isa.interp.CpuState.EBX, off);
                s.admit(vm);
                t.doWork();
                boolean writable = off >= DenaliAbi.VREG_INT_ENABLE && off + width <= DenaliAbi.VREG_GUEST_SCRATCH + 4;
                String what = width * 8 + "-bit store at 0x" + Integer.toHexString(off);
                if (writable) {
                    assertEquals(VmState.TERMINATED, vm.state(), what + ": " + vm.faultReason());
                    int got = width == 1 ? mem.read8(off) : mem.read32(off);
                    assertEquals(width == 1 ? STORED & 0xFF : STORED, got, what + " took effect");
                } else {
                    assertEquals(VmState.FAULTED, vm.state(), what + " must fault");
                    assertEquals(String.format("write to a read-only virtual register (address 0x%08x) at eip 0x00001000: mov   %s,(%%ebx)",
                            off, width == 1 ? "%al" : "%eax"), vm.faultReason(), what);
                    assertArrayEquals(before, words(mem), what + " wrote nothing, not even the writable bytes it covers");
                }
            }
        }
    }

    private static int[] words(GuestMemory mem) {
        int[] w = new int[GuestMemory.PAGE_SIZE / 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = mem.read32(4 * i);
        }
        return w;
    }
}
