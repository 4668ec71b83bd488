package yakima.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import yakima.admin.AdminServer;
import yakima.host.Host;
import yakima.host.HostAdminBackend;
import yakima.host.HostConfig;
import yakima.sched.SchedulerConfig;
import yakima.swap.RecordReader;
import yakima.swap.RecordWriter;
import yakima.swap.SwapStore;
import yakima.swap.VmImage;
import yakima.swap.VmStub;
import yakima.vm.ConsoleSink;
import yakima.vm.ImageResolver;
import yakima.vm.Vm;
import yakima.vm.VmState;

/**
 * {@code yakima snapshot}, {@code yakima restore} and {@code yakima host
 * --restore} against a real host (one scheduler thread, hello-sleeper VMs)
 * behind a real admin server on a loopback port; and {@code snapshot
 * --swap-dir} against the swap folder a stopped host left.
 */
class SnapshotCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Host host;
    private AdminServer server;
    private String admin;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        host = newHost();
        host.start();
        server = AdminServer.loopback(new HostAdminBackend(host), 0).start();
        admin = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        host.close();
    }

    private static Host newHost() {
        long start = System.nanoTime();
        return new Host(HostConfig.defaults().withScheduler(SchedulerConfig.defaults().withThreads(1)), new ImageResolver(),
                () -> System.nanoTime() - start, ConsoleSink.discarding());
    }

    private int yakima(String... args) {
        CliStreams io = new CliStreams(new ByteArrayOutputStream(), new PrintWriter(out, true), new PrintWriter(err, true));
        return YakimaCli.commandLine(io, new ImageResolver()).execute(args);
    }

    private void clear() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }

    private static boolean waitFor(BooleanSupplier done, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    /** A hello-sleeper VM that has booted and idles. */
    private Vm sleeper(Host on, String name) throws Exception {
        Vm vm = on.create("hello-sleeper", 256 << 10, name);
        assertTrue(waitFor(() -> vm.state() == VmState.IDLE && vm.quanta() > 0, 10_000), vm.state().label());
        return vm;
    }

    @Test
    void snapshotWritesTheRecordAndRestoreStartsItAgain() throws Exception {
        sleeper(host, "web");
        Path file = dir.resolve("web.snap");
        assertEquals(0, yakima("snapshot", "web", file.toString(), "--admin", admin), err.toString());
        byte[] record = Files.readAllBytes(file);
        assertEquals(List.of("saved web to " + file + " (" + record.length + " bytes)"), out.toString().lines().toList());
        assertEquals("web", RecordReader.read(record).name());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(file),
                "it holds the VM's memory: for its owner only");
        assertEquals(List.of(file), listing(), "no temporary file is left");
        assertInstanceOf(Vm.class, host.lookup("web"), "without --stop the VM runs on");

        clear();
        assertEquals(0, yakima("restore", file.toString(), "--name", "copy", "--admin", admin), err.toString());
        assertEquals(List.of("restored " + file + " as vm-2 (name copy, IPv4 10.0.0.3, MAC 02:00:00:00:00:02)"),
                out.toString().lines().toList());
        Vm copy = host.find("copy");
        assertTrue(waitFor(() -> copy.state() == VmState.IDLE, 10_000), copy.state().label());

        clear();
        assertEquals(1, yakima("restore", file.toString(), "--admin", admin));
        assertEquals(List.of("yakima restore: a VM named web already exists"), err.toString().lines().toList());
    }

    @Test
    void anExistingFileIsKeptUnlessForced() throws Exception {
        sleeper(host, null);
        Path file = dir.resolve("vm1.snap");
        Files.writeString(file, "keep me");
        assertEquals(1, yakima("snapshot", "vm-1", file.toString(), "--admin", admin));
        assertEquals(List.of("yakima snapshot: " + file + " exists (give --force to replace it)"), err.toString().lines().toList());
        assertEquals("keep me", Files.readString(file));

        clear();
        assertEquals(0, yakima("snapshot", "vm-1", file.toString(), "--force", "--admin", admin), err.toString());
        assertEquals(1, RecordReader.read(Files.readAllBytes(file)).id());
        assertEquals(List.of(file), listing());
    }

    @Test
    void stopMovesTheVmIntoTheFile() throws Exception {
        Vm vm = sleeper(host, "mover");
        Path file = dir.resolve("mover.snap");
        assertEquals(0, yakima("snapshot", "mover", file.toString(), "--stop", "--admin", admin), err.toString());
        assertTrue(out.toString().contains("; the VM is stopped)"), out.toString());
        assertEquals(VmState.DESTROYED, vm.state());
        assertNull(host.lookup("mover"));

        clear();
        assertEquals(0, yakima("restore", file.toString(), "--admin", admin), err.toString());
        assertTrue(out.toString().startsWith("restored " + file + " as vm-2 (name mover,"), out.toString());
    }

    @Test
    void aRefusedSnapshotLeavesNoFile() throws Exception {
        Path file = dir.resolve("nobody.snap");
        assertEquals(1, yakima("snapshot", "vm-9", file.toString(), "--admin", admin));
        assertEquals(List.of("yakima snapshot: no VM named vm-9"), err.toString().lines().toList());
        assertEquals(List.of(), listing(), "neither the file nor a temporary one");

        clear();
        Path nowhere = dir.resolve("no/such/folder/x.snap");
        assertEquals(1, yakima("snapshot", "vm-9", nowhere.toString(), "--admin", admin));
        assertEquals(List.of("yakima snapshot: cannot write " + nowhere + ": its folder " + nowhere.getParent() + " does not exist"),
                err.toString().lines().toList());
    }

    @Test
    void aBadSnapshotFileIsOneLineAndChangesNothing() throws Exception {
        sleeper(host, null);
        Path good = dir.resolve("good.snap");
        assertEquals(0, yakima("snapshot", "vm-1", good.toString(), "--admin", admin), err.toString());
        byte[] record = Files.readAllBytes(good);
        long created = host.vmsCreated();

        clear();
        Path missing = dir.resolve("missing.snap");
        assertEquals(1, yakima("restore", missing.toString(), "--admin", admin));
        assertEquals(List.of("yakima restore: cannot read " + missing + ": no such file or folder"), err.toString().lines().toList());

        clear();
        Path truncated = dir.resolve("truncated.snap");
        Files.write(truncated, Arrays.copyOf(record, record.length / 2));
        assertEquals(1, yakima("restore", truncated.toString(), "--admin", admin));
        assertEquals(List.of("yakima restore: " + truncated + " is not a usable snapshot: record truncated: " + record.length / 2
                + " bytes of the " + record.length + " its header declares"), err.toString().lines().toList());

        clear();
        VmImage i = RecordReader.read(record);
        Path otherImage = dir.resolve("other.snap");
        Files.write(otherImage, RecordWriter.write(new VmImage(i.id(), i.name(), i.imageName(), new byte[32], i.memSizeBytes(), i.mac(),
                i.ipv4(), i.regs(), i.eip(), i.flags(), i.insns(), i.idle(), i.vmTimeNs(), i.idleDeadlineVmNs(), i.raised(),
                i.counters(), i.vregs(), i.pageNumbers(), i.pages(), i.rxFrames(), i.disk(), i.consoleTail())));
        assertEquals(1, yakima("restore", otherImage.toString(), "--admin", admin));
        assertEquals(List.of("yakima restore: image hello-sleeper on this host is not the one the snapshot was taken with (its SHA-256 differs)"),
                err.toString().lines().toList());

        assertEquals(created, host.vmsCreated(), "no VM was made");
        assertEquals("", out.toString());
    }

    @Test
    void offlineASnapshotIsCopiedFromAStoppedHostsSwapFolder() throws Exception {
        Path swap = dir.resolve("swap");
        Files.createDirectory(swap);
        Host swapping = newHost();
        byte[] stored;
        try (swapping) {
            swapping.enableSwap(SwapStore.open(swap, 1L << 30));
            swapping.start();
            Vm vm = sleeper(swapping, "sleepy");
            assertTrue(swapping.scheduler().evict(vm));
            assertTrue(waitFor(() -> swapping.lookup("vm-1") instanceof VmStub, 10_000), String.valueOf(swapping.lastSwapError()));
            stored = swapping.swapStore().read(1);
        }

        Path byId = dir.resolve("by-id.snap");
        assertEquals(0, yakima("snapshot", "--swap-dir", swap.toString(), "vm-1", byId.toString()), err.toString());
        assertArrayEquals(stored, Files.readAllBytes(byId));
        assertEquals(List.of("saved vm-1 to " + byId + " (" + stored.length + " bytes) from the swap folder " + swap),
                out.toString().lines().toList());
        Path byName = dir.resolve("by-name.snap");
        assertEquals(0, yakima("snapshot", "--swap-dir", swap.toString(), "sleepy", byName.toString()), err.toString());
        assertArrayEquals(stored, Files.readAllBytes(byName));

        // and it runs again on a live host
        clear();
        assertEquals(0, yakima("restore", byName.toString(), "--admin", admin), err.toString());
        Vm back = host.find("sleepy");
        assertTrue(waitFor(() -> back.state() == VmState.IDLE, 10_000));

        clear();
        Path none = dir.resolve("none.snap");
        assertEquals(1, yakima("snapshot", "--swap-dir", swap.toString(), "vm-7", none.toString()));
        assertEquals(List.of("yakima snapshot: no record of vm-7 in the swap folder " + swap
                + " (a VM never swapped out, or a clone that never ran, has none)"), err.toString().lines().toList());
        assertFalse(Files.exists(none));

        clear();
        Path notThere = dir.resolve("not-there");
        assertEquals(1, yakima("snapshot", "--swap-dir", notThere.toString(), "vm-1", none.toString()));
        assertEquals(List.of("yakima snapshot: --swap-dir " + notThere + " is not a folder"), err.toString().lines().toList());
        assertFalse(Files.exists(notThere), "nothing is created");

        clear();
        assertEquals(2, yakima("snapshot", "--swap-dir", swap.toString(), "--stop", "vm-1", none.toString()));
        assertEquals(List.of("yakima snapshot: --stop needs a running host; with --swap-dir the host is stopped already"),
                err.toString().lines().toList());
        clear();
        assertEquals(2, yakima("snapshot", "--swap-dir", swap.toString(), "--admin", admin, "vm-1", none.toString()));
        assertFalse(Files.exists(none));
    }

    @Test
    void hostRestoreResumesSnapshotsAndRefusesABadFileBeforeStarting() throws Exception {
        sleeper(host, "web");
        Path file = dir.resolve("web.snap");
        assertEquals(0, yakima("snapshot", "web", file.toString(), "--admin", admin), err.toString());
        server.close();
        host.close(); // the next host takes the default swap-less configuration and its own ports

        clear();
        assertEquals(0, yakima("host", "--restore", file.toString(), "--duration", "1", "--admin-port", "0"), err.toString());
        assertTrue(err.toString().contains("yakima host: 1 restored in "), err.toString());
        assertTrue(err.toString().contains("yakima host: " + file + " resumed as vm-1 (web) at 10.0.0.2"), err.toString());

        clear();
        assertEquals(0, yakima("host", "--image", "hello-sleeper", "--vms", "2", "--restore", file.toString(), "--duration", "1",
                "--admin-port", "0"), err.toString());
        assertTrue(err.toString().contains("yakima host: 2 VMs of hello-sleeper booted, 1 restored in "), err.toString());
        assertTrue(err.toString().contains("yakima host: " + file + " resumed as vm-3 (web) at 10.0.0.4"), err.toString());

        clear(); // two copies of one VM would have one name
        assertEquals(1, yakima("host", "--restore", file + "," + file, "--duration", "1", "--admin-port", "0"));
        assertEquals(List.of("yakima host: --restore " + file + ": a VM named web already exists"), err.toString().lines().toList());

        clear();
        Path truncated = dir.resolve("truncated.snap");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(file), 100));
        assertEquals(1, yakima("host", "--image", "hello-sleeper", "--restore", truncated.toString(), "--duration", "1",
                "--admin-port", "0"));
        assertTrue(err.toString().startsWith("yakima host: --restore: " + truncated + " is not a usable snapshot: record truncated: 100 bytes"),
                err.toString());
        assertEquals(1, err.toString().lines().count(), "the host never started: " + err);

        clear();
        Path missing = dir.resolve("missing.snap");
        assertEquals(1, yakima("host", "--restore", missing.toString(), "--duration", "1", "--admin-port", "0"));
        assertEquals(List.of("yakima host: --restore: cannot read " + missing + ": no such file or folder"), err.toString().lines().toList());

        clear();
        assertEquals(2, yakima("host", "--duration", "1", "--admin-port", "0"));
        assertEquals(List.of("yakima host: give --image (the VMs to boot), --restore (snapshot files to resume), or both"),
                err.toString().lines().toList());
    }

    private List<Path> listing() throws IOException {
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
