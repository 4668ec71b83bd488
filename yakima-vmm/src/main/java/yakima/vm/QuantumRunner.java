package yakima.vm;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import denali.isa.interp.Cpu;
import denali.isa.interp.CpuState;
import denali.isa.interp.ExitReason;
import denali.isa.memory.GuestMemory;

/**
 * Runs one VM for one quantum on its owner thread: interrupts raised since
 * its last quantum go into INT_PENDING and are delivered (one batched
 * upcall), the clock registers are refreshed, and the CPU runs until the
 * quantum's instructions are spent or the guest yields, idles or ends.
 * Hypercalls are served inline and the quantum goes on.
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
        /** The guest gave up the rest of its quantum (YIELD, or IDLE when idle only yields). */
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
    private long idleUntilNs;

    /**
     * @param clockNs        the scheduler's monotonic clock
     * @param idleOnlyYields IDLE gives up the quantum but keeps the VM runnable (Denali comparison mode)
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
        Cpu cpu = vm.cpu();
        GuestMemory mem = vm.memory();
        long start = cpu.insnCount();
        vm.takeInterrupts();
        VirtualRegisters.updateClock(mem, vm.vmTimeNs(nowNs), cpu.insnCount());
        cpu.deliverInterrupts();
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
                    HypercallDispatcher h = vm.hypercalls();
                    int number = cpu.reg(CpuState.EAX);
                    int result = h.dispatch(mem, number, cpu.reg(CpuState.EBX), cpu.reg(CpuState.ECX),
                            cpu.reg(CpuState.EDX), cpu.reg(CpuState.ESI), cpu.reg(CpuState.EDI));
                    cpu.setReg(CpuState.EAX, result);
                    if (number == denali.isa.spec.DenaliAbi.HC_YIELD) {
                        return End.YIELDED; // the guest runs again only after the next quantum's refresh
                    }
                    refreshClock(vm, cpu, mem);
                }
                case IDLE -> {
                    if (idleOnlyYields) {
                        return End.YIELDED;
                    }
                    long deadlineVm = cpu.idleDeadlineNs();
                    long now = clockNs.getAsLong();
                    if (deadlineVm >= 0 && vm.hostTimeNs(deadlineVm) <= now) {
                        refreshClock(vm, cpu, mem); // already past: IDLE returns at once
                        continue;
                    }
                    if (vm.hasRaised()) {
                        // an interrupt arrived during the quantum: IDLE returns, and it is delivered
                        vm.takeInterrupts();
                        refreshClock(vm, cpu, mem);
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

    private void refreshClock(Vm vm, Cpu cpu, GuestMemory mem) {
        VirtualRegisters.updateClock(mem, vm.vmTimeNs(clockNs.getAsLong()), cpu.insnCount());
    }
}
