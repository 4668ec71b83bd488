package yakima.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory host for the admin API's tests: VMs are records in a map, with
 * numbers that follow from their id so tests can predict them. Images
 * {@code hello} and {@code cpuwork} exist; the resident-memory budget is
 * {@link #BUDGET_BYTES}. {@link #failNext} makes the next call throw, as a
 * host with a bug would. Synchronized: the server calls it from several
 * threads.
 */
public final class FakeBackend implements AdminBackend {
    public static final long BUDGET_BYTES = 8L << 20;
    private static final Set<String> IMAGES = Set.of("hello", "cpuwork");

    private final Map<String, VmView> vms = new LinkedHashMap<>();
    private int nextId = 1;
    private RuntimeException failNext;
    private CreateVmRequest lastCreate;
    private byte[] lastRestore;
    private Runnable onNextSnapshot;

    /** The next call, whichever it is, throws {@code e}. */
    public synchronized void failNext(RuntimeException e) {
        failNext = e;
    }

    public synchronized CreateVmRequest lastCreate() {
        return lastCreate;
    }

    /** Adds or replaces a VM as given (a faulted one, say). */
    public synchronized void put(VmView vm) {
        vms.put(vm.id(), vm);
    }

    @Override
    public synchronized VmView create(CreateVmRequest request) throws AdminException {
        maybeFail();
        lastCreate = request;
        if (!IMAGES.contains(request.image())) {
            throw AdminException.notFound("no image named " + request.image());
        }
        if (request.name() != null && find(request.name()) != null) {
            throw AdminException.conflict("a VM named " + request.name() + " exists");
        }
        if (residentBytes() + request.memSizeBytes() > BUDGET_BYTES) {
            throw AdminException.unavailable("over the resident-memory budget");
        }
        int n = nextId++;
        Map<String, Long> memory = new LinkedHashMap<>();
        memory.put("privateBytes", request.memSizeBytes());
        memory.put("sharedBytes", 8192L);
        memory.put("pageTableBytes", 64L * n);
        memory.put("bookkeepingBytes", 512L);
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("instructions", 1000L * n);
        counters.put("quanta", (long) n);
        counters.put("hypercalls", 10L * n);
        counters.put("consoleBytes", 12L);
        counters.put("consoleDropped", 0L);
        VmView vm = new VmView("vm-" + n, request.name(), request.image(), "running", request.memSizeBytes(),
                String.format("02:00:00:00:00:%02x", n), "10.0.0." + n, memory, counters, null, null);
        vms.put(vm.id(), vm);
        return vm;
    }

    @Override
    public synchronized List<VmView> list() {
        maybeFail();
        return new ArrayList<>(vms.values());
    }

    @Override
    public synchronized VmView inspect(String vm) throws AdminException {
        maybeFail();
        VmView v = find(vm);
        if (v == null) {
            throw AdminException.notFound("no VM named " + vm);
        }
        return v;
    }

    @Override
    public synchronized VmView destroy(String vm) throws AdminException {
        VmView v = inspect(vm);
        if (v.state().equals("destroyed")) {
            throw AdminException.conflict(v.id() + " is already destroyed");
        }
        VmView gone = v.withState("destroyed");
        vms.put(gone.id(), gone);
        return gone;
    }

    /** Runs {@code r} as the next snapshot is taken (a test's way in between the host and the CLI). */
    public synchronized void onNextSnapshot(Runnable r) {
        onNextSnapshot = r;
    }

    /** A snapshot is the bytes {@code record of vm-N} (plus {@code , stopped} with stop); a stopped VM is destroyed. */
    @Override
    public synchronized byte[] snapshot(String vm, boolean stop) throws AdminException {
        maybeFail();
        if (onNextSnapshot != null) {
            onNextSnapshot.run();
            onNextSnapshot = null;
        }
        VmView v = inspect(vm);
        if (v.state().equals("destroyed")) {
            throw AdminException.conflict(v.id() + " has ended (destroyed): there is nothing to snapshot");
        }
        if (stop) {
            vms.put(v.id(), v.withState("destroyed"));
        }
        return ("record of " + v.id() + (stop ? ", stopped" : "")).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A record is any bytes starting {@code record of}; it becomes a new VM of image hello, named as asked. */
    @Override
    public synchronized VmView restore(byte[] record, String name) throws AdminException {
        maybeFail();
        lastRestore = record;
        if (!new String(record, java.nio.charset.StandardCharsets.UTF_8).startsWith("record of ")) {
            throw AdminException.badRequest("bad snapshot: not an encapsulation record (bad magic)");
        }
        return create(new CreateVmRequest("hello", 1 << 20, name));
    }

    public synchronized byte[] lastRestore() {
        return lastRestore;
    }

    @Override
    public synchronized HostView host() {
        maybeFail();
        Map<String, Long> byState = new LinkedHashMap<>();
        vms.values().forEach(v -> byState.merge(v.state(), 1L, Long::sum));
        Map<String, Long> memory = new LinkedHashMap<>();
        memory.put("budgetBytes", BUDGET_BYTES);
        memory.put("residentBytes", residentBytes());
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("instructions", vms.values().stream().mapToLong(v -> v.counters().getOrDefault("instructions", 0L)).sum());
        counters.put("framesForwarded", 7L);
        counters.put("dropsRxQueueFull", 2L);
        return new HostView(1_500_000_000L, byState, memory, counters);
    }

    private VmView find(String vm) {
        VmView v = vms.get(vm);
        if (v != null) {
            return v;
        }
        return vms.values().stream().filter(x -> vm.equals(x.name())).findFirst().orElse(null);
    }

    private long residentBytes() {
        return vms.values().stream().filter(v -> !v.state().equals("destroyed")).mapToLong(VmView::memSizeBytes).sum();
    }

    private void maybeFail() {
        RuntimeException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
    }
}
