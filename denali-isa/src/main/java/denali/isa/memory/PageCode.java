package denali.isa.memory;

/**
 * Whatever an execution engine caches for the code in one page (decoded
 * instructions, later translations). Memory keeps it beside the page and drops
 * it when the page is written, so a cache can never go stale.
 */
public abstract class PageCode {
    private volatile boolean valid = true;

    /** False once the page this code came from has been written. */
    public final boolean isValid() {
        return valid;
    }

    final void invalidate() {
        valid = false;
    }
}
