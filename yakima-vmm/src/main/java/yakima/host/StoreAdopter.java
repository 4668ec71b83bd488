package yakima.host;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import yakima.swap.CloneManifest;
import yakima.swap.RecordException;
import yakima.swap.RecordReader;
import yakima.swap.RecordSummary;
import yakima.swap.SwapStore;
import yakima.swap.SwapStoreException;
import yakima.swap.Tombstone;
import yakima.swap.VmStub;
import yakima.vm.VmAddresses;

/**
 * Reads what an earlier run left in a swap store, for a host that adopts
 * it ({@link Host#enableSwap}): one stub per VM, as of its last completed
 * swap-out. The store's ids say what each record is:
 *
 * <pre>
 *   1 .. 2^24-1              a VM's own record, or a tombstone (a destroyed clone)
 *   2^24 .. 2^25-1           template records (Host.FIRST_TEMPLATE_RECORD)
 *   2^25 .. 2^25+2^24-1      clone manifests, template t's at t + 2^24 (Host.FIRST_MANIFEST_RECORD)
 * </pre>
 *
 * <p>Every record is untrusted. Each VM record is read and summarized
 * ({@link RecordReader#summary}: the header, the table, every CRC, META and
 * SCHED; no page is inflated); one that cannot be read, or belongs to
 * another VM, or holds a clock no host could resume, becomes a FAULTED stub
 * with the reason, alone. A manifest that cannot be read is counted and
 * its clones are lost (those with a record of their own still come back).
 *
 * <p><b>Time.</b> A host's scheduler clock starts afresh with each process,
 * so a VM's boot time means nothing to the next one. An adopted VM gets the
 * boot time that makes its clock read, now, what it read when it was
 * captured: its time does not jump backwards and the host's downtime does
 * not pass for it (it was stopped, not swapped). Its idle deadline keeps
 * the distance it had. A clone takes its template's clock.
 *
 * <p><b>Cost.</b> One file read per VM record (a few KiB) and one per
 * template and manifest; the reads run on up to two threads per core
 * ({@link #MAX_THREADS} at most) of their own. {@code docs/swap.md} has the figures at a million
 * records.
 *
 * <p>Threading: one call of {@link #adopt}, by the thread enabling swapping;
 * its reader threads are done when it returns.
 */
final class StoreAdopter {
    /**
     * The most threads that read records: two per core, up to this (a read
     * is mostly system call, and on 2 cores 4 threads read a million records
     * in two thirds of the time 1 or 2 take).
     */
    static final int MAX_THREADS = 8;
    /** Fewer VM records than this are read on the calling thread. */
    static final int RECORDS_PER_THREAD = 4096;
    /** Ids a reader thread takes at a time: neighbours, so they share a folder. */
    private static final int CHUNK = 256;
    /** The largest VM clock or deadline an adopted record may hold (about 146 years), so no sum overflows. */
    static final long MAX_VM_TIME_NS = 1L << 62;
    /** The image an unreadable record's stub names: it cannot be known. */
    static final String UNKNOWN_IMAGE = "unknown";

    private final SwapStore store;
    private final long nowNs;
    /** One String per image name, shared by every stub of that image. */
    private final Map<String, String> imageNames = new ConcurrentHashMap<>();

    /**
     * What the store holds, ready for the host to install.
     *
     * @param stubs     every adopted VM: own records in id order, then clones in id order
     * @param deadlines {due scheduler ns, id} of adopted VMs idle with a deadline
     * @param manifests the clone manifests read
     * @param maxVmId   the highest VM id in use (own record, tombstone or clone), 0 if none
     * @param maxTemplateId the highest template record id in use, 0 if none
     * @param report    the counts
     */
    record Found(List<VmStub> stubs, List<long[]> deadlines, List<CloneManifest> manifests, int maxVmId,
            int maxTemplateId, Adoption report) {
    }

    /** One VM record, read: a stub (maybe FAULTED), a tombstone, or nothing (its file vanished). */
    private record Read(VmStub stub, long deadlineNs, boolean tombstone) {
        static final Read GONE = new Read(null, -1, false);
        static final Read TOMBSTONE = new Read(null, -1, true);
    }

    private StoreAdopter(SwapStore store, long nowNs) {
        this.store = store;
        this.nowNs = nowNs;
    }

    /**
     * Reads every record in {@code store}; {@code nowNs} is the host's
     * scheduler clock, which the adopted VMs' clocks are set against.
     *
     * @throws SwapStoreException IO when the store cannot be listed (a record
     *                            that cannot be read fails its VM alone)
     */
    static Found adopt(SwapStore store, long nowNs) throws SwapStoreException {
        return new StoreAdopter(store, nowNs).adopt();
    }

