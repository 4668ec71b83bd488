package yakima.sched;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.DeadlineTimerWheel;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;

import denali.isa.spec.DenaliAbi;
import yakima.vm.QuantumRunner;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * One scheduler thread and the VMs it owns (Denali's policy, per thread):
 * admitted, runnable VMs take turns round-robin, each for a quantum counted
 * in guest instructions; a VM woken from IDLE (deadline or interrupt) runs
 * before the round-robin queue, once; an idle VM is off both queues, with
 * its deadline in an Agrona {@link DeadlineTimerWheel}.
 *
 * <p>Other threads talk to it only through bounded MPSC queues: VMs handed
 * over by the gatekeeper, wake requests (an interrupt raised for a VM) and
 * destroy requests. Each queue holds at most one entry per owned VM, so a
 * full queue is a bug, and is counted.
 *
 * <p>Threading: {@link #doWork} on one thread at a time (the agent runner,
 * or a test); {@link #hand}, {@link #wake} and {@link #destroy} from any
 * thread; the counters from any thread.
 */
public final class SchedulerThread implements Agent {
    /** What the thread tells the host about VMs that end. Called on this thread; must not block. */
    public interface Listener {
        /** The VM terminated, faulted or was destroyed: its memory is released. */
        void ended(Vm vm);

        /**
         * The VM was evicted ({@link #evict}): it is SWAPPED, off this
         * thread for good, with its memory untouched for the swap-out to
         * save. Must not block, and must take the VM (its queue has room for
         * every VM).
         */
        default void evicted(Vm vm) {
            throw new IllegalStateException("this host does not swap");
        }

        /**
         * An evict request for {@code vm} was refused ({@link #evict}): it
         * was running a disk request, ending, being destroyed, or is no
         * longer this thread's. Whoever asked may ask again. Must not block.
         */
        default void evictRefused(Vm vm) {
        }
    }

    /**
     * VMs warmed at a time, every that many quanta (see {@link #warm}): 16
     * VMs' worth of cache misses in flight together, a fraction of a
     * microsecond ahead of the VMs' turns.
     */
    static final int WARM_BATCH = 16;

    /**
     * Quanta in a row that may start from one reading of the clock, when the
     * ones before were short (see {@link #clockNow}).
     */
    static final int CLOCK_REUSES = 3;
    /** A quantum that retires more guest instructions than this (about a microsecond) is not short. */
    static final long SHORT_QUANTUM_INSNS = 256;

    /** Timer wheel resolution: 65.5 µs, below a default quantum's run time. */
    static final long TICK_NS = 1 << 16;

    private final int index;
    private final SchedulerConfig config;
    private final LongSupplier clockNs;
    private final QuantumRunner runner;
    private final Listener listener;
    private final RunQueue runQueue = new RunQueue();
    private int untilWarm;
    /** Where {@link #warm} leaves what it loaded (so the loads are not optimised away); means nothing. */
    private int warmSink;
    private long clockReadingNs;
    private int clockReusesLeft;
    private final ArrayDeque<Vm> woken = new ArrayDeque<>();
    private final MpscVarHandleArrayQueue<Vm> handed;
    private final MpscVarHandleArrayQueue<Vm> wakeRequests;
    /** Rouses the thread when work is queued for it; a no-op for a thread turned by hand. */
    private volatile Runnable waker = () -> { };
    private final MpscVarHandleArrayQueue<Vm> destroyRequests;
    private final MpscVarHandleArrayQueue<Vm> evictRequests;
    private final MpscVarHandleArrayQueue<Vm> quietEvictRequests;
    private volatile long evictions;
    private volatile long evictionsRefused;
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Vm> timers = new Long2ObjectHashMap<>();
    private final boolean synchronous;
    /** Whether a running quantum should give way: with synchronous delivery, when a wake request waits. */
    private final BooleanSupplier preempt;

    private static final VarHandle INSNS;
    private static final VarHandle QUANTA;
    private static final VarHandle MAIL;
    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            INSNS = l.findVarHandle(SchedulerThread.class, "insns", long.class);
            QUANTA = l.findVarHandle(SchedulerThread.class, "quanta", long.class);
            MAIL = l.findVarHandle(SchedulerThread.class, "mail", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * 1 once a request was queued since this thread last took them: set by the
     * other threads after their offer, so a step with nothing queued reads one
     * field instead of polling three queues.
     */
    private volatile int mail;
    private volatile int owned;
    private volatile long quanta;
    private volatile long insns;
    private volatile long wakes;
    private volatile long preemptions;
    private volatile long queueFull;

    public SchedulerThread(int index, SchedulerConfig config, LongSupplier clockNs, Listener listener) {
        this.index = index;
        this.config = config;
        this.clockNs = clockNs;
        this.listener = listener;
        this.runner = new QuantumRunner(clockNs, config.idle() == SchedulerConfig.IdleMode.YIELD_ONLY);
        this.synchronous = config.delivery() == SchedulerConfig.Delivery.SYNCHRONOUS;
        int capacity = Math.max(2, config.maxVmsPerThread());
        this.handed = new MpscVarHandleArrayQueue<>(capacity);
        this.wakeRequests = new MpscVarHandleArrayQueue<>(capacity);
        this.destroyRequests = new MpscVarHandleArrayQueue<>(capacity);
        this.evictRequests = new MpscVarHandleArrayQueue<>(capacity);
        this.quietEvictRequests = new MpscVarHandleArrayQueue<>(capacity);
        MpscVarHandleArrayQueue<Vm> wakes = wakeRequests;
        this.preempt = synchronous ? () -> !wakes.isEmpty() : () -> false;
        // Ticks finer than a quantum, so a woken VM is late by less than one round; deadlines beyond
        // a wheel turn (4096 ticks, 268 ms) wait in their slot for more turns.
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, clockNs.getAsLong(), TICK_NS, 4096);
    }

    @Override
    public String roleName() {
        return "yakima-scheduler-" + index;
    }

    // ---------------------------------------------------------------- any thread

    /** Hands an admitted VM (state RUNNABLE) to this thread. False if the thread is full. */
    public boolean hand(Vm vm) {
        return post(handed, vm);
    }

    /** Queues {@code vm} on {@code requests} and rouses the thread; false (counted) if the queue is full. */
    private boolean post(MpscVarHandleArrayQueue<Vm> requests, Vm vm) {
        if (!requests.offer(vm)) {
            queueFull++;
            return false;
        }
        MAIL.setRelease(this, 1);
        waker.run();
        return true;
    }

    /**
     * Asks for {@code vm} (owned here) to run soon: an idle VM is woken; with
     * synchronous delivery a runnable one jumps the queue and the running
     * quantum is cut short. At most one request per VM is queued.
     */
    public void wake(Vm vm) {
        if (vm.claimWakeRequest()) {
            if (wakeRequests.offer(vm)) {
                MAIL.setRelease(this, 1);
                waker.run();
            } else {
                vm.clearWakeRequest();
                queueFull++;
            }
        }
    }

    /** Asks this thread to destroy {@code vm} (owned here) between quanta. */
    public boolean destroy(Vm vm) {
        vm.requestDestroy();
        if (!destroyRequests.offer(vm)) {
            queueFull++;
            return false;
        }
        MAIL.setRelease(this, 1);
        return true;
    }

    /**
     * Asks this thread to take {@code vm} (owned here) off the CPU for good,
     * to be swapped out (or captured for a snapshot), between quanta. It is refused there (counted) unless
     * the VM is IDLE or RUNNABLE with no disk request in flight and no
     * destroy on its way (the listener hears of either outcome). False if
     * the queue is full.
     */
    public boolean evict(Vm vm) {
        return post(evictRequests, vm);
    }

    /**
     * Like {@link #evict}, for the gatekeeper making room: also refused when
     * the VM has work waiting, interrupts raised and not yet seen or frames in
     * its NIC (the frame that brought it back in, say): it is about to run,
     * and its swap-out would only end in taking it back.
     */
    public boolean evictIfQuiet(Vm vm) {
        return post(quietEvictRequests, vm);
    }

    /** VMs this thread evicted for swapping out. */
    public long evictions() {
        return evictions;
    }

    /** Evict requests refused because the VM was running, ending, or waiting for its disk. */
    public long evictionsRefused() {
        return evictionsRefused;
    }

    /**
     * What {@link #hand} and {@link #wake} call after queuing work, to rouse
     * the thread if it is parked (its runner's {@link WakeableIdleStrategy}).
     * Set before the thread starts.
     */
    public void setWaker(Runnable waker) {
        this.waker = waker;
    }

    public int index() {
        return index;
    }

    public int owned() {
        return owned;
    }

    public long quanta() {
        return quanta;
    }

    public long insns() {
        return insns;
    }

    public long wakes() {
        return wakes;
    }

    public long preemptions() {
        return preemptions;
    }

    /** Requests refused because a queue was full (should stay 0: queues hold one entry per owned VM). */
    public long queueFull() {
        return queueFull;
    }

    // ---------------------------------------------------------------- this thread

    /** One step: takes requests, wakes VMs whose deadline passed, runs one quantum. Returns work done. */
    @Override
    public int doWork() {
        int work = takeRequests();
        long now = clockNow();
        work += expireDeadlines(now);
        Vm vm = woken.pollFirst();
        boolean wasWoken = vm != null;
        if (vm == null) {
            vm = runQueue.pollFirst();
            if (--untilWarm <= 0) {
                warm();
                untilWarm = WARM_BATCH;
            }
        }
        if (vm != null) {
            if (!runQuantum(vm, now, wasWoken)) {
                clockReusesLeft = 0;
            }
            work++;
        } else {
            clockReusesLeft = 0;
        }
        return work;
    }

    /**
     * The time a step starts at. Reading the clock (System.nanoTime) costs
     * about 20 ns, a third of a switch between VMs that only yield; so after a
     * short quantum (few instructions, no clock reading of its own) the next
     * one may start from the same reading, up to {@link #CLOCK_REUSES} times
     * in a row. The reading is then behind by those few quanta, about a
     * microsecond: far below the timer wheel's tick, and no more than a
     * guest's {@code TIME_NS} is behind anyway by the end of a quantum (it is
     * not updated while the guest runs). It never goes back: a quantum that
     * read the clock itself ends the reuse.
     */
    private long clockNow() {
        if (clockReusesLeft > 0) {
            clockReusesLeft--;
            return clockReadingNs;
        }
        clockReadingNs = clockNs.getAsLong();
        clockReusesLeft = CLOCK_REUSES;
        return clockReadingNs;
    }

    /** True when a VM is runnable here or a request is waiting. */
    public boolean hasWork() {
        return !woken.isEmpty() || !runQueue.isEmpty() || !handed.isEmpty() || !wakeRequests.isEmpty() || !destroyRequests.isEmpty()
                || !evictRequests.isEmpty() || !quietEvictRequests.isEmpty();
    }

    private int takeRequests() {
        if (mail == 0) {
            return 0;
        }
        // A volatile store (with its fence) before the polls: a request queued after them sets mail again.
        mail = 0;
        int n = 0;
        Vm vm;
        while ((vm = handed.poll()) != null) {
            owned++;
            if (vm.resumesIdle()) {
                resumeIdle(vm);
            } else {
                runQueue.addLast(vm);
            }
            n++;
        }
        while ((vm = wakeRequests.poll()) != null) {
            vm.clearWakeRequest();
            wakeLocal(vm, true);
            n++;
        }
        while ((vm = destroyRequests.poll()) != null) {
            destroyLocal(vm);
            n++;
        }
        while ((vm = evictRequests.poll()) != null) {
            evictLocal(vm, false);
            n++;
        }
        while ((vm = quietEvictRequests.poll()) != null) {
            evictLocal(vm, true);
            n++;
        }
        return n;
    }

    /**
     * A VM brought back from swap that was IDLE when it left: it waits again
     * for its deadline (at once if that has passed while it was away) or an
     * interrupt (at once if one was raised meanwhile).
     */
    private void resumeIdle(Vm vm) {
        vm.resumed();
        if (vm.idleUnlessRaised()) {
            wakeLocal(vm, false);
        } else if (vm.idleUntilNs != Vm.NO_DEADLINE) {
            vm.timerId = wheel.scheduleTimer(vm.idleUntilNs);
            timers.put(vm.timerId, vm);
        }
    }

    /**
     * Takes a VM off this thread to be swapped out, if it is between quanta
     * and has nothing in flight (and, when {@code quietOnly}, no work waiting:
     * see {@link #evictIfQuiet}).
     */
    private void evictLocal(Vm vm, boolean quietOnly) {
        VmState s = vm.state();
        if (vm.owner() != index || (s != VmState.IDLE && s != VmState.RUNNABLE) || vm.destroyRequested()
                || (vm.disk() != null && !vm.disk().quiet())
                || (quietOnly && vm.hasWorkWaiting())) {
            evictionsRefused++;
            listener.evictRefused(vm);
            return;
        }
        if (s == VmState.RUNNABLE) {
            if (!runQueue.remove(vm)) {
                woken.remove(vm);
            }
        }
        cancelTimer(vm);
        vm.setResumesIdle(s == VmState.IDLE);
        vm.setState(VmState.SWAPPED);
        vm.setOwner(-1);
        owned--;
        evictions++;
        listener.evicted(vm);
    }

    /**
     * Runs one quantum of {@code vm}; {@code now} is the clock as this step
     * began; {@code wasWoken} when it came off the woken queue (only then can
     * a deadline have woken it). True if it was short: few instructions, and
     * the clock not read.
     */
    private boolean runQuantum(Vm vm, long now, boolean wasWoken) {
        if (vm.destroyRequested()) {
            destroyLocal(vm);
            return false;
        }
        vm.setState(VmState.RUNNING);
        vm.markReferenced();
        if (wasWoken) {
            vm.startingQuantum(now);
        }
        long before = vm.insnCount();
        QuantumRunner.End end = runner.run(vm, now, config.quantumInsns(), synchronous ? config.syncSliceInsns() : config.quantumInsns(),
                preempt);
        long ran = vm.insnCount() - before;
        INSNS.setRelease(this, insns + ran);
        QUANTA.setRelease(this, quanta + 1);
        switch (end) {
            case QUANTUM_OVER, YIELDED -> {
                vm.publish(1);
                vm.setState(VmState.RUNNABLE);
                runQueue.addLast(vm);
            }
            case PREEMPTED -> {
                vm.publish(1);
                preemptions++;
                vm.setState(VmState.RUNNABLE);
                runQueue.addFirst(vm); // it resumes right after the interrupt's VM
            }
            case IDLE -> {
                vm.publish(1);
                vm.idleUntilNs = runner.idleUntilNs();
                if (vm.idleUnlessRaised()) {
                    wakeLocal(vm, false); // raised while it was deciding to sleep
                } else if (runner.idleUntilNs() != QuantumRunner.NO_DEADLINE) {
                    vm.timerId = wheel.scheduleTimer(vm.idleUntilNs);
                    timers.put(vm.timerId, vm);
                }
            }
            case TERMINATED, FAULTED -> {
                vm.publish(1);
                vm.finish(end == QuantumRunner.End.TERMINATED ? VmState.TERMINATED : VmState.FAULTED);
                owned--;
                listener.ended(vm);
            }
        }
        return ran <= SHORT_QUANTUM_INSNS && !runner.clockRead();
    }

    /**
     * Loads the state of the VMs about to run into the cache, ahead of their
     * turn. With 100,000 VMs nothing of the next VM is in the cache any more,
     * and each of its cache lines (about four) would be a miss of some 150 ns
     * taken one after another. Here the misses of many VMs are taken at once,
     * overlapping: first the VM objects of batch after next, then, through
     * the references just loaded, the virtual registers of the next batch
     * (whose VM objects the previous call loaded). Java has no prefetch
     * instruction; plain loads whose values are summed into a field do the
     * same, at the cost of a stall while the batch's loads are in flight.
     */
    private void warm() {
        int b = WARM_BATCH;
        int sum = 0;
        for (int k = b; k < 3 * b; k++) {
            Vm v = runQueue.peek(k);
            if (v == null) {
                break;
            }
            // the next batch's page 0, through VM objects the last call loaded; then the batch after's VM objects
            sum += k < 2 * b ? v.touchRegisters() : v.touch();
        }
        warmSink = sum;
    }

    /**
     * A poll scans the wheel's current tick, then moves on one tick if that
     * tick has passed: poll until it has caught up with {@code now}, then once
     * more to scan the tick {@code now} falls in.
     */
    private int expireDeadlines(long now) {
        int n = 0;
        while (wheel.currentTickTime() <= now) {
            n += wheel.poll(now, this::onDeadline, Integer.MAX_VALUE);
        }
        return n + wheel.poll(now, this::onDeadline, Integer.MAX_VALUE);
    }

    private boolean onDeadline(TimeUnit unit, long now, long timerId) {
        Vm vm = timers.remove(timerId);
        if (vm != null) {
            vm.timerId = Vm.NO_TIMER;
            if (vm.state() == VmState.IDLE) {
                vm.raise(DenaliAbi.INT_TIMER);
                vm.wakeDue(vm.idleUntilNs);
                wakeLocal(vm, false);
            }
        }
        return true;
    }

    /** Wakes an idle VM with priority; with synchronous delivery, a runnable one jumps the queue too. */
    private void wakeLocal(Vm vm, boolean requested) {
        VmState s = vm.state();
        if (s == VmState.IDLE) {
            cancelTimer(vm);
            vm.setState(VmState.RUNNABLE);
            vm.countWake();
            wakes++;
            woken.addLast(vm);
        } else if (requested && synchronous && s == VmState.RUNNABLE && runQueue.remove(vm)) {
            woken.addLast(vm);
        }
    }

    /** Takes {@code vm}'s idle deadline off the wheel, if it has one. */
    private void cancelTimer(Vm vm) {
        if (vm.timerId != Vm.NO_TIMER) {
            wheel.cancelTimer(vm.timerId);
            timers.remove(vm.timerId);
            vm.timerId = Vm.NO_TIMER;
        }
    }

    private void destroyLocal(Vm vm) {
        VmState s = vm.state();
        if (s == VmState.DESTROYED || vm.owner() != index) {
            return; // evicted before the request came: whoever holds it now sees its destroy request
        }
        runQueue.remove(vm);
        woken.remove(vm);
        cancelTimer(vm);
        if (!s.isFinal()) {
            owned--;
            vm.release();
        }
        vm.setState(VmState.DESTROYED);
        if (!s.isFinal()) {
            listener.ended(vm);
        }
    }
}
