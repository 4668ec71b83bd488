package yakima.host;

import java.util.Objects;

import yakima.net.LanFaults;
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
 * @param nicQueueFrames      frames each VM's NIC queues hold, each way (a power of two, 4..65536)
 * @param lanFaults           faults the virtual switch injects ({@link LanFaults#NONE}: none)
 */
public record HostConfig(SchedulerConfig scheduler, long residentBudgetBytes, int maxVms, int insnRatePerUs,
        long consoleBytesPerSecond, long consoleBurstBytes, int nicQueueFrames, LanFaults lanFaults) {

    public HostConfig {
        Objects.requireNonNull(lanFaults, "lanFaults");
        if (residentBudgetBytes <= 0) {
            throw new IllegalArgumentException("the resident-memory budget must be positive");
        }
        if (maxVms < 1) {
            throw new IllegalArgumentException("maxVms must be at least 1");
        }
        if (nicQueueFrames < 4 || nicQueueFrames > 65536 || Integer.bitCount(nicQueueFrames) != 1) {
            throw new IllegalArgumentException("a NIC queue holds a power of two from 4 to 65536 frames, not " + nicQueueFrames);
        }
    }

    /** A configuration without LAN faults. */
    public HostConfig(SchedulerConfig scheduler, long residentBudgetBytes, int maxVms, int insnRatePerUs,
            long consoleBytesPerSecond, long consoleBurstBytes, int nicQueueFrames) {
        this(scheduler, residentBudgetBytes, maxVms, insnRatePerUs, consoleBytesPerSecond, consoleBurstBytes,
                nicQueueFrames, LanFaults.NONE);
    }

    /**
     * Scheduler defaults, a budget of 3/4 of the JVM's heap, up to 1,000,000
     * VMs, 4 KiB/s consoles, NIC queues of 64 frames each way (a VM's queues
     * cost about 600 bytes of host memory; a burst beyond 64 frames is dropped
     * and counted), no LAN faults.
     */
    public static HostConfig defaults() {
        int maxVms = 1_000_000;
        SchedulerConfig s = SchedulerConfig.defaults();
        return new HostConfig(s.withMaxVmsPerThread(maxVms), Runtime.getRuntime().maxMemory() / 4 * 3, maxVms, 100,
                4096, 16384, 64);
    }

    public HostConfig withScheduler(SchedulerConfig s) {
        return new HostConfig(s, residentBudgetBytes, maxVms, insnRatePerUs, consoleBytesPerSecond, consoleBurstBytes, nicQueueFrames, lanFaults);
    }

    public HostConfig withBudget(long bytes) {
        return new HostConfig(scheduler, bytes, maxVms, insnRatePerUs, consoleBytesPerSecond, consoleBurstBytes, nicQueueFrames, lanFaults);
    }

    public HostConfig withMaxVms(int n) {
        return new HostConfig(scheduler.withMaxVmsPerThread(n), residentBudgetBytes, n, insnRatePerUs,
                consoleBytesPerSecond, consoleBurstBytes, nicQueueFrames, lanFaults);
    }

    public HostConfig withNicQueueFrames(int frames) {
        return new HostConfig(scheduler, residentBudgetBytes, maxVms, insnRatePerUs, consoleBytesPerSecond,
                consoleBurstBytes, frames, lanFaults);
    }

    /** The same with the virtual switch injecting {@code faults} ({@link LanFaults#NONE} for none). */
    public HostConfig withLanFaults(LanFaults faults) {
        return new HostConfig(scheduler, residentBudgetBytes, maxVms, insnRatePerUs, consoleBytesPerSecond,
                consoleBurstBytes, nicQueueFrames, faults);
    }
}
