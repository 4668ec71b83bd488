package yakima.device;

import static denali.isa.spec.DenaliAbi.EAGAIN;
import static denali.isa.spec.DenaliAbi.EFAULT;
import static denali.isa.spec.DenaliAbi.EINVAL;
import static denali.isa.spec.DenaliAbi.ENOSYS;
import static yakima.device.BlockStore.BLOCK_SIZE;

import java.io.Closeable;
import java.io.IOException;

import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import denali.isa.memory.GuestMemory;
import denali.isa.spec.DenaliAbi;

/**
 * A VM's virtual disk as the guest sees it: the {@code DISK_READ} and
 * {@code DISK_WRITE} hypercalls, the {@code DISK_DONE} and {@code DISK_BLOCKS}
 * virtual registers and the {@code DENALI_INT_DISK} interrupt, over one
 * {@link BlockStore} (a {@link VirtualDisk} or an {@link OverlayDisk}) that
 * belongs to this VM alone. The guest names blocks of its own disk only, and
 * every number it passes is checked, so it cannot reach another VM's disk.
 *
 * <p><b>The guest's contract.</b>
 * <ul>
 *   <li>{@code DISK_READ}/{@code DISK_WRITE} (EBX = first block, ECX = buffer,
 *       EDX = block count) return a request id &gt; 0 at once, or
 *       {@code -EINVAL} (count not 1..{@value #MAX_BLOCKS_PER_REQUEST}, or blocks
 *       past the end of the disk), {@code -EFAULT} (buffer not inside memory; a
 *       read's buffer may not touch the virtual-registers page either), or
 *       {@code -EAGAIN} (too many requests in flight: wait for a completion, or
 *       idle briefly when none is in flight). A refused request does nothing.</li>
 *   <li>A write's data is copied out of guest memory when it is submitted, so the
 *       guest may reuse the buffer at once. A read's data lands in the buffer
 *       when the request completes; until then the buffer is untouched.</li>
 *   <li>Requests complete in the order they were submitted. Ids count 1, 2, 3…
 *       from the device's creation (after 2<sup>31</sup>−1 they start again at 1),
 *       and {@code DISK_DONE} counts completed requests, so request {@code k} is
 *       complete once {@code DISK_DONE >= k}. Each completion sets
 *       {@code DENALI_INT_DISK} in {@code INT_PENDING}.</li>
 *   <li>A request whose file I/O failed completes too (the guest never waits
 *       forever) and counts in {@code DISK_DONE}, but a failed read leaves the
 *       buffer untouched and a failed write may or may not have reached the disk.
 *       The guest cannot tell a failed request from a good one; the host counts
 *       it ({@link DiskCounter#IO_ERRORS}) and keeps the error
 *       ({@link #lastIoError}).</li>
 * </ul>
 *
 * <p><b>Threading.</b>
 * <ul>
 *   <li>VM owner thread only: {@link #initialiseRegisters}, {@link #submitRead},
 *       {@link #submitWrite}, {@link #complete}. The hypercall dispatcher calls
 *       the submits; the host calls {@code complete} at the start of each
 *       quantum, before delivering interrupts. None of them does file I/O.</li>
 *   <li>{@link DiskService} I/O thread only: the file I/O, then
 *       {@link DiskListener#diskDone}.</li>
 *   <li>Any thread: {@link #counters}, {@link #lastIoError}, {@link #sizeBlocks},
 *       {@link #store}.</li>
 *   <li>{@link #close}: the owner thread, or any thread once the VM no longer runs.</li>
 * </ul>
 * A request travels owner → I/O thread through the service's MPSC queue and
 * back through this device's SPSC completion queue. At most
 * {@link #maxInFlight} requests are in flight, and the completion queue holds at
 * least that many, so the I/O thread never finds it full.
 */
public final class DiskDevice implements Closeable {
    /** Most blocks one request may move: 256 KiB, which bounds the copy a hypercall makes. */
    public static final int MAX_BLOCKS_PER_REQUEST = 64;
    /** Requests a VM may have in flight unless the host asks otherwise. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;

    private final BlockStore store;
    private final DiskService service;
    private final DiskListener listener;
    private final int maxInFlight;
    /** Finished requests: the I/O thread produces, the owner thread consumes. */
    private final SpscVarHandleArrayQueue<DiskRequest> completions;
    private final DiskCounters counters = new DiskCounters();

