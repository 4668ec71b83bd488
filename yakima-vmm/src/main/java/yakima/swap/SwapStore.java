package yakima.swap;

import static yakima.swap.SwapStoreException.Kind.FULL;
import static yakima.swap.SwapStoreException.Kind.IO;
import static yakima.swap.SwapStoreException.Kind.NOT_FOUND;
import static yakima.swap.SwapStoreException.NO_VM;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.collections.IntArrayList;

/**
 * Where the encapsulation records of swapped-out VMs live: one file per VM
 * in a directory on local disk, written so that a crash at any moment leaves
 * every VM with its last completed record, whole. The records are opaque
 * bytes here. {@code docs/swap-store.md} walks through the layout, the crash
 * argument and the costs.
 *
 * <p><b>Layout.</b> VM {@code N}'s record is {@code <dir>/<N / 4096 in 5 hex
 * digits>/vm-N.rec} ({@link StoreLayout}): a 24-byte header with the
 * record's length and CRC32C, then the record ({@link RecordFileHeader}).
 *
 * <p><b>Memory.</b> The directory is the index: the store keeps no state per
 * record, only the totals ({@link #usedBytes}, {@link #records}) and one
 * entry per folder it has made sure of (at most one per 4096 ids). A read
 * opens the file by its name; a write learns the size of the record it
 * replaces from the file system. The price is one {@code stat} per write
 * and per delete, next to the two {@code fsync}s a write costs anyway.
 *
 * <p><b>Opening</b> an existing directory lists every folder, removes temp
 * files that interrupted writes left, and takes the size of every record
 * file to total the bytes used: one {@code stat} per record.
 *
 * <p><b>Threading.</b> Any thread. Calls about different VMs may run at
 * once; calls about the same VM must not (the caller serializes them, as it
 * holds the VM's state anyway). The totals and counters are atomic. Do not
 * close the store while a call is under way.
 */
public final class SwapStore implements AutoCloseable {
    private final StoreLayout layout;
    private final StoreFiles files;
    private final SpaceAccount space;
    private final AtomicLongArray counters = new AtomicLongArray(SwapStoreCounter.values().length);
    /**
     * Folders whose entry in the root directory is durable. A write may
     * complete in a folder only after the folder's own name is on disk;
     * otherwise a crash could lose the folder and every record in it.
     */
    private final Set<Integer> durableFolders = ConcurrentHashMap.newKeySet();
    private final Object folderLock = new Object();
    /** The directory's lock, held while the store is open; null for a store opened over test files. */
    private StoreLock lock;
    private volatile boolean closed;

    private SwapStore(Path root, SpaceAccount space, StoreFiles files) {
        this.layout = new StoreLayout(root);
        this.space = space;
        this.files = files;
    }

    /**
     * Opens the store in {@code dir}, creating it if missing, and recovers
     * what an earlier run left there: temp files are removed, records counted.
     * First it takes the directory's lock ({@link StoreLock}, the file
     * {@code yakima-swap.lock}), held until {@link #close}: a second store on
     * the same directory, in this process or another, is refused before it
     * touches anything.
     *
     * @param limitBytes the most disk the store may use, counted as described
     *                   on {@link #usedBytes}; must be positive
     * @throws SwapStoreException of kind IN_USE when another store holds the
     *                            directory, IO when it cannot be created, locked, listed or forced
     */
    public static SwapStore open(Path dir, long limitBytes) throws SwapStoreException {
        if (limitBytes <= 0) {
            throw new IllegalArgumentException("swap store limit must be positive: " + limitBytes);
        }
        StoreLock lock = StoreLock.acquire(dir.toAbsolutePath());
        try {
            SwapStore store = open(dir, limitBytes, new RealFiles());
            store.lock = lock;
            return store;
        } catch (SwapStoreException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * The names in {@code dir} that are not a swap store's: anything but the
     * store's folders ({@code 00000} to {@code 7ffff}, directories), its lock
     * file, and {@code lost+found}. Empty when {@code dir} does not exist.
     * Lists the directory alone (not its folders), so it is cheap; a host
     * asks before it opens a directory a person gave it, so that it does not
     * take someone's folder of other files for a store.
     *
     * @throws SwapStoreException IO when {@code dir} exists but cannot be listed, or is not a directory
     */
    public static List<String> foreignEntries(Path dir) throws SwapStoreException {
        if (!java.nio.file.Files.exists(dir)) {
            return List.of();
        }
        List<String> foreign = new java.util.ArrayList<>();
        try (var entries = java.nio.file.Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean ours = name.equals(StoreLock.FILE_NAME)
                        || (StoreLayout.parseFolderName(name) >= 0 || name.equals("lost+found"))
                                && java.nio.file.Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!ours) {
                    foreign.add(name);
                }
            }
        } catch (IOException e) {
            throw new SwapStoreException(IO, NO_VM, "cannot list " + dir + ": " + reason(e), e);
        }
        foreign.sort(null);
        return foreign;
    }

