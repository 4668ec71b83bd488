package yakima.device;

/**
 * One guest disk request on its way: made by the VM's owner thread at submit,
 * carried to the I/O thread by the {@link DiskService} queue, performed there,
 * and carried back by the device's completion queue. Each queue hands it over
 * with a happens-before and only one thread holds it at a time, so its plain
 * fields need no other synchronisation.
 */
final class DiskRequest {
    final DiskDevice device;
    /** The id the guest got back from the hypercall. */
    final int id;
    final boolean write;
    /** First disk block: the guest's EBX as an unsigned number, checked against the disk. */
    final long block;
    final int blockCount;
    /** Guest address of the buffer, checked against guest memory at submit. */
    final int bufferAddress;
    /** For a write, the guest's bytes copied at submit; for a read, filled by the I/O thread. */
    final byte[] data;
    /** Set by the I/O thread when the file I/O failed; the read data is then not copied to the guest. */
    boolean failed;

    DiskRequest(DiskDevice device, int id, boolean write, long block, int blockCount, int bufferAddress, byte[] data) {
        this.device = device;
        this.id = id;
        this.write = write;
        this.block = block;
        this.blockCount = blockCount;
        this.bufferAddress = bufferAddress;
        this.data = data;
    }
}
