package yakima.swap;

/**
 * The counters a {@link SwapStore} keeps since it was opened, one per thing
 * an operator may ask about: work done, and every refusal and failure. Read
 * them with {@link SwapStore#count}.
 */
public enum SwapStoreCounter {
    /** Writes that completed: the record is on disk and will survive a crash. */
    WRITES("records written"),
    /** Records read back whole. */
    READS("records read"),
    /** Records removed. */
    DELETES("records deleted"),
    /** Writes refused because the store's limit or the file system was full; nothing changed. */
    REFUSED_FULL("writes refused, store or disk full"),
    /** Writes, reads and deletes that failed with an I/O error. */
    IO_ERRORS("writes, reads and deletes failed with an I/O error"),
    /** Reads that found a truncated or damaged record file. */
    CORRUPT_READS("reads of a corrupt record"),
    /** Temp files of interrupted writes removed when the store was opened. */
    TEMP_FILES_REMOVED("temp files of interrupted writes removed at open");

    private final String description;

    SwapStoreCounter(String description) {
        this.description = description;
    }

    /** A short phrase for people: metrics help text, admin output. */
    public String description() {
        return description;
    }
}
