package yakima.swap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static yakima.swap.TestRecords.record;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import yakima.swap.FakeFiles.Crash;
import yakima.swap.FakeFiles.UnforcedData;
import yakima.swap.FakeFiles.UnforcedNames;
import yakima.swap.SwapStoreException.Kind;

/**
 * The store's promise under crashes and failures: after a crash at any step
 * of any write or delete, or a failure of any step (a full disk part way
 * through a write included), every VM reads its last completed record or
 * the one being written, whole, never anything else, and no temp file is
 * left once the store is open again.
 *
 * <p>Most tests run the same sequence against a {@link FakeFiles} that
 * crashes or fails at step k, for every k the sequence has:
 * <pre>
 *   before (durable):  vm-1 = A, vm-7 = E, vm-8 = F
 *   0  write vm-1    = B     overwrite
 *   1  write vm-2    = C     a new record in an existing folder
 *   2  write vm-9000 = D     a new record in a new folder (00002)
 *   3  delete vm-8
 * </pre>
 * vm-7 is never touched and must read E throughout.
 */
class SwapStoreCrashTest {
    private static final Path DIR = Path.of("/fake/yakima-swap");
    private static final long LIMIT_BYTES = 1 << 20;

    private static final int VM_1 = 1;
    private static final int VM_2 = 2;
    private static final int VM_FAR = 9000;
    private static final int VM_UNTOUCHED = 7;
    private static final int VM_DELETED = 8;

    private static final byte[] A = record(1, 6000);
    private static final byte[] B = record(2, 9000);
    private static final byte[] C = record(3, 3000);
    private static final byte[] D = record(4, 5000);
    private static final byte[] E = record(5, 2000);
    private static final byte[] F = record(6, 7000);

    /** One step of the sequence: the VM it is about, what it held before, what it holds after. */
    private record Op(String name, int vmId, byte[] before, byte[] after) {
    }

    private static final List<Op> SEQUENCE = List.of(
            new Op("write vm-1", VM_1, A, B),
            new Op("write vm-2", VM_2, null, C),
            new Op("write vm-9000", VM_FAR, null, D),
            new Op("delete vm-8", VM_DELETED, F, null));

    /** How each op of a run ended: completed, failed with an exception, or never got to return. */
    private static final class Run {
        final boolean[] completed = new boolean[SEQUENCE.size()];
        final SwapStoreException[] failures = new SwapStoreException[SEQUENCE.size()];
    }

