package denali.isa.memory;

/**
 * Told when a {@link GuestMemory} drops the decoded code of a page (a store
 * to the page, or a remap), so whoever keeps a reference to that code
 * outside the memory's code table forgets it. Called on the memory's owner
 * thread, inside the store.
 */
public interface CodeDropListener {
    void codeDropped(int pageNumber);
}
