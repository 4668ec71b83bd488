package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static yakima.swap.TestImages.assertSameImage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import denali.isa.memory.GuestMemory;
import yakima.host.HandTurnedHost;
import yakima.host.HandTurnedHost.Agent;
import yakima.swap.VmImage.Counters;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * What a record costs on disk for the VM swapping is for: an idle web
 * server. The target is 16 KiB; an httpd settled after boot holds 7 private
 * pages that are nearly all zero, and its whole record is a little over
 * 1 KiB (docs/swap-record.md).
 */
class RecordSizeTest {
    private static final int HTTPD_MEM = 8 << 20;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);

    @Test
    void anIdleHttpdsRecordIsAFewKiBAndReadsBackTheSame() throws Exception {
        hand.start();
        Vm httpd = hand.create("httpd", HTTPD_MEM, null);
        hand.runUntil(() -> hand.output().contains("httpd: listening on port 80") && httpd.state() == VmState.IDLE,
                1_000);
        for (int i = 0; i < 2_000; i++) {
            hand.turn(10_000_000); // 20 s of virtual time: its timers have run
        }
        assertEquals(VmState.IDLE, httpd.state());

        VmImage image = imageOf(httpd, hand.nowNs());
        byte[] record = RecordWriter.write(image);
        System.out.println("idle httpd: " + image.privatePages() + " private pages, record " + record.length
                + " bytes");
        assertTrue(record.length <= 4096, "an idle httpd's record is " + record.length + " bytes");
        assertSameImage(image, RecordReader.read(record));
    }

    /**
     * The VM as a record holds it, near enough for its size: registers,
     * counters, console tail and every private page (what a capture takes);
     * no frames wait, no disk.
     */
    private static VmImage imageOf(Vm vm, long nowNs) throws Exception {
        GuestMemory mem = vm.memory();
        List<Integer> numbers = new ArrayList<>();
        for (int p = 1; p < mem.pageCount(); p++) {
            if (mem.isPrivatePage(p)) {
                numbers.add(p);
            }
        }
        int[][] pages = new int[numbers.size()][];
        byte[] bytes = new byte[GuestMemory.PAGE_SIZE];
        for (int i = 0; i < pages.length; i++) {
            mem.readBytes(numbers.get(i) << GuestMemory.PAGE_SHIFT, bytes, 0, bytes.length);
            pages[i] = new int[VmImage.PAGE_WORDS];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(pages[i]);
        }
        int[] regs = new int[8];
        for (int r = 0; r < regs.length; r++) {
            regs[r] = vm.reg(r);
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(new ImageResolver().resolve("httpd").bytes());
        return new VmImage(vm.id(), vm.name(), vm.imageName(), digest, vm.memSizeBytes(), vm.mac(), vm.ipv4(), regs,
                vm.eip(), vm.flags(), vm.insns(), true, vm.vmTimeNs(nowNs), -1, 0,
                new Counters(vm.quanta(), vm.yields(), vm.wakes(), vm.hypercallCount()),
                vm.virtualRegisters().clone(), numbers.stream().mapToInt(Integer::intValue).toArray(), pages,
                List.of(), null, vm.console().tail());
    }
}