    /** {@link #open(Path, long)} through {@code files}, which tests use to inject faults and crashes. */
    static SwapStore open(Path dir, long limitBytes, StoreFiles files) throws SwapStoreException {
        SwapStore store = new SwapStore(dir.toAbsolutePath(), new SpaceAccount(limitBytes), files);
        try {
            store.recover();
        } catch (IOException e) {
            throw new SwapStoreException(IO, NO_VM, "cannot open swap store " + dir + ": " + reason(e), e);
        }
        return store;
    }

    /**
     * Stores {@code length} bytes of {@code record} from {@code offset} as
     * VM {@code vmId}'s record, replacing any record it had. When this
     * returns, the record is on disk and survives a crash.
     *
     * <p>The protocol: write {@code vm-N.tmp} (header, then record) and force
     * it; rename it over {@code vm-N.rec}; force the folder. A crash before
     * the rename leaves the old record under the name and at most a temp
     * file, which the next open removes. The rename swaps the name from one
     * whole, forced file to another in one step. Until the folder is forced a
     * crash may undo the rename, which brings back the old record, also
     * whole. Only after the folder force is the new record sure to stay.
     *
     * <p>A failure changes nothing the store held, unless it is the last
     * step's. The caller keeps the VM in memory and may try again later.
     * <ul>
     * <li>FULL, before anything is written, when the new file would take the
     * store over its limit while the old record is still there (see
     * {@link #usedBytes});
     * <li>FULL when the file system runs out of space part way, IO when any
     * other step before the rename fails: the temp file is removed and the
     * old record (or none) is still the VM's;
     * <li>IO when forcing the folder after the rename fails: the new record,
     * whole and forced, has replaced the old one, but a crash may still bring
     * the old one back. Either is a complete record of the VM.
     * </ul>
     *
     * @throws IllegalArgumentException  when {@code vmId} is negative
     * @throws IndexOutOfBoundsException when the range is not inside {@code record}
     */
    public void write(int vmId, byte[] record, int offset, int length) throws SwapStoreException {
        checkOpen();
        checkId(vmId);
        Objects.checkFromIndexSize(offset, length, record.length);
        long charge = SpaceAccount.chargeFor(RecordFileHeader.BYTES + (long) length);
        if (!space.tryReserve(charge)) {
            increment(SwapStoreCounter.REFUSED_FULL);
            long free = Math.max(0, space.limitBytes() - space.usedBytes());
            throw new SwapStoreException(FULL, vmId, vmName(vmId) + " not written: its record needs " + charge
                    + " bytes on disk and the swap store has " + free + " of its limit of " + space.limitBytes()
                    + " bytes free");
        }
        Path temp = layout.tempFile(vmId);
        Path target = layout.recordFile(vmId);
        long oldFileBytes;
        boolean renamed = false;
        try {
            ensureFolder(vmId);
            writeTemp(temp, vmId, record, offset, length);
            oldFileBytes = files.size(target);
            files.moveAtomically(temp, target);
            renamed = true;
        } catch (IOException e) {
            removeTemp(temp, e);
            throw writeFailed(vmId, e);
        } finally {
            if (!renamed) {
                space.release(charge);
            }
        }
        space.renamedOver(oldFileBytes);
        try {
            files.forceDirectory(target.getParent());
        } catch (IOException e) {
            increment(SwapStoreCounter.IO_ERRORS);
            throw new SwapStoreException(IO, vmId, "the new record of " + vmName(vmId)
                    + " is in place but its folder could not be forced to disk, so a crash may bring back the "
                    + "previous one: " + reason(e), e);
        }
        increment(SwapStoreCounter.WRITES);
    }