    /** A store holding the "before" state, all of it forced. */
    private static FakeFiles before() throws SwapStoreException {
        FakeFiles fs = new FakeFiles(DIR.getParent());
        try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
            store.write(VM_1, A, 0, A.length);
            store.write(VM_UNTOUCHED, E, 0, E.length);
            store.write(VM_DELETED, F, 0, F.length);
        }
        return fs;
    }

    /**
     * Runs the sequence on {@code store}, noting in {@code run} how each op
     * ended, until it ends or a {@link Crash} stops it (which propagates).
     */
    private static Run run(SwapStore store, Run run) {
        for (int i = 0; i < SEQUENCE.size(); i++) {
            Op op = SEQUENCE.get(i);
            try {
                if (op.after() == null) {
                    store.delete(op.vmId());
                } else {
                    store.write(op.vmId(), op.after(), 0, op.after().length);
                }
                run.completed[i] = true;
            } catch (SwapStoreException e) {
                run.failures[i] = e;
            }
        }
        return run;
    }

    /** Runs the sequence on {@code store} until a {@link Crash} stops it, if one does. */
    private static Run runUntilCrash(SwapStore store) {
        Run run = new Run();
        try {
            run(store, run);
        } catch (Crash crash) {
            // The op under way when it hit counts as not completed.
        }
        return run;
    }

    private static int stepsInSequence() throws SwapStoreException {
        FakeFiles fs = before();
        try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
            int start = fs.steps();
            Run run = run(store, new Run());
            for (boolean done : run.completed) {
                assertTrue(done);
            }
            return fs.steps() - start;
        }
    }

    static Stream<Arguments> crashPolicies() {
        List<Arguments> all = new ArrayList<>();
        for (UnforcedNames names : UnforcedNames.values()) {
            for (UnforcedData data : UnforcedData.values()) {
                all.add(Arguments.of(names, data));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "unforced names {0}, unforced data {1}")
    @MethodSource("crashPolicies")
    void aCrashAtAnyStepLeavesEveryVmWithItsOldOrNewRecord(UnforcedNames names, UnforcedData data)
            throws SwapStoreException {
        int steps = stepsInSequence();
        assertTrue(steps >= 4 * SEQUENCE.size(), "the fake counts the store's steps: " + steps);
        for (int k = 0; k <= steps; k++) {
            FakeFiles fs = before();
            Run run;
            try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
                fs.crashAtStep(k);
                run = runUntilCrash(store);
            }
            assertEquals(k < steps, fs.crashed(), "crash at step " + k);
            String when = "crash at step " + k + " of " + steps + " (" + names + " names, " + data + " data)";
            FakeFiles survivors = fs.afterCrash(names, data);
            try (SwapStore restarted = SwapStore.open(DIR, LIMIT_BYTES, survivors)) {
                assertRecoveredState(restarted, run, when);
                assertNoTempFiles(survivors, when);
            }
        }
    }

    @Test
    void aFailureAtAnyStepLosesNothingAndLeavesNoTempFile() throws SwapStoreException {
        int steps = stepsInSequence();
        for (int k = 0; k < steps; k++) {
            FakeFiles fs = before();
            try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
                fs.failAtStep(k);
                Run run = run(store, new Run());
                String when = "failure of step " + k + " (" + fs.failedOperation() + " " + fs.failedPath() + ")";
                int failed = failedOp(run, when);
                SwapStoreException failure = run.failures[failed];
                Op op = SEQUENCE.get(failed);
                assertEquals(fs.failedOperation().equals("write") ? Kind.FULL : Kind.IO, failure.kind(), when);
                assertEquals(op.vmId(), failure.vmId(), when);
                assertFalse(failure.getMessage().contains("\n"), when);

                // Only forcing the VM's own folder comes after the rename (or the removal).
                Path vmFolder = DIR.resolve(StoreLayout.folderName(StoreLayout.folderIndex(op.vmId())));
                boolean afterTheChange = fs.failedOperation().equals("forceDirectory")
                        && fs.failedPath().equals(vmFolder);
                assertReads(store, op.vmId(), afterTheChange ? op.after() : op.before(), when);
                assertNoTempFiles(fs, when);
                assertAccountingMatchesFiles(store, fs, when);

                for (UnforcedNames names : UnforcedNames.values()) {
                    FakeFiles survivors = fs.afterCrash(names, UnforcedData.LOST);
                    try (SwapStore restarted = SwapStore.open(DIR, LIMIT_BYTES, survivors)) {
                        assertRecoveredState(restarted, run, when + ", then a crash (" + names + " names)");
                        assertNoTempFiles(survivors, when);
                    }
                }
            }
        }
    }

    @Test
    void aCrashWhileRecoveringIsRecoveredFromByTheNextOpen() throws SwapStoreException {
        // Crash with a temp file of every write still there, then crash again at each step of the open.
        int steps = stepsInSequence();
        for (int k = 0; k < steps; k++) {
            FakeFiles fs = before();
            Run seen;
            try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
                fs.crashAtStep(k);
                seen = runUntilCrash(store);
            }
            FakeFiles afterFirst = fs.afterCrash(UnforcedNames.KEPT, UnforcedData.HALF_KEPT);
            for (int r = 0; ; r++) {
                FakeFiles victim = afterFirst.afterCrash(UnforcedNames.KEPT, UnforcedData.KEPT);
                victim.crashAtStep(r);
                try {
                    SwapStore.open(DIR, LIMIT_BYTES, victim).close();
                    break; // the open took fewer than r steps: every crash point of it is covered
                } catch (Crash expected) {
                    String when = "crash at step " + k + ", then at step " + r + " of the open";
                    for (UnforcedNames names : UnforcedNames.values()) {
                        FakeFiles survivors = victim.afterCrash(names, UnforcedData.LOST);
                        try (SwapStore restarted = SwapStore.open(DIR, LIMIT_BYTES, survivors)) {
                            assertRecoveredState(restarted, seen, when);
                            assertNoTempFiles(survivors, when);
                        }
                    }
                }
            }
        }
    }

    @Test
    void writesAfterARestartFromAProcessCrashAreAsDurableAsAny() throws SwapStoreException {
        // The process dies at step k and the machine stays up, so what it left
        // unforced is still there. The restarted store must not take that as
        // durable: after it runs the sequence again, a machine crash keeps it all.
        int steps = stepsInSequence();
        for (int k = 0; k < steps; k++) {
            FakeFiles fs = before();
            try (SwapStore store = SwapStore.open(DIR, LIMIT_BYTES, fs)) {
                fs.crashAtStep(k);
                runUntilCrash(store);
            }
            FakeFiles restartedFs = fs.afterProcessCrash();
            Run again;
            try (SwapStore restarted = SwapStore.open(DIR, LIMIT_BYTES, restartedFs)) {
                again = run(restarted, new Run());
            }
            String when = "process crash at step " + k + ", the sequence again, then a machine crash";
            FakeFiles survivors = restartedFs.afterCrash(UnforcedNames.LOST, UnforcedData.LOST);
            try (SwapStore afterMachineCrash = SwapStore.open(DIR, LIMIT_BYTES, survivors)) {
                assertRecoveredState(afterMachineCrash, again, when);
                assertNoTempFiles(survivors, when);
            }
        }
    }

    @Test
    void aStoreFirstOpenedDuringACrashKeepsTheRecordsWrittenAfterARestart() throws SwapStoreException {
        // The store's directory and two parents do not exist yet: opening makes
        // all three, and their names must be durable before any write completes.
        Path nested = Path.of("/fake/data/yakima/yakima-swap");
        for (int k = 0; ; k++) {
            FakeFiles fs = new FakeFiles(Path.of("/fake"));
            fs.crashAtStep(k);
            boolean opened = false;
            try {
                SwapStore.open(nested, LIMIT_BYTES, fs).close();
                opened = true;
            } catch (Crash expected) {
                // the first open died at step k
            }
            FakeFiles restartedFs = fs.afterProcessCrash();
            try (SwapStore restarted = SwapStore.open(nested, LIMIT_BYTES, restartedFs)) {
                restarted.write(VM_1, A, 0, A.length);
            }
            String when = "crash at step " + k + " of the first open, a restart, a write, then a machine crash";
            try (SwapStore afterMachineCrash = SwapStore.open(nested, LIMIT_BYTES,
                    restartedFs.afterCrash(UnforcedNames.LOST, UnforcedData.LOST))) {
                assertReads(afterMachineCrash, VM_1, A, when);
            }
            if (opened) {
                break; // the first open took fewer than k steps: every crash point of it is covered
            }
        }
    }

    private static int failedOp(Run run, String when) {
        int failed = -1;
        for (int i = 0; i < SEQUENCE.size(); i++) {
            if (run.failures[i] != null) {
                assertEquals(-1, failed, when + ": one fault, one failed op");
                failed = i;
            } else {
                assertTrue(run.completed[i], when);
            }
        }
        assertTrue(failed >= 0, when + ": every step belongs to an op, so some op must fail");
        return failed;
    }

    /** What a store opened after a crash must show, given which ops of {@code run} completed. */
    private static void assertRecoveredState(SwapStore store, Run run, String when) throws SwapStoreException {
        assertReads(store, VM_UNTOUCHED, E, when);
        List<Integer> present = new ArrayList<>(List.of(VM_UNTOUCHED));
        long usedBytes = SpaceAccount.chargeFor(RecordFileHeader.BYTES + E.length);
        for (int i = 0; i < SEQUENCE.size(); i++) {
            Op op = SEQUENCE.get(i);
            byte[] got = readOrNull(store, op.vmId(), when);
            if (run.completed[i]) {
                assertSame(op.after(), got, when + ": " + op.name() + " completed");
            } else if (!same(op.before(), got) && !same(op.after(), got)) {
                fail(when + ": " + op.name() + " must leave the old record or the new one, whole");
            }
            if (got != null) {
                present.add(op.vmId());
                usedBytes += SpaceAccount.chargeFor(RecordFileHeader.BYTES + got.length);
            }
        }
        int[] expectedIds = present.stream().mapToInt(Integer::intValue).sorted().toArray();
        assertArrayEquals(expectedIds, store.ids(), when);
        assertEquals(expectedIds.length, store.records(), when);
        assertEquals(usedBytes, store.usedBytes(), when);
    }

    private static byte[] readOrNull(SwapStore store, int vmId, String when) {
        try {
            return store.read(vmId);
        } catch (SwapStoreException e) {
            assertEquals(Kind.NOT_FOUND, e.kind(), when + ": " + e.getMessage());
            return null;
        }
    }

    private static void assertReads(SwapStore store, int vmId, byte[] expected, String when) {
        assertSame(expected, readOrNull(store, vmId, when), when + ": vm-" + vmId);
    }

    private static void assertSame(byte[] expected, byte[] got, String when) {
        if (!same(expected, got)) {
            fail(when + ": expected " + describe(expected) + " but read " + describe(got));
        }
    }

    private static boolean same(byte[] a, byte[] b) {
        return Arrays.equals(a, b);
    }

    private static String describe(byte[] record) {
        if (record == null) {
            return "no record";
        }
        for (Map.Entry<String, byte[]> named : Map.of("A", A, "B", B, "C", C, "D", D, "E", E, "F", F).entrySet()) {
            if (Arrays.equals(named.getValue(), record)) {
                return "record " + named.getKey();
            }
        }
        return "an unknown record of " + record.length + " bytes";
    }

    private static void assertNoTempFiles(FakeFiles fs, String when) {
        for (Path file : fs.files().keySet()) {
            assertFalse(file.toString().endsWith(StoreLayout.TEMP_SUFFIX), when + ": " + file + " left behind");
        }
    }

    private static void assertAccountingMatchesFiles(SwapStore store, FakeFiles fs, String when) {
        long usedBytes = 0;
        int records = 0;
        for (Map.Entry<Path, Integer> file : fs.files().entrySet()) {
            if (file.getKey().toString().endsWith(StoreLayout.RECORD_SUFFIX)) {
                usedBytes += SpaceAccount.chargeFor(file.getValue());
                records++;
            }
        }
        assertEquals(usedBytes, store.usedBytes(), when + ": used bytes");
        assertEquals(records, store.records(), when + ": records");
    }
}