    // Owner thread only.
    private int inFlight;
    private int lastRequestId;

    private volatile boolean closed;
    private volatile Throwable lastIoError;

    /** A device over {@code store} with the default in-flight limit. */
    public DiskDevice(BlockStore store, DiskService service, DiskListener listener) {
        this(store, service, listener, DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * A device over {@code store}, which this device now owns (closing the device closes it),
     * served by {@code service}, telling {@code listener} when a request finishes.
     */
    public DiskDevice(BlockStore store, DiskService service, DiskListener listener, int maxInFlight) {
        if (store.isReadOnly()) {
            throw new IllegalArgumentException("a VM's disk must be writable; give it an OverlayDisk over a read-only base: " + store);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, not " + maxInFlight);
        }
        this.store = store;
        this.service = service;
        this.listener = listener;
        this.maxInFlight = maxInFlight;
        this.completions = new SpscVarHandleArrayQueue<>(maxInFlight);
        if (completions.capacity() < maxInFlight) {
            throw new IllegalStateException("completion queue of " + completions.capacity() + " for " + maxInFlight + " in flight");
        }
    }

    /** Announces the disk in the virtual registers: {@code DISK_BLOCKS} and the {@code DEV_DISK} status bit. Owner thread, at boot. */
    public void initialiseRegisters(GuestMemory mem) {
        mem.vmmWrite32(DenaliAbi.VREG_DISK_BLOCKS, (int) store.sizeBlocks());
        mem.vmmWrite32(DenaliAbi.VREG_DEVICE_STATUS, mem.read32(DenaliAbi.VREG_DEVICE_STATUS) | DenaliAbi.DEV_DISK);
    }

    /** {@code DISK_READ}: queues a read of {@code blockCount} blocks from {@code block} into guest memory at {@code bufferAddress}. Owner thread. */
    public int submitRead(GuestMemory mem, int block, int bufferAddress, int blockCount) {
        return submit(mem, false, block, bufferAddress, blockCount);
    }

    /** {@code DISK_WRITE}: copies the guest's buffer now and queues the write. Owner thread. */
    public int submitWrite(GuestMemory mem, int block, int bufferAddress, int blockCount) {
        return submit(mem, true, block, bufferAddress, blockCount);
    }

    private int submit(GuestMemory mem, boolean write, int block, int bufferAddress, int blockCount) {
        if (closed) {
            return -ENOSYS; // the disk has gone
        }
        int error = check(mem, write, block, bufferAddress, blockCount);
        if (error != 0) {
            counters.add(DiskCounter.REJECTED_BAD_REQUEST, 1);
            return error;
        }
        if (inFlight >= maxInFlight) {
            counters.add(DiskCounter.REJECTED_QUEUE_FULL, 1);
            return -EAGAIN;
        }
        byte[] data = new byte[blockCount * BLOCK_SIZE];
        if (write) {
            mem.readBytes(bufferAddress, data, 0, data.length);
        }
        int id = lastRequestId == Integer.MAX_VALUE ? 1 : lastRequestId + 1;
        DiskRequest request = new DiskRequest(this, id, write, Integer.toUnsignedLong(block), blockCount, bufferAddress, data);
        if (!service.offer(request)) {
            counters.add(DiskCounter.REJECTED_QUEUE_FULL, 1);
            return -EAGAIN;
        }
        lastRequestId = id;
        inFlight++;
        counters.add(DiskCounter.IN_FLIGHT, 1);
        return id;
    }

    /** 0, or the negated error for a request that must be refused. */
    private int check(GuestMemory mem, boolean write, int block, int bufferAddress, int blockCount) {
        if (blockCount < 1 || blockCount > MAX_BLOCKS_PER_REQUEST) {
            return -EINVAL;
        }
        if (Integer.toUnsignedLong(block) + blockCount > store.sizeBlocks()) {
            return -EINVAL;
        }
        if (!mem.contains(bufferAddress, blockCount * BLOCK_SIZE)) {
            return -EFAULT;
        }
        // Read data is stored with guest-write rules, and the virtual registers are not the guest's to fill.
        if (!write && Integer.toUnsignedLong(bufferAddress) < GuestMemory.PAGE_SIZE) {
            return -EFAULT;
        }
        return 0;
    }

    /**
     * Delivers every finished request to the guest: copies read data into memory,
     * adds their number to {@code DISK_DONE} and, if there were any, sets
     * {@code DENALI_INT_DISK} in {@code INT_PENDING}. Returns how many completed,
     * failed ones included. Owner thread, with the memory of this device's VM,
     * at the start of a quantum (then deliver interrupts as usual).
     */
    public int complete(GuestMemory mem) {
        int completed = 0;
        for (DiskRequest r; (r = completions.poll()) != null; completed++) {
            deliver(mem, r);
        }
        if (completed > 0) {
            inFlight -= completed;
            counters.add(DiskCounter.IN_FLIGHT, -completed);
            mem.vmmWrite32(DenaliAbi.VREG_DISK_DONE, mem.read32(DenaliAbi.VREG_DISK_DONE) + completed);
            mem.vmmWrite32(DenaliAbi.VREG_INT_PENDING, mem.read32(DenaliAbi.VREG_INT_PENDING) | DenaliAbi.INT_DISK);
        }
        return completed;
    }

    private void deliver(GuestMemory mem, DiskRequest r) {
        if (r.failed) {
            counters.add(DiskCounter.IO_ERRORS, 1);
        } else if (r.write) {
            counters.add(DiskCounter.WRITES, 1);
            counters.add(DiskCounter.BYTES_WRITTEN, r.data.length);
        } else {
            mem.writeBytes(r.bufferAddress, r.data, 0, r.data.length);
            counters.add(DiskCounter.READS, 1);
            counters.add(DiskCounter.BYTES_READ, r.data.length);
        }
    }

    /** Performs the request's file I/O and queues its completion. I/O thread only. */
    void serve(DiskRequest r) {
        try {
            if (r.write) {
                store.writeBlocks(r.block, r.blockCount, r.data, 0);
            } else {
                store.readBlocks(r.block, r.blockCount, r.data, 0);
            }
        } catch (IOException | RuntimeException e) {
            // Even a bug in a store must not leave the guest waiting for ever: the request completes as failed.
            fail(r, e);
            return;
        }
        post(r);
    }

    /** Completes the request as failed without doing it. I/O thread, or the thread closing the service. */
    void fail(DiskRequest r, Throwable error) {
        r.failed = true;
        lastIoError = error;
        post(r);
    }

    private void post(DiskRequest r) {
        if (!completions.offer(r)) {
            // Cannot happen: submit keeps in-flight requests within the queue's capacity.
            throw new IllegalStateException("disk completion queue full for " + store);
        }
    }

    DiskListener listener() {
        return listener;
    }

    /** Requests this VM may have in flight. */
    /** True when no request is in flight: the device's whole state is {@link #lastRequestId}. Owner thread. */
    public boolean quiet() {
        return inFlight == 0;
    }

    /** The id of the last request submitted (the next is one more). Owner thread. */
    public int lastRequestId() {
        return lastRequestId;
    }

    /** Continues request ids from {@code id} (a VM brought back from swap), before the guest runs. */
    public void restoreLastRequestId(int id) {
        lastRequestId = id;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    public long sizeBlocks() {
        return store.sizeBlocks();
    }

    public BlockStore store() {
        return store;
    }

    public DiskCounters counters() {
        return counters;
    }

    /** The most recent I/O failure, or null: for the operator, since the guest cannot see it. */
    public Throwable lastIoError() {
        return lastIoError;
    }

    /**
     * Refuses further requests ({@code -ENOSYS}) and closes the store (for an
     * overlay, not its base). Requests still in flight complete as failed, or may
     * still reach the file before it closes: the guest was never told they were done.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        store.close();
    }

    @Override
    public String toString() {
        return "DiskDevice[" + store + "]";
    }
}