    /**
     * VM {@code vmId}'s record, as it was last written.
     *
     * @throws SwapStoreException of kind NOT_FOUND when it has none, CORRUPT
     *                            when its file is truncated or damaged (only
     *                            this VM is affected), IO when it cannot be read
     */
    public byte[] read(int vmId) throws SwapStoreException {
        checkOpen();
        checkId(vmId);
        byte[] file;
        try {
            file = files.readAll(layout.recordFile(vmId));
        } catch (NoSuchFileException e) {
            throw new SwapStoreException(NOT_FOUND, vmId, "no record of " + vmName(vmId) + " in the swap store");
        } catch (IOException e) {
            increment(SwapStoreCounter.IO_ERRORS);
            throw new SwapStoreException(IO, vmId, "record of " + vmName(vmId) + " could not be read: " + reason(e),
                    e);
        }
        try {
            byte[] record = RecordFileHeader.recordOf(vmId, file);
            increment(SwapStoreCounter.READS);
            return record;
        } catch (SwapStoreException e) {
            increment(SwapStoreCounter.CORRUPT_READS);
            throw e;
        }
    }

    /** True when VM {@code vmId} has a record file (which a read may still find corrupt). */
    public boolean contains(int vmId) throws SwapStoreException {
        checkOpen();
        checkId(vmId);
        try {
            return files.size(layout.recordFile(vmId)) >= 0;
        } catch (IOException e) {
            throw new SwapStoreException(IO, vmId, "cannot tell whether " + vmName(vmId) + " has a record: "
                    + reason(e), e);
        }
    }

    /**
     * Removes VM {@code vmId}'s record, when it is destroyed or back in
     * memory for good. When this returns true, the removal survives a crash.
     *
     * @return false when the VM had no record
     * @throws SwapStoreException of kind IO when the file cannot be removed
     *                            (the record is still there), or when the
     *                            folder cannot be forced afterwards (the record
     *                            is gone, but a crash may bring it back)
     */
    public boolean delete(int vmId) throws SwapStoreException {
        checkOpen();
        checkId(vmId);
        Path target = layout.recordFile(vmId);
        long fileBytes;
        try {
            // A temp file is left only when a failed write could not remove it either.
            files.deleteIfExists(layout.tempFile(vmId));
            fileBytes = files.size(target);
            if (fileBytes < 0 || !files.deleteIfExists(target)) {
                return false;
            }
        } catch (IOException e) {
            increment(SwapStoreCounter.IO_ERRORS);
            throw new SwapStoreException(IO, vmId, "record of " + vmName(vmId) + " not deleted: " + reason(e), e);
        }
        space.removed(fileBytes);
        try {
            files.forceDirectory(target.getParent());
        } catch (IOException e) {
            increment(SwapStoreCounter.IO_ERRORS);
            throw new SwapStoreException(IO, vmId, "record of " + vmName(vmId)
                    + " is deleted but its folder could not be forced to disk, so a crash may bring it back: "
                    + reason(e), e);
        }
        increment(SwapStoreCounter.DELETES);
        return true;
    }

