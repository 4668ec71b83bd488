package yakima.vm;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.ExitReason;
import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * Runs one VM for one quantum on its owner thread: interrupts raised since
 * its last quantum go into INT_PENDING and are delivered (one batched
 * upcall), the clock registers are refreshed, and the CPU runs until the
 * quantum's instructions are spent or the guest yields, idles or ends.
 * Hypercalls are served inline and the quantum goes on.
 *
 * <p>The runner has the thread's one {@link Cpu}: a quantum loads the VM's
 * registers onto it ({@link Cpu#load}) and saves them back at the end.
 *
 * <p>The caller (a scheduler thread) owns the state change that follows: it
 * gets an {@link End} and, for {@link End#IDLE}, {@link #idleUntilNs()}.
 *
 * <p>Threading: one runner per scheduler thread; only that thread calls it.
 */
public final class QuantumRunner {
    /** Why a quantum ended. */
    public enum End {
        /** The instructions of the quantum are spent. */
        QUANTUM_OVER,
        /** The guest gave up the rest of its quantum (YIELD, or IDLE with a timeout when idle only yields). */
        YIELDED,
        /** The guest idles until {@link #idleUntilNs()} or an interrupt. */
        IDLE,
        /** Cut short so another VM's interrupt is delivered at once (synchronous delivery). */
        PREEMPTED,
        TERMINATED,
        FAULTED
    }

    /** {@link #idleUntilNs()} when the guest idles with no deadline: only an interrupt wakes it. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final LongSupplier clockNs;
    private final boolean idleOnlyYields;
    private final Cpu cpu = new Cpu();
    private boolean clockRead;
    private long idleUntilNs;

    /**
     * @param clockNs        the scheduler's monotonic clock
     * @param idleOnlyYields IDLE with a timeout gives up the quantum but keeps the VM runnable; IDLE
     *        without one still waits for an interrupt (Denali's "idle without timeout" comparison)
     */
    public QuantumRunner(LongSupplier clockNs, boolean idleOnlyYields) {
        this.clockNs = clockNs;
        this.idleOnlyYields = idleOnlyYields;
    }

    /**
     * Runs {@code vm} for at most {@code budgetInsns} instructions, in slices
     * of {@code sliceInsns}; between slices, {@code preempt} may end the
     * quantum early. The VM must be RUNNING. {@code nowNs} is the clock as
     * read by the caller just before (the scheduler reads it once per step:
     * a read of System.nanoTime costs about 25 ns, a third of a switch).
     */
    public End run(Vm vm, long nowNs, long budgetInsns, long sliceInsns, BooleanSupplier preempt) {
        Cpu cpu = this.cpu;
        GuestMemory mem = vm.memory();
        clockRead = false;
        cpu.load(vm, mem);
        End end = run(vm, cpu, mem, nowNs, budgetInsns, sliceInsns, preempt);
        cpu.save(vm);
        if (end == End.TERMINATED || end == End.FAULTED) {
            vm.stopped(cpu);
        }
        return end;
    }

    private End run(Vm vm, Cpu cpu, GuestMemory mem, long nowNs, long budgetInsns, long sliceInsns, BooleanSupplier preempt) {
        long start = cpu.insnCount();
        vm.takeInterrupts();
        int[] vregs = vm.virtualRegisters();
        VirtualRegisters.updateClock(vregs, vm.vmTimeNs(nowNs), cpu.insnCount());
        if (vregs[DenaliAbi.VREG_INT_ENABLE >>> 2] != 0 && vregs[DenaliAbi.VREG_INT_PENDING >>> 2] != 0) {
            cpu.deliverInterrupts(); // (which checks the same first: a quantum without news reads no further)
        }
        while (true) {
            long left = budgetInsns - (cpu.insnCount() - start);
            if (left <= 0) {
                return End.QUANTUM_OVER;
            }
            ExitReason why = cpu.run(Math.min(left, sliceInsns));
            switch (why) {
                case BUDGET -> {
                    if (cpu.insnCount() - start < budgetInsns && preempt.getAsBoolean()) {
                        return End.PREEMPTED;
                    }
                }
                case HYPERCALL -> {
                    int number = cpu.reg(CpuState.EAX);
                    if (number == DenaliAbi.HC_YIELD) {
                        // served here: the dispatcher (another object, another cache miss) is not needed
                        vm.countYield();
                        cpu.setReg(CpuState.EAX, 0);
                        return End.YIELDED; // the guest runs again only after the next quantum's refresh
                    }
                    int result = vm.hypercalls().dispatch(mem, number, cpu.reg(CpuState.EBX), cpu.reg(CpuState.ECX),
                            cpu.reg(CpuState.EDX), cpu.reg(CpuState.ESI), cpu.reg(CpuState.EDI));
                    cpu.setReg(CpuState.EAX, result);
                    refreshClock(vm, cpu);
                }
                case IDLE -> {
                    long deadlineVm = cpu.idleDeadlineNs();
                    if (idleOnlyYields && deadlineVm >= 0) {
                        // no timeout to sleep on: a VM with a timer pending spins in its idle loop, as Denali's did
                        return End.YIELDED;
                    }
                    long now = readClock();
                    if (deadlineVm >= 0 && vm.hostTimeNs(deadlineVm) <= now) {
                        refreshClock(vm, cpu); // already past: IDLE returns at once
                        continue;
                    }
                    if (vm.hasRaised()) {
                        // an interrupt arrived during the quantum: IDLE returns, and it is delivered
                        vm.takeInterrupts();
                        refreshClock(vm, cpu);
                        cpu.deliverInterrupts();
                        continue;
                    }
                    idleUntilNs = deadlineVm < 0 ? NO_DEADLINE : vm.hostTimeNs(deadlineVm);
                    return End.IDLE;
                }
                case TERMINATE -> {
                    return End.TERMINATED;
                }
                case FAULT -> {
                    return End.FAULTED;
                }
            }
        }
    }

    /** For {@link End#IDLE}: the scheduler time to wake the VM at, or {@link #NO_DEADLINE}. */
    public long idleUntilNs() {
        return idleUntilNs;
    }

    /**
     * True when the last {@link #run} read the clock itself (after a hypercall
     * or at IDLE): a later quantum must then not start from a reading taken
     * before it, or the VM's clock could step back.
     */
    public boolean clockRead() {
        return clockRead;
    }

    private long readClock() {
        clockRead = true;
        return clockNs.getAsLong();
    }

    private void refreshClock(Vm vm, Cpu cpu) {
        VirtualRegisters.updateClock(vm.virtualRegisters(), vm.vmTimeNs(readClock()), cpu.insnCount());
    }
}
