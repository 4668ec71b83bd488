package yakima.gateway.tcp;

import java.util.Arrays;

/**
 * The endpoint's timers: an indexed binary min-heap of {@link Timer}s by
 * deadline. Each timer knows its slot, so arming, re-arming and cancelling
 * are O(log n) and allocate nothing; a connection or an ARP entry owns one
 * timer for its whole life. Owner thread only.
 */
final class TimerQueue {
    /** One deadline; at most one slot in the queue. Subclasses say what firing does. */
    abstract static class Timer {
        long deadlineNs;
        int slot = -1;

        boolean armed() {
            return slot >= 0;
        }

        /** Runs on the owner thread when the deadline has passed; the timer is no longer armed. */
        abstract void fire(long nowNs);
    }

    private Timer[] heap = new Timer[64];
    private int size;

    /** Arms {@code t} for {@code deadlineNs}, moving it if it was armed already. */
    void arm(Timer t, long deadlineNs) {
        t.deadlineNs = deadlineNs;
        if (t.slot >= 0) {
            siftUp(t.slot);
            siftDown(t.slot);
            return;
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = t;
        t.slot = size;
        size++;
        siftUp(size - 1);
    }

    void cancel(Timer t) {
        int i = t.slot;
        if (i < 0) {
            return;
        }
        t.slot = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        Timer last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.slot = i;
        siftUp(i);
        siftDown(last.slot);
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE}. */
    long nextDeadlineNs() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadlineNs;
    }

    /**
     * Fires every timer whose deadline is at or before {@code nowNs}, earliest
     * first. A timer re-armed for a later time while firing waits for its new
     * deadline; one re-armed for {@code nowNs} or earlier fires again in this call.
     */
    void runDue(long nowNs) {
        while (size > 0 && heap[0].deadlineNs <= nowNs) {
            Timer t = heap[0];
            cancel(t);
            t.fire(nowNs);
        }
    }

    int size() {
        return size;
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (p.deadlineNs <= t.deadlineNs) {
                break;
            }
            heap[i] = p;
            p.slot = i;
            i = parent;
        }
        heap[i] = t;
        t.slot = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].deadlineNs < heap[child].deadlineNs) {
                child = right;
            }
            Timer c = heap[child];
            if (t.deadlineNs <= c.deadlineNs) {
                break;
            }
            heap[i] = c;
            c.slot = i;
            i = child;
        }
        heap[i] = t;
        t.slot = i;
    }
}