    private Found adopt() throws SwapStoreException {
        long started = System.nanoTime();
        int[] ids = store.ids();
        int vmEnd = lowerBound(ids, Host.FIRST_TEMPLATE_RECORD);
        int templateEnd = lowerBound(ids, Host.FIRST_MANIFEST_RECORD);
        int manifestEnd = lowerBound(ids, Host.FIRST_MANIFEST_RECORD + VmAddresses.MAX_ID + 1);
        int vmStart = lowerBound(ids, 1);
        int[] vmIds = Arrays.copyOfRange(ids, vmStart, vmEnd);
        int ignored = vmStart + (ids.length - manifestEnd);
        String[] problem = {null};

        Read[] reads = readAll(vmIds);
        List<VmStub> stubs = new ArrayList<>(vmIds.length);
        List<long[]> deadlines = new ArrayList<>();
        int faulted = 0;
        int destroyed = 0;
        int maxVmId = 0;
        for (int i = 0; i < vmIds.length; i++) {
            Read r = reads[i];
            if (r.tombstone()) {
                destroyed++;
                maxVmId = vmIds[i];
            } else if (r.stub() != null) {
                stubs.add(r.stub());
                maxVmId = vmIds[i];
                if (r.stub().faultReason() != null) {
                    faulted++;
                    note(problem, r.stub().faultReason());
                } else if (r.deadlineNs() >= 0) {
                    deadlines.add(new long[] {r.deadlineNs(), vmIds[i]});
                }
            }
        }

        // templates: their clock, for the clones that start from them
        Map<Integer, Object> templates = new HashMap<>(); // RecordSummary, or the reason it cannot be used
        int maxTemplateId = 0;
        for (int i = vmEnd; i < templateEnd; i++) {
            templates.put(ids[i], template(ids[i]));
            maxTemplateId = ids[i];
        }

        List<CloneManifest> manifests = new ArrayList<>();
        int lostManifests = 0;
        for (int i = templateEnd; i < manifestEnd; i++) {
            try {
                CloneManifest m = CloneManifest.decode(store.read(ids[i]));
                if (m.templateRecordId() != ids[i] - (Host.FIRST_MANIFEST_RECORD - Host.FIRST_TEMPLATE_RECORD)) {
                    throw new RecordException("it names template record " + m.templateRecordId() + ", not its own");
                }
                manifests.add(m);
                maxTemplateId = Math.max(maxTemplateId, m.templateRecordId());
                maxVmId = Math.max(maxVmId, m.lastId());
            } catch (SwapStoreException e) {
                if (e.kind() != SwapStoreException.Kind.NOT_FOUND) {
                    lostManifests++;
                    note(problem, "clone manifest " + ids[i] + " lost: " + e.getMessage());
                }
            } catch (RecordException e) {
                lostManifests++;
                note(problem, "clone manifest " + ids[i] + " lost: " + e.getMessage());
            }
        }
        manifests.sort((a, b) -> Integer.compare(a.firstId(), b.firstId()));

        // clones: each id a manifest names that has no file of its own (a record, a tombstone, a damaged one)
        int clones = 0;
        int claimedUpTo = 0; // manifests never overlap; if one does, the earlier one keeps the ids
        for (CloneManifest m : manifests) {
            Object t = templates.get(m.templateRecordId());
            String reason = t instanceof String s ? s
                    : t == null ? "its template record " + m.templateRecordId() + " is missing" : null;
            long bootNs = t instanceof RecordSummary ts ? nowNs - ts.vmTimeNs() : nowNs;
            String image = image(m.imageName());
            for (int id = Math.max(m.firstId(), claimedUpTo + 1); id <= m.lastId(); id++) {
                if (Arrays.binarySearch(vmIds, id) >= 0) {
                    continue;
                }
                VmStub clone = new VmStub(id, null, image, m.memSizeBytes(), bootNs, m.templateRecordId(), 0);
                if (reason != null) {
                    clone.fail("template unreadable: " + reason);
                    faulted++;
                    note(problem, clone.idString() + ": template unreadable: " + reason);
                }
                stubs.add(clone);
                clones++;
            }
            claimedUpTo = Math.max(claimedUpTo, m.lastId());
        }
        Adoption report = new Adoption(stubs.size(), clones, faulted, destroyed, templateEnd - vmEnd, lostManifests,
                ignored, problem[0], System.nanoTime() - started);
        return new Found(stubs, deadlines, manifests, maxVmId, maxTemplateId, report);
    }

