package yakima.sched;

import yakima.vm.Vm;

/**
 * A scheduler thread's round-robin queue of runnable VMs: a growable ring
 * that, unlike {@link java.util.ArrayDeque}, lets the scheduler look ahead
 * ({@link #peek(int)}) at the VMs about to run.
 *
 * <p>Threading: its scheduler thread only.
 */
final class RunQueue {
    private Vm[] ring = new Vm[16];
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void addLast(Vm vm) {
        if (size == ring.length) {
            grow();
        }
        ring[(head + size) & (ring.length - 1)] = vm;
        size++;
    }

    void addFirst(Vm vm) {
        if (size == ring.length) {
            grow();
        }
        head = (head - 1) & (ring.length - 1);
        ring[head] = vm;
        size++;
    }

    /** The first VM, removed; null when empty. */
    Vm pollFirst() {
        if (size == 0) {
            return null;
        }
        Vm vm = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        return vm;
    }

    /** The VM {@code k} places from the front (0 is the next to run), or null past the end. */
    Vm peek(int k) {
        return k < size ? ring[(head + k) & (ring.length - 1)] : null;
    }

    /** Removes {@code vm} if queued (a linear search: destroys and synchronous wakes only). True if it was. */
    boolean remove(Vm vm) {
        int mask = ring.length - 1;
        for (int k = 0; k < size; k++) {
            if (ring[(head + k) & mask] == vm) {
                for (int j = k; j < size - 1; j++) {
                    ring[(head + j) & mask] = ring[(head + j + 1) & mask];
                }
                ring[(head + size - 1) & mask] = null;
                size--;
                return true;
            }
        }
        return false;
    }

    private void grow() {
        Vm[] bigger = new Vm[ring.length * 2];
        for (int k = 0; k < size; k++) {
            bigger[k] = ring[(head + k) & (ring.length - 1)];
        }
        ring = bigger;
        head = 0;
    }
}
