package yakima.host;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import denali.isa.spec.DenaliAbi;
import yakima.net.VirtualNic;
import yakima.swap.RecordException;
import yakima.swap.RecordReader;
import yakima.swap.RecordWriter;
import yakima.swap.SwapStoreException;
import yakima.swap.VmImage;
import yakima.swap.VmStub;
import yakima.vm.Encapsulation;
import yakima.vm.HostedVm;
import yakima.vm.Vm;
import yakima.vm.VmAddresses;
import yakima.vm.VmState;

/**
 * Snapshots for people ({@link Host#snapshot}): a VM's encapsulation record,
 * the same bytes a swap-out writes, taken while the VM does not run.
 *
 * <p><b>A VM in memory</b> is taken off its scheduler thread between two
 * quanta by the eviction swapping uses ({@link yakima.sched.SchedulerThread#evict}),
 * but handed here rather than to the swapper: the host's scheduler listener
 * asks {@link #taken} first, and tells {@link #refused} when the thread
 * would not let go (a disk request in flight). Here, on the caller's
 * thread, its NIC leaves the LAN, the frames waiting in it are drained, and
 * the VM is captured ({@link Encapsulation#capture}) and encoded
 * ({@link RecordWriter}). Then it goes back with the same NIC and those
 * frames, admitted again at once, or, for a snapshot that stops it, is
 * destroyed. No swap store is involved, so a host that does not swap takes
 * snapshots the same way. The VM is off the CPU only while it is encoded (a
 * millisecond or so for an idle httpd); frames that come for it meanwhile
 * find no port and are dropped, as a real LAN may drop them.
 *
 * <p><b>A VM waiting for admission</b> is captured under the gatekeeper's
 * lock ({@link Host#captureWaiting}): no thread owns it and none can admit
 * it meanwhile.
 *
 * <p><b>A swapped-out VM</b>'s record is read from the store (a clone that
 * never ran has its template's, given the clone's own id and name) and
 * checked with {@link RecordReader}, since it comes from disk.
 *
 * <p>A VM on its way to or from the swap store (SWAPPED, not yet a stub)
 * is looked up again a millisecond later, within {@link #WAIT_NS} in all.
 *
 * <p>Threading: {@link #snapshot} on any thread but a scheduler thread (it
 * waits for one); {@link #taken} and {@link #refused} on scheduler threads,
 * never blocking. One snapshot of a VM at a time.
 */
final class Snapshots {
    /** How long a snapshot waits in all for a VM to be let go by its thread (or to finish a swap). */
    static final long WAIT_NS = TimeUnit.SECONDS.toNanos(10);

    private final Host host;
    private final LongSupplier clockNs;
    /** The VMs asked off their thread for a snapshot, by id. */
    private final Map<Integer, Hold> holds = new ConcurrentHashMap<>();

    /** A VM asked off its thread: the outcome is the VM once it is off, or null if its thread refused. */
    private static final class Hold {
        final Vm vm;
        final CompletableFuture<Vm> outcome = new CompletableFuture<>();

        Hold(Vm vm) {
            this.vm = vm;
        }
    }

    Snapshots(Host host, LongSupplier clockNs) {
        this.host = host;
        this.clockNs = clockNs;
    }

    // ---------------------------------------------------------------- scheduler threads

    /** {@code vm} was evicted (its thread): true if for a snapshot, which now has it; false if for the swapper. */
    boolean taken(Vm vm) {
        if (holds.isEmpty()) { // the swapper's evictions, nearly always: no boxing, no lookup
            return false;
        }
        Hold h = holds.get(vm.id());
        return h != null && h.vm == vm && h.outcome.complete(vm);
    }

