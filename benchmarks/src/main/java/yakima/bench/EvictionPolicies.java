package yakima.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which VMs to swap out, by simulation: a trace of requests to VMs whose
 * popularity follows Zipf's law (Denali's premise: a few hot services and a
 * long tail), played against a memory that holds a fixed number of VMs,
 * under each candidate policy. A request to a VM not in memory is a miss (a
 * swap-in); the figure is the miss ratio, lower is better.
 *
 * <ul>
 *   <li><b>clock-batch</b>: what {@code Host} does. A clock hand goes round the
 *       VMs in memory; a VM used since the hand last passed is spared once.
 *       When memory is full it evicts not one VM but enough to get back to
 *       15/16 of the budget, so one admission does not cost an eviction
 *       pass each time.</li>
 *   <li><b>clock</b>: the same, one VM per miss.</li>
 *   <li><b>lru</b>: the least recently used VM goes (exact; a doubly linked
 *       list, more work and a write on every hit, which CLOCK avoids).</li>
 *   <li><b>fifo</b>: the VM that came in first goes.</li>
 *   <li><b>random</b>: any VM in memory goes.</li>
 * </ul>
 * Host-side idleness (the host evicts IDLE VMs first) is not simulated: in
 * a Zipf trace with one request at a time every VM but the current one is
 * idle.
 *
 * <pre>java -cp benchmarks.jar yakima.bench.EvictionPolicies [VMS] [REQUESTS]</pre>
 */
public final class EvictionPolicies {
    private EvictionPolicies() {
    }

    /** A memory of {@code capacity} VMs under one policy; {@link #request} says whether the VM was in. */
    private abstract static class Memory {
        final int capacity;
        final boolean[] in;
        int size;
        long misses;

        Memory(int vms, int capacity) {
            this.capacity = capacity;
            this.in = new boolean[vms];
        }

        final void request(int vm) {
            if (in[vm]) {
                hit(vm);
                return;
            }
            misses++;
            if (size >= capacity) {
                evict();
            }
            in[vm] = true;
            size++;
            admit(vm);
        }

        abstract void hit(int vm);

        abstract void admit(int vm);

        /** Makes room for one VM (or more). */
        abstract void evict();
    }

    /** CLOCK over a ring of slots; {@code batch} evicts down to 15/16 of capacity at once. */
    private static final class Clock extends Memory {
        final int[] ring;
        final boolean[] referenced;
        final boolean batch;
        int hand;
        int used;

        Clock(int vms, int capacity, boolean batch) {
            super(vms, capacity);
            this.ring = new int[capacity];
            this.referenced = new boolean[vms];
            this.batch = batch;
            Arrays.fill(ring, -1);
        }

        @Override
        void hit(int vm) {
            referenced[vm] = true;
        }

        @Override
        void admit(int vm) {
            // the free slot nearest after the hand (evict left at least one)
            while (ring[used] != -1) {
                used = (used + 1) % capacity;
            }
            ring[used] = vm;
            referenced[vm] = true; // as Host.enterClock: the request that brought it in uses it
        }

        @Override
        void evict() {
            int target = batch ? capacity - Math.max(1, capacity / 16) : capacity - 1;
            while (size > target) {
                int vm = ring[hand];
                if (vm >= 0) {
                    if (referenced[vm]) {
                        referenced[vm] = false;
                    } else {
                        in[vm] = false;
                        ring[hand] = -1;
                        size--;
                        used = hand;
                    }
                }
                hand = (hand + 1) % capacity;
            }
        }
    }

    /** Exact LRU: a doubly linked list through arrays, most recent at the head. */
    private static final class Lru extends Memory {
        final int[] prev;
        final int[] next;
        int head = -1;
        int tail = -1;

        Lru(int vms, int capacity) {
            super(vms, capacity);
            prev = new int[vms];
            next = new int[vms];
        }

        private void unlink(int vm) {
            if (prev[vm] >= 0) {
                next[prev[vm]] = next[vm];
            } else {
                head = next[vm];
            }
            if (next[vm] >= 0) {
                prev[next[vm]] = prev[vm];
            } else {
                tail = prev[vm];
            }
        }

