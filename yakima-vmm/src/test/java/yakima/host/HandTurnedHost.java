package yakima.host;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.TestGuests;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * A test fixture: a {@link Host} whose threads are never started, turned by
 * hand so that a test is deterministic and bounded. The host has one
 * scheduler thread, a fake clock that moves only when the test says (see
 * {@link #turn}, {@link #advanceClock}) and a console captured in memory
 * ({@link #output}).
 *
 * <p>A turn works the scheduler's one thread, then each {@link Agent} the
 * fixture was made with (the switch, the disk thread), then moves the clock.
 * A test class registers one fixture per test instance as a JUnit extension,
 * which closes the host after each test, and each test calls {@link #start}
 * with the configuration it needs:
 *
 * <pre>
 * &#64;RegisterExtension
 * final HandTurnedHost hand = new HandTurnedHost(Agent.LAN);
 *
 * &#64;Test
 * void someTest() throws Exception {
 *     hand.start();
 *     Vm vm = hand.createGuest("net-node", 512 &lt;&lt; 10, null);
 *     hand.runUntil(() -&gt; HandTurnedHost.ended(vm), 20_000); // 1 ms a turn
 *     assertTrue(hand.output().contains("node up"), hand.output());
 * }
 * </pre>
 */
public final class HandTurnedHost implements AfterEachCallback, AutoCloseable {
    /** What a turn works after the scheduler's thread, in this order. */
    public enum Agent {
        /** The virtual switch ({@link Host#lan()}). */
        LAN,
        /** The disk thread ({@link Host#disks()}). */
        DISKS
    }

    /** One millisecond: the clock step of {@link #runUntil(BooleanSupplier, int)}. */
    public static final long MS = 1_000_000;

    private final Set<Agent> agents;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private long nowNs;
    private Host host;

    /** A fixture whose turns work the scheduler and then {@code agents}; no host until {@link #start}. */
    public HandTurnedHost(Agent... agents) {
        this.agents = agents.length == 0 ? EnumSet.noneOf(Agent.class) : EnumSet.copyOf(List.of(agents));
    }

    /** {@link #start(HostConfig)} with {@link HostConfig#defaults()}. */
    public HandTurnedHost start() {
        return start(HostConfig.defaults());
    }

    /**
     * Creates the host from {@code config} with one scheduler thread, the
     * fake clock and the captured console; its threads are not started.
     */
    public HandTurnedHost start(HostConfig config) {
        if (host != null) {
            throw new IllegalStateException("the host is already started");
        }
        host = new Host(config.withScheduler(config.scheduler().withThreads(1)), new ImageResolver(), () -> nowNs,
                ConsoleSink.of(console));
        return this;
    }

    /** The host {@link #start} created. */
    public Host host() {
        if (host == null) {
            throw new IllegalStateException("the host is not started (or already closed)");
        }
        return host;
    }

    /** Closes the host if there is one; closing twice is harmless. */
    @Override
    public void close() {
        if (host != null) {
            host.close();
            host = null;
        }
    }

    /** As a JUnit extension: {@link #close()} after each test. */
    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The fake clock's reading, in ns. */
    public long nowNs() {
        return nowNs;
    }

    /** Moves the fake clock {@code ns} forward. */
    public void advanceClock(long ns) {
        nowNs += ns;
    }

    /** Everything the VMs printed so far (ISO-8859-1, byte for character). */
    public String output() {
        return console.toString(StandardCharsets.ISO_8859_1);
    }

    /** Forgets what the VMs printed so far. */
    public void resetConsole() {
        console.reset();
    }

    /** Creates a VM with no name from {@code image} (a built-in name or a path) and {@code disk} (or null). */
    public Vm create(String image, int memBytes, DiskSpec disk) throws Exception {
        return host().create(new VmSpec(image, memBytes, null, disk));
    }

    /**
     * Creates a VM with no name from the test guest {@code src/test/guests/GUEST.c}
     * built with {@code defines} (see {@link TestGuests#build}), with {@code disk} (or null).
     */
    public Vm createGuest(String guest, int memBytes, DiskSpec disk, String... defines) throws Exception {
        return create(TestGuests.build(guest, defines).toString(), memBytes, disk);
    }

    /** True once {@code vm} has terminated or faulted (a destroyed VM has not ended this way). */
    public static boolean ended(Vm vm) {
        return vm.state() == VmState.TERMINATED || vm.state() == VmState.FAULTED;
    }

    /** One turn of the scheduler's thread alone; the clock stands still. */
    public void turnScheduler() {
        host().scheduler().thread(0).doWork();
    }

    /** One turn: the scheduler's thread, then the fixture's agents; then the clock moves {@code stepNs}. */
    public void turn(long stepNs) {
        Host h = host();
        h.scheduler().thread(0).doWork();
        if (agents.contains(Agent.LAN)) {
            h.lan().doWork();
        }
        if (agents.contains(Agent.DISKS)) {
            h.disks().doWork();
        }
        nowNs += stepNs;
    }

    /**
     * {@code turns} turns of the switch and then the scheduler's thread with
     * the clock standing still (whatever the fixture's agents): to show that
     * nothing more moves.
     */
    public void turnFrozen(int turns) {
        Host h = host();
        for (int i = 0; i < turns; i++) {
            h.lan().doWork();
            h.scheduler().thread(0).doWork();
        }
    }

    /**
     * Turns (see {@link #turn}) until {@code done}, asking it before each
     * turn, for at most {@code maxTurns} turns.
     *
     * @return whether {@code done} was seen; false once {@code maxTurns} turns
     *         have run (it is not asked again after the last)
     */
    public boolean turnUntil(BooleanSupplier done, int maxTurns, long stepNs) {
        for (int t = 0; t < maxTurns; t++) {
            if (done.getAsBoolean()) {
                return true;
            }
            turn(stepNs);
        }
        return false;
    }

    /** {@link #runUntil(BooleanSupplier, int, long)} with the clock moving 1 ms a turn. */
    public void runUntil(BooleanSupplier done, int maxTurns) {
        runUntil(done, maxTurns, MS);
    }

    /**
     * Turns until {@code done} as {@link #turnUntil} does; fails after
     * {@code maxTurns} turns with each VM's state and fault and the console
     * so far.
     */
    public void runUntil(BooleanSupplier done, int maxTurns, long stepNs) {
        if (turnUntil(done, maxTurns, stepNs)) {
            return;
        }
        StringBuilder states = new StringBuilder();
        for (Vm vm : host().vms()) {
            states.append(vm.idString()).append(' ').append(vm.state().label()).append(' ')
                    .append(vm.faultReason() == null ? "" : vm.faultReason()).append('\n');
        }
        throw new AssertionError(String.format(Locale.ROOT, "not done after %,d turns:\n", maxTurns) + states
                + "console so far:\n" + output());
    }
}