    /** {@code vm}'s thread refused to evict it (its thread): a snapshot waiting for it looks again. */
    void refused(Vm vm) {
        if (holds.isEmpty()) {
            return;
        }
        Hold h = holds.get(vm.id());
        if (h != null && h.vm == vm) {
            h.outcome.complete(null);
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** See {@link Host#snapshot}. */
    byte[] snapshot(String vmName, boolean stop) throws HostException {
        long deadline = System.nanoTime() + WAIT_NS;
        while (true) {
            HostedVm found = host.lookup(vmName);
            if (found == null) {
                throw new HostException(HostException.Kind.NOT_FOUND, "no VM named " + vmName);
            }
            byte[] record = found instanceof VmStub stub ? ofStub(stub, stop) : ofResident((Vm) found, stop, deadline);
            if (record != null) {
                return record;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new HostException(HostException.Kind.ILLEGAL_STATE, found.idString() + " could not be paused for a snapshot within "
                        + TimeUnit.NANOSECONDS.toSeconds(WAIT_NS) + " s (its disk stayed busy, or it was being swapped)");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The record of a swapped-out VM; null if it came back into memory before a stop could destroy it (look again). */
    private byte[] ofStub(VmStub stub, boolean stop) throws HostException {
        if (stub.faultReason() != null) {
            throw new HostException(HostException.Kind.ILLEGAL_STATE, stub.idString() + " has faulted (" + stub.faultReason() + ")");
        }
        byte[] record;
        VmImage image;
        try {
            record = host.storedRecord(stub);
            image = RecordReader.read(record);
        } catch (SwapStoreException | RecordException e) {
            throw new HostException(HostException.Kind.ILLEGAL_STATE, "the record of " + stub.idString() + " cannot be read: " + e.getMessage());
        }
        if (stub.isClone()) { // the template's record: the clone's own identity goes in
            record = RecordWriter.write(withIdentity(image, stub.id(), stub.name()));
        }
        if (stop && !host.destroyStub(stub)) {
            return null;
        }
        return record;
    }

    /** The record of a VM in memory; null if it is between places (look again). */
    private byte[] ofResident(Vm vm, boolean stop, long deadline) throws HostException {
        VmState s = vm.state();
        if (s.isFinal()) {
            throw new HostException(HostException.Kind.ILLEGAL_STATE, vm.idString() + " has ended (" + s.label() + "): there is nothing to snapshot");
        }
        if (vm.destroyRequested()) {
            throw new HostException(HostException.Kind.ILLEGAL_STATE, vm.idString() + " is being destroyed");
        }
        if (s == VmState.WAITING) {
            return host.captureWaiting(vm, stop, this::capture);
        }
        if (s == VmState.SWAPPED) {
            return null; // on its way to the swap store, or back: a stub or a VM on a thread soon
        }
        Hold h = new Hold(vm);
        if (holds.putIfAbsent(vm.id(), h) != null) {
            throw new HostException(HostException.Kind.CONFLICT, "a snapshot of " + vm.idString() + " is already under way");
        }
        if (!host.scheduler().evict(vm)) { // no owner (between places) or its queue is full
            holds.remove(vm.id(), h);
            return null;
        }
        Vm held = await(h, deadline); // on a timeout it leaves the hold to whoever answers last
        holds.remove(vm.id(), h);
        if (held == null) {
            return null;
        }
        byte[] record;
        try {
            record = capture(held, stop);
        } catch (RuntimeException e) {
            host.putBack(held, false);
            throw e;
        }
        host.putBack(held, stop);
        return record;
    }

    /**
     * Waits for {@code h}'s VM to be let go (the VM) or refused (null). If
     * its thread does not answer in time, the snapshot fails, and the VM is
     * put back whenever the thread does let go of it (on a pool thread: a
     * scheduler thread must not take the gatekeeper's lock).
     */
    private Vm await(Hold h, long deadline) throws HostException {
        try {
            return h.outcome.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            h.outcome.whenCompleteAsync((vm, x) -> {
                holds.remove(h.vm.id(), h);
                if (vm != null) {
                    host.putBack(vm, false);
                }
            });
            throw new HostException(HostException.Kind.ILLEGAL_STATE, h.vm.idString()
                    + "'s scheduler thread did not let go of it in time for a snapshot");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a hold is only ever completed normally", e);
        }
    }

    /**
     * {@code vm}'s record. No thread runs it (it was let go, or waits for
     * admission under the gatekeeper's lock). Its NIC leaves the LAN for the
     * capture: retired when the VM is {@code leaving} (frames it sent still
     * go out), else detached and attached again afterwards with the frames
     * that were waiting in it. If the capture fails the VM is left as it was.
     */
    private byte[] capture(Vm vm, boolean leaving) {
        VirtualNic nic = vm.nic();
        List<byte[]> rx = List.of();
        if (nic != null) {
            if (leaving) {
                host.lan().retire(nic);
            } else {
                host.lan().detach(nic);
            }
            rx = nic.drainRx();
        }
        byte[] record;
        try {
            VmImage image = Encapsulation.capture(vm, host.imageDigest(vm.imageName()), rx, host.diskImage(vm), clockNs.getAsLong());
            record = RecordWriter.write(image);
        } catch (RuntimeException e) {
            if (nic != null) {
                reattach(vm, leaving ? host.newNic(vm) : nic, rx);
            }
            throw e;
        }
        if (nic != null && !leaving) {
            reattach(vm, nic, rx);
        }
        return record;
    }

    /** Puts {@code nic} (back) on the LAN with {@code rx} queued in it before any new frame, as a swap-in does. */
    private void reattach(Vm vm, VirtualNic nic, List<byte[]> rx) {
        host.lan().attach(nic, () -> {
            for (byte[] f : rx) {
                nic.preloadRx(f);
            }
        });
        vm.attachNic(nic);
        if (nic.rxWaiting() > 0) {
            vm.raise(DenaliAbi.INT_NIC_RX);
        }
    }

    /** {@code image} as VM {@code id} named {@code name}, with that VM's addresses: a clone's own record from its template's. */
    static VmImage withIdentity(VmImage image, int id, String name) {
        return new VmImage(id, name, image.imageName(), image.imageDigest(), image.memSizeBytes(), VmAddresses.mac(id),
                VmAddresses.ipv4(id), image.regs(), image.eip(), image.flags(), image.insns(), image.idle(), image.vmTimeNs(),
                image.idleDeadlineVmNs(), image.raised(), image.counters(), image.vregs(), image.pageNumbers(), image.pages(),
                image.rxFrames(), image.disk(), image.consoleTail());
    }
}