    /** Reads the VM records of {@code vmIds}, on reader threads when there are many. */
    private Read[] readAll(int[] vmIds) throws SwapStoreException {
        Read[] reads = new Read[vmIds.length];
        int threads = Math.min(Math.min(MAX_THREADS, 2 * Runtime.getRuntime().availableProcessors()),
                (vmIds.length + RECORDS_PER_THREAD - 1) / RECORDS_PER_THREAD);
        if (threads <= 1) {
            for (int i = 0; i < vmIds.length; i++) {
                reads[i] = read(vmIds[i]);
            }
            return reads;
        }
        AtomicInteger next = new AtomicInteger();
        Throwable[] failed = {null};
        Runnable reader = () -> {
            int from;
            while ((from = next.getAndAdd(CHUNK)) < vmIds.length) {
                for (int i = from; i < Math.min(from + CHUNK, vmIds.length); i++) {
                    reads[i] = read(vmIds[i]);
                }
            }
        };
        List<Thread> started = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            started.add(Thread.ofPlatform().name("yakima-adopt-" + t).daemon()
                    .uncaughtExceptionHandler((th, e) -> {
                        synchronized (failed) {
                            failed[0] = e;
                        }
                    }).start(reader));
        }
        boolean interrupted = false;
        for (Thread t : started) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the readers finish on their own; the interrupt is kept
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        synchronized (failed) {
            if (failed[0] != null) {
                throw new IllegalStateException("reading the swap store's records failed: " + failed[0], failed[0]);
            }
        }
        return reads; // the joins order the readers' writes before these reads
    }

    /** VM {@code id}'s record as a stub: FAULTED with the reason if it cannot be used. Any reader thread. */
    private Read read(int id) {
        byte[] record;
        try {
            record = store.read(id);
        } catch (SwapStoreException e) {
            if (e.kind() == SwapStoreException.Kind.NOT_FOUND) {
                return Read.GONE; // removed since the listing: nothing to adopt
            }
            return faulted(id, e.getMessage());
        }
        if (Tombstone.is(record)) {
            return Read.TOMBSTONE;
        }
        RecordSummary s;
        try {
            s = RecordReader.summary(record);
        } catch (RecordException e) {
            return faulted(id, "record of vm-" + id + ": " + e.getMessage());
        }
        if (s.id() != id) {
            return faulted(id, "the record under vm-" + id + " is vm-" + Integer.toUnsignedString(s.id()) + "'s");
        }
        String clock = clockProblem(s);
        if (clock != null) {
            return faulted(id, "record of vm-" + id + ": " + clock);
        }
        long bootNs = nowNs - s.vmTimeNs();
        VmStub stub = new VmStub(id, s.name(), image(s.imageName()), s.memSizeBytes(), bootNs, id, record.length);
        long due = s.idle() && s.idleDeadlineVmNs() >= 0 ? bootNs + s.idleDeadlineVmNs() : -1;
        return new Read(stub, due, false);
    }

    private Read faulted(int id, String reason) {
        VmStub stub = new VmStub(id, null, UNKNOWN_IMAGE, 0, nowNs, id, 0);
        stub.fail("unreadable record: " + reason);
        return new Read(stub, -1, false);
    }

    /** Template {@code id}'s summary, or why its clones cannot start from it. */
    private Object template(int id) {
        try {
            RecordSummary s = RecordReader.summary(store.read(id));
            String clock = clockProblem(s);
            return clock == null ? s : clock;
        } catch (SwapStoreException e) {
            return e.getMessage();
        } catch (RecordException e) {
            return "template record " + id + ": " + e.getMessage();
        }
    }

    /** Null if the record's clock and deadline can be resumed, else why not. */
    private static String clockProblem(RecordSummary s) {
        if (s.vmTimeNs() > MAX_VM_TIME_NS || s.idleDeadlineVmNs() > MAX_VM_TIME_NS) {
            return "its clock (" + s.vmTimeNs() + " ns, deadline " + s.idleDeadlineVmNs()
                    + ") is beyond what a host can resume (2^62 ns)";
        }
        return null;
    }

    private String image(String name) {
        return imageNames.computeIfAbsent(name, n -> n);
    }

    private static void note(String[] problem, String reason) {
        if (problem[0] == null) {
            problem[0] = reason;
        }
    }

    /** The first index of {@code sorted} whose value is at least {@code value}. */
    private static int lowerBound(int[] sorted, int value) {
        int i = Arrays.binarySearch(sorted, value);
        if (i < 0) {
            return -i - 1;
        }
        while (i > 0 && sorted[i - 1] == value) {
            i--;
        }
        return i;
    }
}
