package yakima.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import denali.isa.loader.LoadException;
import yakima.admin.AdminBackend;
import yakima.admin.AdminException;
import yakima.admin.CreateVmRequest;
import yakima.admin.HostView;
import yakima.admin.VmView;
import yakima.device.DiskCounter;
import yakima.device.DiskDevice;
import yakima.net.NicCounter;
import yakima.net.SwitchDrop;
import yakima.net.VirtualNic;
import yakima.vm.ImageNotFoundException;
import yakima.swap.VmStub;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * The supervisor's view of a {@link Host}: what the admin API serves. Maps
 * the host's refusals to HTTP statuses (unknown VM 404, illegal transition
 * 409, full host 503, bad request 400).
 *
 * <p>Threading: called on the admin server's threads; {@link Host} is safe
 * for that.
 */
public final class HostAdminBackend implements AdminBackend {
    private final Host host;

    public HostAdminBackend(Host host) {
        this.host = host;
    }

    @Override
    public VmView create(CreateVmRequest request) throws AdminException {
        try {
            DiskSpec disk = request.disk() == null ? null
                    : new DiskSpec(Path.of(request.disk()), request.diskSizeBytes() / 4096,
                            request.diskBase() == null ? null : Path.of(request.diskBase()));
            return view(host.create(new VmSpec(request.image(), Math.toIntExact(request.memSizeBytes()), request.name(), disk)));
        } catch (HostException e) {
            throw refusal(e);
        } catch (ImageNotFoundException e) {
            throw AdminException.notFound(e.getMessage());
        } catch (LoadException e) {
            throw AdminException.badRequest(request.image() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new AdminException(500, "could not read image " + request.image() + ": " + e.getMessage());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw AdminException.badRequest(e.getMessage());
        }
    }

    @Override
    public List<VmView> list() {
        List<VmView> out = new ArrayList<>();
        for (Vm vm : host.vms()) {
            out.add(view(vm));
        }
        for (VmStub stub : host.swappedVms()) {
            out.add(view(stub));
        }
        out.sort((a, b) -> Integer.compare(Integer.parseInt(a.id().substring(3)), Integer.parseInt(b.id().substring(3))));
        return out;
    }

    @Override
    public VmView inspect(String vm) throws AdminException {
        try {
            HostedVm found = host.lookup(vm);
            if (found == null) {
                throw new HostException(HostException.Kind.NOT_FOUND, "no VM named " + vm);
            }
            return view(found);
        } catch (HostException e) {
            throw refusal(e);
        }
    }

    @Override
    public VmView destroy(String vm) throws AdminException {
        try {
            return view(host.destroy(vm)).withState(VmState.DESTROYED.label());
        } catch (HostException e) {
            throw refusal(e);
        }
    }

    @Override
    public byte[] snapshot(String vm, boolean stop) throws AdminException {
        try {
            return host.snapshot(vm, stop);
        } catch (HostException e) {
            throw refusal(e);
        }
    }

    @Override
    public VmView restore(byte[] record, String name) throws AdminException {
        try {
            return view(host.restoreVm(record, name));
        } catch (HostException e) {
            throw refusal(e);
        }
    }

    @Override
    public HostView host() {
        Map<String, Long> byState = new LinkedHashMap<>();
        host.countByState().forEach((s, n) -> byState.put(s.label(), n));
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("instructions", host.scheduler().insns());
        counters.put("quanta", host.scheduler().quanta());
        counters.put("wakes", host.scheduler().wakes());
        counters.put("vmsCreated", host.vmsCreated());
        counters.put("vmsEnded", host.vmsEnded());
        counters.put("admissionRequests", host.admissionRequests());
        counters.put("admissionRequestsDropped", host.admissionRequestsDropped());
        counters.put("framesForwarded", host.lan().framesForwarded());
        for (SwitchDrop d : SwitchDrop.values()) {
            counters.put(camel("frames_dropped_" + d.name()), host.lan().dropped(d));
        }
        counters.put("framesDuplicated", host.lan().framesDuplicated());
        counters.put("framesReordered", host.lan().framesReordered());
        counters.put("diskRequestsServed", host.disks().requestsServed());
        counters.put("framesHeldForAbsent", host.lan().framesHeldForAbsent());
        counters.putAll(host.swapCounters());
        CounterSource extra = host.extraCounters();
        if (extra != null) {
            extra.hostCounters(counters);
        }
        return new HostView(host.uptimeNs(), byState, host.memory(), counters);
    }

    /** One VM as the API shows it, in memory or swapped out. */
    VmView view(HostedVm vm) {
        return vm instanceof Vm v ? view(v) : view((VmStub) vm);
    }

    /** A swapped-out VM: nothing in memory but its stub; its record's size on disk. */
    private VmView view(VmStub stub) {
        Map<String, Long> memory = new LinkedHashMap<>();
        memory.put("privateBytes", 0L);
        memory.put("sharedBytes", 0L);
        memory.put("pageTableBytes", 0L);
        memory.put("bookkeepingBytes", MemoryAccounting.STUB_BYTES);
        memory.put("swapRecordBytes", (long) stub.recordBytes());
        return new VmView(stub.idString(), stub.name(), stub.imageName(), stub.state().label(), stub.memSizeBytes(),
                mac(stub.mac()), ipv4(stub.ipv4()), memory, Map.of(), stub.faultReason(), null);
    }

    /** One VM in memory as the API shows it. */
    private VmView view(Vm vm) {
        Map<String, Long> memory = new LinkedHashMap<>();
        memory.put("privateBytes", MemoryAccounting.privateBytes(vm));
        memory.put("sharedBytes", MemoryAccounting.sharedBytes(vm));
        memory.put("pageTableBytes", MemoryAccounting.pageTableBytes(vm));
        memory.put("bookkeepingBytes", MemoryAccounting.bookkeepingBytes(vm));
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("instructions", vm.insns());
        counters.put("quanta", vm.quanta());
        counters.put("wakes", vm.wakes());
        counters.put("hypercalls", vm.hypercallCount());
        counters.put("consoleBytes", vm.console().acceptedBytes());
        counters.put("consoleDroppedBytes", vm.console().droppedBytes());
        counters.put("maxWakeLatencyNs", vm.maxWakeLatenessNs());
        VirtualNic nic = vm.nic();
        if (nic != null) {
            for (NicCounter c : NicCounter.values()) {
                counters.put(camel("nic_" + c.name()), nic.counter(c));
            }
        }
        DiskDevice disk = vm.disk();
        if (disk != null) {
            for (DiskCounter c : DiskCounter.values()) {
                counters.put(camel("disk_" + c.name()), disk.counters().get(c));
            }
        }
        CounterSource extra = host.extraCounters();
        if (extra != null) {
            extra.vmCounters(vm, counters);
        }
        VmState s = vm.state();
        return new VmView(vm.idString(), vm.name(), vm.imageName(), s.label(), vm.memSizeBytes(), mac(vm.mac()),
                ipv4(vm.ipv4()), memory, counters, vm.faultReason(), s == VmState.TERMINATED ? vm.exitCode() : null);
    }

    /** {@code nic_TX_FRAMES} → {@code nicTxFrames}: counter names in the API's style. */
    public static String camel(String upperSnake) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : upperSnake.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    private static AdminException refusal(HostException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> AdminException.notFound(e.getMessage());
            case ILLEGAL_STATE, CONFLICT -> AdminException.conflict(e.getMessage());
            case FULL -> AdminException.unavailable(e.getMessage());
            case BAD_REQUEST -> AdminException.badRequest(e.getMessage());
        };
    }

    static String mac(long mac) {
        StringBuilder b = new StringBuilder(17);
        for (int k = 5; k >= 0; k--) {
            b.append(String.format("%02x", mac >>> (8 * k) & 0xFF));
            if (k > 0) {
                b.append(':');
            }
        }
        return b.toString();
    }

    static String ipv4(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xFF) + "." + (ip >>> 8 & 0xFF) + "." + (ip & 0xFF);
    }
}