        private void pushFront(int vm) {
            prev[vm] = -1;
            next[vm] = head;
            if (head >= 0) {
                prev[head] = vm;
            }
            head = vm;
            if (tail < 0) {
                tail = vm;
            }
        }

        @Override
        void hit(int vm) {
            unlink(vm);
            pushFront(vm);
        }

        @Override
        void admit(int vm) {
            pushFront(vm);
        }

        @Override
        void evict() {
            int vm = tail;
            unlink(vm);
            in[vm] = false;
            size--;
        }
    }

    /** FIFO: a ring in admission order. */
    private static final class Fifo extends Memory {
        final int[] ring;
        int first;
        int count;

        Fifo(int vms, int capacity) {
            super(vms, capacity);
            ring = new int[capacity];
        }

        @Override
        void hit(int vm) {
        }

        @Override
        void admit(int vm) {
            ring[(first + count++) % capacity] = vm;
        }

        @Override
        void evict() {
            in[ring[first]] = false;
            first = (first + 1) % capacity;
            count--;
            size--;
        }
    }

    /** Random: a dense array of the VMs in memory; any one goes. */
    private static final class RandomChoice extends Memory {
        final int[] members;
        final int[] slot;
        final SplittableRandom random = new SplittableRandom(3);

        RandomChoice(int vms, int capacity) {
            super(vms, capacity);
            members = new int[capacity];
            slot = new int[vms];
        }

        @Override
        void hit(int vm) {
        }

        @Override
        void admit(int vm) {
            slot[vm] = size - 1;
            members[size - 1] = vm;
        }

        @Override
        void evict() {
            int i = random.nextInt(size);
            int vm = members[i];
            int last = members[size - 1];
            members[i] = last;
            slot[last] = i;
            in[vm] = false;
            size--;
        }
    }

    /** {@code count} requests over {@code vms} VMs, Zipf({@code s}) over ranks, ranks shuffled over ids. */
    static int[] zipfTrace(int vms, double s, int count, long seed) {
        double[] cumulative = new double[vms];
        double sum = 0;
        for (int r = 0; r < vms; r++) {
            sum += 1.0 / Math.pow(r + 1, s);
            cumulative[r] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] idOfRank = new int[vms];
        for (int i = 0; i < vms; i++) {
            idOfRank[i] = i;
        }
        for (int i = vms - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = idOfRank[i];
            idOfRank[i] = idOfRank[j];
            idOfRank[j] = t;
        }
        int[] trace = new int[count];
        for (int i = 0; i < count; i++) {
            int rank = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            trace[i] = idOfRank[rank < 0 ? -rank - 1 : rank];
        }
        return trace;
    }

    public static void main(String[] args) {
        int vms = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
        String[] names = {"clock-batch", "clock", "lru", "fifo", "random"};
        System.out.printf("%d VMs, %,d requests (the first quarter warms the memory and is not counted); "
                + "misses per 1,000 requests (swap-ins), lower is better%n%n", vms, requests);
        System.out.print("| Zipf s | in memory |");
        for (String n : names) {
            System.out.print(" " + n + " |");
        }
        System.out.println();
        System.out.println("|---|---|---|---|---|---|---|");
        for (double s : new double[] {0.8, 1.0, 1.2}) {
            int[] trace = zipfTrace(vms, s, requests, 42);
            for (double fraction : new double[] {0.01, 0.05, 0.2}) {
                int capacity = (int) (vms * fraction);
                System.out.printf("| %.1f | %d%% |", s, Math.round(fraction * 100));
                for (String n : names) {
                    Memory m = switch (n) {
                        case "clock-batch" -> new Clock(vms, capacity, true);
                        case "clock" -> new Clock(vms, capacity, false);
                        case "lru" -> new Lru(vms, capacity);
                        case "fifo" -> new Fifo(vms, capacity);
                        default -> new RandomChoice(vms, capacity);
                    };
                    int warm = requests / 4;
                    for (int i = 0; i < warm; i++) {
                        m.request(trace[i]);
                    }
                    m.misses = 0;
                    for (int i = warm; i < requests; i++) {
                        m.request(trace[i]);
                    }
                    System.out.printf(" %.1f |", 1000.0 * m.misses / (requests - warm));
                }
                System.out.println();
            }
        }
    }
}
