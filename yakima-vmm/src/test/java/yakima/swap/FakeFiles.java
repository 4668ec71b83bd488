package yakima.swap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory file system for {@link SwapStore} that models what a crash
 * keeps, and can fail or crash at any step.
 *
 * <p>The model: a file's bytes are durable up to its last force; a
 * directory's entries (names created, renamed or removed in it) are durable
 * as of its last force. Everything else is in the page cache, and a crash
 * ({@link #afterCrash}) keeps it or not as a {@link UnforcedNames} and an
 * {@link UnforcedData} policy say: renames not followed by a directory force
 * either all survive or all vanish, and unforced bytes are lost, half kept,
 * zeroed or kept. {@link #afterProcessCrash} is the gentler case: the
 * process died but the machine did not, so everything is still there and no
 * more durable than it was.
 *
 * <p>Steps: every call that changes something (create directories, open a
 * file for writing, each write, each force, move, delete) is one step,
 * numbered from 0 as it happens. {@link #crashAtStep} makes step k throw
 * {@link Crash} instead of happening, and every call after it too, so the
 * store is stopped dead there; {@link #failAtStep} makes step k throw an
 * {@code IOException} instead (a write first writes half its bytes and then
 * says "No space left on device", as a full disk does).
 *
 * <p>Threading: every method is synchronized, so concurrent writers see one
 * consistent file system.
 */
final class FakeFiles implements StoreFiles {

    /** What a crash does to bytes written and not forced. */
    enum UnforcedData {
        /** Gone: the file holds what its last force made durable. */
        LOST,
        /** The first half of what was written since the last force survives: a torn write. */
        HALF_KEPT,
        /** The file has its new length but the unforced bytes read as zeros. */
        ZEROED,
        /** All of it survives. */
        KEPT
    }

    /** What a crash does to directory entries changed since the directory was last forced. */
    enum UnforcedNames {
        /** Each directory is as it was when last forced. */
        LOST,
        /** Every change survives. */
        KEPT
    }

    /** The simulated crash: the store must not catch it, so its code stops where the crash hit. */
    static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash", null, false, false);
        }
    }

    private static final class Inode {
        byte[] now = new byte[0];
        byte[] forced = new byte[0];
    }

    /** The value of a directory's entry in the maps below. */
    private static final Object DIR = new Object();

    /** Path to DIR or an Inode: what a program sees now. */
    private final Map<Path, Object> now = new HashMap<>();
    /** Path to DIR or an Inode: the entries as their directories were last forced. */
    private final Map<Path, Object> durable = new HashMap<>();

    private int steps;
    private int crashAt = -1;
    private int failAt = -1;
    private boolean crashed;
    private String failedOperation;
    private Path failedPath;

    /** A file system in which {@code existing} and its parents are directories, durably. */
    FakeFiles(Path existing) {
        for (Path dir = existing; dir != null; dir = dir.getParent()) {
            now.put(dir, DIR);
            durable.put(dir, DIR);
        }
    }

    private FakeFiles() {
    }

    /** Steps taken so far. */
    synchronized int steps() {
        return steps;
    }

    /** Step {@code stepsFromNow} steps from now crashes instead of happening (0: the next step). */
    synchronized void crashAtStep(int stepsFromNow) {
        crashAt = steps + stepsFromNow;
    }

    /** Step {@code stepsFromNow} steps from now fails with an IOException instead of happening. */
    synchronized void failAtStep(int stepsFromNow) {
        failAt = steps + stepsFromNow;
    }

    synchronized boolean crashed() {
        return crashed;
    }

    /** The operation that {@link #failAtStep} failed, or null. */
    synchronized String failedOperation() {
        return failedOperation;
    }

    /** The path of the operation that {@link #failAtStep} failed, or null. */
    synchronized Path failedPath() {
        return failedPath;
    }

    /**
     * The file system a restart after a crash now would find: every entry
     * and byte that was forced, and of the rest what the policies keep. All
     * of it is durable in the new file system.
     */
    synchronized FakeFiles afterCrash(UnforcedNames names, UnforcedData data) {
        Map<Path, Object> entries = names == UnforcedNames.KEPT ? now : durable;
        FakeFiles after = new FakeFiles();
        List<Path> paths = new ArrayList<>(entries.keySet());
        paths.sort(Comparator.comparingInt(Path::getNameCount));
        for (Path path : paths) {
            Path parent = path.getParent();
            if (parent != null && after.now.get(parent) != DIR) {
                continue; // its directory did not survive, so neither did it
            }
            Object node = entries.get(path);
            if (node != DIR) {
                Inode survivor = new Inode();
                survivor.now = survivingBytes((Inode) node, data);
                survivor.forced = survivor.now;
                node = survivor;
            }
            after.now.put(path, node);
            after.durable.put(path, node);
        }
        return after;
    }

    /**
     * The file system a restart after the process (not the machine) died now
     * would find: everything as it was, and durable only as far as it was.
     */
    synchronized FakeFiles afterProcessCrash() {
        FakeFiles after = new FakeFiles();
        Map<Inode, Inode> copies = new IdentityHashMap<>();
        copyEntries(now, after.now, copies);
        copyEntries(durable, after.durable, copies);
        return after;
    }

    private static void copyEntries(Map<Path, Object> from, Map<Path, Object> to, Map<Inode, Inode> copies) {
        from.forEach((path, node) -> to.put(path, node == DIR ? DIR : copies.computeIfAbsent((Inode) node, inode -> {
            Inode copy = new Inode();
            copy.now = inode.now.clone();
            copy.forced = inode.forced.clone();
            return copy;
        })));
    }

    private static byte[] survivingBytes(Inode inode, UnforcedData data) {
        byte[] forced = inode.forced;
        byte[] now = inode.now;
        boolean appended = now.length > forced.length && Arrays.equals(now, 0, forced.length, forced, 0, forced.length);
        if (!appended) {
            return data == UnforcedData.KEPT ? now.clone() : forced.clone();
        }
        return switch (data) {
            case LOST -> forced.clone();
            case HALF_KEPT -> Arrays.copyOf(now, forced.length + (now.length - forced.length) / 2);
            case ZEROED -> Arrays.copyOf(forced, now.length);
            case KEPT -> now.clone();
        };
    }

    /** Every file and its size, as a program sees them now. */
    synchronized Map<Path, Integer> files() {
        Map<Path, Integer> sizes = new TreeMap<>();
        now.forEach((path, node) -> {
            if (node != DIR) {
                sizes.put(path, ((Inode) node).now.length);
            }
        });
        return sizes;
    }

    /** Replaces {@code file}'s bytes, durably, as damage from outside the store would. */
    synchronized void overwrite(Path file, byte[] bytes) {
        Inode inode = (Inode) now.get(file);
        inode.now = bytes.clone();
        inode.forced = inode.now;
    }

    /** Makes a file, durably, as an earlier run of the store may have left it. */
    synchronized void plant(Path file, byte[] bytes) {
        for (Path dir = file.getParent(); dir != null && !now.containsKey(dir); dir = dir.getParent()) {
            now.put(dir, DIR);
            durable.put(dir, DIR);
        }
        Inode inode = new Inode();
        inode.now = bytes.clone();
        inode.forced = inode.now;
        now.put(file, inode);
        durable.put(file, inode);
    }

    /** Counts a step; throws Crash when it is the crash step; true when it is the step to fail. */
    private boolean step(String operation, Path path) {
        live();
        int step = steps++;
        if (step == crashAt) {
            crashed = true;
            throw new Crash();
        }
        if (step == failAt) {
            failedOperation = operation;
            failedPath = path;
            return true;
        }
        return false;
    }

    private void live() {
        if (crashed) {
            throw new Crash();
        }
    }

    private static IOException ioError(Path path) {
        return new FileSystemException(path.toString(), null, "Input/output error");
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        if (step("createDirectories", dir)) {
            throw ioError(dir);
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && now.get(p) != DIR; p = p.getParent()) {
            if (now.containsKey(p)) {
                throw new FileAlreadyExistsException(p.toString());
            }
            missing.add(p);
        }
        missing.forEach(p -> now.put(p, DIR));
    }

    @Override
    public synchronized List<String> list(Path dir) throws IOException {
        live();
        Object node = now.get(dir);
        if (node == null) {
            throw new NoSuchFileException(dir.toString());
        }
        if (node != DIR) {
            throw new NotDirectoryException(dir.toString());
        }
        List<String> names = new ArrayList<>();
        for (Path path : now.keySet()) {
            if (dir.equals(path.getParent())) {
                names.add(path.getFileName().toString());
            }
        }
        return names;
    }

    @Override
    public synchronized long size(Path file) {
        live();
        Object node = now.get(file);
        if (node == null) {
            return -1;
        }
        return node == DIR ? 0 : ((Inode) node).now.length;
    }

    @Override
    public synchronized byte[] readAll(Path file) throws IOException {
        live();
        Object node = now.get(file);
        if (node == null) {
            throw new NoSuchFileException(file.toString());
        }
        if (node == DIR) {
            throw new FileSystemException(file.toString(), null, "Is a directory");
        }
        return ((Inode) node).now.clone();
    }

    @Override
    public synchronized WritableFile openTruncated(Path file) throws IOException {
        if (step("openTruncated", file)) {
            throw ioError(file);
        }
        if (now.get(file.getParent()) != DIR) {
            throw new NoSuchFileException(file.toString());
        }
        Object node = now.get(file);
        if (node == DIR) {
            throw new FileSystemException(file.toString(), null, "Is a directory");
        }
        Inode inode = node == null ? new Inode() : (Inode) node;
        inode.now = new byte[0];
        now.put(file, inode);
        return new WritableFile() {
            @Override
            public void write(ByteBuffer src) throws IOException {
                synchronized (FakeFiles.this) {
                    boolean fail = step("write", file);
                    int count = fail ? src.remaining() / 2 : src.remaining();
                    int start = inode.now.length;
                    inode.now = Arrays.copyOf(inode.now, start + count);
                    src.get(inode.now, start, count);
                    if (fail) {
                        throw new IOException("No space left on device");
                    }
                }
            }

            @Override
            public void force() throws IOException {
                synchronized (FakeFiles.this) {
                    if (step("force", file)) {
                        throw ioError(file);
                    }
                    inode.forced = inode.now.clone();
                }
            }

            @Override
            public void close() {
                // Closing changes nothing on disk; after a crash there is nothing to close.
            }
        };
    }

    @Override
    public synchronized void moveAtomically(Path source, Path target) throws IOException {
        if (step("moveAtomically", target)) {
            throw ioError(target);
        }
        if (!source.getParent().equals(target.getParent())) {
            throw new IllegalArgumentException("the store renames only within a folder: " + source + " " + target);
        }
        Object node = now.get(source);
        if (node == null) {
            throw new NoSuchFileException(source.toString());
        }
        now.remove(source);
        now.put(target, node);
    }

    @Override
    public synchronized void forceDirectory(Path dir) throws IOException {
        if (step("forceDirectory", dir)) {
            throw ioError(dir);
        }
        if (now.get(dir) != DIR) {
            throw new NoSuchFileException(dir.toString());
        }
        durable.keySet().removeIf(path -> dir.equals(path.getParent()));
        now.forEach((path, node) -> {
            if (dir.equals(path.getParent())) {
                durable.put(path, node);
            }
        });
    }

    @Override
    public synchronized boolean deleteIfExists(Path file) throws IOException {
        if (step("deleteIfExists", file)) {
            throw ioError(file);
        }
        Object node = now.get(file);
        if (node == DIR) {
            throw new DirectoryNotEmptyException(file.toString());
        }
        return now.remove(file) != null;
    }
}
