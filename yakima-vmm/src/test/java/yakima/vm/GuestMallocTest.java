package yakima.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import yakima.host.HandTurnedHost;

/**
 * Ilwaco's allocator seen from the VMM: a guest's heap churn must cost few
 * private pages, because a page becomes private host memory the first time
 * the guest writes it. The guest ({@code src/test/guests/malloc-churn.c})
 * replaces a working set of 16 buffers of 16..1024 bytes 10,000 times, then
 * idles so that its pages can be counted while the VM still exists. The
 * host's threads are not started: the test turns the scheduler by hand.
 */
class GuestMallocTest {
    private static final int MEM = 1 << 20;
    /** Largest block the churn can hold: 1024 bytes + 4 of header, rounded to 16. */
    private static final int MAX_BLOCK = 1040;
    private static final int SLOTS = 16;
    private static final int PAGE = 4096;

    @RegisterExtension
    final HandTurnedHost hand = new HandTurnedHost();

    /** Turns the scheduler by hand until {@code done}, moving the clock 1 ms a turn; fails after 100,000 turns. */
    private void runUntil(BooleanSupplier done) {
        hand.runUntil(done, 100_000);
    }

    /** Runs the guest until it idles for good (or ends) and returns its private pages at that point. */
    private int privatePagesWhenIdle(Path image) throws Exception {
        Vm vm = hand.create(image.toString(), MEM, null);
        runUntil(() -> vm.state() == VmState.IDLE || vm.state().isFinal());
        assertEquals(VmState.IDLE, vm.state(), () -> "fault: " + vm.faultReason() + "\n" + hand.output());
        return vm.privatePages();
    }

    @Test
    void tenThousandAllocFreeCyclesOfASmallWorkingSetTouchOnlyAFewHeapPages() throws Exception {
        hand.start();
        int baseline = privatePagesWhenIdle(TestGuests.build("malloc-churn", "CYCLES=0"));
        int churned = privatePagesWhenIdle(TestGuests.build("malloc-churn"));
        String out = hand.output();
        Matcher m = Pattern.compile("churn: 10000 cycles, heap top (\\d+) bytes, check 0, sum \\d+").matcher(out);
        assertTrue(m.find(), out);
        int heapTop = Integer.parseInt(m.group(1));

        // The live set never exceeds 16 blocks of at most 1040 bytes: 16,640 bytes, 5 pages when
        // packed, 6 since the heap need not start on a page boundary. First fit with coalescing keeps
        // the heap within that (about 12 KiB here); an allocator that did not reuse freed blocks would
        // write 10,000 x ~530 bytes, more pages than the VM has.
        int liveMax = SLOTS * MAX_BLOCK;
        assertTrue(heapTop <= liveMax, "heap grew to " + heapTop + " bytes for at most " + liveMax + " live");
        int heapPages = churned - baseline;
        assertTrue(heapPages <= (liveMax + PAGE - 1) / PAGE + 1,
                "10,000 cycles cost " + heapPages + " private pages beyond the baseline of " + baseline);
        assertTrue(heapPages >= 1, "the churn wrote the heap: " + heapPages);
    }

    private void assertAborts(String define, String line) throws Exception {
        hand.start();
        Vm vm = hand.createGuest("malloc-churn", MEM, null, define);
        runUntil(() -> vm.state().isFinal());
        assertEquals(VmState.TERMINATED, vm.state(), () -> "fault: " + vm.faultReason());
        assertEquals(134, vm.exitCode(), hand.output());
        assertEquals(line + "\nilwaco: abort()\n", hand.output());
    }

    @Test
    void aDoubleFreeAbortsWithOneLineAndExitCode134() throws Exception {
        assertAborts("DOUBLE_FREE", "ilwaco: free(): double free");
    }

    @Test
    void freeingTheTopBlockTwiceIsCaughtAlthoughItWentBackToTheBreak() throws Exception {
        assertAborts("DOUBLE_FREE_TOP", "ilwaco: free(): double free (above the break)");
    }
}
