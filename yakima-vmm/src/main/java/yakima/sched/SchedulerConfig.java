package yakima.sched;

/**
 * How the scheduler runs VMs. Validated once, at construction.
 *
 * @param threads        scheduler threads (default: cores - 1, at least 1)
 * @param quantumInsns   guest instructions a VM runs before the next VM's turn
 * @param delivery       batched (Denali's default) or synchronous interrupt delivery
 * @param idle           whether IDLE honours its timeout or only yields (for the Denali comparison)
 * @param syncSliceInsns with synchronous delivery, how often (in instructions) a quantum checks for
 *                       an interrupt raised for another VM, to switch to it at once
 * @param maxVmsPerThread bound of each thread's queues (VMs owned and wake requests)
 */
public record SchedulerConfig(int threads, long quantumInsns, Delivery delivery, IdleMode idle, long syncSliceInsns,
        int maxVmsPerThread) {

    /** When a raised interrupt reaches the guest. */
    public enum Delivery {
        /** The pending bit is set; the VM sees it at its next quantum (an idle VM is woken with priority). */
        BATCHED,
        /** The VM is switched in as soon as the interrupt is raised (within a slice of the running quantum). */
        SYNCHRONOUS
    }

    /** What IDLE does. */
    public enum IdleMode {
        /** Off the run queue until the deadline or an interrupt. */
        TIMEOUT,
        /**
         * IDLE has no timeout: an IDLE with a deadline only yields the rest of the
         * quantum and the VM stays runnable (it spins in its idle loop until its
         * timer is due, as Denali's VMs without the timeout did); an IDLE without
         * one waits for an interrupt.
         */
        YIELD_ONLY
    }

    public static final long DEFAULT_QUANTUM_INSNS = 100_000;

    public SchedulerConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("scheduler threads must be at least 1, not " + threads);
        }
        if (quantumInsns < 1) {
            throw new IllegalArgumentException("the quantum must be at least 1 instruction, not " + quantumInsns);
        }
        if (syncSliceInsns < 1 || syncSliceInsns > quantumInsns) {
            throw new IllegalArgumentException("the synchronous-delivery slice must be 1.." + quantumInsns + " instructions");
        }
        if (maxVmsPerThread < 1) {
            throw new IllegalArgumentException("maxVmsPerThread must be at least 1");
        }
    }

    /** Cores - 1 threads (at least 1), a 100,000-instruction quantum, batched delivery, IDLE with timeout. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(Math.max(1, Runtime.getRuntime().availableProcessors() - 1), DEFAULT_QUANTUM_INSNS,
                Delivery.BATCHED, IdleMode.TIMEOUT, 5_000, 1 << 20);
    }

    public SchedulerConfig withThreads(int n) {
        return new SchedulerConfig(n, quantumInsns, delivery, idle, syncSliceInsns, maxVmsPerThread);
    }

    public SchedulerConfig withQuantum(long insns) {
        return new SchedulerConfig(threads, insns, delivery, idle, Math.min(syncSliceInsns, insns), maxVmsPerThread);
    }

    public SchedulerConfig withDelivery(Delivery d) {
        return new SchedulerConfig(threads, quantumInsns, d, idle, syncSliceInsns, maxVmsPerThread);
    }

    public SchedulerConfig withIdle(IdleMode m) {
        return new SchedulerConfig(threads, quantumInsns, delivery, m, syncSliceInsns, maxVmsPerThread);
    }

    public SchedulerConfig withSyncSlice(long insns) {
        return new SchedulerConfig(threads, quantumInsns, delivery, idle, insns, maxVmsPerThread);
    }

    public SchedulerConfig withMaxVmsPerThread(int n) {
        return new SchedulerConfig(threads, quantumInsns, delivery, idle, syncSliceInsns, n);
    }
}
