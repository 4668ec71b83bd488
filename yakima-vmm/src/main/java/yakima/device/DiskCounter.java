package yakima.device;

/**
 * The counters every {@link DiskDevice} keeps, one per thing an operator may ask
 * about: requests served, bytes moved, and every refusal and failure. Read them
 * with {@link DiskCounters#get}.
 */
public enum DiskCounter {
    /** Read requests completed successfully (data copied into the guest). */
    READS("read requests completed"),
    /** Write requests completed successfully (data in the disk file). */
    WRITES("write requests completed"),
    /** Bytes copied into the guest by successful reads. */
    BYTES_READ("bytes read"),
    /** Bytes written to the disk by successful writes. */
    BYTES_WRITTEN("bytes written"),
    /** Requests refused with -EAGAIN: the device's in-flight limit or the I/O queue was full. */
    REJECTED_QUEUE_FULL("requests refused, queue full (-EAGAIN)"),
    /** Requests refused with -EINVAL (block count or range) or -EFAULT (buffer outside memory). */
    REJECTED_BAD_REQUEST("requests refused, bad arguments (-EINVAL, -EFAULT)"),
    /** Requests that completed as failed because the file I/O failed; the guest's buffer is untouched. */
    IO_ERRORS("requests failed with an I/O error"),
    /** A gauge: requests accepted and not yet completed to the guest. */
    IN_FLIGHT("requests in flight");

    private final String description;

    DiskCounter(String description) {
        this.description = description;
    }

    /** A short phrase for people: metrics help text, admin output. */
    public String description() {
        return description;
    }
}