    /**
     * The ids of the VMs with a record file, ascending: after a restart, the
     * VMs to bring back. Lists every folder, so it costs about what opening
     * does, without the {@code stat}s.
     */
    public int[] ids() throws SwapStoreException {
        checkOpen();
        IntArrayList ids = new IntArrayList();
        try {
            walk((file, vmId, temp) -> {
                if (!temp) {
                    ids.addInt(vmId);
                }
            });
        } catch (IOException e) {
            throw new SwapStoreException(IO, NO_VM, "cannot list swap store " + layout.root() + ": " + reason(e), e);
        }
        int[] sorted = ids.toIntArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * Bytes of disk the store uses: each record file's size rounded up to
     * whole 4 KiB blocks, plus the same for the temp files of writes under
     * way. A write is refused when it would take this past the
     * {@link #limitBytes limit}. See {@link SpaceAccount}.
     */
    public long usedBytes() {
        return space.usedBytes();
    }

    public long limitBytes() {
        return space.limitBytes();
    }

    /** VMs with a record file, corrupt ones included. */
    public int records() {
        return space.records();
    }

    /** The counter's value since the store was opened; any thread. */
    public long count(SwapStoreCounter counter) {
        return counters.get(counter.ordinal());
    }

    /** The store's directory, absolute. */
    public Path directory() {
        return layout.root();
    }

    /** Refuses further calls and releases the directory's lock. The store holds no other open files. */
    @Override
    public synchronized void close() {
        closed = true;
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    @Override
    public String toString() {
        return "SwapStore[" + layout.root() + ", " + records() + " records, " + usedBytes() + " of " + limitBytes()
                + " bytes]";
    }

    /** How the store names a VM in messages. */
    static String vmName(int vmId) {
        return "vm-" + vmId;
    }

    private void recover() throws IOException {
        createRoot(layout.root());
        walk(new StoreFileVisitor() {
            @Override
            public void folder(int folderIndex) {
                durableFolders.add(folderIndex);
            }

            @Override
            public void file(Path file, int vmId, boolean temp) throws IOException {
                if (temp) {
                    if (files.deleteIfExists(file)) {
                        increment(SwapStoreCounter.TEMP_FILES_REMOVED);
                    }
                } else {
                    long fileBytes = files.size(file);
                    if (fileBytes >= 0) {
                        space.addExisting(fileBytes);
                    }
                }
            }
        });
        // Makes the names of the folders found durable, should an earlier run
        // have crashed between creating one and forcing the root.
        files.forceDirectory(layout.root());
    }

    /**
     * Creates the store directory and forces every directory above it, so
     * that its name, and the names of any parents created with it, survive a
     * crash. That is done at every open, not only when the directory was
     * missing: an earlier run may have created them and died before forcing,
     * and they look no different now. Forcing a directory with nothing new in
     * it is cheap. An ancestor above the parent that this user may not read
     * is passed over: this user did not create it.
     */
    private void createRoot(Path root) throws IOException {
        files.createDirectories(root);
        Path parent = root.getParent();
        for (Path dir = parent; dir != null; dir = dir.getParent()) {
            try {
                files.forceDirectory(dir);
            } catch (AccessDeniedException e) {
                if (dir.equals(parent)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Makes sure {@code vmId}'s folder exists and its name is durable. The
     * first write into a folder in this run creates it (if need be) and
     * forces the root under a lock; writes into the same folder wait for
     * that, so none of them completes while the folder could still vanish in
     * a crash. Later writes find the folder in {@link #durableFolders}.
     */
    private void ensureFolder(int vmId) throws IOException {
        Integer folderIndex = StoreLayout.folderIndex(vmId);
        if (durableFolders.contains(folderIndex)) {
            return;
        }
        synchronized (folderLock) {
            if (!durableFolders.contains(folderIndex)) {
                files.createDirectories(layout.folder(vmId));
                files.forceDirectory(layout.root());
                durableFolders.add(folderIndex);
            }
        }
    }

    private void writeTemp(Path temp, int vmId, byte[] record, int offset, int length) throws IOException {
        try (StoreFiles.WritableFile out = files.openTruncated(temp)) {
            out.write(RecordFileHeader.encode(vmId, record, offset, length));
            out.write(ByteBuffer.wrap(record, offset, length));
            out.force();
        }
    }

    /**
     * After a failed write, removes its temp file so the failure leaves
     * nothing behind. Should that fail too, the VM's next write truncates the
     * file and the next open removes it; until then it is disk the store
     * does not count.
     */
    private void removeTemp(Path temp, IOException failure) {
        try {
            files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private SwapStoreException writeFailed(int vmId, IOException e) {
        if (isOutOfSpace(e)) {
            increment(SwapStoreCounter.REFUSED_FULL);
            return new SwapStoreException(FULL, vmId, vmName(vmId) + " not written, the file system is full: "
                    + reason(e), e);
        }
        increment(SwapStoreCounter.IO_ERRORS);
        return new SwapStoreException(IO, vmId, vmName(vmId) + " not written: " + reason(e), e);
    }

    /**
     * ENOSPC and EDQUOT, recognized by the text the JDK takes from
     * {@code strerror}: Java has no error codes. A miss makes a full disk an
     * IO failure instead of FULL, which loses nothing either.
     */
    private static boolean isOutOfSpace(IOException e) {
        String message = e.getMessage();
        return message != null
                && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
    }

    /** What a walk over the store's folders is told. */
    private interface StoreFileVisitor {
        /** A folder of the store, before its files. */
        default void folder(int folderIndex) {
        }

        /** A record file in its right folder, or a temp file in any folder. */
        void file(Path file, int vmId, boolean temp) throws IOException;
    }

    /**
     * Visits every store folder and the record and temp files in it. Other
     * names (a file where a folder should be, a record file in the wrong
     * folder, anything else) are not the store's and are passed over.
     */
    private void walk(StoreFileVisitor visitor) throws IOException {
        Path root = layout.root();
        for (String folderName : files.list(root)) {
            int folderIndex = StoreLayout.parseFolderName(folderName);
            if (folderIndex < 0) {
                continue;
            }
            Path folder = root.resolve(folderName);
            List<String> names;
            try {
                names = files.list(folder);
            } catch (NotDirectoryException e) {
                continue;
            }
            visitor.folder(folderIndex);
            for (String name : names) {
                int tempId = StoreLayout.parseFileName(name, StoreLayout.TEMP_SUFFIX);
                int recordId = StoreLayout.parseFileName(name, StoreLayout.RECORD_SUFFIX);
                if (tempId >= 0) {
                    visitor.file(folder.resolve(name), tempId, true);
                } else if (recordId >= 0 && StoreLayout.folderIndex(recordId) == folderIndex) {
                    visitor.file(folder.resolve(name), recordId, false);
                }
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("swap store " + layout.root() + " is closed");
        }
    }

    private static void checkId(int vmId) {
        if (vmId < 0) {
            throw new IllegalArgumentException("VM ids are not negative: " + vmId);
        }
    }

    private void increment(SwapStoreCounter counter) {
        counters.incrementAndGet(counter.ordinal());
    }

    /**
     * One line about an I/O failure. File-system exceptions carry the file
     * and, for the common cases, only a class to say what happened:
     * {@code NoSuchFileException} becomes "no such file".
     */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fse) {
            String why = fse.getReason();
            if (why == null) {
                String name = e.getClass().getSimpleName().replace("Exception", "");
                why = name.isEmpty() || name.equals("FileSystem") ? "file system error"
                        : name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
            }
            return fse.getFile() == null ? why : fse.getFile() + ": " + why;
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
