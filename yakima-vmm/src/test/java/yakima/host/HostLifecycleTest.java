package yakima.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.sched.SchedulerConfig;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.TinyElf;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * Destroying VMs through the host, in every state the admin API can find
 * them in: the host refuses what the life cycle forbids with a
 * {@link HostException} (ILLEGAL_STATE, NOT_FOUND), never with an exception
 * from {@link Vm#setState}, and a destroyed VM leaves the host whatever state
 * it was in. The scheduler thread is run by hand.
 */
class HostLifecycleTest {
    @TempDir
    Path dir;

    private final AtomicLong nowNs = new AtomicLong();
    private final List<Runnable> onConsole = new ArrayList<>();
    private Host host;

    private Host host(HostConfig config) {
        ConsoleSink sink = new ConsoleSink() {
            @Override
            public void write(byte[] bytes, int offset, int length) {
                onConsole.forEach(Runnable::run); // on the owner thread, in the middle of the writer's quantum
            }

            @Override
            public void flush() {
            }
        };
        host = new Host(config, new ImageResolver(), nowNs::get, sink);
        return host;
    }

    private Host host() {
        return host(HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)).withMaxVms(8));
    }

    @AfterEach
    void close() {
        if (host != null) {
            host.close();
        }
    }

    private void runUntil(BooleanSupplier done) {
        for (int step = 0; step < 1000 && !done.getAsBoolean(); step++) {
            host.scheduler().thread(0).doWork();
        }
        assertTrue(done.getAsBoolean(), "not reached in 1000 scheduler steps");
    }

    private static HostException refused(HostException.Kind kind, String message, org.junit.jupiter.api.function.Executable call) {
        HostException e = assertThrows(HostException.class, call);
        assertEquals(kind, e.kind());
        assertEquals(message, e.getMessage());
        return e;
    }

    @Test
    void destroyingTwiceIsAnIllegalTransitionAndOnceCarriedOutTheVmIsNotFound() throws Exception {
        Host h = host();
        Vm vm = h.create("hello-sleeper", 1 << 20, "sleepy");
        runUntil(() -> vm.state() == VmState.IDLE);
        assertSame(vm, h.destroy("sleepy"));
        refused(HostException.Kind.ILLEGAL_STATE, "vm-1 is already destroyed", () -> h.destroy("vm-1"));
        h.scheduler().thread(0).doWork();
        assertEquals(VmState.DESTROYED, vm.state());
        assertNull(h.find("vm-1"));
        refused(HostException.Kind.NOT_FOUND, "no VM named vm-1", () -> h.destroy("vm-1"));
        refused(HostException.Kind.NOT_FOUND, "no VM named sleepy", () -> h.destroy("sleepy"));
        refused(HostException.Kind.NOT_FOUND, "no VM named null", () -> h.destroy(null));
        assertEquals(1, h.vmsEnded());
    }

    @Test
    void aVmWaitingForAdmissionIsDestroyedAtOnceAndNeverRuns() throws Exception {
        Host h = host(HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)).withMaxVms(8).withBudget(1));
        Vm vm = h.create("hello", 1 << 20, null);
        assertEquals(VmState.WAITING, vm.state(), "over the budget: it waits");
        assertEquals(List.of(vm), h.waiting());
        h.destroy("vm-1");
        assertEquals(VmState.DESTROYED, vm.state());
        assertEquals(List.of(), h.waiting());
        assertNull(h.find("vm-1"));
        refused(HostException.Kind.NOT_FOUND, "no VM named vm-1", () -> h.destroy("vm-1"));
        h.admitWaiting();
        h.scheduler().thread(0).doWork();
        assertEquals(0, vm.quanta(), "it never ran");
    }

    @Test
    void aVmThatTerminatedOrFaultedIsDestroyedAndLeavesTheHost() throws Exception {
        Host h = host();
        Path faulter = dir.resolve("faulter.elf");
        // mov 0x8,%eax (MEM_SIZE); mov (%eax),%eax: just past the end of memory
        Files.write(faulter, TinyElf.of(new byte[] {(byte) 0xA1, 0x08, 0, 0, 0, (byte) 0x8B, 0x00}, new byte[16]));
        Vm ended = h.create("hello", 1 << 20, null);
        Vm faulted = h.create(faulter.toString(), 64 << 10, null);
        runUntil(() -> ended.state().isFinal() && faulted.state().isFinal());
        assertEquals(VmState.TERMINATED, ended.state());
        assertEquals(VmState.FAULTED, faulted.state());
        assertEquals(2, h.vmsEnded());

        h.destroy("vm-1");
        h.destroy("vm-2");
        h.scheduler().thread(0).doWork();
        assertEquals(VmState.DESTROYED, ended.state());
        assertEquals(VmState.DESTROYED, faulted.state());
        assertEquals(List.of(), List.copyOf(h.vms()), "destroyed VMs leave the host");
        refused(HostException.Kind.NOT_FOUND, "no VM named vm-1", () -> h.destroy("vm-1"));
        assertEquals(2, h.vmsEnded(), "each VM ended once");
        assertEquals(0L, h.countByState().get(VmState.DESTROYED));
    }

    @Test
    void aDestroyArrivingDuringAQuantumTakesEffectWhenTheQuantumEnds() throws Exception {
        Host h = host();
        Vm vm = h.create("hello-sleeper", 1 << 20, null);
        List<Throwable> thrown = new ArrayList<>();
        List<VmState> stateThen = new ArrayList<>();
        onConsole.add(() -> {
            stateThen.add(vm.state());
            try {
                h.destroy("vm-1"); // as an admin thread would, while the VM runs
            } catch (HostException | RuntimeException e) {
                thrown.add(e);
            }
        });
        h.scheduler().thread(0).doWork(); // says hello (destroy requested), then idles
        assertEquals(List.of(VmState.RUNNING), stateThen);
        assertEquals(List.of(), thrown);
        assertEquals(VmState.IDLE, vm.state(), "the quantum ran to its end");
        refused(HostException.Kind.ILLEGAL_STATE, "vm-1 is already destroyed", () -> h.destroy("vm-1"));
        h.scheduler().thread(0).doWork();
        assertEquals(VmState.DESTROYED, vm.state());
        assertNull(h.find("vm-1"));
        assertEquals(0, vm.privatePages() + vm.sharedPages(), "its memory is released");
    }

    @Test
    void aDestroyArrivingDuringAVmsLastQuantumStillRemovesIt() throws Exception {
        Host h = host();
        Vm vm = h.create("hello", 1 << 20, null);
        List<Throwable> thrown = new ArrayList<>();
        onConsole.add(() -> {
            try {
                h.destroy("vm-1");
            } catch (HostException | RuntimeException e) {
                thrown.add(e);
            }
        });
        runUntil(() -> vm.state() == VmState.DESTROYED);
        assertEquals(List.of(), thrown);
        assertNull(h.find("vm-1"), "asked to be destroyed, it does not stay behind once it has ended");
        assertEquals(1, h.vmsEnded());
        refused(HostException.Kind.NOT_FOUND, "no VM named vm-1", () -> h.destroy("vm-1"));
    }
}
