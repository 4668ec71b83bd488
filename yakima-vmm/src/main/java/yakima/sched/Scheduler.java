package yakima.sched;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.agrona.concurrent.AgentRunner;

import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * The host's scheduler threads ({@link SchedulerThread}), and the routing of
 * requests to the thread that owns a VM. A VM is owned by one thread for its
 * whole life; new VMs go to the thread that owns the fewest.
 *
 * <p>{@link #start()} runs each thread under an Agrona {@link AgentRunner}
 * that backs off to parking (at most 1 ms) when nothing is runnable; tests
 * leave it stopped and call {@link #thread(int)}{@code .doWork()} by hand.
 *
 * <p>Threading: every method may be called from any thread.
 */
public final class Scheduler implements AutoCloseable {
    private final SchedulerConfig config;
    private final SchedulerThread[] threads;
    private final List<AgentRunner> runners = new ArrayList<>();

    public Scheduler(SchedulerConfig config, LongSupplier clockNs, SchedulerThread.Listener listener) {
        this.config = config;
        this.threads = new SchedulerThread[config.threads()];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new SchedulerThread(i, config, clockNs, listener);
        }
    }

    public SchedulerConfig config() {
        return config;
    }

    public int threadCount() {
        return threads.length;
    }

    public SchedulerThread thread(int i) {
        return threads[i];
    }

    /** Gives an admitted VM to the least loaded thread; false if every thread is full. */
    public boolean admit(Vm vm) {
        SchedulerThread best = threads[0];
        for (SchedulerThread t : threads) {
            if (t.owned() < best.owned()) {
                best = t;
            }
        }
        vm.setOwner(best.index());
        vm.setState(VmState.RUNNABLE); // a VM back from swap that left IDLE goes IDLE again on its thread
        if (!best.hand(vm)) {
            vm.setOwner(-1);
            return false;
        }
        return true;
    }

    /** Raises interrupt bits for {@code vm} and makes sure it will run to see them. */
    public void raise(Vm vm, int bits) {
        vm.raise(bits);
        int owner = vm.owner();
        if (owner >= 0 && (vm.state() == VmState.IDLE || config.delivery() == SchedulerConfig.Delivery.SYNCHRONOUS)) {
            threads[owner].wake(vm);
        }
    }

    /** {@link #evict}, refused also while the VM has work waiting ({@link SchedulerThread#evictIfQuiet}): the gatekeeper's. */
    public boolean evictIfQuiet(Vm vm) {
        int owner = vm.owner();
        return owner >= 0 && threads[owner].evictIfQuiet(vm);
    }

    /** Asks the owner thread to evict {@code vm} for swapping out; false if it has no owner or the queue is full. */
    public boolean evict(Vm vm) {
        int owner = vm.owner();
        return owner >= 0 && threads[owner].evict(vm);
    }

    public long evictions() {
        long n = 0;
        for (SchedulerThread t : threads) {
            n += t.evictions();
        }
        return n;
    }

    /** Asks the owner thread to destroy {@code vm}; false if it has no owner (never admitted). */
    public boolean destroy(Vm vm) {
        int owner = vm.owner();
        return owner >= 0 && threads[owner].destroy(vm);
    }

    /** Starts one thread per {@link SchedulerThread}. */
    public void start() {
        for (SchedulerThread t : threads) {
            WakeableIdleStrategy idle = WakeableIdleStrategy.hostDefault();
            t.setWaker(idle::wake);
            AgentRunner r = new AgentRunner(idle, Throwable::printStackTrace, null, t);
            runners.add(r);
            AgentRunner.startOnThread(r);
        }
    }

    @Override
    public void close() {
        for (AgentRunner r : runners) {
            r.close();
        }
        runners.clear();
    }

    public long quanta() {
        long n = 0;
        for (SchedulerThread t : threads) {
            n += t.quanta();
        }
        return n;
    }

    public long insns() {
        long n = 0;
        for (SchedulerThread t : threads) {
            n += t.insns();
        }
        return n;
    }

    public long wakes() {
        long n = 0;
        for (SchedulerThread t : threads) {
            n += t.wakes();
        }
        return n;
    }
}
