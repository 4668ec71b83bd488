package yakima.host;

import yakima.sched.SchedulerConfig;

/**
 * Host-wide settings, validated once.
 *
 * @param scheduler           threads, quantum, delivery and idle modes
 * @param residentBudgetBytes the gatekeeper admits VMs while the host's resident memory stays under this
 * @param maxVms              VMs the host will hold at once (every queue is sized from it)
 * @param insnRatePerUs       the nominal instruction rate published in INSN_RATE
 * @param consoleBytesPerSecond each VM's console rate limit
 * @param consoleBurstBytes   bytes a quiet console may write at once
 */
public record HostConfig(SchedulerConfig scheduler, long residentBudgetBytes, int maxVms, int insnRatePerUs,
        long consoleBytesPerSecond, long consoleBurstBytes) {

    public HostConfig {
        if (residentBudgetBytes <= 0) {
            throw new IllegalArgumentException("the resident-memory budget must be positive");
        }
        if (maxVms < 1) {
            throw new IllegalArgumentException("maxVms must be at least 1");
        }
    }

    /** Scheduler defaults, a budget of 3/4 of the JVM's heap, up to 1,000,000 VMs, 4 KiB/s consoles. */
    public static HostConfig defaults() {
        int maxVms = 1_000_000;
        SchedulerConfig s = SchedulerConfig.defaults();
        return new HostConfig(s.withMaxVmsPerThread(maxVms), Runtime.getRuntime().maxMemory() / 4 * 3, maxVms, 100,
                4096, 16384);
    }

    public HostConfig withScheduler(SchedulerConfig s) {
        return new HostConfig(s, residentBudgetBytes, maxVms, insnRatePerUs, consoleBytesPerSecond, consoleBurstBytes);
    }

    public HostConfig withBudget(long bytes) {
        return new HostConfig(scheduler, bytes, maxVms, insnRatePerUs, consoleBytesPerSecond, consoleBurstBytes);
    }

    public HostConfig withMaxVms(int n) {
        return new HostConfig(scheduler.withMaxVmsPerThread(n), residentBudgetBytes, n, insnRatePerUs,
                consoleBytesPerSecond, consoleBurstBytes);
    }
}
