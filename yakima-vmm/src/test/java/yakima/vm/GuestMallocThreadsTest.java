package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import denali.isa.loader.ElfImage;
import yakima.sched.Scheduler;
import yakima.sched.SchedulerConfig;
import yakima.sched.SchedulerThread;

/**
 * Ilwaco's allocator ({@code libc/malloc.c}) under preemptive threads: the
 * guest {@code threads-malloc.c} has four threads malloc, calloc, realloc and
 * free at once while a short, prime quantum makes the tick preempt them at
 * every point of the heap code. Nothing may be handed out twice or damaged,
 * and the heap's invariants ({@code ilwaco_heap_check}) must hold throughout.
 */
class GuestMallocThreadsTest {
    private static final int MEM = 1 << 20;

    @Test
    void threadsPreemptedInsideHeapOperationsLeaveTheHeapWhole() throws Exception {
        long[] now = {0};
        List<Vm> ended = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ElfImage image = ElfImage.parse(Files.readAllBytes(TestGuests.build("threads-malloc")), MEM);
        Scheduler scheduler = new Scheduler(SchedulerConfig.defaults().withThreads(1).withQuantum(997), () -> now[0], ended::add);
        SchedulerThread thread = scheduler.thread(0);
        RateLimitedConsole console = new RateLimitedConsole(ConsoleSink.of(out), () -> now[0], 1 << 30, 1 << 30);
        Vm vm = new Vm(1, null, "threads-malloc", image, MEM, 0x020000000001L, 0x0A000002, 100, now[0], console);
        scheduler.admit(vm);
        for (int step = 0; step < 1_000_000 && ended.isEmpty(); step++) {
            long before = thread.insns();
            thread.doWork();
            now[0] += Math.max(1, thread.insns() - before);
        }
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertEquals(List.of(vm), ended, "the VM ended; it printed:\n" + text);
        assertEquals(VmState.TERMINATED, vm.state(), vm.faultReason() + "\n" + text);
        assertEquals("heap checks failed 0\nblocks damaged 0\nout of memory 0\ninterleaved yes\nheap check 0\nheap top 0\n", text);
        assertEquals(0, vm.exitCode(), text);
        assertTrue(vm.quanta() > 1_000, "the tick fell thousands of times: " + vm.quanta());
    }
}
